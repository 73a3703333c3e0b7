"""Running git the same way everywhere: fixed identity, no user or system config, errors that
carry the command, its exit status and the tail of its stderr."""

import os
import subprocess

IDENTITY = {
    "GIT_AUTHOR_NAME": "DDX Spike",
    "GIT_AUTHOR_EMAIL": "spike@example.com",
    "GIT_COMMITTER_NAME": "DDX Spike",
    "GIT_COMMITTER_EMAIL": "spike@example.com",
    # git subtree pull/merge would otherwise open an editor for the merge message.
    "GIT_EDITOR": "true",
    "GIT_MERGE_AUTOEDIT": "no",
}


class GitError(RuntimeError):
    def __init__(self, args, returncode, stderr, stdout=""):
        self.args_ = list(args)
        self.returncode = returncode
        # Some failures are told on stdout (merge conflicts in `git subtree pull`).
        self.stderr_tail = stderr[-400:].strip()
        out = stdout[-300:].strip()
        tail = self.stderr_tail + (f" | stdout: {out}" if out else "")
        super().__init__(f"`{' '.join(map(str, args))}` exited {returncode}: {tail}")


def git_env(extra=None) -> dict:
    """Environment for every git we run: the user's ~/.gitconfig must not change results."""
    env = dict(os.environ)
    env.update(IDENTITY)
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.update(extra or {})
    return env


def run(args, cwd, env=None, input=None, check=True) -> str:
    """Run one command (args[0] is usually "git"); returns stdout as text."""
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env or git_env(), input=input,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    if check and proc.returncode != 0:
        raise GitError(args, proc.returncode, proc.stderr.decode(errors="replace"),
                       proc.stdout.decode(errors="replace"))
    return proc.stdout.decode(errors="replace")


def git(cwd, *args, **kw) -> str:
    return run(["git", *args], cwd, **kw).strip()
