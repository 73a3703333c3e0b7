"""What a discovery strategy reads per file, by depth, so cost per file and per byte separate.

names: nothing beyond the directory entry; stat: size and mtime; meta: what `ddx list` reads
(front matter or the first lines of a text file, at most 4 KiB); hash: the whole content.
"""

import hashlib
import os

META_BYTES = 4096
CHUNK = 1 << 20


def read_meta(path) -> int:
    with open(path, "rb") as f:
        return len(f.read(META_BYTES))


def read_hash(path) -> int:
    h = hashlib.blake2b()
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
    return n


def observe(path, depth: str, entry=None) -> int:
    """Do the depth's work for one file; returns bytes read. `entry` is a DirEntry if any."""
    if depth == "names":
        return 0
    if depth == "stat":
        st = entry.stat() if entry is not None else os.stat(path)
        _ = (st.st_size, st.st_mtime_ns)
        return 0
    if depth == "meta":
        return read_meta(path)
    if depth == "hash":
        return read_hash(path)
    raise ValueError(f"unknown depth {depth!r} (names, stat, meta, hash)")
