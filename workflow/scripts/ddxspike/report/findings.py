"""The findings page: the executive summary answering TS-001's five sub-questions on one screen,
then hypotheses, targets, size policy, recommendations, optimisations, bottlenecks, the success
criteria checklist and the environment — every figure computed from the tidy table."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ddxspike.catalogue import query
from ddxspike.report import fmt, html, optimisations, policy, recommend, select, stats, tidy, verdicts
from ddxspike.report import fits as fitlib
from ddxspike.report import targets as targetlib

QUESTIONS = {
    1: "How does asset discovery time scale with repository size?",
    2: "What is the impact of git subtree operations on large repositories?",
    3: "Can workflow discovery stay under 30 s with 1000+ workflows?",
    4: "What are the memory usage patterns?",
    5: "Is pagination or lazy loading needed?",
}


@dataclass
class Document:
    verdicts: list
    checks: pd.DataFrame
    breaks: pd.DataFrame
    policy: pd.DataFrame
    recommendations: list
    before_after: pd.DataFrame
    answers: dict
    scale: str = ""
    exclusions: str = ""
    hosts: str = ""  # which host(s) the page is judged on, when the table holds more than one


def analyse(df: pd.DataFrame, fits: pd.DataFrame, targets: list[dict], cfg: dict, exclude=None) -> Document:
    """Everything the page says. Verdicts, recommendations and "the largest size" use the points on
    the size axes only (edge cases and real repositories excluded); targets check every repository."""
    exclude = cfg.get("fit_exclude", []) if exclude is None else exclude
    sp = fitlib.scaling_points(df, exclude)
    vs = verdicts.judge_all(sp, fits, cfg)
    checks, breaks = targetlib.check_targets(df, fits, targets)
    ddx = [s for k in ("h1", "h3") for s in cfg[k]["strategies"]] + cfg["h5"]["scan"]
    pol = policy.derive(breaks, targets, ddx)
    recs = recommend.all_recommendations(sp, fits, vs, pol, cfg)
    ba = optimisations.before_after(df, cfg.get("optimisations", []))
    doc = Document(vs, checks, breaks, pol, recs, ba, {})
    doc.answers = answers(sp, doc, cfg)
    doc.scale = scale_note(sp, cfg)
    doc.exclusions = exclusions_note(df)
    return doc


def exclusions_note(df: pd.DataFrame) -> str:
    """What the figures leave out, counted: failed trials, cold trials that were not cold, and RSS
    growth <= 0 (kept raw in the table, but a log fit cannot take it)."""
    if df.empty or "status" not in df:
        return ""
    parts = []
    bad = df["status"].fillna("missing")
    bad = bad[bad != "ok"].value_counts()
    if not bad.empty:
        parts.append(", ".join(f"{n} {st}" for st, n in bad.items()) + " trial(s) gave no valid figure "
                     "(targets show them per size; a timeout counts as a fail)")
    warm = len(tidy.lukewarm(df))
    if warm:
        parts.append(f"{warm} cold trial(s) started with more than {tidy.COLD_RESIDENCY_MAX:.0%} of the repository "
                     "cached, so were not really cold: left out of fits, verdicts and targets")
    neg = tidy.nonpositive(df, "rss_growth_bytes")
    if neg:
        parts.append(f"{neg} trial(s) had RSS growth <= 0: kept as measured, left out of the log fits of "
                     "rss_growth_bytes")
    return ("Left out: " + "; ".join(parts) + ".") if parts else ""


def _target_line(checks: pd.DataFrame, ids) -> str:
    parts = []
    for tid in ids:
        c = checks[checks["target"] == tid] if not checks.empty else checks
        if c.empty:
            continue
        if (c["status"] == "no data").all():
            parts.append(f"{tid}: no data")
            continue
        st = c["status"].astype(str)
        worst = c[st.str.startswith("fail")]
        line = (f"{tid} ({c['text'].iloc[0]}): {int(st.str.startswith('pass').sum())} pass, "
                f"{int(st.str.startswith('fail').sum())} fail")
        invalid = int(st.str.startswith("no valid").sum())
        if invalid:
            line += f", {invalid} with no valid trials"
        if not worst.empty:
            w = worst.iloc[-1]
            line += f" — e.g. {w['cell']} at {w['size']}: {w['measured']}"
        parts.append(line)
    return "; ".join(parts)


def query_kind_line(df: pd.DataFrame, experiment: str) -> str:
    """Per strategy at the largest workflow count: the query kind with the slowest p95 after load
    (median over trials), so a reader sees which kind of search an index must serve."""
    kinds = {c: k for k, c in query.P95_COLUMNS.items() if c in df}
    cols = list(kinds)
    d = tidy.valid(select.rows(df, experiment)) if cols and "workflows" in df else df.iloc[0:0]
    d = d[d["workflows"] == d["workflows"].max()] if not d.empty else d
    if "queries" in d:
        d = d[d["queries"].fillna(0) > 0]  # index-build answers none
    parts, none = [], []
    for strategy, g in d.groupby("strategy", sort=True):
        med = g[cols].median().dropna()
        if med.empty:
            none.append(strategy)
            continue
        kind = med.idxmax()
        of = f" ({len(med)} of {len(cols)} kinds timed)" if len(med) < len(cols) else ""
        parts.append(f"{strategy} {kinds[kind]} {fmt.seconds(med[kind])}{of}")
    if not parts:
        return ""
    return (f" Slowest query kind after load at {fmt.count(d['workflows'].iloc[0])} workflows "
            "(median p95): " + "; ".join(parts) + "."
            + (f" No kind timed for {', '.join(none)}." if none else ""))


def answers(df, doc: Document, cfg) -> dict:
    """One short answer per sub-question, each with its numbers."""
    v = {x.id: x for x in doc.verdicts}
    rec = {r["topic"]: r for r in doc.recommendations}
    q = cfg["questions"]
    out = {}
    disc = tidy.valid(select.rows(df, cfg["h1"]["experiment"]))
    size_line = ""
    if not disc.empty:
        top = tidy.largest(disc)
        base = select.present(top, cfg["h1"]["strategies"])
        if base:
            s = base[0]
            depth = next((x for x in cfg["listing"].get("depths", []) if (top["depth"] == x).any()), None)
            at = top[top["depth"] == depth] if depth else top
            meds = []
            for state in ("cold", "warm"):
                g = at[(at["strategy"] == s) & (at["cache_state"] == state)]
                if not g.empty:
                    meds.append(f"{state} {fmt.interval('wall_s', *stats.median_ci(g['wall_s']))}")
            size_line = (f"At {top['size'].iloc[0]} ({fmt.count(top['files'].iloc[0])} files, "
                         f"{fmt.nbytes(top['bytes'].iloc[0])}) {s} ({depth or 'all depths'}) takes "
                         + ", ".join(meds) + ". ")
    out[1] = (f"H1 {v['H1'].verdict}: {v['H1'].deciding}. {size_line}{rec['Discovery strategy']['text']} "
              f"{_target_line(doc.checks, q['1'])}")
    out[2] = f"H3 {v['H3'].verdict}: {v['H3'].deciding}. {rec['Using git subtree']['text']} {_target_line(doc.checks, q['2'])}"
    out[3] = (f"{_target_line(doc.checks, q['3']) or 'no data'}. H5 {v['H5'].verdict}: {v['H5'].deciding}."
              + query_kind_line(df, cfg["h5"]["experiment"]))
    mem = tidy.valid(df)
    mem = mem[mem["peak_rss_bytes"].notna()] if not mem.empty else mem
    peak = ""
    if not mem.empty:
        top = mem.loc[mem.groupby(["experiment"])["peak_rss_bytes"].idxmax()]
        peak = "Largest peak RSS per experiment: " + ", ".join(
            f"{r['experiment']} {fmt.nbytes(r['peak_rss_bytes'])} ({r['strategy']} at {r['size']})"
            for r in top.to_dict("records")) + ". "
    out[4] = f"H2 {v['H2'].verdict}: {v['H2'].deciding}. {peak}{_target_line(doc.checks, q['4'])}"
    out[5] = f"{rec['Pagination / lazy loading']['text']} {_target_line(doc.checks, q['5'])}"
    return out


def scale_note(df: pd.DataFrame, cfg) -> str:
    """Say so when the run measured far smaller repositories than the spike's sizes."""
    want = cfg.get("spike_scale") or {}
    v = tidy.valid(select.rows(df, cfg["h1"]["experiment"]))  # repositories, not catalogues
    if v.empty or not want:
        return ""
    short = [f"{a} {fmt.by_axis(a, v[a].max())} (spike: {fmt.by_axis(a, n)})" for a, n in want.items()
             if a in v and v[a].notna().any() and v[a].max() < n]
    if not short:
        return ""
    return ("Scale: this run measured at most " + ", ".join(short) + ". Verdicts and thresholds below "
            "describe repositories of that size and extrapolate beyond it; run the default configuration "
            "for the spike's sizes.")


