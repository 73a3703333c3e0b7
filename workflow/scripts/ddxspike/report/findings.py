"""The findings of TS-001, computed once into one structured object (Findings) keyed by ids:
the five answers, the hypothesis verdicts, the targets matrix, the size policy, the ranked
recommendations, the checklist and the DDX-itself section. Renderers (page.py: HTML, markdown.py:
TS-001-results.md, text.py: the executive summary) only lay it out; nothing is judged there.

Adding a hypothesis: its judge in verdicts.py (with its `question`) and its config; it is shown
under its question everywhere. Adding a target: config only (it joins the matrix, and decides a
question when listed first under `report.questions`).
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ddxspike.catalogue import query
from ddxspike.report import ddx as ddxlib
from ddxspike.report import fmt, optimisations, policy, recommend, select, tidy, verdicts
from ddxspike.report import fits as fitlib
from ddxspike.report import targets as targetlib

QUESTIONS = {
    1: "How does asset discovery time scale with repository size?",
    2: "What is the impact of git subtree operations on large repositories?",
    3: "Can workflow discovery stay under 30 s with 1000+ workflows?",
    4: "What are the memory usage patterns?",
    5: "Is pagination or lazy loading needed?",
}
# The mark of an answer: what its deciding figure says against its deciding target.
MEETS, MISSES, NOT_MEASURED, INCONCLUSIVE = "meets target", "misses target", "not measured", "inconclusive"


@dataclass
class Answer:
    id: str  # "q1" .. "q5"
    question: str
    sentence: str  # one deciding sentence with the run's numbers
    figure: str  # the deciding figure with its interval
    target: str  # id of the deciding target ("" when none)
    mark: str  # MEETS | MISSES | NOT_MEASURED | INCONCLUSIVE
    reason: str  # why, when not measured or inconclusive (and caveats)
    hypotheses: list  # ids of the hypotheses of this question
    detail: str  # the longer paragraph: verdicts, recommendation, target lines

    def __bool__(self):
        return bool(self.sentence)


@dataclass
class Criterion:
    id: str
    kind: str  # "success criterion" | "deliverable"
    text: str
    status: str  # met | partly | not yet
    why: str  # the deciding figure or the reason
    link: str  # anchor of its evidence


@dataclass
class Document:
    verdicts: list
    checks: pd.DataFrame
    breaks: pd.DataFrame
    policy: pd.DataFrame
    recommendations: list
    before_after: pd.DataFrame
    answers: dict  # question number -> Answer
    matrix: pd.DataFrame = field(default_factory=pd.DataFrame)
    sizes: list = field(default_factory=list)  # the matrix's columns, smallest first
    gains: list = field(default_factory=list)  # ranked optimisation gains (optimisations.ranked)
    checklist: list = field(default_factory=list)  # Criterion
    ddx: dict = field(default_factory=dict)  # the DDX-itself section (ddx.py)
    scale: str = ""
    exclusions: str = ""
    hosts: str = ""  # which host(s) the page is judged on, when the table holds more than one

    def answer(self, k: int) -> Answer:
        return self.answers[k]


def analyse(df: pd.DataFrame, fits: pd.DataFrame, targets: list[dict], cfg: dict, exclude=None,
            hosts: pd.DataFrame | None = None, profiles: pd.DataFrame | None = None, ddx_note: str = "") -> Document:
    """Everything the document says. Verdicts, recommendations and "the largest size" use the
    points on the size axes only (edge cases and real repositories excluded); targets check every
    repository, the matrix shows the size axes."""
    exclude = cfg.get("fit_exclude", []) if exclude is None else exclude
    sp = fitlib.scaling_points(df, exclude)
    vs = verdicts.judge_all(sp, fits, cfg)
    checks, breaks = targetlib.check_targets(df, fits, targets)
    # DDX's own listing and subtree commands judge the targets without `prefer`; its start-up
    # (`ddx version`) only the targets that prefer it.
    own, models = list(ddxlib.settings(cfg)["pairs"]), ddxlib.model_strategies(cfg)
    ba = optimisations.before_after(df, cfg.get("optimisations", []))
    # The policy and the recommendations need the judged implementations; the discovery
    # recommendation needs no policy, so it is computed first.
    recommended = [recommend.discovery_strategy(sp, cfg).get("strategy")]
    sizes = targetlib.size_order(sp)
    mat = targetlib.matrix(checks, breaks, targets, sizes, own, models, [r for r in recommended if r])
    judged = {r["target"]: r["judged_list"].split(", ") for r in mat.drop_duplicates("target").to_dict("records")}
    pol = policy.derive(breaks, targets, judged)
    recs = recommend.all_recommendations(sp, fits, vs, pol, cfg)
    doc = Document(vs, checks, breaks, pol, recs, ba, {}, matrix=mat, sizes=sizes,
                   gains=optimisations.ranked(ba, (cfg.get("profile") or {}).get("depth")))
    doc.ddx = ddxlib.analyse(df, hosts, cfg, ddx_note)
    doc.scale = scale_note(sp, cfg)
    doc.exclusions = exclusions_note(df)
    doc.answers = answers(sp, doc, cfg, fits)
    doc.checklist = checklist_items(df, doc, profiles)
    return doc


def verdict_rows(doc: Document) -> pd.DataFrame:
    """The hypotheses as a table; the runs pooled and the contention note where the verdicts
    carry them (a verdict resting on cells measured on a busy machine says so)."""
    rows = []
    for x in doc.verdicts:
        r = {"id": x.id, "question": x.question, "hypothesis": x.hypothesis, "verdict": x.verdict,
             "deciding figures": x.deciding}
        if getattr(x, "runs", 1) > 1:
            r["runs"] = x.runs
        if getattr(x, "contended", False):
            r["contention"] = getattr(x, "contention", "") or "rests on contended cells"
        rows.append(r)
    return pd.DataFrame(rows)


def exclusions_note(df: pd.DataFrame) -> str:
    """What the figures leave out, counted: failed trials, cold trials that were not cold, and RSS
    growth <= 0 (kept raw in the table, but a log fit cannot take it)."""
    if df.empty or "status" not in df:
        return ""
    parts = []
    timed = df[df["mode"] != ddxlib.PARITY] if "mode" in df else df
    bad = timed["status"].fillna("missing")
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
    """Per target: how many cells and sizes pass, and the worst failing one (the detail text)."""
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
        line = (f"{tid} ({c['text'].iloc[0]}): {int(st.str.startswith('pass').sum())} of {len(c)} cell-sizes pass")
        if not worst.empty:
            w = worst.iloc[-1]
            line += f", e.g. {w['cell']} at {w['size']} fails: {w['measured']}"
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


# --- the five answers ----------------------------------------------------------------------------
def _decide(doc: Document, tid: str):
    """(mark, reason, figure, matrix row) of a target at the largest size it was measured at."""
    status, row = targetlib.matrix_status(doc.matrix, tid) if tid else ("no data", None)
    if row is None or status == "no data":
        why = (f"no {row['judged_as']} rows for {tid}" if row is not None and row["judged"] != "–"
               else f"nothing measured for {tid}" if tid else "no deciding target configured")
        return NOT_MEASURED, why, "–", row
    figure = f"{_who(doc, row)} {row['measured']} at {_size_text(doc, row['size'])}"
    missing = f"no valid trials: {_few(row['no_figure'])}" if row.get("no_figure") else ""
    if "marginal" in status:
        return INCONCLUSIVE, f"the interval straddles the {_limit(row)} limit", figure, row
    if status.startswith("no valid"):
        return INCONCLUSIVE, status, figure, row
    one = "one trial, no interval" if "1 trial: no interval" in str(row["measured"]) else ""
    return (MEETS if status.startswith("pass") else MISSES), "; ".join(x for x in (one, missing) if x), figure, row


def _few(names: str, n: int = 3) -> str:
    items = [x for x in names.split(", ") if x]
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


def _limit(row) -> str:
    return fmt.by_metric(row["metric"], row["limit"])


def _who(doc: Document, row) -> str:
    """The judged implementation as the reader should read it: 'DDX c208478 ddx-binary'."""
    cell = str(row.get("cell") or row["judged"])
    if row["judged_as"].startswith("DDX's own") and doc.ddx.get("version"):
        return f"{doc.ddx['version']} {cell}"
    return cell


def judged_name(doc: Document, row) -> str:
    """A matrix row's judged implementation, with DDX's version when it is DDX's own."""
    if row["judged_as"].startswith("DDX's own") and doc.ddx.get("version"):
        return f"{doc.ddx['version']} {row['judged']}"
    return str(row["judged"])


