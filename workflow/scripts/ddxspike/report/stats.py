"""Robust per-cell statistics for the document: medians with bootstrap intervals, and ratios
of medians with intervals (criterion-style percentile bootstrap, seeded so reruns agree)."""

import numpy as np
import pandas as pd

BOOTSTRAP = 2000
LEVEL = 0.95
SEED = 20261127


def _rng(seed=SEED):
    return np.random.default_rng(seed)


def median_ci(values, n_boot: int = BOOTSTRAP, seed: int = SEED) -> tuple[float, float, float]:
    """(median, lo, hi) of a sample; no interval (nan) from fewer than 2 values."""
    v = np.asarray(pd.Series(values).dropna(), dtype=float)
    if v.size == 0:
        return (np.nan, np.nan, np.nan)
    med = float(np.median(v))
    if v.size < 2:
        return (med, np.nan, np.nan)
    idx = _rng(seed).integers(0, v.size, (n_boot, v.size))
    boots = np.median(v[idx], axis=1)
    # +inf stands for a timed-out trial: interpolating between inf and a figure is undefined, so
    # the interval then takes observed bootstrap medians.
    method = "linear" if np.isfinite(boots).all() else "inverted_cdf"
    lo, hi = np.quantile(boots, [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2], method=method)
    return (med, float(lo), float(hi))


def ratio_ci(num, den, n_boot: int = BOOTSTRAP, seed: int = SEED) -> tuple[float, float, float]:
    """median(num) / median(den) with a percentile interval from independent resampling."""
    a = np.asarray(pd.Series(num).dropna(), dtype=float)
    b = np.asarray(pd.Series(den).dropna(), dtype=float)
    if a.size == 0 or b.size == 0 or np.median(b) <= 0:
        return (np.nan, np.nan, np.nan)
    point = float(np.median(a) / np.median(b))
    if a.size < 2 or b.size < 2:
        return (point, np.nan, np.nan)
    rng = _rng(seed)
    ma = np.median(a[rng.integers(0, a.size, (n_boot, a.size))], axis=1)
    mb = np.median(b[rng.integers(0, b.size, (n_boot, b.size))], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = ma / mb
    r = r[np.isfinite(r)]
    lo, hi = np.quantile(r, [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2])
    return (point, float(lo), float(hi))


def cell_medians(df: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """One row per cell (keys): trials, median, lo, hi of metric."""
    rows = []
    for key, g in df.groupby(keys, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        med, lo, hi = median_ci(g[metric])
        rows.append({**dict(zip(keys, key)), "trials": int(g[metric].notna().sum()),
                     "median": med, "lo": lo, "hi": hi})
    return pd.DataFrame(rows, columns=[*keys, "trials", "median", "lo", "hi"])
