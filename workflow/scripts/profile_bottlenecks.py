"""Snakemake job: cProfile the slowest Python discovery strategies on the largest repository
(untimed), grouping their time by stat / readdir / read / YAML / git; HTML tables + Parquet."""

import os
import time

import pandas as pd

from ddxspike.report import html, profile, tidy


def slowest(df: pd.DataFrame, size: str, depth: str, strategies: dict, top: int) -> list[str]:
    d = tidy.valid(df[(df["experiment"] == "discovery") & (df["size"] == size)])
    d = d[d["strategy"].isin(strategies)]
    if "depth" in d and (d["depth"] == depth).any():
        d = d[d["depth"] == depth]
    return list(d.groupby("strategy")["wall_s"].median().sort_values(ascending=False).index[:top])


def main(sm):
    p = sm.params
    log = open(sm.log[0], "w")
    df = pd.read_parquet(sm.input.measurements)
    depth = p.profile.get("depth", "stat")
    chosen = slowest(df, p.size, depth, p.strategies, p.profile.get("top", 3))
    print(f"profiling {chosen} on {p.size} at depth {depth}", file=log, flush=True)
    rows, sections = [], []
    for name in chosen:
        started = time.monotonic()
        fn, git = profile.run(f"{p.strategies[name]}:discover", {"repo": str(sm.input.repo), "depth": depth})
        sh = profile.shares(fn)
        label = f"{name} ({depth}, {p.size})"
        rows += [{"profiled": label, "row": "share", **r} for r in sh.to_dict("records")]
        rows += [{"profiled": label, "row": "function", **r} for r in fn.head(25).to_dict("records")]
        rows += [{"profiled": label, "row": "git", **r} for r in git.to_dict("records")]
        sections.append(f"<h2>{html.esc(label)}</h2><p>Own time by category (cProfile tottime):</p>"
                        f"{html.table(sh)}<p>Top functions by own time:</p>{html.table(fn.head(25))}"
                        + (f"<p>git subprocesses (trace2):</p>{html.table(git)}" if not git.empty else ""))
        print(f"  {label}: {time.monotonic() - started:.1f} s; " + ", ".join(
            f"{r['category']} {r['share']}" for r in sh.to_dict("records")), file=log, flush=True)
    if not chosen:
        sections.append("<p>No Python discovery strategy was measured on the largest repository.</p>")
    table = pd.DataFrame(rows, columns=["profiled", "row", "category", "seconds", "share", "function", "calls",
                                        "tottime_s", "cumtime_s", "git command", "processes"])
    for out, write in ((sm.output.table, lambda t: table.to_parquet(t, index=False)),
                       (sm.output.html, lambda t: open(t, "w").write(html.page(
                           "Bottlenecks", "<h1>Bottlenecks: where the slowest strategies spend their time</h1>"
                           "<p class=\"small\">One untimed run each under cProfile, in a fresh process, on the "
                           "largest repository.</p>" + "".join(sections))))):
        tmp = f"{out}.tmp-{os.getpid()}"
        write(tmp)
        os.replace(tmp, out)


main(snakemake)  # noqa: F821 (provided by Snakemake)
