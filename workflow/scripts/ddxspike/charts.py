"""Altair charts built from the tidy measurement table; rendered to SVG (no CDN, no JS needed)."""

import altair as alt
import pandas as pd


def timed_ok(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["mode"] == "time") & (df["status"] == "ok")]


def discovery_time_vs_size(df: pd.DataFrame, x: str = "files") -> alt.Chart:
    """Median wall time per strategy against repository files (or bytes), log-log."""
    d = timed_ok(df[df["experiment"] == "discovery"])
    med = (
        d.groupby(["size", "strategy", "depth", "cache_state", x], as_index=False)["wall_s"]
        .median()
        .rename(columns={"wall_s": "median_wall_s"})
    )
    return (
        alt.Chart(med)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:Q", scale=alt.Scale(type="log"), title=f"repository {x}"),
            y=alt.Y("median_wall_s:Q", scale=alt.Scale(type="log"), title="median wall time (s)"),
            color=alt.Color("strategy:N"),
            strokeDash=alt.StrokeDash("cache_state:N"),
            column=alt.Column("depth:N", title="depth"),
            tooltip=["size", "strategy", "depth", "cache_state", x, "median_wall_s"],
        )
        .properties(width=260, height=220, title=f"Asset discovery: time vs {x}")
    )


def discovery_memory(df: pd.DataFrame) -> alt.Chart:
    """Peak resident memory of the trial process per strategy and size."""
    d = timed_ok(df[df["experiment"] == "discovery"])
    med = d.groupby(["size", "strategy", "depth", "files"], as_index=False)["peak_rss_bytes"].median()
    med["peak_rss_mb"] = med["peak_rss_bytes"] / 1e6
    return (
        alt.Chart(med)
        .mark_line(point=True)
        .encode(
            x=alt.X("files:Q", scale=alt.Scale(type="log"), title="repository files"),
            y=alt.Y("peak_rss_mb:Q", title="median peak RSS (MB)"),
            color="strategy:N",
            column=alt.Column("depth:N"),
            tooltip=["size", "strategy", "depth", "peak_rss_mb"],
        )
        .properties(width=260, height=220, title="Asset discovery: peak memory")
    )


CHARTS = {
    "discovery_time_vs_files": lambda df: discovery_time_vs_size(df, "files"),
    "discovery_time_vs_bytes": lambda df: discovery_time_vs_size(df, "bytes"),
    "discovery_memory": discovery_memory,
}

from ddxspike import charts_subtree  # noqa: E402 (registers the git subtree charts)

CHARTS.update(charts_subtree.CHARTS)

from ddxspike import charts_catalogue  # noqa: E402 (registers the workflow catalogue charts)

CHARTS.update(charts_catalogue.CHARTS)