def executive_summary_text(doc: Document) -> str:
    lines = [x for x in (doc.hosts, doc.scale, doc.exclusions) if x] + [f"{k}. {QUESTIONS[k]}\n   {doc.answers[k]}" for k in sorted(doc.answers)]
    lines += [f"{x.id} {x.verdict}: {x.deciding}" for x in doc.verdicts]
    return "\n".join(lines)


def checklist(df, doc: Document, profiles) -> pd.DataFrame:
    v = tidy.valid(df)
    sizes_met, sizes_text = _sizes_covered(df, v)
    edge_met, edge_text = _edge_cases_covered(v)
    decided = [x.id for x in doc.verdicts if verdicts.decided(x.verdict)]
    recs = {r["topic"]: r for r in doc.recommendations}
    ba = doc.before_after
    ba_ok = not ba.empty and "ratio" in ba and ba["ratio"].notna().any()
    items = [
        ("Benchmarks at each size", sizes_met, sizes_text, "#targets"),
        ("Memory profiles", "met" if not v.empty and v["peak_rss_bytes"].notna().any() else "not yet",
         doc.answers[4][:160], "#h2"),
        ("Bottlenecks and mitigations", "met" if profiles is not None and not profiles.empty else "not yet",
         f"{profiles['profiled'].nunique()} profiled strategies" if profiles is not None and not profiles.empty
         else "no profile", "#bottlenecks"),
        ("Pagination / lazy-loading recommendation",
         "met" if recs["Pagination / lazy loading"].get("thresholds") else "partly",
         recs["Pagination / lazy loading"]["text"][:160], "#recommendations"),
        ("Decision on repository size limits and warnings", "met" if not doc.policy.empty else "not yet",
         f"{len(doc.policy)} levels derived" if not doc.policy.empty else "no target breaks within the fits",
         "#policy"),
        ("Prototype optimisations validated by re-running the benchmarks", "met" if ba_ok else "not yet",
         f"{int(ba['ratio'].notna().sum())} before/after cells" if ba_ok else "no before/after pairs measured",
         "#optimisations"),
        ("Edge cases (empty repository, single large file)", edge_met, edge_text, "#targets"),
        ("Every hypothesis answered", "met" if len(decided) == len(doc.verdicts) else "partly",
         f"decided: {', '.join(decided) or 'none'}; the rest inconclusive with the reason", "#hypotheses"),
    ]
    return pd.DataFrame(items, columns=["criterion", "status", "evidence", "link"])


