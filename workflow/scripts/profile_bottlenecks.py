"""Snakemake job (untimed): where the slowest strategies spend their time.

- Asset discovery: the slowest Python strategies on the largest repository, each run once under
  cProfile in a fresh process; own time grouped by stat / readdir / read / YAML / git / other.
- Git subtree: DDX's operations on the largest subtree fixture, once each on a fresh workspace
  with git's trace2 events on, so their time splits by git subprocess; plus their cProfile.
Every profiled call is a variant of one engine plan (budgets.profile), run in a fresh process.
Writes HTML tables (a report item) and the same rows as Parquet.
"""

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from ddxspike import budgets
from ddxspike.discovery import cells
from ddxspike.engine import run_cell
from ddxspike.report import html, profile, tidy

COLUMNS = ["profiled", "row", "category", "seconds", "share", "function", "calls", "tottime_s", "cumtime_s",
           "git command", "processes"]


def slowest(df: pd.DataFrame, size: str, depth: str, strategies: dict, top: int) -> list[str]:
    d = tidy.valid(df[(df["experiment"] == "discovery") & (df["size"] == size)])
    d = d[d["strategy"].isin(strategies)]
    if "depth" in d and (d["depth"] == depth).any():
        d = d[d["depth"] == depth]
    return list(d.groupby("strategy")["wall_s"].median().sort_values(ascending=False).index[:top])


def section(label, fn, git, seconds, rows, log):
    sh = profile.shares(fn)
    rows += [{"profiled": label, "row": "share", **r} for r in sh.to_dict("records")]
    rows += [{"profiled": label, "row": "function", **r} for r in fn.head(25).to_dict("records")]
    rows += [{"profiled": label, "row": "git", **r} for r in git.to_dict("records")]
    print(f"  {label}: {seconds:.1f} s; "
          + ", ".join(f"{r['category']} {r['share']}" for r in sh.to_dict("records")), file=log, flush=True)
    git_html = ""
    if not git.empty:
        git_html = (f"<p>Wall time by git subprocess (trace2 events; nested processes such as those "
                    f"git-subtree spawns are counted in their parent too):</p>{html.table(git)}")
    return (f"<h2>{html.esc(label)}</h2>{git_html}<p>Own time by category (cProfile tottime):</p>"
            f"{html.table(sh)}<p>Top functions by own time:</p>{html.table(fn.head(25))}")


def discovery_variants(sm, df, tmp: Path, log) -> list:
    """(label, spec, hooks, fatal) of each discovery strategy to profile: a failure fails the job."""
    p = sm.params
    depth = p.profile.get("depth", "stat")
    chosen = slowest(df, p.size, depth, p.strategies, p.profile.get("top", 3))
    print(f"discovery: profiling {chosen} on {p.size} at depth {depth}", file=log, flush=True)
    out = []
    for name in chosen:
        # The same call the measurement makes (cells.resolve: optional page_size, cache_file).
        strategy = cells.resolve(name, {"python": p.strategies[name]})
        kwargs = {"repo": str(sm.input.repo), "depth": depth}
        if "page_size" in strategy.accepts:
            kwargs["page_size"] = p.page_size
        if "cache_file" in strategy.accepts:
            kwargs["cache_file"] = str(tmp / f"{name}.pickle")
        spec, hooks = profile.variant(name, strategy.target, kwargs, tmp, prime=True, warmup=True)
        out.append((f"asset discovery: {name} ({depth}, {p.size}, warm)", spec, hooks, True))
    return out


def subtree_variants(sm, tmp: Path) -> list:
    """(label, spec, hooks, fatal) of each git operation to profile, on a fresh workspace made
    just before its run; a failing operation is a finding, not a crash."""
    if "info" not in sm.input.keys():
        return []
    from ddxspike.subtree import cell, operations

    info = json.loads(Path(sm.input.info).read_text())
    # DDX's own binary is no Python to profile (and needs ddx settings this rule does not get).
    ops = [o for o in sm.params.git_operations
           if o in operations.OPERATIONS and not operations.OPERATIONS[o].binary]
    out = []
    for op in ops:
        ws = tmp / "git" / op
        op_spec = cell.spec_for(op, ws, info, {}, sm.params.sparse_dirs, trace=True)
        spec, hooks = profile.variant(op, op_spec.target, op_spec.kwargs, tmp,
                                      trace=ws / operations.TRACE_FILE,
                                      prepare=lambda op=op, ws=ws: cell.prepare_workspace(op, ws, info))
        out.append((f"git subtree: {op} ({Path(sm.input.info).stem})", spec, hooks, False))
    return out


def main(sm):
    log = open(sm.log[0], "w")
    df = pd.read_parquet(sm.input.measurements)
    df = tidy.this_run_rows(df, pd.read_parquet(sm.input.hosts))  # never an imported host's
    rows, sections = [], []
    with tempfile.TemporaryDirectory(prefix="ddxspike-profile-") as tmp:
        found = discovery_variants(sm, df, Path(tmp), log)
        if not found:
            sections.append("<p>No Python discovery strategy was measured on the largest repository.</p>")
        found += subtree_variants(sm, Path(tmp))
        plan = budgets.profile(sm.params.profile, [(spec, hooks) for _, spec, hooks, _ in found])
        ran = run_cell(plan, log=lambda m: print(m, file=log, flush=True))
        for (label, _, hooks, fatal), row in zip(found, ran):
            if hooks.functions is not None:
                sections.append(section(label, hooks.functions, hooks.git, row["wall_s"], rows, log))
            elif fatal:
                raise RuntimeError(f"profiling {label} failed: {row['status']}: {row.get('error')}")
            else:
                sections.append(f"<h2>{html.esc(label)}</h2><p>failed: {html.esc(row.get('error'))}</p>")
    if "info" not in sm.input.keys():
        sections.append("<p>The subtree experiment is not configured: no git profile.</p>")
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
