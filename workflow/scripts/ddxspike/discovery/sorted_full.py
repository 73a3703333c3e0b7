"""The eager counterpart of `lazy`: list everything at the depth, sort, then render the whole
listing as one table (column widths from all rows) and one JSON document, as `ddx list` does.
Its first page can only be shown once everything is listed and sorted (first_page_s)."""

import os
import time

from ddxspike.discovery import render
from ddxspike.discovery.depth import check_depth, inspect
from ddxspike.engine import Outcome

LISTS = "files"


def discover(repo: str, depth: str) -> Outcome:
    check_depth(depth)
    t0 = time.perf_counter()
    rows, read = [], 0
    stack = [(os.fsencode(repo), b"")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as it:
            for e in it:
                if prefix == b"" and e.name == b".git":
                    continue  # git's folder, or the file naming it in a linked worktree
                if e.is_dir(follow_symlinks=False):
                    stack.append((e.path, prefix + e.name + b"/"))
                else:
                    facts, n = inspect(e.path, depth, e)
                    read += n
                    rows.append({"path": prefix + e.name, **facts})
    rows.sort(key=lambda r: r["path"])
    first_page_s = time.perf_counter() - t0
    a = time.perf_counter()
    render.as_table(rows, depth)
    b = time.perf_counter()
    render.as_json(rows)
    c = time.perf_counter()
    return Outcome(paths=[r["path"] for r in rows], bytes_read=read,
                   extra={"first_page_s": first_page_s, "render_table_s": b - a,
                          "render_json_s": c - b})