def _sizes_covered(df, v) -> tuple[str, str]:
    """Met when every experiment has valid trials at every size it was run at (each size its
    configuration gave it that left a row, of any status): a size whose trials all failed counts
    as missing, not as covered."""
    if df.empty or "experiment" not in df:
        return "not yet", "no measurements"
    parts, short = [], 0
    for e, g in df.groupby("experiment", sort=True):
        want = set(g["size"].dropna())
        have = set(v.loc[v["experiment"] == e, "size"]) if not v.empty else set()
        missing = sorted(want - have)
        short += bool(missing)
        parts.append(f"{e}: {len(want & have)} of {len(want)} sizes"
                     + (f" (no valid trials at {', '.join(missing)})" if missing else ""))
    have_any = not v.empty
    return ("met" if have_any and not short else "partly" if have_any else "not yet"), "; ".join(parts)


def _edge_cases_covered(v) -> tuple[str, str]:
    """Both edge cases the spike names: an empty repository (0 files) and a single large file."""
    if v.empty or "files" not in v:
        return "not yet", "no edge-case repositories measured"
    empty = sorted(v.loc[v["files"] == 0, "size"].unique())
    single = sorted(v.loc[(v["files"] == 1) & (v["bytes"] > 0), "size"].unique()) if "bytes" in v else []
    found = [f"empty repository: {', '.join(empty)}" if empty else "empty repository: not measured",
             f"single large file: {', '.join(single)}" if single else "single large file: not measured"]
    return ("met" if empty and single else "partly" if empty or single else "not yet"), "; ".join(found)


def hosts_note(df: pd.DataFrame, own: list[str]) -> str:
    """Which host(s) the page is judged on, when the table holds more than one."""
    if "host_id" not in df or df["host_id"].nunique() <= 1:
        return ""
    mine = df["host_id"].isin(own)
    parts = []
    if len(own) > 1:
        parts.append(f"This run's {int(mine.sum())} rows come from {len(own)} host fingerprints "
                     f"({', '.join(own)}: cluster nodes, or the machine changed between runs; see the "
                     "environment table) and are judged together.")
    else:
        parts.append(f"Judged on host {own[0]} ({int(mine.sum())} rows), the machine that measured this run.")
    others = df[~mine].groupby("host_id").size()
    if len(others):
        parts.append("Not pooled with it: " + ", ".join(f"{h} ({n} rows)" for h, n in others.items())
                     + " (import_measurements); their figures are in the summary table and the fits "
                     "(per host_id); the charts, like this page, show this run's rows only.")
    return " ".join(parts)