def _size_text(doc: Document, size) -> str:
    shape = doc.ddx.get("shapes", {}).get(size)
    return f"{size} ({shape})" if shape else str(size)


def _b(fits_row) -> str:
    return select.fmt_b(fits_row).removeprefix("b = ") if fits_row else ""


def _claim(subject: str, mark: str, reason: str, row) -> str:
    """'Asset discovery stays under 5 s' / 'exceeds' / 'is at the limit' / 'is undecided against'."""
    if row is None or mark == NOT_MEASURED:
        return f"{subject}: not measured"
    lim = _limit(row)
    if mark == MEETS:
        return f"{subject} stays under {lim}"
    if mark == MISSES:
        return f"{subject} exceeds {lim}"
    return f"{subject} is at the {lim} limit" if "straddles" in reason else f"{subject} is undecided against {lim}"


def _growth(fits, row) -> str:
    """' (time grows as files^0.74 [0.70, 0.78])' for the deciding cell, when it was fitted."""
    f = select.fit_for(fits, {"experiment": row.get("dims", {}).get("experiment"), **row.get("dims", {})},
                       "wall_s", "files", ("joint", "controlled", "pooled")) if row.get("dims") else None
    if not f or f.get("status") != "ok":
        return ""
    ci = f" [{f['b_lo']:.2f}, {f['b_hi']:.2f}]" if np.isfinite(f["b_lo"]) and np.isfinite(f["b_hi"]) else ""
    return f" and its time grows as files^{f['b']:.2f}{ci}"


