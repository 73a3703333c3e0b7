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

import numpy as np
import pandas as pd

CPU_LOOPS = 400_000  # about 35 ms of interpreter work on the reference machine
READ_BYTES = 1 << 20  # a 1 MiB file ...
READS = 24  # ... read this often (about 20 ms from the page cache)
COLUMNS = ("calib_before_s", "calib_after_s")


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


def slowdown(df: pd.DataFrame) -> pd.Series:
    """Per row: the mean of its job's two calibrations over its host's quiet speed (the best
    calibration anywhere in the table for that host_id). NaN where no calibration was taken
    (rows of a version without it)."""
    if df.empty or not set(COLUMNS) <= set(df.columns):
        return pd.Series(np.nan, index=df.index, dtype="float64")
    cal = df[list(COLUMNS)].astype("float64")
    host = df["host_id"] if "host_id" in df else pd.Series("", index=df.index)
    quiet = cal.min(axis=1).groupby(host).transform("min")
    return (cal.mean(axis=1) / quiet).astype("float64")


def with_slowdown(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of the table with its `slowdown` column (re)computed over the whole table."""
    out = df.copy()
    out["slowdown"] = slowdown(df)
    return out


def corrected(df: pd.DataFrame, columns=None) -> pd.DataFrame:
    """Time columns divided by each row's slowdown: what the host would have measured at its
    quiet speed, if contention slowed the measured work as much as the calibration. The
    `slowdown` column is used where set; rows without one are kept as measured."""
    out = df.copy()
    s = slowdown(df)
    if "slowdown" in df:  # set over a larger table (aggregate): its host's best may lie outside df
        s = df["slowdown"].astype("float64").where(df["slowdown"].notna(), s)
    s = s.fillna(1.0)
    cols = columns or [c for c in df.columns if c.endswith("_s") and c not in COLUMNS
                       and pd.api.types.is_float_dtype(df[c])]
    for c in cols:
        out[c] = df[c] / s
    return out
