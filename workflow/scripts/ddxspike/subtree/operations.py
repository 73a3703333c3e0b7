"""The timed operations: one strategy function each, run by the engine in a fresh worker.

Every function gets a workspace `ws` that cell.py has already prepared (a fresh copy of the
pristine host as ws/host, a bare push remote, ...), so the worker's clock covers the operation
only. In the untimed counting run (trace=True) each git process appends its trace2 events to
ws/trace2.json, counted afterwards; each function leaves ws/answer.json: its answer for
verification, or the exit status and stderr tail of the git (or ddx) command that failed.

Three kinds of operation, named so that none can be taken for another:
- `ddx-*`: DDX's own binary (c208478), the measured subject (ddxbin.py);
- `model-*` and `internal-*`: Python re-runs of DDX's git plumbing (ddx.py). `model-add`,
  `model-push` and `model-has-subtree` model what `ddx init` and `ddx contribute` run; the
  `internal-*` ones are DDX functions (SubtreePull, CheckBehind) that no ddx command calls;
- git subtree itself, alternatives, and the release-tarball route DDX took later.
"""

import json
import os
import resource
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from ddxspike.engine import Outcome

from ddxspike import gitrun
from ddxspike.ddxcli import DdxFailed
from ddxspike.gitrun import GitError, git

from . import ddx, ddxbin

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
        # counting run only: tracing slowed a 800-commit split by ~8% here
        gitrun.trace_to(ws / TRACE_FILE if trace else None)
        try:
            answer = body(ws, **kw)
        except GitError as exc:
            _write_answer(ws, {"exit_status": exc.returncode, "stderr_tail": exc.stderr_tail})
            raise
        except DdxFailed as exc:  # a refusal ("Potential sensitive data detected") is a finding
            code = exc.returncode if isinstance(exc.returncode, int) else None
            _write_answer(ws, {"exit_status": code,
                               "stderr_tail": ddxbin.said(exc.stderr or exc.stdout) or str(exc)})
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


# --- DDX's own binary -----------------------------------------------------------------------

def _trace():
    # ddxcli.environment keeps the caller's GIT_* out of ddx; the trace file goes in explicitly.
    return gitrun.traced_to()


@_traced
def ddx_init(ws, binary, url, timeout_s):
    """`ddx init` in a fresh copy of the project (no library yet)."""
    return ddxbin.said(ddxbin.init(binary, ws, url, timeout_s, _trace()))


@_traced
def ddx_update(ws, binary, timeout_s):
    """`ddx update` in a DDX project whose upstream has advanced."""
    return ddxbin.said(ddxbin.ddx(binary, ["update"], ws, timeout_s, _trace()))


@_traced
def ddx_contribute(ws, binary, timeout_s):
    """`ddx contribute -m MSG --branch NAME` with a committed change under the prefix."""
    args = ["contribute", "-m", ddxbin.CONTRIBUTE_MESSAGE, "--branch", ddxbin.CONTRIBUTE_BRANCH]
    return ddxbin.said(ddxbin.ddx(binary, args, ws, timeout_s, _trace()))


# --- models of DDX's git plumbing (ddx.py) -------------------------------------------------

@_traced
def model_add(ws, prefix, url):
    """Model of the plumbing `ddx init` runs (SubtreeAdd), step for step."""
    return ddx.add(str(ws / "host"), prefix, url)


@_traced
def internal_pull(ws, prefix, url):
    """DDX's internal SubtreePull (`git rm -rf --cached` + read-tree): no ddx command calls it."""
    return ddx.pull(str(ws / "host"), prefix, url)


@_traced
def internal_pull_rm(ws, prefix, url):
    """internal-pull with the one-word fix (`git rm -rf`): what a working pull would cost."""
    return ddx.pull(str(ws / "host"), prefix, url, remove_worktree=True)


@_traced
def model_push(ws, prefix, url):
    """Model of the git part of `ddx contribute` (SubtreePush: split --rejoin, push)."""
    return ddx.push(str(ws / "host"), prefix, url)


@_traced
def model_has_subtree(ws, prefix):
    """Model of DDX's HasSubtree check (`log --grep` over the whole history)."""
    ddx.is_repository(str(ws / "host"))
    return ddx.has_subtree(str(ws / "host"), prefix)


@_traced
def internal_check_behind(ws, prefix, url):
    """DDX's internal CheckBehind (`rev-list -- <prefix>`): no ddx command calls it
    (`ddx update --check` prints fixed text)."""
    return ddx.check_behind(str(ws / "host"), prefix, url)


@_traced
def internal_check_behind_nopath(ws, prefix, url):
    """internal-check-behind without the path limit: the count it should give."""
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


# --- DDX's later route: release tarballs (DocumentDrivenDX/ddx, 2026) ---------------------

@_traced
def tarball_install(ws, tarball):
    """The release tarball (built untimed beforehand) extracted into the prefix and committed."""
    return ddxbin.extract_and_commit(ws / "host", tarball, ddxbin.TARBALL_PREFIX,
                                     "Install the DDX library from its release tarball")


@_traced
def tarball_update(ws, tarball):
    """The installed prefix replaced by a newer release tarball's content, committed."""
    shutil.rmtree(ws / "host" / ddxbin.TARBALL_PREFIX)
    return ddxbin.extract_and_commit(ws / "host", tarball, ddxbin.TARBALL_PREFIX,
                                     "Update the DDX library from its release tarball")


@dataclass(frozen=True)
class Operation:
    fn: Callable
    repo: Optional[str]  # pristine copied to ws/host: host | hostlib | hostlib-rejoined
    url: Optional[str] = None  # upstream | upstream-next | remote (a fresh bare clone)
    setup: Optional[str] = None  # extra untimed preparation (see cell.py)
    measured: str = "host"  # whose .git growth is measured: host | clone
    binary: bool = False  # runs DDX's own binary: not in the matrix when none is configured
    # Count git processes in every trial, not only the counting run: for ddx-update what it
    # spawns is the finding (trace2 costs per git process, and it spawns none).
    trace_every_trial: bool = False


OPERATIONS: dict[str, Operation] = {
    "ddx-init": Operation(ddx_init, "host", "upstream", setup="ddx-url", binary=True),
    "ddx-update": Operation(ddx_update, "hostlib", "upstream-next", setup="ddx-project",
                            binary=True, trace_every_trial=True),
    "ddx-contribute": Operation(ddx_contribute, "hostlib", "remote",
                                setup="ddx-contribution", binary=True),
    "model-add": Operation(model_add, "host", "upstream"),
    "internal-pull": Operation(internal_pull, "hostlib", "upstream-next"),
    "internal-pull-rm": Operation(internal_pull_rm, "hostlib", "upstream-next"),
    "model-push": Operation(model_push, "hostlib", "remote"),
    "model-has-subtree": Operation(model_has_subtree, "hostlib"),
    "internal-check-behind": Operation(internal_check_behind, "hostlib", "upstream-next"),
    "internal-check-behind-nopath": Operation(internal_check_behind_nopath, "hostlib", "upstream-next"),
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
    "tarball-install": Operation(tarball_install, "host", "upstream", setup="tarball"),
    "tarball-update": Operation(tarball_update, "hosttar", "upstream-next", setup="tarball"),
}
