"""Slowdown from the jobs' contention calibrations (engine/calibrate.py), over a whole table.

Apart from the engine, which only measures and stamps: a measuring job never imports pandas
(its import was ~1 s of every job's start on a loaded 2-core machine).
"""

import numpy as np
import pandas as pd

from ddxspike.engine.calibrate import COLUMNS


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
