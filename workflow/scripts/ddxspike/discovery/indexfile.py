"""Reads git's index file (.git/index, versions 2, 3 and 4) without running git.

Layout from git's Documentation/gitformat-index.txt: a 12-byte header ("DIRC", version, entry
count), then per entry 40 bytes of stat data (ctime, mtime, dev, ino, mode, uid, gid, size, each
32-bit big-endian), the object id, 16-bit flags (low 12 bits: name length; 0x4000: extended flags
follow in versions 3+), and the path: NUL-terminated and padded to a multiple of 8 bytes in
versions 2/3; in version 4 prefixed by a varint saying how many bytes of the previous path to
drop, NUL-terminated, unpadded.
"""

import os
import struct
from dataclasses import dataclass

HEADER = struct.Struct(">4sLL")
STAT = struct.Struct(">LLLLLLLLLL")  # ctime s/ns, mtime s/ns, dev, ino, mode, uid, gid, size
STAT_FIELDS = STAT.size  # 40
EXTENDED = 0x4000
STAGE_MASK = 0x3000
SPLIT_INDEX = b"link"  # the extension naming the shared index of a split index


@dataclass
class IndexEntry:
    path: bytes
    mode: int
    size: int  # truncated to 32 bits by git, like the other stat fields
    mtime_ns: int
    oid: str


class IndexFormatError(ValueError):
    pass


class SplitIndexError(IndexFormatError):
    """The index is split (core.splitIndex): most entries live in a shared index file."""


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    """git's offset varint (varint.c): 7 bits a byte, high bit = more, +1 per continuation."""
    c = buf[pos]
    pos += 1
    value = c & 0x7F
    while c & 0x80:
        c = buf[pos]
        pos += 1
        value = ((value + 1) << 7) | (c & 0x7F)
    return value, pos


def index_path(repo: str) -> str:
    """The index of the working tree at repo. In a linked worktree (or a submodule's checkout)
    .git is a file, "gitdir: <path>", naming the folder that holds its index."""
    dot_git = os.path.join(repo, ".git")
    if os.path.isfile(dot_git):
        with open(dot_git, "rb") as f:
            line = f.read().split(b"\n", 1)[0]
        if line.startswith(b"gitdir: "):
            return os.path.join(repo, os.fsdecode(line[8:].strip()), "index")
    return os.path.join(dot_git, "index")


def read_index(repo: str, oid_bytes: int = 20) -> list[IndexEntry]:
    """Every stage-0 entry of the repository's index; [] when there is no index yet (a fresh or
    empty repository)."""
    path = index_path(repo)
    try:
        with open(path, "rb") as f:
            buf = f.read()
    except FileNotFoundError:
        return []
    sig, version, count = HEADER.unpack_from(buf, 0)
    if sig != b"DIRC" or version not in (2, 3, 4):
        raise IndexFormatError(f"{path}: not a git index of version 2-4 ({sig!r}, v{version})")
    entries, pos, previous = [], HEADER.size, b""
    for _ in range(count):
        start = pos
        f = STAT.unpack_from(buf, pos)
        pos += STAT_FIELDS
        oid = buf[pos:pos + oid_bytes].hex()
        pos += oid_bytes
        (flags,) = struct.unpack_from(">H", buf, pos)
        pos += 2
        if flags & EXTENDED and version >= 3:
            pos += 2
        if version == 4:
            drop, pos = _varint(buf, pos)
            end = buf.index(b"\0", pos)
            name = previous[:len(previous) - drop] + buf[pos:end]
            pos = end + 1
        else:
            end = buf.index(b"\0", pos)
            name = buf[pos:end]
            pos = start + ((end - start) // 8 + 1) * 8  # 1-8 NULs pad the entry to 8 bytes
        previous = name
        if flags & STAGE_MASK and entries and entries[-1].path == name:
            continue  # conflict stages 1-3 of one path: list the path once
        entries.append(IndexEntry(path=name, mode=f[6], size=f[9],
                                  mtime_ns=f[2] * 1_000_000_000 + f[3], oid=oid))
    if SPLIT_INDEX in extensions(buf, pos, oid_bytes):
        # Entries replacing shared ones have empty names: the paths live in sharedindex.<id>.
        raise SplitIndexError(f"{path}: a split index (core.splitIndex); its paths are in "
                               ".git/sharedindex.*, which this reader does not merge")
    return entries


def extensions(buf: bytes, pos: int, oid_bytes: int = 20) -> list[bytes]:
    """Signatures of the extensions from pos (after the last entry) up to the checksum."""
    found, end = [], len(buf) - oid_bytes
    while pos + 8 <= end:
        sig, size = struct.unpack_from(">4sL", buf, pos)
        found.append(sig)
        pos += 8 + size
    return found
