"""Cold-cache support: evict a repository's file pages and measure how much of it is resident.

posix_fadvise(DONTNEED) drops clean file pages only; directory entries and inodes stay cached
unless drop_caches (root, after sync) is used as well. Residency is measured with mincore(2) on
a read-only mapping of each file, so an eviction is verified, not assumed.
"""

import ctypes
import ctypes.util
import mmap
import os

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                       ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_ubyte)]
PAGE = mmap.PAGESIZE
MAP_FAILED = ctypes.c_void_p(-1).value


def iter_files(root):
    """Every regular file below root, .git included (git-based strategies read it too)."""
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path) and os.path.isfile(path):
                yield path


def file_residency(path) -> tuple[int, int]:
    """(resident pages, total pages) of one file, without reading it."""
    size = os.path.getsize(path)
    if size == 0:
        return 0, 0
    pages = (size + PAGE - 1) // PAGE
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = _libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if addr == MAP_FAILED:
            raise OSError(ctypes.get_errno(), f"mmap failed on {path}")
        try:
            vec = (ctypes.c_ubyte * pages)()
            if _libc.mincore(addr, size, vec) != 0:
                raise OSError(ctypes.get_errno(), f"mincore failed on {path}")
            return sum(b & 1 for b in bytes(vec)), pages
        finally:
            _libc.munmap(addr, size)
    finally:
        os.close(fd)


def residency(root, files=None) -> float:
    """Share (0..1) of the file pages below root (or of `files`, its listing) in the page cache."""
    resident = total = 0
    for path in iter_files(root) if files is None else files:
        try:
            r, t = file_residency(path)
        except OSError:
            continue  # unreadable files (edge cases) do not count either way
        resident += r
        total += t
    return resident / total if total else 0.0


def evict(root, drop_caches: bool = False, files=None) -> str:
    """Drop root's file pages (of `files`, its listing, when given) from the page cache; returns
    which caches were dropped."""
    os.sync()  # DONTNEED cannot drop dirty pages: freshly generated files must be written first
    for path in iter_files(root) if files is None else files:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    if drop_caches:
        try:
            os.sync()
            with open("/proc/sys/vm/drop_caches", "w") as f:
                f.write("3\n")  # page cache, dentries and inodes
            return "pages+dentries+inodes"
        except OSError:
            pass  # not permitted (container, non-root): file pages only, and the data says so
    return "file-pages"
