"""Ground truth shared by every experiment: how a listing of paths is reduced to a digest.

Paths are bytes relative to the repository root with '/' separators, so that non-UTF-8 file
names survive; the digest is taken over the bytewise-sorted list joined by NUL (the one byte a
POSIX file name cannot hold).
"""

import hashlib
import os
from typing import Iterable


def as_path_bytes(path) -> bytes:
    """A relative path as bytes, '/'-separated, whatever form a strategy produced it in."""
    raw = os.fsencode(path)
    return raw.replace(os.sep.encode(), b"/") if os.sep != "/" else raw


def digest_paths(paths: Iterable) -> str:
    """SHA-256 of the sorted paths; equal listings give equal digests whatever their order."""
    h = hashlib.sha256()
    for i, p in enumerate(sorted(as_path_bytes(p) for p in paths)):
        if i:
            h.update(b"\0")
        h.update(p)
    return h.hexdigest()


def diff_paths(found: Iterable, expected: Iterable, limit: int = 10) -> str:
    """A short human message naming the paths one listing has and the other lacks."""
    f = {as_path_bytes(p) for p in found}
    e = {as_path_bytes(p) for p in expected}
    missing = sorted(e - f)
    extra = sorted(f - e)

    def show(xs):
        head = ", ".join(os.fsdecode(x) for x in xs[:limit])
        return head + (f" (+{len(xs) - limit} more)" if len(xs) > limit else "")

    parts = []
    if missing:
        parts.append(f"{len(missing)} missing: {show(missing)}")
    if extra:
        parts.append(f"{len(extra)} unexpected: {show(extra)}")
    return "; ".join(parts) or "same paths (order or duplicates differ)"
