"""One (size, commits) cell of the subtree experiment: every operation, interleaved round by
round (A B C, A B C, ...), each trial on a fresh workspace prepared before the engine starts the
worker and measured after it exits.

The first warm-up of each operation is its counting run: git's trace2 events are written and its
git processes counted (the count is the same for every trial of the cell; tracing is kept out of
timed trials because it costs time). Trials: `trials` per operation, but an operation whose first counted trial took longer than
`slow_after_s` stops after `slow_trials` (fewer trials for slow operations, chosen by a measured
time, not guessed).
"""

import json
import os
import time
from pathlib import Path

from ddxspike.engine import TrialSpec, run_cell

from . import operations, verify, workspace
from .fixtures import check_pristine
from .gitcmd import git, run

TIMED_KEYS = ("wall_s", "user_s", "sys_s", "cpu_s")


def prepare_workspace(op_name: str, ws: Path, info: dict):
    op = operations.OPERATIONS[op_name]
    ws.mkdir(parents=True)
    if op.repo:
        workspace.fresh_copy(info["repos"][op.repo], ws / "host")
    if op.url == "remote":
        run(["git", "clone", "-q", "--bare", "--local", info["upstream"]["path"],
             ws / "remote.git"], ws)
    if op.setup == "manyfiles":
        git(ws / "host", "config", "feature.manyFiles", "true")
        git(ws / "host", "update-index", "--index-version", "4")
    if op.setup in ("status", "manyfiles"):
        git(ws / "host", "status", "--porcelain")  # steady state: index refreshed, caches built


def url_of(op, info, ws):
    return {"upstream": info["upstream"]["url"], "upstream-next": info["upstream_next"]["url"],
            "remote": (ws / "remote.git").resolve().as_uri()}.get(op.url)


def spec_for(op_name: str, ws: Path, info: dict, dims: dict, sparse_dirs, trace=False):
    op = operations.OPERATIONS[op_name]
    kwargs = {"ws": str(ws), "trace": trace}
    if op_name == "partial-clone":
        kwargs.update(url=url_of(op, info, ws), sparse_dirs=list(sparse_dirs))
    else:
        kwargs["prefix"] = info["prefix"]
        if op.url:
            kwargs["url"] = url_of(op, info, ws)
    return TrialSpec(dims={**dims, "strategy": op_name},
                     target=f"ddxspike.subtree.operations:{op.fn.__name__}", kwargs=kwargs)


def measured_repo(op_name, ws):
    return ws / ("clone" if operations.OPERATIONS[op_name].measured == "clone" else "host")


def snapshot(op_name, ws) -> dict:
    repo = measured_repo(op_name, ws)
    gd = workspace.git_dir(repo)
    return {"git_bytes": workspace.tree_bytes(gd) if gd.exists() else 0,
            "objects": workspace.object_count(repo) if gd.exists() else 0}


def git_processes(ws: Path) -> int | None:
    trace = ws / operations.TRACE_FILE
    if not trace.exists():
        return None
    n = 0
    with open(trace, "rb") as f:
        for line in f:
            if b'"event":"start"' in line:
                n += 1
    return n


def after_trial(op_name, ws, before, info, manifest_paths, sparse_dirs) -> dict:
    after = snapshot(op_name, ws)
    cache = workspace.git_dir(ws / "host") / "subtree-cache"
    extra = {
        "git_growth_bytes": after["git_bytes"] - before["git_bytes"],
        "objects_added": after["objects"] - before["objects"],
        "subtree_cache_bytes": workspace.disk_usage(cache) if cache.exists() else 0,
        "git_processes": git_processes(ws),
    }
    answer_file = ws / operations.ANSWER_FILE
    answer = json.loads(answer_file.read_text()) if answer_file.exists() else {}
    extra["exit_status"] = answer.get("exit_status")
    if answer.get("exit_status") == 0:
        problem = verify.verify(op_name, ws, answer.get("answer"), info, manifest_paths,
                                sparse_dirs)
        extra["answer"] = json.dumps(answer.get("answer"))[:200]
        if problem:
            extra.update(status="mismatch", error=problem)
    return extra


def run_subtree_cell(info: dict, ops: list[str], dims: dict, *, work_dir: Path, trials: int,
                     slow_trials: int, slow_after_s: float, warmups: int, timeout_s: float,
                     manifest_paths=None, sparse_dirs=(), log=print) -> list[dict]:
    check_pristine(info)
    if warmups < 1:
        raise ValueError("subtree.warmups must be >= 1: the first warm-up counts git processes")
    planned = {op: trials for op in ops}
    counted = {}
    rows, order, started = [], 0, time.monotonic()
    quiet = lambda msg: None  # noqa: E731 (run_cell's per-round lines would repeat ours)
    for rnd in range(-warmups, trials):
        for op in ops:
            if rnd >= planned[op]:
                continue
            ws = work_dir / f"{op}-{rnd + warmups}"
            workspace.remove(ws)
            prepare_workspace(op, ws, info)
            before = snapshot(op, ws)
            spec = spec_for(op, ws, info, dims, sparse_dirs, trace=rnd == -warmups)
            row = run_cell([spec], warmups=0, trials=1, timeout_s=timeout_s, log=quiet)[0]
            row.update(after_trial(op, ws, before, info, manifest_paths, sparse_dirs))
            workspace.remove(ws)
            if rnd == -warmups:
                counted[op] = row["git_processes"]
            if rnd < 0:
                continue  # warm-up: pages of the pristine repositories are now cached
            row["git_processes"] = counted[op]
            if rnd == 0 and (row.get("wall_s") or timeout_s) > slow_after_s:
                planned[op] = min(trials, slow_trials)
            if row["status"] == "timeout":
                planned[op] = rnd + 1  # one timeout costs timeout_s; do not pay it again
            row.update(trial=rnd, order=order)
            order += 1
            rows.append(row)
            state = row["status"] if row["status"] != "ok" else f"{row['wall_s']:.2f} s"
            log(f"  {op} trial {rnd + 1}/{planned[op]}: {state} "
                f"({time.monotonic() - started:.0f} s elapsed)")
    check_pristine(info)
    return rows
