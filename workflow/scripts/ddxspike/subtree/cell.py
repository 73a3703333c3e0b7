"""One (size, commits) cell of the subtree experiment: every operation, interleaved round by
round (A B C, A B C, ...) by the engine, each trial on a fresh workspace its hooks prepare
before the engine starts the worker and measure after it exits (FreshWorkspace).

The first warm-up of each operation is its counting run: git's trace2 events are written and its
git processes counted (the count is the same for every trial of the cell; tracing is kept out of
timed trials because it costs time; ddx-update is traced in every trial, see operations.py).
Operations with DDX's own binary need `ddx` ({binary, timeout_s}); the release-tarball route
needs tarballs of the upstreams, built once per cell beside the workspaces (derived()).
How many trials, and when an operation stops: budgets.subtree (the engine runs the plan).
"""

import json
from pathlib import Path

from ddxspike import budgets
from ddxspike.engine import TrialSpec, run_cell
from ddxspike.gitrun import git, run
from ddxspike.repos.subtree_fixtures import check_pristine
from ddxspike.engine.plan import Hooks

from . import ddxbin, operations, verify, workspace

TIMED_KEYS = ("wall_s", "user_s", "sys_s", "cpu_s")
TARBALLS = {"upstream": "upstream.tar.gz", "upstream-next": "upstream-next.tar.gz"}


def derived(info: dict, dest: Path, log=print) -> dict:
    """The cell's info with the release-tarball route's inputs, built untimed once per cell:
    tarballs of the upstream's and the advanced upstream's tips, and `hosttar`, the host with the
    first tarball installed (what tarball-update starts from). The pristine repositories stay
    as they are (check_pristine reads `info`, not this)."""
    log("tarballs of upstream and upstream-next, host with the first installed")
    tarballs = {
        "upstream": ddxbin.build_tarball(info["upstream"]["path"], "HEAD", dest / TARBALLS["upstream"]),
        "upstream-next": ddxbin.build_tarball(info["upstream_next"]["path"], "main",
                                              dest / TARBALLS["upstream-next"]),
    }
    hosttar = dest / "hosttar"
    workspace.fresh_copy(info["repos"]["host"], hosttar)
    ddxbin.extract_and_commit(hosttar, tarballs["upstream"], ddxbin.TARBALL_PREFIX,
                              "Install the DDX library from its release tarball")
    return {**info, "tarballs": {k: str(v.resolve()) for k, v in tarballs.items()},
            "repos": {**info["repos"], "hosttar": str(hosttar.resolve())},
            "host_commits": {**info["host_commits"],
                             "hosttar": int(git(hosttar, "rev-list", "--count", "HEAD"))}}


def prepare_workspace(op_name: str, ws: Path, info: dict, ddx: dict | None = None):
    op = operations.OPERATIONS[op_name]
    ws.mkdir(parents=True)
    if op.repo:
        workspace.fresh_copy(info["repos"][op.repo], ws / "host")
    if op.binary and not (ddx and ddx.get("binary")):
        raise ValueError(f"{op_name} runs DDX's own binary: none given")
    if op.url == "remote":
        remote = ws / "tmp" / "remote.git" if op.binary else ws / "remote.git"
        run(["git", "clone", "-q", "--bare", "--local", info["upstream"]["path"], remote], ws)
    if op.setup == "manyfiles":
        git(ws / "host", "config", "feature.manyFiles", "true")
        git(ws / "host", "update-index", "--index-version", "4")
    if op.setup in ("status", "manyfiles"):
        git(ws / "host", "status", "--porcelain")  # steady state: index refreshed, caches built
    if op.setup in ("ddx-project", "ddx-contribution"):
        ddxbin.init(ddx["binary"], ws, url_of(op, info, ws), ddx.get("timeout_s", 120))
    if op.setup == "ddx-contribution":
        ddxbin.commit_contribution(ws)


def url_of(op, info, ws):
    if op.binary:  # DDX takes a file:// URL only through a /tmp/ path (ddxbin.url_in_tmp)
        target = {"upstream": info["upstream"]["path"],
                  "upstream-next": info["upstream_next"]["path"]}.get(op.url)
        name = {"upstream": "upstream", "upstream-next": "upstream-next.git"}.get(op.url, op.url + ".git")
        return ddxbin.url_in_tmp(ws, name, target)
    return {"upstream": info["upstream"]["url"], "upstream-next": info["upstream_next"]["url"],
            "remote": (ws / "remote.git").resolve().as_uri()}.get(op.url)


def spec_for(op_name: str, ws: Path, info: dict, dims: dict, sparse_dirs, trace=False,
             ddx: dict | None = None, timeout_s: float = 300.0):
    op = operations.OPERATIONS[op_name]
    kwargs = {"ws": str(ws), "trace": trace}
    if op.binary:
        kwargs.update(binary=ddx["binary"], timeout_s=timeout_s)
        if op_name == "ddx-init":
            kwargs["url"] = url_of(op, info, ws)
    elif op.setup == "tarball":
        kwargs["tarball"] = info["tarballs"][op.url]
    elif op_name == "partial-clone":
        kwargs.update(url=url_of(op, info, ws), sparse_dirs=list(sparse_dirs))
    else:
        kwargs["prefix"] = info["prefix"]
        if op.url:
            kwargs["url"] = url_of(op, info, ws)
    return TrialSpec(dims={**dims, "strategy": op_name},
                     target=f"ddxspike.subtree.operations:{op.fn.__name__}", kwargs=kwargs)


def measured_repo(op_name, ws):
    return ws / ("clone" if operations.OPERATIONS[op_name].measured == "clone" else "host")


