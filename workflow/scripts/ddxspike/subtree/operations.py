"""The timed operations: one strategy function each, run by the engine in a fresh worker.

Every function gets a workspace `ws` that cell.py has already prepared (a fresh copy of the
pristine host as ws/host, a bare push remote, ...), so the worker's clock covers the operation
only. In the untimed counting run (trace=True) each git process appends its trace2 events to
ws/trace2.json, counted afterwards; each function leaves ws/answer.json: its answer for verification, or the exit
status and stderr tail of the git command that failed.
"""

import json
import os
import resource
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from ddxspike.engine import Outcome

from . import ddx
from .gitcmd import IDENTITY, GitError, git

TRACE_FILE = "trace2.json"
ANSWER_FILE = "answer.json"


def _write_answer(ws: Path, answer: dict):
    tmp = ws / (ANSWER_FILE + ".tmp")
    tmp.write_text(json.dumps(answer))
    os.replace(tmp, ws / ANSWER_FILE)


def _traced(body: Callable):
    """Wrap an operation body(ws: Path, **kw) -> answer for the engine."""

    def strategy(ws: str, trace: bool = False, **kw) -> Outcome:
        ws = Path(ws)
        os.environ.update(IDENTITY)
        os.environ["GIT_CONFIG_GLOBAL"] = os.devnull
        os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
        if trace:  # counting run only: tracing slowed a 800-commit split by ~8% here
            os.environ["GIT_TRACE2_EVENT"] = str(ws / TRACE_FILE)
        try:
            answer = body(ws, **kw)
        except GitError as exc:
            _write_answer(ws, {"exit_status": exc.returncode, "stderr_tail": exc.stderr_tail})
            raise
        except Exception as exc:  # DDX's own refusals ("no subtree found") are findings too
            _write_answer(ws, {"exit_status": None, "stderr_tail": str(exc)})
            raise
        # Largest resident set among the git processes this worker waited for (KiB on Linux).
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        _write_answer(ws, {"exit_status": 0, "answer": answer})
        return Outcome(extra={"git_peak_rss_bytes": peak})

    strategy.__name__ = body.__name__
    strategy.__doc__ = body.__doc__
    return strategy


# --- DDX's own sequences ------------------------------------------------------------------

@_traced
def ddx_add(ws, prefix, url):
    return ddx.add(str(ws / "host"), prefix, url)


@_traced
def ddx_pull(ws, prefix, url):
    return ddx.pull(str(ws / "host"), prefix, url)


@_traced
def ddx_pull_rm(ws, prefix, url):
    return ddx.pull(str(ws / "host"), prefix, url, remove_worktree=True)


@_traced
def ddx_push(ws, prefix, url):
    return ddx.push(str(ws / "host"), prefix, url)


@_traced
def has_subtree(ws, prefix):
    ddx.is_repository(str(ws / "host"))
    return ddx.has_subtree(str(ws / "host"), prefix)


@_traced
def check_behind(ws, prefix, url):
    return ddx.check_behind(str(ws / "host"), prefix, url)


@_traced
def check_behind_nopath(ws, prefix, url):
    return ddx.check_behind(str(ws / "host"), prefix, url, pathspec=False)


@_traced
def status(ws, prefix):
    """`git status --porcelain` as DDX's HasUncommittedChanges runs it; answer: lines."""
    return len(git(ws / "host", "status", "--porcelain").splitlines())


# --- git subtree commands -----------------------------------------------------------------

def _subtree(ws, *args):
    return git(ws / "host", "subtree", *args)


@_traced
def subtree_add_squash(ws, prefix, url):
    return _subtree(ws, "add", f"--prefix={prefix}", url, "main", "--squash")


@_traced
def subtree_add(ws, prefix, url):
    return _subtree(ws, "add", f"--prefix={prefix}", url, "main")


@_traced
def subtree_pull_squash(ws, prefix, url):
    return _subtree(ws, "pull", f"--prefix={prefix}", url, "main", "--squash")


@_traced
def split(ws, prefix):
    return _subtree(ws, "split", f"--prefix={prefix}").splitlines()[-1]


@_traced
def split_rejoin_squash(ws, prefix):
    return _subtree(ws, "split", f"--prefix={prefix}", "--rejoin", "--squash").splitlines()[-1]


# --- alternatives -------------------------------------------------------------------------

@_traced
def init_fallback(ws, prefix, url):
    """DDX's init fallback: shallow clone into a temporary folder, copy the files in."""
    tmp = ws / "fallback-clone"
    git(ws, "clone", "-q", "--depth=1", "--branch", "main", url, str(tmp))
    shutil.copytree(tmp, ws / "host" / prefix, ignore=shutil.ignore_patterns(".git"))
    shutil.rmtree(tmp)
    return None


@_traced
def partial_clone(ws, url, sparse_dirs):
    """Blob-less clone of the library, checking out only the given folders."""
    dest = ws / "clone"
    # A file:// "server" ignores filters unless its upload-pack allows them (GitHub's does);
    # the pristine upstream's config stays untouched, so the permission travels with the command.
    git(ws, "clone", "-q", "--filter=blob:none", "--sparse",
        "--upload-pack=git -c uploadpack.allowFilter=true upload-pack", url, str(dest))
    git(dest, "sparse-checkout", "set", *sparse_dirs)
    return None


@_traced
def submodule_add(ws, prefix, url):
    # protocol.file.allow: git >= 2.38.1 refuses file:// submodules by default.
    git(ws / "host", "-c", "protocol.file.allow=always", "submodule", "add", "-q", url, prefix)
    return None


@dataclass(frozen=True)
class Operation:
    fn: Callable
    repo: Optional[str]  # pristine copied to ws/host: host | hostlib | hostlib-rejoined
    url: Optional[str] = None  # upstream | upstream-next | remote (a fresh bare clone)
    setup: Optional[str] = None  # extra untimed preparation (see cell.py)
    measured: str = "host"  # whose .git growth is measured: host | clone


OPERATIONS: dict[str, Operation] = {
    "ddx-add": Operation(ddx_add, "host", "upstream"),
    "ddx-pull": Operation(ddx_pull, "hostlib", "upstream-next"),
    "ddx-pull-rm": Operation(ddx_pull_rm, "hostlib", "upstream-next"),
    "ddx-push": Operation(ddx_push, "hostlib", "remote"),
    "has-subtree": Operation(has_subtree, "hostlib"),
    "check-behind": Operation(check_behind, "hostlib", "upstream-next"),
    "check-behind-nopath": Operation(check_behind_nopath, "hostlib", "upstream-next"),
    "subtree-add-squash": Operation(subtree_add_squash, "host", "upstream"),
    "subtree-add": Operation(subtree_add, "host", "upstream"),
    "subtree-pull-squash": Operation(subtree_pull_squash, "hostlib", "upstream-next"),
    "split": Operation(split, "hostlib"),
    "split-rejoin-squash": Operation(split_rejoin_squash, "hostlib"),
    "split-after-rejoin": Operation(split, "hostlib-rejoined"),
    "init-fallback": Operation(init_fallback, "host", "upstream"),
    "partial-clone": Operation(partial_clone, None, "upstream", measured="clone"),
    "submodule-add": Operation(submodule_add, "host", "upstream"),
    "status": Operation(status, "hostlib", setup="status"),
    "status-manyfiles": Operation(status, "hostlib", setup="manyfiles"),
}
