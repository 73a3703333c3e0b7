"""Paths (and sizes, mtimes, blob ids) from git's index instead of the filesystem.

names and stat cost one read of .git/index: sizes and mtimes come from the index's stat data, not
from the working tree. meta reads each file's first 4 KiB from the working tree. hash takes the
blob id from the index and trusts it only when the file's lstat still matches the index's size
and mtime (git's own clean check); other files are read and hashed. The listing is what git
tracks, which equals the working tree in a clean checkout (the generated repositories are).
"""

import os

from ddxspike.discovery.depth import check_depth, read_hash, read_meta
from ddxspike.discovery.indexfile import index_path, read_index
from ddxspike.engine import Outcome

LISTS = "files"


def stat_matches(s, e) -> bool:
    """Does a file's lstat still match its index entry? The index keeps 32-bit fields, and
    nanoseconds only where git was built to record them (0 otherwise)."""
    sec, ns = divmod(s.st_mtime_ns, 1_000_000_000)
    esec, ens = divmod(e.mtime_ns, 1_000_000_000)
    return (s.st_size & 0xFFFFFFFF == e.size and sec & 0xFFFFFFFF == esec
            and (ens == 0 or ns == ens))


def discover(repo: str, depth: str) -> Outcome:
    check_depth(depth)
    entries = read_index(repo)
    paths = [e.path for e in entries]
    read = hits = misses = 0
    if depth == "stat":
        _ = [(e.size, e.mtime_ns) for e in entries]
    elif depth in ("meta", "hash"):
        root = os.fsencode(repo)
        # git's racy rule: an entry changed no earlier than the index was written may have changed
        # again within the same timestamp, so its stat data proves nothing.
        written = os.stat(index_path(repo)).st_mtime_ns if entries else 0
        for e in entries:
            full = os.path.join(root, e.path)
            if depth == "meta":
                read += read_meta(full)[1]
                continue
            if e.mtime_ns < written and stat_matches(os.lstat(full), e):
                hits += 1  # stat data unchanged: the index's blob id still names the content
            else:
                misses += 1
                read += read_hash(full)[1]
    if depth != "hash":
        return Outcome(paths=paths, bytes_read=read)
    return Outcome(paths=paths, bytes_read=read, cache_hits=hits, cache_misses=misses)
