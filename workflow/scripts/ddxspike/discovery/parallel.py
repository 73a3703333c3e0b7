"""A thread pool over the top-level folders, each walked like scandir: does overlapping the
system calls of independent subtrees pay off (os.scandir and file reads release the GIL)?"""

import os
from concurrent.futures import ThreadPoolExecutor

from ddxspike.discovery.depth import check_depth, observe
from ddxspike.discovery.scandir import walk_tree
from ddxspike.engine import Outcome

LISTS = "files"
# DDX's library has a handful of type folders; more threads than cores only add contention.
MAX_WORKERS = max(2, os.cpu_count() or 2)


def _subtree(path: str, prefix: str, depth: str) -> tuple[list, int]:
    paths: list = []
    read = walk_tree(path, prefix, depth, paths)
    return paths, read


def discover(repo: str, depth: str, workers: int = MAX_WORKERS) -> Outcome:
    check_depth(depth)
    paths, read, folders = [], 0, []
    with os.scandir(repo) as it:
        for entry in it:
            if entry.name == ".git":
                continue  # git's folder, or the file naming it in a linked worktree
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry)
            else:
                read += observe(entry.path, depth, entry)
                paths.append(entry.name)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        jobs = [pool.submit(_subtree, e.path, e.name + "/", depth) for e in folders]
        for job in jobs:  # result() re-raises a subtree's error (e.g. an unreadable folder)
            found, n = job.result()
            paths.extend(found)
            read += n
    return Outcome(paths=paths, bytes_read=read)