def answers(df, doc: Document, cfg, fits=None) -> dict:
    """One Answer per sub-question: a deciding sentence, its figure, its mark. The deciding target
    of question k is the first of `report.questions[k]`; its judged implementation at the largest
    size is the deciding figure; the question's hypotheses are named with their verdicts."""
    rec = {r["id"]: r for r in doc.recommendations}
    q = {int(k): ids for k, ids in cfg["questions"].items()}
    doc.ddx.setdefault("shapes", _shapes(df))
    subjects = {1: ("Asset discovery", "", "discovery-strategy"),
                2: ("Every judged git subtree operation", "slowest ", "using-git-subtree"),
                3: ("Workflow discovery", "", "workflow-catalogue-index"),
                4: ("Memory", "peak ", None),
                5: ("A simple listing", "", "pagination-lazy-loading")}
    out = {}
    for k, (subject, lead, rec_id) in subjects.items():
        tid = q[k][0] if q.get(k) else ""
        mark, why, fig, row = _decide(doc, tid)
        if k == 3:  # the question asks about 1000+ workflows: a smaller catalogue cannot say "meets"
            cat = tidy.valid(select.rows(df, cfg["h5"]["experiment"]))
            top = cat["workflows"].max() if "workflows" in cat and cat["workflows"].notna().any() else 0
            need = cfg["h5"]["count_threshold"]
            if row is not None and top and top < need and mark == MEETS:
                mark, why = INCONCLUSIVE, f"largest catalogue {fmt.count(top)} workflows, below the {fmt.count(need)} asked"
        claim = _claim(subject, mark, why, row)
        if k == 1 and row is not None:
            claim += _growth(fits, row)
        if k == 5:
            claim = _pagination_claim(row) or claim
        hyps = "; ".join(f"{x.id} {x.verdict}" for x in doc.verdicts if x.question == k)
        sentence = f"{claim}: {lead}{fig}" + (f" ({hyps})" if hyps else "") + "." if row is not None \
            else f"{claim} ({why})."
        detail = " ".join(x for x in (
            " ".join(f"{x.id} {x.verdict}: {x.deciding}." for x in doc.verdicts if x.question == k),
            rec[rec_id]["text"] if rec_id in rec else "", _target_line(doc.checks, q.get(k, [])),
            query_kind_line(df, cfg["h5"]["experiment"]) if k == 3 else "") if x)
        out[k] = Answer(f"q{k}", QUESTIONS[k], sentence, fig, tid, mark, why,
                        [x.id for x in doc.verdicts if x.question == k], detail)
    return out


def _pagination_claim(row) -> str:
    """'Asset discovery needs no pagination below ≈N files [lo, hi]' from the judged listing's fit
    (where it reaches the simple-operation limit), saying when that is extrapolated."""
    if row is None or not np.isfinite(row.get("break_lo", np.nan)):
        if row is not None and np.isinf(row.get("break_files", np.nan)):
            return "Asset discovery needs no pagination in reach: the listing time does not grow with files"
        return ""
    n, lo, hi, xmax = row["break_files"], row["break_lo"], row["break_hi"], row["break_x_max"]
    if not np.isfinite(n):  # the fit's point estimate never reaches the limit; only its interval does
        return (f"Asset discovery needs no pagination in reach: the fit's listing never reaches "
                f"{_limit(row)}, though its interval allows it from ≈{fmt.count(lo)} files"
                f"{f' (extrapolated from {fmt.count(xmax)})' if np.isfinite(xmax) else ''}")
    far = f", extrapolated from {fmt.count(xmax)}" if np.isfinite(xmax) and n > xmax else ""
    return (f"Asset discovery needs no pagination below ≈{fmt.count(n)} files [{fmt.count(lo)}, {fmt.count(hi)}"
            f"{far}], where a listing reaches {_limit(row)}")


