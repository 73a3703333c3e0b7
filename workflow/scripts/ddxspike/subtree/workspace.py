"""Throw-away copies of pristine repositories, and what is measured on them before and after an
operation (never inside the timed section).

A copy hard-links the working tree and .git/objects (git never rewrites those in place: it
writes new files and renames) and copies the rest of .git (index, refs, logs, config: files git
appends to or rewrites) for real. Hard-linking changes each file's ctime, so the copied index
would look stale and the first git command would re-hash the whole library (16 s at 2 GB,
untimed but it blows the run's budget). The copy therefore sets core.trustctime=false, git's own
switch for file systems whose ctime is unreliable: inode, mtime and size still have to match.
"""

import hashlib
import os
import shutil
import struct
from pathlib import Path

from ddxspike.gitrun import git


# What every copy's config (a real copy) ends with: git takes a key's last value, so appending
# in this process does what two `git config` runs did. gc.auto=0: background auto-gc would
# outlive the trial and race its measurements; core.trustctime=false: see above.
COPY_SETTINGS = "[gc]\n\tauto = 0\n[core]\n\ttrustctime = false\n"


def _mirror(src, dst, link: bool, skip="", linked=""):
    """dst made as src in one pass in this process (no cp per entry): directories with their
    mode and times, files hard-linked (link) or copied with theirs as cp -a would. skip: a name
    left out at the top; linked: a top-level directory hard-linked even when link is False."""
    os.mkdir(dst)
    with os.scandir(src) as entries:
        for e in entries:
            if e.name == skip:
                continue
            d = os.path.join(dst, e.name)
            if e.is_dir(follow_symlinks=False):
                _mirror(e.path, d, link or e.name == linked)
            elif link:
                os.link(e.path, d, follow_symlinks=False)
            else:
                shutil.copy2(e.path, d, follow_symlinks=False)
    shutil.copystat(src, dst, follow_symlinks=False)


def fresh_copy(src, dst, refresh=False):
    src, dst = Path(src), Path(dst)
    bare = not (src / ".git").is_dir()
    gsrc, gdst = (src, dst) if bare else (src / ".git", dst / ".git")
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not bare:
        _mirror(src, dst, link=True, skip=".git")
    _mirror(gsrc, gdst, link=False, linked="objects")
    config = gdst / "config"
    text = config.read_text()
    if not text.endswith(COPY_SETTINGS):  # a copy of a copy ends with them already
        config.write_text(text + ("" if text.endswith("\n") else "\n") + COPY_SETTINGS)
    if refresh and not bare:
        git(dst, "update-index", "-q", "--refresh", check=False)


def remove(path):
    shutil.rmtree(path, ignore_errors=True)


def tree_bytes(root) -> int:
    """Bytes of every regular file below root (hard-linked files count fully: they are there)."""
    total = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except FileNotFoundError:
                continue
            total += st.st_size
    return total


def disk_usage(root) -> int:
    """Bytes of disk blocks allocated below root (a directory of many tiny files costs whole
    blocks each: what subtree-cache debris really takes)."""
    total = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
            except FileNotFoundError:
                continue
    return total


def git_dir(repo) -> Path:
    repo = Path(repo)
    return repo / ".git" if (repo / ".git").exists() else repo


def object_count(repo) -> int:
    """Loose objects + objects in every pack (read from each .idx header, no git process)."""
    objects = git_dir(repo) / "objects"
    if not objects.is_dir():
        return 0
    loose = sum(len(os.listdir(d)) for d in objects.iterdir()
                if len(d.name) == 2 and d.is_dir())
    packed = 0
    for idx in (objects / "pack").glob("*.idx"):
        with open(idx, "rb") as f:
            head = f.read(8 + 256 * 4)
        # v2 index: magic + version, then a 256-entry fan-out whose last entry is the count.
        if head[:4] == b"\xfftOc":
            packed += struct.unpack(">I", head[8 + 255 * 4: 8 + 256 * 4])[0]
        else:
            packed += struct.unpack(">I", head[255 * 4: 256 * 4])[0]
    return loose + packed


def fingerprint(path) -> dict:
    """What must not change in a pristine repository: refs, HEAD, HEAD's tree, and the size and
    mtime of every file below it. Object files are content-addressed and git "freshens" (touches
    the mtime of) an existing object when an operation in a hard-linked copy writes it again, so
    for them only path and size count."""
    refs = git(path, "for-each-ref", "--format=%(refname) %(objectname)")
    head, tree = git(path, "rev-parse", "HEAD", "HEAD^{tree}").split("\n")
    h = hashlib.sha256()
    for dirpath, dirs, names in os.walk(path):
        dirs.sort()
        for name in sorted(names):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            rel = os.path.relpath(p, path)
            mtime = 0 if f"objects{os.sep}" in rel else st.st_mtime_ns
            h.update(f"{rel}\0{st.st_size}\0{mtime}\n".encode())
    return {"refs": refs, "head": head, "tree": tree, "files": h.hexdigest()}
