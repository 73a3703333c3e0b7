"""Per-cell statistics for the document, with the one interval of a median used everywhere
(summary.parquet, this page, the charts): the distribution-free order-statistics interval of
ddxspike/stats/summary.py, whose exact coverage is carried with it and printed when below 95%.

The ends of an interval are `Bound`s: floats that remember the coverage of their interval and the
number of values behind it, so that `fmt.interval(metric, *median_ci(x))` states both wherever a
figure is printed ("1.3 s [1.2 s, 1.5 s], 75%", "1.3 s (1 trial: no interval)").
"""

import math

import numpy as np
import pandas as pd

from ddxspike.report import tidy
from ddxspike.stats.summary import CONFIDENCE, median_interval


class Bound(float):
    """One end of an interval: a float with the interval's coverage (`level`, a lower bound when
    `at_least`) and the number of values (`n`) it came from."""

    def __new__(cls, x, level=math.nan, n=0, at_least=False):
        b = super().__new__(cls, x)
        b.level, b.n, b.at_least = level, n, at_least
        return b


def _values(values) -> np.ndarray:
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):  # a nullable column's pd.NA
        v = np.asarray(pd.Series(values, dtype="float64"), dtype=float)
    return v[~np.isnan(v)]


def median_ci(values) -> tuple[float, float, float]:
    """(median, lo, hi); lo and hi are Bounds (nan with n = 1: one value has no interval). A +inf
    (a timed-out trial) sorts last like any slow trial."""
    v = _values(values)
    if v.size == 0:
        return (math.nan, Bound(math.nan), Bound(math.nan))
    med = float(np.median(v))
    if v.size < 2:
        return (med, Bound(math.nan, n=1), Bound(math.nan, n=1))
    lo, hi, level = median_interval(v)
    return (med, Bound(lo, level, v.size), Bound(hi, level, v.size))


def ratio_ci(num, den) -> tuple[float, float, float]:
    """median(num) / median(den) with the quotient of the two medians' intervals,
    [lo_num / hi_den, hi_num / lo_den]: it covers the true ratio at least as often as both
    intervals cover their medians (the product of their coverages, samples independent)."""
    a, b = _values(num), _values(den)
    if a.size == 0 or b.size == 0 or np.median(b) <= 0:
        return (math.nan, Bound(math.nan), Bound(math.nan))
    point = float(np.median(a) / np.median(b))
    n = min(a.size, b.size)
    if n < 2:
        return (point, Bound(math.nan, n=1), Bound(math.nan, n=1))
    alo, ahi, alevel = median_interval(a)
    blo, bhi, blevel = median_interval(b)
    level = alevel * blevel
    with np.errstate(divide="ignore"):
        lo = alo / bhi if bhi > 0 else math.nan
        hi = ahi / blo if blo > 0 else math.inf
    return (point, Bound(lo, level, n, True), Bound(hi, level, n, True))


def coverage_text(bound) -> str:
    """'' at 95% or more; '75%' or '≥ 56%' below; '' when unknown."""
    level = getattr(bound, "level", math.nan)
    if not np.isfinite(level) or level >= CONFIDENCE:
        return ""
    return f"{'≥ ' if getattr(bound, 'at_least', False) else ''}{level:.0%}"


def cell_medians(df: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """One row per cell (keys, in sorted order): trials, median, lo, hi, level of metric."""
    columns = [*keys, "trials", "median", "lo", "hi", "level"]
    if df.empty:
        return pd.DataFrame(columns=columns)
    values = df[metric].to_numpy()
    rows = []
    for key, pos in tidy.groups(df, keys):
        med, lo, hi = median_ci(values[pos])
        rows.append({**dict(zip(keys, key)), "trials": int(pd.notna(values[pos]).sum()),
                     "median": med, "lo": lo, "hi": hi, "level": lo.level})
    return pd.DataFrame(rows, columns=columns)
