"""The one way the spike runs git (and the few tools beside it), with one environment rule:

- the caller's GIT_* variables never reach git: a GIT_DIR, GIT_WORK_TREE or GIT_INDEX_FILE
  inherited from a hook or a shell would point a command given a repository at another one;
- no system or global config, nor the user's default ignore and attributes files (XDG): a
  ~/.gitconfig (autocrlf, default branch, hooks, fsmonitor) must not change results;
- C locale, no terminal prompt, no editor (git subtree pull/merge would open one), and a fixed
  identity (commits need one; HOME may be empty);
- read_only=True adds GIT_OPTIONAL_LOCKS=0 for commands that read a repository that is not ours
  (a user's working tree): git then writes no opportunistic index refresh back.

git's trace2 events of a counting run (subtree operations) go to the file set with trace_to:
the run's own setting, so no caller's GIT_TRACE2_* is ever taken over. Errors carry the
command, its exit status and the tail of its stderr (and of stdout, where some failures are
told).
"""

import os
import subprocess

IDENTITY = {
    "GIT_AUTHOR_NAME": "DDX Spike",
    "GIT_AUTHOR_EMAIL": "spike@example.com",
    "GIT_COMMITTER_NAME": "DDX Spike",
    "GIT_COMMITTER_EMAIL": "spike@example.com",
}
ISOLATION = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "XDG_CONFIG_HOME": "/nonexistent",  # core.excludesFile and core.attributesFile defaults
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_EDITOR": "true",
    "GIT_MERGE_AUTOEDIT": "no",
    "LC_ALL": "C",
}
_trace2 = {"file": None}


class GitError(RuntimeError):
    def __init__(self, args, returncode, stderr, stdout=""):
        self.args_ = list(args)
        self.returncode = returncode
        # Some failures are told on stdout (merge conflicts in `git subtree pull`).
        self.stderr_tail = stderr[-400:].strip()
        out = stdout[-300:].strip()
        tail = self.stderr_tail + (f" | stdout: {out}" if out else "")
        super().__init__(f"`{' '.join(map(str, args))}` exited {returncode}: {tail}")


def trace_to(path) -> None:
    """Write the trace2 events of every later git process of this process to `path` (None:
    stop)."""
    _trace2["file"] = str(path) if path else None


def traced_to():
    """The trace2 file set with trace_to, or None."""
    return _trace2["file"]


def environment(read_only: bool = False, extra: dict | None = None) -> dict:
    """The environment of every git process: the rule in the module's docstring."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(ISOLATION)
    env.update(IDENTITY)
    if read_only:
        env["GIT_OPTIONAL_LOCKS"] = "0"
    if _trace2["file"]:
        env["GIT_TRACE2_EVENT"] = _trace2["file"]
    env.update(extra or {})
    return env


def run(args, cwd=None, *, input=None, check=True, read_only=False, extra=None,
        text=False) -> subprocess.CompletedProcess:
    """Run one command (args[0] is usually "git") in `cwd`; stdout and stderr as bytes (text:
    decoded)."""
    args = [os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args]
    proc = subprocess.run(args, cwd=cwd, env=environment(read_only, extra), input=input,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and proc.returncode != 0:
        raise GitError(args, proc.returncode, proc.stderr.decode(errors="replace"),
                       proc.stdout.decode(errors="replace"))
    if text:
        proc.stdout = proc.stdout.decode(errors="replace")
        proc.stderr = proc.stderr.decode(errors="replace")
    return proc


def git_bytes(cwd, *args, **kw) -> bytes:
    """git's stdout as bytes (listings with -z, paths that are not UTF-8)."""
    return run(["git", *args], cwd, **kw).stdout


def git(cwd, *args, **kw) -> str:
    """git's stdout as text, stripped."""
    return git_bytes(cwd, *args, **kw).decode(errors="replace").strip()
