"""Contention measured, not guessed: a short fixed calibration before and after a job's trials.

The calibration is the same work every time: a pure-Python CPU loop and reads of a small file
from the page cache (about 60 ms together on an idle 2-core machine). A machine that is busy
with other work runs it more slowly, so its time, divided by the best time the same host ever
took (its quiet speed), says how much slower the machine ran while a cell was measured. That
ratio is `slowdown` (1.0 = as fast as this host has been seen to go); load_1m is kept beside it,
but a load average counts runnable processes, not how much they slow a measurement.
"""

import os
import tempfile
import time

CPU_LOOPS = 400_000  # about 35 ms of interpreter work on the reference machine
READ_BYTES = 1 << 20  # a 1 MiB file ...
READS = 24  # ... read this often (about 20 ms from the page cache)
COLUMNS = ("calib_before_s", "calib_after_s")  # what a job stamps on its rows


def _cpu() -> int:
    acc = 0
    for i in range(CPU_LOOPS):
        acc = (acc + i * i) & 0xFFFFFFFF
    return acc


def _read(path: str) -> int:
    n = 0
    for _ in range(READS):
        with open(path, "rb", buffering=0) as f:
            while chunk := f.read(1 << 16):
                n += len(chunk)
    return n


def measure() -> float:
    """Seconds the fixed calibration work took now (the file was just written: it is cached)."""
    with tempfile.TemporaryDirectory(prefix="ddxspike-calib-") as tmp:
        path = os.path.join(tmp, "calibration.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(READ_BYTES))
        start = time.perf_counter()
        _cpu()
        _read(path)
        return time.perf_counter() - start


def stamp(rows: list[dict], before: float) -> list[dict]:
    """Every row of a job carries the calibration taken before its trials and one taken now."""
    after = measure()
    for r in rows:
        r.update(calib_before_s=before, calib_after_s=after)
    return rows