def snapshot(op_name, ws, info) -> dict:
    repo = measured_repo(op_name, ws)
    gd = workspace.git_dir(repo)
    out = {"git_bytes": workspace.tree_bytes(gd) if gd.exists() else 0,
           "objects": workspace.object_count(repo) if gd.exists() else 0}
    if operations.OPERATIONS[op_name].binary:  # what DDX's command did to the library
        out["prefix_files"] = ddxbin.prefix_files(repo, ddxbin.PREFIX)
    if op_name == "ddx-update":
        out["upstream_present"] = verify.upstream_changes_present(ws, info)
    return out


def git_processes(ws: Path, traced: bool) -> int | None:
    """trace2 "start" events: one per git process (None when the trial was not traced)."""
    trace = ws / operations.TRACE_FILE
    if not traced:
        return None
    if not trace.exists():
        return 0  # traced, and no git process wrote an event: none was started
    n = 0
    with open(trace, "rb") as f:
        for line in f:
            if b'"event":"start"' in line:
                n += 1
    return n


def after_trial(op_name, ws, before, info, manifest_paths, sparse_dirs, traced) -> dict:
    after = snapshot(op_name, ws, info)
    cache = workspace.git_dir(ws / "host") / "subtree-cache"
    extra = {
        "git_growth_bytes": after["git_bytes"] - before["git_bytes"],
        "objects_added": after["objects"] - before["objects"],
        "subtree_cache_bytes": workspace.disk_usage(cache) if cache.exists() else 0,
        "git_processes": git_processes(ws, traced),
    }
    if "prefix_files" in before:
        extra["files_changed"] = ddxbin.files_changed(before["prefix_files"], after["prefix_files"])
    answer_file = ws / operations.ANSWER_FILE
    answer = json.loads(answer_file.read_text()) if answer_file.exists() else {}
    extra["exit_status"] = answer.get("exit_status")
    if answer.get("exit_status") == 0:
        problem = verify.verify(op_name, ws, answer.get("answer"), info, manifest_paths,
                                sparse_dirs)
        said = {"answer": answer.get("answer"), **verify.facts(op_name, ws, info, before)}
        extra["answer"] = json.dumps(said if len(said) > 1 else said["answer"])[:300]
        if problem:
            extra.update(status="mismatch", error=problem)
    elif operations.OPERATIONS[op_name].binary and answer.get("stderr_tail"):
        # DDX's own words (its "Error:" line), not the usage text cobra prints before them.
        extra["error"] = f"ddx exited {answer['exit_status']}: {answer['stderr_tail']}"[:400]
    return extra


class FreshWorkspace(Hooks):
    """Around each run of one operation, untimed: a fresh workspace made (and snapshotted)
    before, measured, verified and removed after. The first run (a warm-up) is traced and its
    git processes counted; counted trials carry that count (ddx-update is traced every trial)."""

    def __init__(self, op: str, info: dict, work_dir: Path, dims: dict, *, sparse_dirs,
                 manifest_paths, ddx: dict | None, timeout_s: float):
        self.op, self.info, self.work_dir, self.dims = op, info, work_dir, dims
        self.sparse_dirs, self.manifest_paths = sparse_dirs, manifest_paths
        self.ddx, self.timeout_s = ddx, timeout_s
        self.every = operations.OPERATIONS[op].trace_every_trial
        self.counted = None

    def before(self, spec, attempt):
        self.ws = self.work_dir / f"{self.op}-{attempt.run}"
        workspace.remove(self.ws)
        prepare_workspace(self.op, self.ws, self.info, self.ddx)
        self.snapshot = snapshot(self.op, self.ws, self.info)
        self.traced = attempt.run == 0 or self.every
        return spec_for(self.op, self.ws, self.info, self.dims, self.sparse_dirs,
                        trace=self.traced, ddx=self.ddx, timeout_s=self.timeout_s), {}

    def after(self, spec, attempt, row):
        extra = after_trial(self.op, self.ws, self.snapshot, self.info, self.manifest_paths,
                            self.sparse_dirs, self.traced)
        workspace.remove(self.ws)
        if attempt.run == 0:
            self.counted = extra["git_processes"]
        elif not self.every:
            extra["git_processes"] = self.counted
        return extra


def run_subtree_cell(info: dict, ops: list[str], dims: dict, section: dict, *, work_dir: Path,
                     manifest_paths=None, sparse_dirs=(), ddx: dict | None = None,
                     log=print) -> list[dict]:
    """Every operation's trials on this cell; `section` is the config's subtree section (its
    budget: budgets.subtree)."""
    check_pristine(info)
    if section["warmups"] < 1:
        raise ValueError("subtree.warmups must be >= 1: the first warm-up counts git processes")
    if any(operations.OPERATIONS[op].binary for op in ops) and info["prefix"] != ddxbin.PREFIX:
        raise ValueError(f"DDX's own commands use the prefix {ddxbin.PREFIX}, "
                         f"not subtree.prefix {info['prefix']!r}")
    pristine = info
    if any(operations.OPERATIONS[op].setup == "tarball" for op in ops):
        info = derived(info, work_dir / "derived", log)
    variants = []
    for op in ops:
        repo = operations.OPERATIONS[op].repo
        op_dims = {**dims, "host_commits": info["host_commits"].get(repo) if repo else None}
        hooks = FreshWorkspace(op, info, work_dir, op_dims, sparse_dirs=sparse_dirs,
                               manifest_paths=manifest_paths, ddx=ddx,
                               timeout_s=section["trial_timeout_s"])
        # The variant's own spec names it; each run gets a fresh workspace's (hooks.before).
        variants.append((TrialSpec(dims={**op_dims, "strategy": op}, target=""), hooks))
    rows = run_cell(budgets.subtree(section, variants), log=log)
    check_pristine(pristine)
    return rows
