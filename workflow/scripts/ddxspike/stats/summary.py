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

import functools
import math

import numpy as np
import pandas as pd

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


@functools.lru_cache(maxsize=None)
def interval_ranks(n: int, confidence: float = CONFIDENCE) -> tuple[int, float]:
    """(l, exact coverage) of the order-statistics interval [x(l), x(n+1-l)] of n values: the
    largest l (1-based, the narrowest interval) whose coverage P(l <= B < n+1-l), B ~ Binomial(n,
    1/2), still reaches the confidence level, else l = 1 ([min, max]). n < 2: (0, nan)."""
    if n < 2:
        return 0, math.nan
    pmf = [math.comb(n, k) / 2**n for k in range(n + 1)]
    best = (1, 1.0 - 2.0 * 0.5**n)
    for lo in range(2, n // 2 + 1):
        coverage = sum(pmf[lo:n + 1 - lo])
        if n + 1 - lo <= lo or coverage < confidence:
            break
        best = (lo, coverage)
    return best


def median_interval(values, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(low, high, exact coverage) of the distribution-free interval of the median."""
    x = np.sort(np.asarray(values, dtype=float))
    lo, level = interval_ranks(len(x), confidence)
    if lo == 0:  # one value has no interval ("1 trial: no interval")
        return math.nan, math.nan, math.nan
    return float(x[lo - 1]), float(x[len(x) - lo]), float(level)


def _percentile(x: np.ndarray, starts: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    """np.percentile's default (linear) of each sorted run x[starts:starts+n], all at once."""
    pos = q * (n - 1)
    j = np.floor(pos).astype(int)
    t = pos - j
    a = x[starts + j]
    b = x[starts + np.minimum(j + 1, n - 1)]
    return np.where(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t)  # numpy's own lerp


def describe_groups(values, groups, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Every statistic of the values of each group (index: the sorted group labels), vectorised:
    one sort, then order statistics read by position."""
    v = pd.DataFrame({"g": np.asarray(groups), "x": np.asarray(values, dtype=float)}).dropna()
    v = v.sort_values(["g", "x"], kind="stable")
    x = v["x"].to_numpy()
    labels, starts, n = np.unique(v["g"].to_numpy(), return_index=True, return_counts=True)
    at = np.repeat(np.arange(len(n)), n)  # each value's group number
    med, q1, q3, p95 = (_percentile(x, starts, n, q) for q in (0.5, 0.25, 0.75, 0.95))
    mean = np.bincount(at, x, len(n)) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.where(n > 1, np.sqrt(np.bincount(at, (x - mean[at]) ** 2, len(n)) / (n - 1)), 0.0)
        cv = np.where(mean != 0, sd / mean, np.nan)
    # MAD: the median of each run's absolute deviations (raw, not scaled to a normal sd).
    dev = np.abs(x - med[at])
    order = np.lexsort((dev, at))
    mad = _percentile(dev[order], starts, n, 0.5)
    ranks = [interval_ranks(int(k), confidence) for k in n]
    lo_rank = np.array([r[0] for r in ranks], dtype=int)
    ok = lo_rank > 0
    ci_low = np.where(ok, x[starts + np.maximum(lo_rank - 1, 0)], np.nan)
    ci_high = np.where(ok, x[starts + n - np.maximum(lo_rank, 1)], np.nan)
    # Tukey's fences (criterion's and hyperfine's classes): mild beyond 1.5 IQR of the quartiles
    # but within 3, severe beyond 3; flagged, never dropped; none below 4 values.
    iqr = q3 - q1
    severe = (x < (q1 - 3 * iqr)[at]) | (x > (q3 + 3 * iqr)[at])
    mild = ((x < (q1 - 1.5 * iqr)[at]) | (x > (q3 + 1.5 * iqr)[at])) & ~severe
    enough = n >= 4
    return pd.DataFrame({
        "n": n, "median": med, "ci_low": ci_low, "ci_high": ci_high,
        "ci_level": np.array([r[1] for r in ranks], dtype=float), "mean": mean, "sd": sd, "cv": cv, "mad": mad,
        "q1": q1, "q3": q3, "iqr": iqr, "p95": p95,
        "min": x[starts], "max": x[starts + n - 1],
        "outliers_mild": np.where(enough, np.bincount(at, mild, len(n)), 0).astype(int),
        "outliers_severe": np.where(enough, np.bincount(at, severe, len(n)), 0).astype(int),
        "noisy": (n > 1) & (cv > NOISE_CV),
    }, index=labels)


def describe(values, confidence: float = CONFIDENCE) -> dict:
    """Every statistic of one metric in one cell (NaN where there are no values)."""
    values = [v for v in values if v is not None and not pd.isna(v)]
    d = describe_groups(values, np.zeros(len(values), dtype=int), confidence)
    if d.empty:
        return {"n": 0, **{k: math.nan for k in STAT_COLUMNS}, "outliers_mild": 0,
                "outliers_severe": 0, "noisy": False}
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in d.iloc[0].to_dict().items()}


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


def _joined(values: pd.Series, cell: pd.Series) -> pd.Series:
    """Per cell, the distinct non-null values joined with commas in sorted order."""
    v = pd.DataFrame({"cell": cell, "v": values}).dropna().drop_duplicates()
    return v.sort_values("v").groupby("cell")["v"].agg(",".join)


def summarise(df: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """One row per cell and metric: counts by status, then describe() of the ok trials.

    `wall_s` (time cells) and `py_heap_peak_bytes` (heap cells) always get a row, even when no
    trial was valid, so a cell that only failed is visible; other metrics only where measured.
    Computed per metric over all cells at once (describe_groups), not cell by cell.
    """
    keys = cell_keys(df)
    metrics = metric_columns(df)
    df = df.reset_index(drop=True)
    # dropna=False: dimensions an experiment does not use (e.g. depth) are null, still a cell.
    cell = df.groupby(keys, dropna=False, sort=True).ngroup()
    first = cell.drop_duplicates()
    cells = df.loc[first.index, keys].set_axis(first.to_numpy()).sort_index()
    counts = pd.crosstab(cell, df["status"]).reindex(index=cells.index, fill_value=0)
    errors = df["error"].where(df["error"].map(lambda e: isinstance(e, str) and bool(e)))
    nan = pd.Series(math.nan, index=cells.index)
    context = pd.DataFrame({
        "trials": cell.value_counts().reindex(cells.index),
        **{f"n_{s}": counts[s].astype(int) if s in counts else 0 for s in STATUSES},
        "first_error": errors.groupby(cell).first().reindex(cells.index),
        "load_1m_mean": df["load_1m"].groupby(cell).mean() if "load_1m" in df else nan,
        "residency_before_max": df["residency_before"].groupby(cell).max()
        if "residency_before" in df else nan,
        "caches_dropped": _joined(df["caches_dropped"], cell).reindex(cells.index, fill_value="")
        if "caches_dropped" in df else "",
        "host_id": _joined(df["host_id"], cell).reindex(cells.index, fill_value="")
        if "host_id" in df else "",
    }, index=cells.index)
    context["first_error"] = context["first_error"].astype("str")
    # Cold cells: was every trial's repository really (almost) out of the page cache?
    cold = ((cells["cache_state"] == "cold") if "cache_state" in cells else False) & (cells["mode"] == "time")
    resid = context["residency_before_max"]
    context["cold_verified"] = pd.Series((resid <= COLD_RESIDENCY_MAX).to_numpy(), dtype=object,
                                         index=cells.index).where(cold, None)
    headline = np.where(cells["mode"] == "time", "wall_s", "py_heap_peak_bytes")
    ok = df["status"] == "ok"
    parts = []
    for rank, metric in enumerate(metrics):
        stats = describe_groups(df.loc[ok, metric], cell[ok], confidence)
        # A cell with no value of its headline metric still gets that row (valid = 0).
        empty = cells.index[(headline == metric) & ~cells.index.isin(stats.index)]
        stats = pd.concat([stats, pd.DataFrame({"n": 0, "outliers_mild": 0, "outliers_severe": 0,
                                                "noisy": False}, index=empty)])
        parts.append(stats.assign(metric=metric, rank=rank))
    out = pd.concat(parts).rename(columns={"n": "valid"}).rename_axis("cell").reset_index()
    out = out.sort_values(["cell", "rank"], kind="stable")
    out = out.join(cells, on="cell").join(context.drop(columns=[k for k in keys if k in context]), on="cell")
    return out.reindex(columns=summary_columns(keys)).reset_index(drop=True)
