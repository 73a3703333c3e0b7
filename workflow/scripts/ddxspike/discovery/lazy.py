"""Lazy asset discovery: a listing streamed in sorted pages, so the first page can be shown before
the tree has been read, and memory holds one folder and one page, never the whole list.

The walk visits each folder's entries sorted by name, a subfolder keyed as "name/": that yields
the repository-relative paths in exactly the bytewise-sorted order of the ground-truth digest, so
the digest is computed on the fly and the listing is never materialised. Each page is rendered as
a table and as JSON as it is produced (a pager's view). Extra columns: first_page_s (time until
the first page_size entries are listed at the depth), render_table_s, render_json_s.
"""

import hashlib
import os
import time

from ddxspike.discovery import render
from ddxspike.discovery.depth import check_depth, inspect
from ddxspike.engine import Outcome

LISTS = "files"


def _children(folder: bytes, at_root: bool):
    items = []
    with os.scandir(folder) as it:
        for e in it:
            if at_root and e.name == b".git":
                continue  # git's folder, or the file naming it in a linked worktree
            if e.is_dir(follow_symlinks=False):
                items.append((e.name + b"/", e))
            else:
                items.append((e.name, e))
    items.sort(key=lambda item: item[0])
    return iter(items)


def stream(repo: str):
    """(relative path bytes, DirEntry) of every non-folder entry, in bytewise path order."""
    stack = [(_children(os.fsencode(repo), True), b"")]
    while stack:
        it, prefix = stack[-1]
        for key, entry in it:
            if key.endswith(b"/"):
                stack.append((_children(entry.path, False), prefix + key))
                break
            yield prefix + key, entry
        else:
            stack.pop()


def discover(repo: str, depth: str, page_size: int = 50) -> Outcome:
    check_depth(depth)
    if page_size < 1:
        raise ValueError(f"lazy: page_size must be at least 1, got {page_size}")
    t0 = time.perf_counter()
    h = hashlib.sha256()
    items = read = 0
    page: list = []
    first_page_s = None
    spent = {"table": 0.0, "json": 0.0}

    def show(rows):
        a = time.perf_counter()
        render.as_table(rows, depth)
        b = time.perf_counter()
        render.as_json(rows)
        spent["table"] += b - a
        spent["json"] += time.perf_counter() - b

    for rel, entry in stream(repo):
        facts, n = inspect(entry.path, depth, entry)
        read += n
        if items:
            h.update(b"\0")
        h.update(rel)
        items += 1
        page.append({"path": rel, **facts})
        if len(page) == page_size:
            if first_page_s is None:
                first_page_s = time.perf_counter() - t0
            show(page)
            page = []
    if first_page_s is None:  # fewer entries than one page: the first page is the whole listing
        first_page_s = time.perf_counter() - t0
    if page:
        show(page)
    return Outcome(items=items, digest=h.hexdigest(), bytes_read=read,
                   relist=lambda: [rel for rel, _ in stream(repo)],
                   extra={"first_page_s": first_page_s, "render_table_s": spent["table"],
                          "render_json_s": spent["json"]})
