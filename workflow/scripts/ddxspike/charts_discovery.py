"""Asset discovery charts (sub-questions 1, 4, 5; H1, H2, H4), built from the tidy measurement
table. Library sizes and real repositories are plotted against their shape; edge cases
(repo_kind edge) have a chart of their own, since their shapes are extremes, not a scale."""

import altair as alt
import pandas as pd

from ddxspike import charts_common as common
from ddxspike.report.fmt import no_paths
from ddxspike.repos.model import EDGE

PANEL = {"width": 220, "height": 200}
DEPTH_ORDER = ["names", "stat", "meta", "hash"]


def _discovery(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["experiment"] == "discovery"]


def _libraries(df: pd.DataFrame) -> pd.DataFrame:
    d = _discovery(df)
    return d[d["repo_kind"] != EDGE]


def _timed_ok(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["mode"] == "time") & (df["status"] == "ok")]


def _empty(title: str) -> alt.Chart:
    """A visible 'no data' panel rather than a broken chart when a run measured nothing here."""
    return (alt.Chart(pd.DataFrame({"text": [f"{title}: no measurements in this run"]}))
            .mark_text(size=14).encode(text="text:N").properties(width=400, height=60))


def _target(targets, tid):
    t = next((t for t in targets or [] if t["id"] == tid), None)
    return (t["limit"], f"{t['source']}: {t['text']}") if t else None


def time_vs_shape(df: pd.DataFrame, x: str = "files", targets=None) -> alt.VConcatChart:
    """Median wall time with its interval (bars) against repository files (or bytes), log-log:
    one row of panels per strategy family (DDX's own and its models first), one panel per depth;
    solid = warm cache, dashed = cold; DDX's own drawn wider; the 5 s target where it is near."""
    d = _timed_ok(_libraries(df))
    title = f"Asset discovery: time vs {x}"
    if d.empty:
        return _empty(title)
    return common.family_grid(d, x, "wall_s", "median wall time", title, _target(targets, "discovery-1gb"),
                              DEPTH_ORDER)


def first_page(df: pd.DataFrame) -> alt.Chart:
    """Lazy (streamed, sorted pages) vs eager (sorted-full) listing: time to the first page, the
    whole call, and what rendering the listing as a table and as JSON cost; warm cache."""
    d = _timed_ok(_libraries(df))
    d = d[(d["cache_state"] == "warm") & d["first_page_s"].notna()]
    title = "Time to first page vs full listing (warm)"
    if d.empty:
        return _empty(title)
    measures = {"first_page_s": "first page", "wall_s": "whole listing (incl. rendering)",
                "render_table_s": "rendering: table", "render_json_s": "rendering: JSON"}
    long = d.melt(id_vars=["size", "strategy", "depth", "files"], value_vars=list(measures),
                  var_name="measure", value_name="seconds")
    long["measure"] = long["measure"].map(measures)
    med = long.groupby(["size", "strategy", "depth", "files", "measure"], as_index=False)["seconds"].median()
    return (
        alt.Chart(med).mark_line(point=True)
        .encode(
            x=alt.X("files:Q", scale=alt.Scale(type="log"), title="repository files"),
            y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title="median seconds"),
            color=alt.Color("measure:N", sort=list(measures.values())),
            strokeDash=alt.StrokeDash("strategy:N"),
            column=alt.Column("depth:N", sort=DEPTH_ORDER),
            tooltip=["size", "strategy", "depth", "measure", alt.Tooltip("seconds:Q", format=".5f")],
        )
        .properties(**PANEL, title=title)
    )


def _memory_panels(d: pd.DataFrame, column: str, scale: str, y_title: str, digits: str,
                   title: str, target=None) -> alt.Chart:
    """Median of one memory column per strategy family and depth against files, in MB."""
    if d.empty:
        return _empty(title)
    return common.family_grid(d, "files", column, y_title, title, target, DEPTH_ORDER)


def memory(df: pd.DataFrame, targets=None) -> alt.Chart:
    """Median peak resident memory of the trial process (interpreter included) per strategy."""
    return _memory_panels(_timed_ok(_libraries(df)), "peak_rss_bytes", "linear",
                          "median peak RSS", ".1f", "Asset discovery: peak resident memory",
                          _target(targets, "memory-typical"))


