"""Timed jobs exclusive across Snakemake instances: one instance's timed jobs take all its cores,
but a second instance in the same folder (other targets, or started by mistake) knows nothing of
them. Every timed job holds an exclusive flock on one file in scratch_dir until it exits; a
second one waits, and says in its log that it waits and for whom.

The file is named for the host: on a cluster with a shared scratch_dir, jobs on different
(exclusive) nodes do not wait for each other.
"""

import fcntl
import os
import socket
import time
from pathlib import Path
from typing import Callable

_held: dict[str, int] = {}  # lock path -> open descriptor, kept until the process exits


def lock_path(scratch_dir) -> Path:
    return Path(scratch_dir) / f".timed-jobs-{socket.gethostname()}.lock"


def hold(scratch_dir, what: str, log: Callable[[str], None] = print) -> Path:
    """Take the timed-jobs lock for the rest of this process's life (the kernel releases it when
    the process exits, however it ends), waiting while another job holds it."""
    path = lock_path(scratch_dir)
    if str(path) in _held:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 400, 0).decode(errors="replace").strip() or "another job"
        log(f"waiting for a timed job of another instance to finish ({holder}; lock {path})")
        waited = time.monotonic()
        fcntl.flock(fd, fcntl.LOCK_EX)
        log(f"timed-jobs lock taken after waiting {time.monotonic() - waited:.1f} s")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} in {os.getcwd()}: {what}\n".encode(), 0)
    _held[str(path)] = fd
    return path
