"""Python models of DDX's git subtree plumbing, step for step as DDX's Go functions run it
(cli/internal/git/git.go at c208478: see /work/shared/ddx-facts.md "How DDX uses git subtree"),
including the checks DDX makes first (is this a repository, is the subtree there). Each step
stops at the first failing git command, as DDX does.

They are models, not DDX: DDX's own binary is measured by ddxbin.py. `add` is the plumbing
`ddx init` runs (SubtreeAdd), `push` the git part of `ddx contribute` (SubtreePush), and
`has_subtree` their HasSubtree check. `pull` (SubtreePull) and `check_behind` (CheckBehind) are
internal functions no ddx command calls: `ddx update` runs no git at all.
"""

from ddxspike.gitrun import git


def is_repository(host):
    git(host, "rev-parse", "--git-dir")


def has_subtree(host, prefix) -> bool:
    # One argument: the trailer text and the prefix; no path limit, so the whole history is read.
    return bool(git(host, "log", f"--grep=git-subtree-dir: {prefix}", "--oneline"))


def _squash_commit(host, prefix, fetched, message):
    head = git(host, "rev-parse", "HEAD")
    git(host, "read-tree", f"--prefix={prefix}/", "-u", fetched)
    tree = git(host, "write-tree")
    msg = f"{message}\n\ngit-subtree-dir: {prefix}\ngit-subtree-split: {fetched}"
    new = git(host, "commit-tree", tree, "-p", head, "-p", fetched, "-m", msg)
    git(host, "reset", "--hard", new)
    return new


def add(host, prefix, url, branch="main") -> str:
    is_repository(host)
    if has_subtree(host, prefix):
        raise RuntimeError(f"subtree already exists at prefix: {prefix}")
    git(host, "fetch", url, branch)
    fetched = git(host, "rev-parse", "FETCH_HEAD")
    return _squash_commit(host, prefix, fetched,
                          f"Squashed '{prefix}' content from commit {fetched[:7]}")


def pull(host, prefix, url, branch="main", remove_worktree=False) -> str:
    """DDX's pull. remove_worktree=True is our one-word fix (`git rm -rf` instead of
    `git rm -rf --cached`): without it read-tree -u refuses to overwrite the now-untracked
    library files whenever the upstream changed one of them."""
    is_repository(host)
    if not has_subtree(host, prefix):
        raise RuntimeError(f"no subtree found at prefix: {prefix}")
    git(host, "fetch", url, branch)
    fetched = git(host, "rev-parse", "FETCH_HEAD")
    rm = ["rm", "-rf", "-q"] + ([] if remove_worktree else ["--cached"]) + [prefix]
    git(host, *rm, check=False)  # DDX ignores this step's errors
    return _squash_commit(host, prefix, fetched, f"Squashed '{prefix}' changes from {fetched[:7]}")


def push(host, prefix, url, branch="main") -> str:
    is_repository(host)
    if not has_subtree(host, prefix):
        raise RuntimeError(f"no subtree found at prefix: {prefix}")
    split = git(host, "subtree", "split", f"--prefix={prefix}", "--rejoin")
    git(host, "push", url, f"{split}:refs/heads/{branch}")
    return split


def check_behind(host, prefix, url, branch="main", pathspec=True) -> int:
    """DDX counts upstream commits with `-- <prefix>`; pathspec=False drops that limit."""
    is_repository(host)
    if not has_subtree(host, prefix):
        raise RuntimeError(f"no subtree found at prefix: {prefix}")
    git(host, "fetch", url, branch)
    limit = ["--", prefix] if pathspec else []
    return int(git(host, "rev-list", "--count", "HEAD..FETCH_HEAD", *limit))
