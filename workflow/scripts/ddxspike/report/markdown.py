"""results/report/TS-001-results.md from the Findings object: TS-001 filled in (the answers, the
success criteria and deliverables ticked with their deciding figures, the hypotheses with
verdicts, DDX itself, the targets, the size-limit decision, the recommendations and the future
investigations), readable on GitHub. Layout only: nothing is judged here."""

import pandas as pd

from ddxspike.report import fmt
from ddxspike.report.findings import (INCONCLUSIVE, MEETS, MISSES, NOT_MEASURED, QUESTIONS, Document, judged_name,
                                      verdict_rows)

ICON = {MEETS: "✅ meets target", MISSES: "❌ misses target", NOT_MEASURED: "⬜ not measured",
        INCONCLUSIVE: "⚠️ inconclusive"}
BOX = {"met": "[x]", "partly": "[ ]", "not yet": "[ ]"}


def cell(x) -> str:
    """Text safe inside a Markdown table cell: no machine paths, no pipes, no line breaks."""
    if x is None or (isinstance(x, float) and x != x):
        return "–"
    return fmt.no_paths(str(x)).replace("|", "\\|").replace("\n", " ")


def table(df: pd.DataFrame) -> str:
    if df is None or df.empty:
        return "_(no rows)_\n"
    head = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, rule, *body]) + "\n"


def matrix_table(doc: Document) -> pd.DataFrame:
    m = doc.matrix
    if m.empty:
        return m
    sizes = [s for s in doc.sizes if s in set(m["size"])]
    rows = []
    for tid, g in m.groupby("target", sort=False):
        first = g.iloc[0]
        r = {"target": f"{tid}: {first['text']}", "judged": f"{judged_name(doc, first)} ({first['judged_as']})"}
        for s in sizes:
            at = g[g["size"] == s]
            if at.empty:
                r[s] = "–"
                continue
            st = str(at.iloc[0]["status"])
            icon = "⚠️" if "marginal" in st else "✅" if st.startswith("pass") else "❌" if st.startswith("fail") else "⬜"
            r[s] = f"{icon} {at.iloc[0]['measured']}"
        if not sizes or g["size"].eq("").all():
            r["status"] = f"{first['status']} {first['measured']}".strip()
        r["predicted break"] = first["predicted break"] or "–"
        rows.append(r)
    return pd.DataFrame(rows)


def results(doc: Document, summary: str, when: str = "") -> str:
    d = doc.ddx
    out = ["# TS-001 Large Repository Performance Investigation: results", ""]
    meta = [f"DDX measured: **{d['version']}**" if d.get("version") else f"**{d.get('note')}**"]
    if when:
        meta.append(f"run: {when}")
    out += ["_" + " · ".join(meta) + "_", ""]
    if doc.scale:
        out += [f"> {fmt.no_paths(doc.scale)}", ""]
    out += ["Every figure is the median of fresh-process trials with its distribution-free interval "
            "(order statistics) in brackets; the interval's coverage is given when below 95% "
            "(`[1.2 s, 1.5 s; 75%]`), and one trial has none. Produced by the pipeline from "
            "`results/measurements.parquet`; the report (`report.html`) holds every table and chart.", "",
            "## Executive summary", "", summary, "",
            "## The five questions", ""]
    for k, a in doc.answers.items():
        why = f" _({a.reason})_" if a.reason else ""
        out.append(f"{k}. **{QUESTIONS[k]}** {ICON.get(a.mark, a.mark)}. {fmt.no_paths(a.sentence)}{why}")
    out.append("")
    for kind, title in (("success criterion", "Success criteria"), ("deliverable", "Deliverables")):
        out += [f"## {title}", ""]
        for c in doc.checklist:
            if c.kind == kind:
                out.append(f"- {BOX.get(c.status, '[ ]')} **{c.text}** ({c.status}): {fmt.no_paths(c.why)}")
        out.append("")
    out += ["## Hypotheses", "", table(verdict_rows(doc).drop(columns=["question"])), ""]
    out += ["## DDX itself", ""]
    if not d.get("version"):
        out += [d.get("note", ""), ""]
    else:
        r = d["ratios"]
        out += [f"{d['version']} against the Python models that explain it: ratio of medians (binary / model) "
                "with the quotient of the two intervals.", "",
                table(r.drop(columns=["ratio", "n_files"], errors="ignore")) if not r.empty else "_No operation measured for "
                "both the binary and its model._\n"]
        out += [f"**Parity** ({d['parity']['status']}): {d['parity']['text']}", ""]
        out += [f"- {fmt.no_paths(x)}" for x in d["parity"]["mismatches"][:20]]
        if d["behaviours"]:
            out += ["", "**What DDX's commands did:**", ""] + [f"- {fmt.no_paths(x)}" for x in d["behaviours"]]
        out.append("")
    out += ["## Targets", "", "A cell is the median of the implementation the target judges (DDX's own binary "
            "where measured, else the strategies it names, else DDX's model or the recommended strategy), its "
            "slowest cell at that size.", "",
            table(matrix_table(doc)), ""]
    out += ["## Decision: repository size limits and warnings", ""]
    if doc.policy.empty:
        out += ["No size threshold can be derived from this run: no target breaks within the fits.", ""]
    else:
        for r in doc.policy.to_dict("records"):
            note = f" ({r['note']})" if r.get("note") else ""
            out.append(f"- **{r['level']}** at {r['axis']} ≥ **{r['threshold']}**{note} {r['interval']}: {r['action']} "
                       f"_Evidence: {fmt.no_paths(r['evidence'])}_")
        out.append("")
    out += ["## Recommendations", ""]
    if doc.gains:
        out += ["Prototype optimisations, ranked by measured gain at the largest size:", ""]
        out += [f"{i}. {fmt.no_paths(g['text'])}" for i, g in enumerate(doc.gains, 1)] + [""]
    future = None
    for r in doc.recommendations:
        if r["id"] == "future-investigation":
            future = r
            continue
        out.append(f"- **{r['topic']}.** {fmt.no_paths(r['text'])}")
    out += ["", "## Future investigations", ""]
    items = [x for x in (future or {}).get("text", "").split(" · ") if x]
    out += [f"- {fmt.no_paths(x)}" for x in items] or ["- none"]
    out.append("")
    return "\n".join(out)
