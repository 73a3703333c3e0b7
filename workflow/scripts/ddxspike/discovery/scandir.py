"""Recursive os.scandir using DirEntry type bits: the analogue of Go's filepath.WalkDir."""

import os

from ddxspike.discovery.depth import observe
from ddxspike.engine import Outcome

LISTS = "files"


def discover(repo: str, depth: str) -> Outcome:
    paths, read = [], 0
    stack = [(repo, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    if not (prefix == "" and entry.name == ".git"):
                        stack.append((entry.path, prefix + entry.name + "/"))
                else:
                    read += observe(entry.path, depth, entry)
                    paths.append(prefix + entry.name)
    return Outcome(paths=paths, bytes_read=read)
