"""Snakemake job (untimed): where the slowest strategies spend their time.

- Asset discovery: the slowest Python strategies on the largest repository, each run once under
  cProfile in a fresh process; own time grouped by stat / readdir / read / YAML / git / other.
- Git subtree: DDX's operations on the largest subtree fixture, once each on a fresh workspace
  with git's trace2 events on, so their time splits by git subprocess; plus their cProfile.
Writes HTML tables (a report item) and the same rows as Parquet.
"""

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from ddxspike.discovery import cells
from ddxspike.report import html, profile, tidy

COLUMNS = ["profiled", "row", "category", "seconds", "share", "function", "calls", "tottime_s", "cumtime_s",
           "git command", "processes"]


def slowest(df: pd.DataFrame, size: str, depth: str, strategies: dict, top: int) -> list[str]:
    d = tidy.valid(df[(df["experiment"] == "discovery") & (df["size"] == size)])
    d = d[d["strategy"].isin(strategies)]
    if "depth" in d and (d["depth"] == depth).any():
        d = d[d["depth"] == depth]
    return list(d.groupby("strategy")["wall_s"].median().sort_values(ascending=False).index[:top])


def section(label, fn, git, rows, log, started):
    sh = profile.shares(fn)
    rows += [{"profiled": label, "row": "share", **r} for r in sh.to_dict("records")]
    rows += [{"profiled": label, "row": "function", **r} for r in fn.head(25).to_dict("records")]
    rows += [{"profiled": label, "row": "git", **r} for r in git.to_dict("records")]
    print(f"  {label}: {time.monotonic() - started:.1f} s; "
          + ", ".join(f"{r['category']} {r['share']}" for r in sh.to_dict("records")), file=log, flush=True)
    git_html = ""
    if not git.empty:
        git_html = (f"<p>Wall time by git subprocess (trace2 events; nested processes such as those "
                    f"git-subtree spawns are counted in their parent too):</p>{html.table(git)}")
    return (f"<h2>{html.esc(label)}</h2>{git_html}<p>Own time by category (cProfile tottime):</p>"
            f"{html.table(sh)}<p>Top functions by own time:</p>{html.table(fn.head(25))}")


def discovery_sections(sm, df, rows, log) -> list[str]:
    p = sm.params
    depth = p.profile.get("depth", "stat")
    chosen = slowest(df, p.size, depth, p.strategies, p.profile.get("top", 3))
    print(f"discovery: profiling {chosen} on {p.size} at depth {depth}", file=log, flush=True)
    out = []
    with tempfile.TemporaryDirectory(prefix="ddxspike-profile-cache-") as cache_dir:
        for name in chosen:
            started = time.monotonic()
            # The same call the measurement makes (cells.resolve: optional page_size, cache_file).
            strategy = cells.resolve(name, {"python": p.strategies[name]})
            kwargs = {"repo": str(sm.input.repo), "depth": depth}
            if "page_size" in strategy.accepts:
                kwargs["page_size"] = p.page_size
            if "cache_file" in strategy.accepts:
                kwargs["cache_file"] = os.path.join(cache_dir, f"{name}.pickle")
            fn, git = profile.run(strategy.target, kwargs, prime=True, warmup=True)
            out.append(section(f"asset discovery: {name} ({depth}, {p.size}, warm)", fn, git, rows, log, started))
    if not chosen:
        out.append("<p>No Python discovery strategy was measured on the largest repository.</p>")
    return out


def subtree_sections(sm, rows, log) -> list[str]:
    if "info" not in sm.input.keys():
        return ["<p>The subtree experiment is not configured: no git profile.</p>"]
    from ddxspike.subtree import cell, operations

    info = json.loads(Path(sm.input.info).read_text())
    # DDX's own binary is no Python to profile (and needs ddx settings this rule does not get).
    ops = [o for o in sm.params.git_operations
           if o in operations.OPERATIONS and not operations.OPERATIONS[o].binary]
    out = []
    tmp = Path(tempfile.mkdtemp(prefix="ddxspike-gitprofile-"))
    try:
        for op in ops:
            started = time.monotonic()
            ws = tmp / op
            cell.prepare_workspace(op, ws, info)
            spec = cell.spec_for(op, ws, info, {}, sm.params.sparse_dirs, trace=True)
            label = f"git subtree: {op} ({Path(sm.input.info).stem})"
            try:
                fn, _ = profile.run(spec.target, spec.kwargs)
            except RuntimeError as exc:  # a failing operation is a finding, not a crash
                out.append(f"<h2>{html.esc(label)}</h2><p>failed: {html.esc(exc)}</p>")
                continue
            git = profile.git_processes(ws / operations.TRACE_FILE)
            out.append(section(label, fn, git, rows, log, started))
            shutil.rmtree(ws, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(sm):
    log = open(sm.log[0], "w")
    df = pd.read_parquet(sm.input.measurements)
    df = tidy.this_run_rows(df, pd.read_parquet(sm.input.hosts))  # never an imported host's
    rows = []
    sections = discovery_sections(sm, df, rows, log) + subtree_sections(sm, rows, log)
    table = pd.DataFrame(rows, columns=COLUMNS)
    page = html.page("Bottlenecks", "<h1>Bottlenecks: where the slowest operations spend their time</h1>"
                     "<p class=\"small\">One untimed run each in a fresh process under cProfile (which slows "
                     "Python several-fold, so these shares never feed the timings), on the largest "
                     "repository.</p>" + "".join(sections))
    for out, write in ((sm.output.table, lambda t: table.to_parquet(t, index=False)),
                       (sm.output.html, lambda t: Path(t).write_text(page))):
        tmp = f"{out}.tmp-{os.getpid()}"
        write(tmp)
        os.replace(tmp, out)


main(snakemake)  # noqa: F821 (provided by Snakemake)
