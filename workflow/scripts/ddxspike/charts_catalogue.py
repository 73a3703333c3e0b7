"""Charts of the workflow catalogue experiment (sub-question 3, H5): cold discovery, query
latency and memory against the number of workflows, per strategy, with DDX's targets drawn."""

import altair as alt
import pandas as pd

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


def discovery_time(df: pd.DataFrame) -> alt.LayerChart:
    """Median cold start (import, load or scan, first query) per strategy, and the median time
    to build the persistent index, against workflows."""
    d = _catalogue(df)
    cold = d[d["first_query_s"].notna()].assign(seconds=lambda x: x["first_query_s"],
                                                 measure="cold start")
    build = d[d["strategy"] == "index-build"].assign(seconds=lambda x: x["wall_s"],
                                                     measure="index build")
    both = pd.concat([cold, build])[["strategy", "workflows", "seconds", "measure"]]
    med = both.groupby(["strategy", "measure", "workflows"], as_index=False)["seconds"].median()
    lines = alt.Chart(med).mark_line(point=True).encode(
        x=_workflows_axis(),
        y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title="median time (s)"),
        color=alt.Color("strategy:N"),
        strokeDash=alt.StrokeDash("measure:N", legend=None, sort=["cold start", "index build"]),
        tooltip=["strategy", "measure", "workflows", "seconds"],
    )
    return _with_target(lines, DISCOVERY_TARGET).properties(
        width=420, height=280, title=alt.Title(
            "Workflow catalogue: cold discovery vs workflows",
            subtitle="solid: cold start (load + first query); dashed: index build"))


def query_latency(df: pd.DataFrame) -> alt.LayerChart:
    """Median over trials of each trial's p50 and p95 query latency after load (p99 is in the
    table; with few queries a trial it equals the p95)."""
    d = _catalogue(df)
    d = d[d["queries"].fillna(0) > 0]
    cols = {"query_p50_s": "p50", "query_p95_s": "p95"}
    long = d.melt(id_vars=["strategy", "workflows"], value_vars=list(cols),
                  var_name="percentile", value_name="seconds")
    long["percentile"] = long["percentile"].map(cols)
    med = long.groupby(["strategy", "percentile", "workflows"], as_index=False)["seconds"].median()
    med = med[med["seconds"] > 0]  # log scale
    lines = alt.Chart(med).mark_line(point=True).encode(
        x=_workflows_axis(),
        y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title="query latency after load (s)"),
        color=alt.Color("strategy:N"),
        strokeDash=alt.StrokeDash("percentile:N", legend=None, sort=["p50", "p95"]),
        tooltip=["strategy", "percentile", "workflows", "seconds"],
    )
    return _with_target(lines, SEARCH_TARGET).properties(
        width=420, height=280, title=alt.Title(
            "Workflow catalogue: query latency vs workflows",
            subtitle="solid: p50; dashed: p95 (per trial, median over trials)"))


def query_kinds(df: pd.DataFrame) -> alt.FacetChart:
    """p95 latency after load per query kind (name, keyword, tag, role) against workflows, one
    panel per strategy: which kind of search gets slow first. A kind a strategy's trials never
    timed (a scan answers only 1-3 queries after its first) has no line."""
    d = _catalogue(df)
    cols = {c: k for k, c in query.P95_COLUMNS.items() if c in d}
    long = d.melt(id_vars=["strategy", "workflows"], value_vars=list(cols), var_name="kind",
                  value_name="seconds")
    long["kind"] = long["kind"].map(cols)
    med = long.groupby(["strategy", "kind", "workflows"], as_index=False)["seconds"].median()
    med = med[med["seconds"] > 0]  # log scale; no value: kind not timed
    base = alt.Chart(med)
    lines = base.mark_line(point=True).encode(
        x=_workflows_axis(),
        y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title="p95 query latency after load (s)"),
        color=alt.Color("kind:N", title="query kind"),
        tooltip=["strategy", "kind", "workflows", "seconds"],
    )
    limit = base.mark_rule(color="firebrick", strokeDash=[6, 4]).encode(y=alt.datum(SEARCH_TARGET[0]))
    return alt.layer(lines, limit).properties(width=220, height=200).facet(
        facet=alt.Facet("strategy:N", title=None), columns=3).properties(title=alt.Title(
            "Workflow catalogue: p95 latency per query kind vs workflows",
            subtitle=f"dashed: {SEARCH_TARGET[1]}; median over trials of each trial's p95"))


def memory(df: pd.DataFrame) -> alt.LayerChart:
    """Median peak resident memory of the trial process per strategy against workflows."""
    d = _catalogue(df)
    med = d.groupby(["strategy", "workflows"], as_index=False)["peak_rss_bytes"].median()
    lines = alt.Chart(med).mark_line(point=True).encode(
        x=_workflows_axis(),
        y=alt.Y("peak_rss_bytes:Q", title="median peak RSS (bytes)", axis=alt.Axis(format="~s")),
        color=alt.Color("strategy:N"),
        tooltip=["strategy", "workflows", "peak_rss_bytes"],
    )
    return _with_target(lines, MEMORY_TARGET).properties(
        width=420, height=280, title="Workflow catalogue: peak memory vs workflows")


CHARTS = {
    "catalogue_discovery_time": discovery_time,
    "catalogue_query_latency": query_latency,
    "catalogue_query_kinds": query_kinds,
    "catalogue_memory": memory,
}
