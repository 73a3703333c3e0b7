"""Recursive os.scandir using DirEntry type bits: the analogue of Go's filepath.WalkDir.

Symlinks are listed as entries and never followed; an unreadable folder raises (PermissionError
naming it), as the edge-case rules require.
"""

import os

from ddxspike.discovery.depth import check_depth, observe
from ddxspike.engine import Outcome

LISTS = "files"


def walk_tree(folder: str, prefix: str, depth: str, paths: list) -> int:
    """Append every non-folder entry below folder to paths (prefix + name); returns bytes read.
    The top-level .git is skipped by the caller passing prefix "" only at the root."""
    read = 0
    stack = [(folder, prefix)]
    while stack:
        here, pre = stack.pop()
        with os.scandir(here) as it:
            for entry in it:
                if pre == "" and entry.name == ".git":
                    continue  # git's folder, or the file naming it in a linked worktree
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, pre + entry.name + "/"))
                else:
                    read += observe(entry.path, depth, entry)
                    paths.append(pre + entry.name)
    return read


def discover(repo: str, depth: str) -> Outcome:
    check_depth(depth)
    paths: list = []
    read = walk_tree(repo, "", depth, paths)
    return Outcome(paths=paths, bytes_read=read)
