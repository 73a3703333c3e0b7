"""Charts of the git subtree experiment (sub-question 2, H3): time against bytes at a fixed
history and against commits at a fixed size (medians with the summary's interval), .git growth,
and git processes spawned."""

import altair as alt
import pandas as pd

from ddxspike import charts_common as common


def _subtree(df: pd.DataFrame, ok_only=True) -> pd.DataFrame:
    d = df[(df["experiment"] == "subtree") & (df["mode"] == "time")]
    return d[d["status"] == "ok"] if ok_only else d


def size_sweep(d: pd.DataFrame) -> pd.DataFrame:
    """Rows of the commit count shared by the most sizes: bytes vary, history fixed."""
    if d.empty:
        return d
    fixed = d.groupby("commits")["size"].nunique().idxmax()
    return d[d["commits"] == fixed]


def history_sweep(d: pd.DataFrame) -> pd.DataFrame:
    """Rows of the size measured at the most commit counts: history varies, bytes fixed."""
    if d.empty:
        return d
    size = d.groupby("size")["commits"].nunique().idxmax()
    return d[d["size"] == size]


def _time_chart(d: pd.DataFrame, x: str, title: str) -> alt.VConcatChart:
    """Median wall time with its interval (bars) per operation against x, log-log: one panel per
    strategy family (DDX's own, its models, git subtree, alternatives), DDX's own drawn wider."""
    if d.empty:
        return common.empty(title)
    return common.family_grid(d, x, "wall_s", "median wall time", title, x_title=f"upstream {x}")


def time_vs_size(df: pd.DataFrame) -> alt.VConcatChart:
    d = size_sweep(_subtree(df))
    fixed = int(d["commits"].iloc[0]) if not d.empty else 0
    return _time_chart(d, "bytes", f"Git subtree: time vs library bytes at {fixed} commits")


def time_vs_commits(df: pd.DataFrame) -> alt.VConcatChart:
    d = history_sweep(_subtree(df))
    size = d["size"].iloc[0] if not d.empty else ""
    return _time_chart(d, "commits", f"Git subtree: time vs upstream commits at size {size}")


def git_growth(df: pd.DataFrame) -> alt.Chart:
    """Median growth of .git per operation and cell (bytes fetched, written, left behind)."""
    d = _subtree(df, ok_only=False)
    d = d[d["git_growth_bytes"].notna()]
    med = d.groupby(["strategy", "size", "commits"], as_index=False)[
        ["git_growth_bytes", "subtree_cache_bytes"]].median()
    med["growth_mb"] = med["git_growth_bytes"] / 1e6
    med["subtree_cache_mb"] = med["subtree_cache_bytes"] / 1e6
    med["cell"] = med["size"] + " / " + med["commits"].astype(str) + " commits"
    return (
        alt.Chart(med)
        .mark_bar()
        .encode(
            y=alt.Y("strategy:N", title=None),
            x=alt.X("growth_mb:Q", scale=alt.Scale(type="symlog"),
                    title="median .git growth (MB, symlog scale)"),
            color=alt.Color("cell:N", title="size / history"),
            yOffset="cell:N",
            tooltip=["strategy", "cell", "growth_mb", "subtree_cache_mb"],
        )
        .properties(width=420, height=alt.Step(5),
                    title="Git subtree: growth of .git per operation (subtree-cache included)")
    )


def git_processes(df: pd.DataFrame) -> alt.Chart:
    """git processes one operation spawns, against the upstream's commits (fixed size): one panel
    per strategy family, so that no panel holds more than a handful of lines."""
    d = history_sweep(_subtree(df, ok_only=False))
    d = d[d["git_processes"].notna()]
    cnt = d.groupby(["strategy", "commits"], as_index=False)["git_processes"].max()
    cnt["family"] = cnt["strategy"].map(common.family)
    panels = [
        alt.Chart(g).mark_line(point=True).encode(
            x=alt.X("commits:Q", scale=alt.Scale(type="log", nice=False), title="upstream commits"),
            y=alt.Y("git_processes:Q", scale=alt.Scale(type="symlog"), title="git processes"),
            color=alt.Color("strategy:N"),
            tooltip=["strategy", "commits", "git_processes"],
        ).properties(width=300, height=200, title=fam)
        for fam, g in cnt.groupby("family", sort=False)
    ]
    if not panels:
        return common.empty("Git subtree: git processes per operation")
    return alt.hconcat(*panels).resolve_scale(color="independent").properties(
        title="Git subtree: git processes per operation")


CHARTS = {
    "subtree_time_vs_size": time_vs_size,
    "subtree_time_vs_commits": time_vs_commits,
    "subtree_git_growth": git_growth,
    "subtree_git_processes": git_processes,
}
