"""What a discovery strategy reads per file, by depth, so cost per file and per byte separate.

names: nothing beyond the directory entry; stat: size and mtime; meta: what `ddx list` reads
(front matter or the first lines of a text file, at most 4 KiB); hash: the whole content.

Symlinks are never followed (README "Asset discovery experiment", edge-case rules): `stat` is an
lstat, and `meta`/`hash` read the link's target string, which is what git stores for a symlink.
"""

import errno
import hashlib
import os

DEPTHS = ("names", "stat", "meta", "hash")
META_BYTES = 4096
CHUNK = 1 << 20
DESCRIPTION_CHARS = 60  # as ddx list's cut (which counts bytes: ddx_list.DESCRIPTION_BYTES)


def check_depth(depth: str) -> None:
    if depth not in DEPTHS:
        raise ValueError(f"unknown depth {depth!r} (expected one of {', '.join(DEPTHS)})")


def _open_nofollow(path):
    """An fd for a regular file, or None if path is a symlink (O_NOFOLLOW fails with ELOOP)."""
    try:
        return os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None
        raise


def describe(head: bytes) -> str:
    """A one-line description from the start of a file: front matter `description:`, else the
    first non-empty line that is not a Markdown heading (as ddx list does for README.md)."""
    text = head.decode("utf-8", errors="replace")
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for line in lines[1:]:
            if line.strip() == "---":
                break
            if line.startswith("description:"):
                return line[len("description:"):].strip().strip("\"'")[:DESCRIPTION_CHARS]
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#") and line != "---":
            return line[:DESCRIPTION_CHARS]
    return ""


def read_meta(path) -> tuple[str, int]:
    """(description, bytes read) from the first META_BYTES of a file (a symlink: its target)."""
    fd = _open_nofollow(path)
    if fd is None:
        target = os.readlink(path)
        return "", len(os.fsencode(target))
    try:
        head = os.read(fd, META_BYTES)
    finally:
        os.close(fd)
    return describe(head), len(head)


def read_hash(path) -> tuple[str, int]:
    """(blake2b hex of the whole content, bytes read); a symlink hashes its target string."""
    h = hashlib.blake2b(digest_size=20)
    fd = _open_nofollow(path)
    if fd is None:
        target = os.fsencode(os.readlink(path))
        h.update(target)
        return h.hexdigest(), len(target)
    n = 0
    try:
        while chunk := os.read(fd, CHUNK):
            h.update(chunk)
            n += len(chunk)
    finally:
        os.close(fd)
    return h.hexdigest(), n


def lstat(path, entry=None):
    return entry.stat(follow_symlinks=False) if entry is not None else os.lstat(path)


def inspect(path, depth: str, entry=None) -> tuple[dict, int]:
    """The depth's facts about one file and the bytes read to get them. `entry`: a DirEntry."""
    if depth == "names":
        return {}, 0
    if depth == "stat":
        s = lstat(path, entry)
        return {"size": s.st_size, "mtime_ns": s.st_mtime_ns}, 0
    if depth == "meta":
        description, n = read_meta(path)
        return {"description": description}, n
    if depth == "hash":
        digest, n = read_hash(path)
        return {"hash": digest}, n
    check_depth(depth)
    raise AssertionError("unreachable")


def observe(path, depth: str, entry=None) -> int:
    """Do the depth's work for one file; returns bytes read. `entry` is a DirEntry if any."""
    if depth == "names":
        return 0
    if depth == "stat":
        s = lstat(path, entry)
        _ = (s.st_size, s.st_mtime_ns)
        return 0
    return inspect(path, depth, entry)[1]