def _shapes(df) -> dict:
    """size -> '300 files, 2 MB' (the shape a reader needs beside a size name)."""
    if df.empty:
        return {}
    g = df.groupby("size")[[a for a in ("files", "bytes", "workflows") if a in df]].max()

    def shape(r):
        if pd.notna(r.get("workflows")):  # a catalogue is sized by its workflows
            return f"{fmt.count(r['workflows'])} workflows"
        return ", ".join(x for x in (f"{fmt.count(r['files'])} files" if pd.notna(r.get("files")) else "",
                                     fmt.nbytes(r["bytes"]) if pd.notna(r.get("bytes")) else "") if x)

    return {s: shape(r) for s, r in g.iterrows()}


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
    return ("Scale: this run measured at most " + ", ".join(short) + ". Verdicts and thresholds "
            "describe repositories of that size and extrapolate beyond it; run the default configuration "
            "for the spike's sizes.")


def executive_summary_text(doc: Document) -> str:
    from ddxspike.report import text

    return text.executive_summary(doc)


def render(df, fits, hosts, profiles, doc: Document, cfg) -> str:
    """The findings page (page.py)."""
    from ddxspike.report import page

    return page.findings(doc, hosts, profiles, cfg)


def checklist_items(df, doc: Document, profiles) -> list:
    """TS-001's success criteria and deliverables, each ticked from the data with its figure."""
    v = tidy.valid(df)
    sizes_met, sizes_text = _sizes_covered(df, v)
    edge_met, edge_text = _edge_cases_covered(v)
    decided = [x.id for x in doc.verdicts if verdicts.decided(x.verdict)]
    recs = {r["id"]: r for r in doc.recommendations}
    answered = [a for a in doc.answers.values() if a.mark in (MEETS, MISSES)]
    marks = "; ".join(f"{a.id} {a.mark}" + (f" ({a.reason})" if a.reason else "") for a in doc.answers.values())
    m = doc.matrix
    measured = m[m["status"] != "no data"]["target"].nunique() if not m.empty else 0
    n_targets = m["target"].nunique() if not m.empty else 0
    ddx = doc.ddx
    pag = recs["pagination-lazy-loading"]
    items = [
        Criterion("sc-answers", "success criterion", "Each of the five sub-questions answered from measurements",
                  "met" if len(answered) == len(doc.answers) else "partly" if answered else "not yet", marks, "#answers"),
        Criterion("sc-hypotheses", "success criterion", "Every hypothesis supported or refuted",
                  "met" if len(decided) == len(doc.verdicts) else "partly" if decided else "not yet",
                  f"decided: {', '.join(decided) or 'none'}; the rest inconclusive with the reason", "#hypotheses"),
        Criterion("sc-targets", "success criterion", "DDX's targets checked at the spike's sizes",
                  "met" if measured == n_targets and not doc.scale else "partly" if measured else "not yet",
                  f"{measured} of {n_targets} targets measured" + (f"; {doc.scale}" if doc.scale else ""), "#targets"),
        Criterion("sc-ddx", "success criterion", "The current DDX implementation benchmarked (its own binary)",
                  "met" if ddx.get("measured") else "not yet",
                  ddx.get("summary") or ddx.get("note") or "DDX's own binary was not measured", "#ddx"),
        Criterion("d-benchmarks", "deliverable", "Benchmarks at each size", sizes_met, sizes_text, "#targets"),
        Criterion("d-memory", "deliverable", "Memory profiles",
                  "met" if not v.empty and v["peak_rss_bytes"].notna().any() else "not yet",
                  doc.answers[4].figure, "#q4"),
        Criterion("d-bottlenecks", "deliverable", "Bottlenecks and mitigations",
                  "met" if profiles is not None and not profiles.empty else "not yet",
                  f"{profiles['profiled'].nunique()} profiled strategies" if profiles is not None and not profiles.empty
                  else "no profile", "#bottlenecks"),
        Criterion("d-pagination", "deliverable", "Pagination / lazy-loading recommendation",
                  "met" if pag.get("thresholds") else "partly", doc.answers[5].sentence, "#recommendations"),
        Criterion("d-size-limits", "deliverable", "Decision on repository size limits and warnings",
                  "met" if not doc.policy.empty else "not yet",
                  "; ".join(policy.rule(r) for r in doc.policy.to_dict("records"))
                  if not doc.policy.empty else "no target breaks within the fits", "#policy"),
        Criterion("d-optimisations", "deliverable", "Prototype optimisations validated by re-running the benchmarks",
                  "met" if doc.gains else "not yet",
                  doc.gains[0]["text"] if doc.gains else "no before/after pairs measured", "#optimisations"),
        Criterion("d-edge-cases", "deliverable", "Edge cases (empty repository, single large file)", edge_met,
                  edge_text, "#targets"),
    ]
    return items


def checklist(df, doc: Document, profiles) -> pd.DataFrame:
    """The checklist as a table (criterion, status, evidence, link)."""
    items = doc.checklist or checklist_items(df, doc, profiles)
    return pd.DataFrame([{"criterion": c.text, "kind": c.kind, "status": c.status, "evidence": c.why,
                          "link": c.link, "id": c.id} for c in items])


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

