"""Charts of the workflow catalogue experiment (sub-question 3, H5): cold discovery, query
latency and memory against the number of workflows, per strategy, with DDX's targets drawn."""

import altair as alt
import pandas as pd

from ddxspike import charts_common as common
from ddxspike.catalogue import query
from ddxspike.repos.model import SYNTHETIC

# (limit, label) of the targets each chart is read against (ddx-facts.md).
DISCOVERY_TARGET = (30.0, "TS-001/FEAT-005: workflow discovery < 30 s")
SEARCH_TARGET = (0.5, "ADR-006: search < 500 ms")
MEMORY_TARGET = (100e6, "TS-001: memory < 100 MB")


def _catalogue(df: pd.DataFrame) -> pd.DataFrame:
    """Timed, correct trials on the count axis: the generated w<N> catalogues, repo_kind synthetic
    (the bad-input one and real libraries' catalogues are no points on it)."""
    d = df[(df["experiment"] == "catalogue") & (df["mode"] == "time") & (df["status"] == "ok")]
    return d[d["repo_kind"] == SYNTHETIC]


def _with_target(lines: alt.Chart, target: tuple[float, str]) -> alt.LayerChart:
    limit, text = target
    t = pd.DataFrame({"limit": [limit], "text": [text]})
    rule = alt.Chart(t).mark_rule(color="firebrick", strokeDash=[6, 4]).encode(y="limit:Q")
    label = alt.Chart(t).mark_text(align="left", dx=4, dy=-6, color="firebrick").encode(
        y="limit:Q", x=alt.value(0), text="text:N")
    return alt.layer(lines, rule, label)


def _workflows_axis() -> alt.X:
    return alt.X("workflows:Q", scale=alt.Scale(type="log"), title="workflows in the catalogue")


def _median_lines(long: pd.DataFrame, value: str, y_title: str, log: bool = True, color: str = "strategy",
                  dash=None, dash_sort=(), color_title=None, y_format=None) -> alt.LayerChart:
    """Median of `value` per series and workflow count, with the interval of the median as bars
    (the summary's order-statistics interval; coverage in the tooltip)."""
    series = [color, *([dash] if dash else [])]
    med = common.medians(long[long[value].notna()], [*series, "workflows"], value)
    if log:
        med = med[med["median"] > 0]  # log scale; no value: not timed
    scale = alt.Scale(type="log") if log else alt.Scale()
    axis = alt.Axis(format=y_format) if y_format else alt.Undefined
    enc = {"x": _workflows_axis(), "color": alt.Color(f"{color}:N", title=color_title or color)}
    if dash:
        enc["strokeDash"] = alt.StrokeDash(f"{dash}:N", legend=None, sort=list(dash_sort))
    base = alt.Chart(med)
    bars = base.mark_rule(opacity=0.55).encode(**{k: v for k, v in enc.items() if k != "strokeDash"},
                                               y=alt.Y("lo:Q", scale=scale), y2="hi:Q",
                                               detail=alt.Detail(f"{series[-1]}:N"))
    tooltip = [*(f"{c}:N" for c in series), "workflows:Q", alt.Tooltip("median:Q", format=".4g"),
               alt.Tooltip("lo:Q", format=".4g"), alt.Tooltip("hi:Q", format=".4g"), "coverage:N", "trials:Q"]
    line = base.mark_line(point=True).encode(**enc, y=alt.Y("median:Q", scale=scale, title=y_title, axis=axis),
                                             tooltip=tooltip)
    return alt.layer(bars, line)