def render(df, fits, hosts, profiles, doc: Document, cfg) -> str:
    h = html
    parts = ["<h1>DDX TS-001 findings: large repository performance</h1>",
             '<p class="small">Every figure below is computed by the pipeline from results/measurements.parquet '
             '(median of fresh-process trials, 95% bootstrap interval in brackets). Rules are stated before the '
             'numbers they judge. Charts are in the report categories named after the sub-questions.</p>',
             '<h2 id="summary">Executive summary</h2>'
             + (f'<p class="inconclusive">{html.esc(doc.scale)}</p>' if doc.scale else "")
             + (f'<p class="small">{html.esc(doc.exclusions)}</p>' if doc.exclusions else "")
             + (f'<p class="small" id="hosts">{html.esc(doc.hosts)}</p>' if doc.hosts else "")
             + '<table class="exec"><tbody>']
    for k, qtext in QUESTIONS.items():
        parts.append(f"<tr><td>{k}. {h.esc(qtext)}</td><td>{h.esc(doc.answers[k])}</td></tr>")
    parts.append("</tbody></table>")
    parts.append('<h2 id="hypotheses">Hypotheses</h2>')
    parts.append(h.table(pd.DataFrame([{"id": x.id, "hypothesis": x.hypothesis, "verdict": x.verdict,
                                        "deciding figures": x.deciding} for x in doc.verdicts]),
                         badges=("verdict",)))
    for x in doc.verdicts:
        parts.append(f'<h3 id="{x.id.lower()}">{x.id}: {h.esc(x.hypothesis)} — {h.badge(x.verdict)}</h3>'
                     f'<p class="rule">Rule: {h.esc(x.rule)}</p><p>{h.esc(x.deciding)}</p>{h.table(x.evidence)}')
    parts.append('<h2 id="targets">Targets</h2><p class="rule">Each target from DDX\'s documents against every '
                 'relevant cell at every size it applies to: pass when the median is below the limit (marginal when '
                 'the interval straddles it); a cell fails when any size fails. The predicted break is where the '
                 'cell\'s fit reaches the limit.</p>')
    parts.append(h.table(targetlib.summary(doc.checks), badges=("status",)))
    parts.append('<p class="small">Every size of every cell: the "fits, targets and cells" page.</p>')
    parts.append('<h2 id="policy">Size limits and warnings</h2><p class="rule">Levels of concern per size axis: the '
                 'smallest size at which a target of that severity is predicted to break for the strategies DDX uses '
                 'today (warn: FEAT-001 comfort targets; redirect: TS-001 requirements; refuse: DDX timeouts).</p>')
    pol = doc.policy.drop(columns=["threshold_value"], errors="ignore")
    parts.append(h.table(pol))
    parts.append('<h2 id="recommendations">Recommendations</h2><ul>')
    for r in doc.recommendations:
        ev = f'<br><span class="small">Evidence: {h.esc(r["evidence"])}</span>' if r.get("evidence") else ""
        parts.append(f"<li><b>{h.esc(r['topic'])}.</b> {h.esc(r['text'])}{ev}</li>")
    parts.append("</ul>")
    parts.append('<h2 id="optimisations">Prototype optimisations: before / after</h2>')
    ba = doc.before_after.drop(columns=["ratio", "ratio_lo", "ratio_hi"], errors="ignore")
    parts.append(h.table(ba))
    parts.append('<h2 id="bottlenecks">Bottlenecks</h2>')
    parts.append(bottleneck_html(profiles))
    parts.append('<h2 id="criteria">TS-001 success criteria</h2>')
    cl = checklist(df, doc, profiles)
    rows = "".join(f"<tr><td>{h.esc(r['criterion'])}</td><td>{h.badge(r['status'])}</td>"
                   f"<td>{h.esc(r['evidence'])}</td><td><a href=\"{r['link']}\">evidence</a></td></tr>"
                   for r in cl.to_dict("records"))
    parts.append(f"<table><thead><tr><th>criterion</th><th>status</th><th>evidence</th><th></th></tr></thead>"
                 f"<tbody>{rows}</tbody></table>")
    parts.append('<h2 id="environment">Environment</h2>')
    parts.append(h.table(hosts.T.reset_index().rename(columns={"index": "fact"}) if hosts is not None and not hosts.empty
                         else hosts))
    return h.page("DDX TS-001 findings", "".join(parts))


def bottleneck_html(profiles) -> str:
    if profiles is None or profiles.empty:
        return '<p class="small">No profile was taken (the profile rule runs on the largest discovery size).</p>'
    out = []
    for name, g in profiles.groupby("profiled", sort=False):
        shares = g[g["row"] == "share"][["category", "seconds", "share"]]
        top = g[g["row"] == "function"][["function", "calls", "tottime_s", "cumtime_s", "category"]].head(12)
        out.append(f"<h3>{html.esc(name)}</h3>{html.table(shares)}{html.table(top)}")
    return "".join(out)