def heap(df: pd.DataFrame) -> alt.Chart:
    """tracemalloc peak of the strategy call alone (untimed heap trials): what the listing itself
    allocates; `lazy` streams, the others materialise the list."""
    d = _libraries(df)
    d = d[(d["mode"] == "heap") & (d["status"] == "ok") & d["py_heap_peak_bytes"].notna()]
    return _memory_panels(d, "py_heap_peak_bytes", "symlog", "median tracemalloc peak", ".2f",
                          "Asset discovery: Python heap peak (streaming vs materialised)")


CACHED = ("memory-cache", "file-cache", "gitindex")
BASELINE = "scandir"


def cache_ratio(df: pd.DataFrame) -> alt.Chart:
    """H4: median time of each caching strategy divided by the uncached scandir walk at the same
    size, depth and cache state; below the 0.5 rule, caching cut discovery time by over 50%."""
    d = _timed_ok(_libraries(df))
    title = "Cached / uncached discovery time (H4: below 0.5 = more than 50% saved)"
    keys = ["size", "depth", "cache_state", "files"]
    med = d.groupby(keys + ["strategy"], as_index=False)["wall_s"].median()
    base = med[med["strategy"] == BASELINE].rename(columns={"wall_s": "uncached_s"})
    cached = med[med["strategy"].isin(CACHED)].merge(base[keys + ["uncached_s"]], on=keys)
    if cached.empty:
        return _empty(title)
    cached["ratio"] = cached["wall_s"] / cached["uncached_s"]
    lines = (
        alt.Chart().mark_line(point=True)
        .encode(
            x=alt.X("files:Q", scale=alt.Scale(type="log"), title="repository files"),
            y=alt.Y("ratio:Q", scale=alt.Scale(type="log"), title=f"median time / {BASELINE}"),
            color="strategy:N",
            strokeDash=alt.StrokeDash("cache_state:N", title="cache"),
            tooltip=["size", "strategy", "depth", "cache_state",
                     alt.Tooltip("ratio:Q", format=".3f"), alt.Tooltip("wall_s:Q", format=".4f"),
                     alt.Tooltip("uncached_s:Q", format=".4f")],
        )
    )
    rule = alt.Chart().mark_rule(strokeDash=[2, 2], color="gray").encode(y=alt.datum(0.5))
    return (alt.layer(lines, rule, data=cached).properties(**PANEL)
            .facet(column=alt.Column("depth:N", sort=DEPTH_ORDER), title=title))


def edge_cases(df: pd.DataFrame) -> alt.Chart:
    """Every strategy on every edge case: ok, a clean error, or a mismatch; median warm time."""
    d = _discovery(df)
    d = d[(d["repo_kind"] == EDGE) & (d["mode"] == "time")]
    title = "Edge cases: outcome per strategy and depth"
    if d.empty:
        return _empty(title)

    def outcome(s: pd.Series) -> str:
        kinds = sorted(set(s))
        return kinds[0] if len(kinds) == 1 else "mixed: " + "/".join(kinds)

    g = d.groupby(["size", "strategy", "depth"], as_index=False).agg(
        outcome=("status", outcome), median_wall_s=("wall_s", "median"),
        error=("error", lambda e: no_paths(next((x for x in e if isinstance(x, str) and x), ""))))
    g["edge_case"] = g["size"]
    g["label"] = (g["median_wall_s"] * 1000).round(1).astype(str) + " ms"
    base = alt.Chart().encode(
        x=alt.X("strategy:N", title=None), y=alt.Y("edge_case:N", title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("outcome:N", scale=alt.Scale(
            domain=["ok", "error", "timeout", "mismatch"],
            range=["#9bd39b", "#f3c27a", "#e89a9a", "#d62728"])),
        tooltip=["edge_case", "strategy", "depth", "outcome", "error",
                 alt.Tooltip("median_wall_s:Q", format=".4f")])
    text = base.mark_text(fontSize=8).encode(text="label:N")
    return (alt.layer(cells, text, data=g).properties(width=420, height=160)
            .facet(row=alt.Row("depth:N", sort=DEPTH_ORDER), title=title))


CHARTS = {
    "discovery_time_vs_files": lambda df, targets=None: time_vs_shape(df, "files", targets),
    "discovery_time_vs_bytes": lambda df, targets=None: time_vs_shape(df, "bytes", targets),
    "discovery_first_page": first_page,
    "discovery_memory": memory,
    "discovery_heap": heap,
    "discovery_cache_ratio": cache_ratio,
    "discovery_edge_cases": edge_cases,
}
