"""os.walk + a stat per file: the analogue of Go's filepath.Walk (lstat for every entry).

Symlinks are listed as entries and never followed (os.walk files a symlink to a folder among
its folders, so it is moved to the listing here). An unreadable folder raises instead of being
skipped: a silently partial listing would be a wrong answer.
"""

import os

from ddxspike.discovery.depth import check_depth, observe
from ddxspike.engine import Outcome

LISTS = "files"


def _raise(exc):
    raise exc


def discover(repo: str, depth: str) -> Outcome:
    check_depth(depth)
    paths, read = [], 0
    for root, dirs, files in os.walk(repo, onerror=_raise):
        if root == repo:  # git's folder, or the file naming it in a linked worktree
            for names in (dirs, files):
                if ".git" in names:
                    names.remove(".git")
        linked = [d for d in dirs if os.path.islink(os.path.join(root, d))]
        for d in linked:
            dirs.remove(d)
        rel = os.path.relpath(root, repo)
        for name in files + linked:
            full = os.path.join(root, name)
            read += observe(full, depth)
            paths.append(name if rel == "." else f"{rel}/{name}")
    return Outcome(paths=paths, bytes_read=read)