def discovery_time(df: pd.DataFrame) -> alt.LayerChart:
    """Median cold start (import, load or scan, first query) per strategy, and the median time
    to build the persistent index, against workflows."""
    d = _catalogue(df)
    cold = d[d["first_query_s"].notna()].assign(seconds=lambda x: x["first_query_s"],
                                                 measure="cold start")
    build = d[d["strategy"] == "index-build"].assign(seconds=lambda x: x["wall_s"],
                                                     measure="index build")
    both = pd.concat([cold, build])[["strategy", "workflows", "seconds", "measure"]]
    lines = _median_lines(both, "seconds", "median time (s)", dash="measure",
                          dash_sort=["cold start", "index build"])
    return _with_target(lines, DISCOVERY_TARGET).properties(
        width=420, height=280, title=alt.Title(
            "Workflow catalogue: cold discovery vs workflows",
            subtitle=["solid: cold start (load + first query); dashed: index build",
                      "bars: interval of the median (coverage in the tooltip)"]))


def query_latency(df: pd.DataFrame) -> alt.LayerChart:
    """Median over trials of each trial's p50 and p95 query latency after load (p99 is in the
    table; with few queries a trial it equals the p95)."""
    d = _catalogue(df)
    d = d[d["queries"].fillna(0) > 0]
    cols = {"query_p50_s": "p50", "query_p95_s": "p95"}
    long = d.melt(id_vars=["strategy", "workflows"], value_vars=list(cols),
                  var_name="percentile", value_name="seconds")
    long["percentile"] = long["percentile"].map(cols)
    lines = _median_lines(long, "seconds", "query latency after load (s)", dash="percentile",
                          dash_sort=["p50", "p95"])
    return _with_target(lines, SEARCH_TARGET).properties(
        width=420, height=280, title=alt.Title(
            "Workflow catalogue: query latency vs workflows",
            subtitle=["solid: p50; dashed: p95 (per trial, median over trials)",
                      "bars: interval of the median (coverage in the tooltip)"]))


def query_kinds(df: pd.DataFrame) -> alt.FacetChart:
    """p95 latency after load per query kind (name, keyword, tag, role) against workflows, one
    panel per strategy: which kind of search gets slow first. A kind a strategy's trials never
    timed (a scan answers only 1-3 queries after its first) has no line."""
    d = _catalogue(df)
    cols = {c: k for k, c in query.P95_COLUMNS.items() if c in d}
    long = d.melt(id_vars=["strategy", "workflows"], value_vars=list(cols), var_name="kind",
                  value_name="seconds")
    long["kind"] = long["kind"].map(cols)
    # One panel per strategy, each a layer of its own (a faceted layer shares one data set).
    panels = []
    for strategy, g in long[long["seconds"] > 0].groupby("strategy", sort=True):  # no value: not timed
        lines = _median_lines(g, "seconds", "p95 query latency after load (s)", color="kind",
                              color_title="query kind")
        limit = alt.Chart(pd.DataFrame({"limit": [SEARCH_TARGET[0]]})).mark_rule(
            color="firebrick", strokeDash=[6, 4]).encode(y="limit:Q")
        panels.append(alt.LayerChart(layer=[lines, limit], width=220, height=200, title=strategy))
    if not panels:
        return common.empty("Workflow catalogue: p95 latency per query kind")
    rows = [alt.HConcatChart(hconcat=panels[i:i + 3]) for i in range(0, len(panels), 3)]
    return alt.VConcatChart(vconcat=rows, title=alt.Title(
        "Workflow catalogue: p95 latency per query kind vs workflows",
        subtitle=[f"dashed: {SEARCH_TARGET[1]}; median over trials of each trial's p95",
                  "bars: interval of the median (coverage in the tooltip)"]))


def memory(df: pd.DataFrame) -> alt.LayerChart:
    """Median peak resident memory of the trial process per strategy against workflows."""
    d = _catalogue(df)
    lines = _median_lines(d, "peak_rss_bytes", "median peak RSS (bytes)", log=False, y_format="~s")
    return _with_target(lines, MEMORY_TARGET).properties(
        width=420, height=280, title=alt.Title("Workflow catalogue: peak memory vs workflows",
                                               subtitle="bars: interval of the median (coverage in the tooltip)"))


CHARTS = {
    "catalogue_discovery_time": discovery_time,
    "catalogue_query_latency": query_latency,
    "catalogue_query_kinds": query_kinds,
    "catalogue_memory": memory,
}
