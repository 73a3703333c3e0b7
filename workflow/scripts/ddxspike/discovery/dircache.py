"""A listing cache validated by directory stat data, like git's untracked cache, plus per-file
stat data for the content-reading depths, like git's index.

A folder whose mtime, ctime and inode are unchanged still holds the entries cached for it (adding,
removing or renaming an entry changes the folder's mtime), so it is not read again. At meta/hash
depth a file whose size, mtime and ctime are unchanged keeps its cached description or hash. An
entry changed less than RACY_NS before the cache's scan started is never trusted ("racy", as git
calls it): a change within the filesystem's timestamp granularity could otherwise go unseen.

cache_hits / cache_misses count folders and files served from the cache / read again.
"""

import os
import time
from dataclasses import dataclass, field

from ddxspike.discovery.depth import check_depth, inspect

RACY_NS = 1_000_000_000  # generous: ext4 timestamps are jiffy-coarse; test repos are older
FORMAT = 1


@dataclass
class TreeCache:
    repo: str = ""
    depth: str = ""
    written_ns: int = 0  # when the scan that filled this cache started
    # folder ("" or "a/b/") -> (mtime_ns, ctime_ns, ino, file names, folder names)
    dirs: dict = field(default_factory=dict)
    # file path -> (size, mtime_ns, ctime_ns, facts dict) (meta/hash depths only)
    files: dict = field(default_factory=dict)
    format: int = FORMAT

    def fits(self, repo: str, depth: str) -> bool:
        return self.format == FORMAT and self.repo == repo and self.depth == depth


@dataclass
class Listing:
    paths: list
    bytes_read: int
    hits: int
    misses: int
    cache: TreeCache


def _trusted(mtime_ns: int, written_ns: int) -> bool:
    # git's racy rule looks at mtime; ctime still has to be equal, so a change hidden by
    # setting mtime back (utime) is caught by the ctime it leaves.
    return mtime_ns < written_ns - RACY_NS


def _scan(folder: str, at_root: bool) -> tuple[list, list]:
    files, dirs = [], []
    with os.scandir(folder) as it:
        for entry in it:
            if at_root and entry.name == ".git":
                continue  # git's folder, or the file naming it in a linked worktree
            if entry.is_dir(follow_symlinks=False):
                dirs.append(entry.name)
            else:
                files.append(entry.name)
    return files, dirs


def list_with_cache(repo: str, depth: str, old: TreeCache | None) -> Listing:
    """The full listing of repo at depth, reusing what `old` still validly holds."""
    check_depth(depth)
    if old is None or not old.fits(repo, depth):
        old = TreeCache()
    new = TreeCache(repo=repo, depth=depth, written_ns=time.time_ns())
    paths, read, hits, misses = [], 0, 0, 0
    stack = [""]
    while stack:
        rel = stack.pop()
        folder = os.path.join(repo, rel) if rel else repo
        s = os.stat(folder) if rel == "" else os.lstat(folder)  # the root may be a symlink
        rec = old.dirs.get(rel)
        if (rec is not None and rec[:3] == (s.st_mtime_ns, s.st_ctime_ns, s.st_ino)
                and _trusted(s.st_mtime_ns, old.written_ns)):
            hits += 1
            files, dirs = rec[3], rec[4]
        else:
            misses += 1
            files, dirs = _scan(folder, rel == "")
        new.dirs[rel] = (s.st_mtime_ns, s.st_ctime_ns, s.st_ino, files, dirs)
        for name in files:
            path = rel + name
            paths.append(path)
            if depth == "names":
                continue
            full = os.path.join(folder, name)
            fs = os.lstat(full)
            if depth == "stat":
                continue
            key = (fs.st_size, fs.st_mtime_ns, fs.st_ctime_ns)
            frec = old.files.get(path)
            if (frec is not None and frec[:3] == key
                    and _trusted(fs.st_mtime_ns, old.written_ns)):
                hits += 1
                facts = frec[3]
            else:
                misses += 1
                # A symlink keeps its lstat; inspect reads its target, never what it points to.
                facts, n = inspect(full, depth)
                read += n
            new.files[path] = (*key, facts)
        stack.extend(rel + d + "/" for d in dirs)
    return Listing(paths, read, hits, misses, new)
