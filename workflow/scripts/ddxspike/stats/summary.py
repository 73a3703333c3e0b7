"""Robust statistics of one cell's trials, and the per-cell summary of the measurement table.

A cell is one combination of the dimension columns (ddxspike/table.py DIMENSIONS) and the trial
mode (time | heap). Only `status == ok` trials are values; the others are counted. Outliers are
classified with Tukey's fences and flagged, never dropped. The interval of the median is the
distribution-free order-statistics interval: the coverage of [x(l), x(n+1-l)] is exactly
P(l <= B < n+1-l) for B ~ Binomial(n, 1/2), whatever the distribution of the values, and that
exact coverage is reported beside it (below 6 values no pair reaches 95%: [min, max] is given, with
its lower coverage, e.g. 75% from 3 values; one value has none). The findings, the charts and
summary.parquet all use this one interval (report/stats.py).
"""

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from ddxspike import table

CONFIDENCE = 0.95
NOISE_CV = 0.10  # pyperf's warning level: standard deviation above 10% of the mean
# A cold trial started with more of the repository cached than this was not really cold.
COLD_RESIDENCY_MAX = 0.05
STATUSES = ["ok", "error", "timeout", "mismatch"]
# Numeric measure columns that are not values to summarise.
NOT_METRICS = {"trial", "order", "exit_status"}  # numbers, but not measures
# Context columns summarised once per cell rather than as metrics.
CONTEXT = {"load_1m", "residency_before", "calib_before_s", "calib_after_s", "slowdown"}

STAT_COLUMNS = ["median", "ci_low", "ci_high", "ci_level", "mean", "sd", "cv", "mad", "q1", "q3",
                "iqr", "p95", "min", "max", "outliers_mild", "outliers_severe", "noisy"]
CONTEXT_COLUMNS = ["trials", *[f"n_{s}" for s in STATUSES], "first_error", "load_1m_mean",
                   "residency_before_max", "cold_verified", "caches_dropped", "host_id", "valid"]


def summary_columns(keys: list[str]) -> list[str]:
    return [*keys, "metric", *[c for c in CONTEXT_COLUMNS if c not in keys], *STAT_COLUMNS]


def median_interval(values, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(low, high, exact coverage) of the distribution-free interval of the median."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n < 2:  # one value has no interval ("1 trial: no interval")
        return math.nan, math.nan, math.nan
    best = (x[0], x[-1], 1.0 - 2.0 * 0.5**n)  # [min, max]
    # Largest l (1-based) whose interval still reaches the confidence level: the narrowest.
    for lo in range(1, n // 2 + 1):
        hi = n + 1 - lo
        if hi <= lo:
            break
        coverage = sps.binom.cdf(hi - 1, n, 0.5) - sps.binom.cdf(lo - 1, n, 0.5)
        if coverage < confidence:
            break
        best = (x[lo - 1], x[hi - 1], coverage)
    return float(best[0]), float(best[1]), float(best[2])


def tukey_outliers(values) -> tuple[int, int]:
    """(mild, severe) counts: mild beyond 1.5 IQR of the quartiles but within 3 IQR, severe
    beyond 3 IQR (criterion's and hyperfine's classification)."""
    x = np.asarray(values, dtype=float)
    if len(x) < 4:
        return 0, 0
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    severe = (x < q1 - 3 * iqr) | (x > q3 + 3 * iqr)
    beyond_mild = (x < q1 - 1.5 * iqr) | (x > q3 + 1.5 * iqr)
    return int((beyond_mild & ~severe).sum()), int(severe.sum())


def describe(values, confidence: float = CONFIDENCE) -> dict:
    """Every statistic of one metric in one cell (NaN where there are no values)."""
    x = np.asarray([v for v in values if v is not None and not pd.isna(v)], dtype=float)
    n = len(x)
    out = {"n": n}
    if n == 0:
        keys = ["median", "ci_low", "ci_high", "ci_level", "mean", "sd", "cv", "mad", "q1", "q3",
                "iqr", "p95", "min", "max"]
        return {**out, **{k: math.nan for k in keys}, "outliers_mild": 0, "outliers_severe": 0,
                "noisy": False}
    lo, hi, level = median_interval(x, confidence)
    q1, med, q3, p95 = np.percentile(x, [25, 50, 75, 95])
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else 0.0
    cv = sd / mean if mean else math.nan
    mild, severe = tukey_outliers(x)
    return {
        **out,
        "median": float(med), "ci_low": lo, "ci_high": hi, "ci_level": level,
        "mean": mean, "sd": sd, "cv": cv,
        "mad": float(np.median(np.abs(x - med))),  # raw MAD, not scaled to a normal sd
        "q1": float(q1), "q3": float(q3), "iqr": float(q3 - q1), "p95": float(p95),
        "min": float(x.min()), "max": float(x.max()),
        "outliers_mild": mild, "outliers_severe": severe,
        "noisy": bool(n > 1 and cv > NOISE_CV),
    }


def metric_columns(df: pd.DataFrame) -> list[str]:
    """Numeric measure columns of the table, in schema order (new measures are picked up)."""
    dims = {name for name, _ in table.DIMENSIONS}
    return [c for c in df.columns
            if c not in dims | NOT_METRICS | CONTEXT and pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])]


def cell_keys(df: pd.DataFrame) -> list[str]:
    # host_id too: results merged from several hosts are summarised per host, never mixed.
    host = ["host_id"] if "host_id" in df.columns else []
    return [name for name, _ in table.DIMENSIONS if name in df.columns] + ["mode"] + host


def summarise(df: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """One row per cell and metric: counts by status, then describe() of the ok trials.

    `wall_s` (time cells) and `py_heap_peak_bytes` (heap cells) always get a row, even when no
    trial was valid, so a cell that only failed is visible; other metrics only where measured.
    """
    keys = cell_keys(df)
    metrics = metric_columns(df)
    rows = []
    # dropna=False: dimensions an experiment does not use (e.g. depth) are null, still a cell.
    for key, cell in df.groupby(keys, dropna=False, sort=True):
        base = dict(zip(keys, key))
        counts = cell["status"].value_counts()
        ok = cell[cell["status"] == "ok"]
        context = {
            "trials": len(cell),
            **{f"n_{s}": int(counts.get(s, 0)) for s in STATUSES},
            "first_error": next((e for e in cell["error"] if isinstance(e, str) and e), None),
            "load_1m_mean": float(cell["load_1m"].mean()) if "load_1m" in cell else math.nan,
            "residency_before_max": float(cell["residency_before"].max())
            if "residency_before" in cell else math.nan,
            "caches_dropped": ",".join(sorted(set(cell["caches_dropped"].dropna())))
            if "caches_dropped" in cell else "",
            "host_id": ",".join(sorted(set(cell["host_id"].dropna()))) if "host_id" in cell else "",
        }
        # Cold cells: was every trial's repository really (almost) out of the page cache?
        resid = context["residency_before_max"]
        context["cold_verified"] = (bool(resid <= COLD_RESIDENCY_MAX) if resid == resid else False) \
            if base.get("cache_state") == "cold" and base["mode"] == "time" else None
        headline = "wall_s" if base["mode"] == "time" else "py_heap_peak_bytes"
        for metric in metrics:
            values = ok[metric].dropna()
            if values.empty and metric != headline:
                continue
            rows.append({**base, "metric": metric, **context, "valid": len(values),
                         **{k: v for k, v in describe(values, confidence).items() if k != "n"}})
    return pd.DataFrame(rows, columns=summary_columns(keys))
