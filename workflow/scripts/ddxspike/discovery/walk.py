"""os.walk + a stat per file: the analogue of Go's filepath.Walk (lstat for every entry)."""

import os

from ddxspike.discovery.depth import observe
from ddxspike.engine import Outcome

LISTS = "files"


def discover(repo: str, depth: str) -> Outcome:
    paths, read = [], 0
    for root, dirs, files in os.walk(repo):
        if root == repo and ".git" in dirs:
            dirs.remove(".git")
        rel = os.path.relpath(root, repo)
        for name in files:
            full = os.path.join(root, name)
            read += observe(full, depth)
            paths.append(name if rel == "." else f"{rel}/{name}")
    return Outcome(paths=paths, bytes_read=read)
