"""Change detection against a baseline run: per cell, the ratio of medians with its interval, a
Mann-Whitney U test, a noise threshold and a verdict (asv compare / criterion style).

The ratio's interval is the document's one (report/stats.py ratio_ci): the quotient of the two
medians' order-statistics intervals, whose coverage is at least the product of theirs, stated in
`ratio_ci_level` (e.g. >= 56% from three trials a side: [min, max] each); a percentile bootstrap of
two or three trials would only re-draw [min, max] and claim a 95% it does not have.

A verdict of `faster` or `slower` needs both a significant test (p < ALPHA) and a change larger
than the noise threshold, so the ordinary jitter of a shared machine reads as `same`. Rows
measured on different host fingerprints are refused unless explicitly allowed.
"""

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from ddxspike.report.stats import ratio_ci
from ddxspike.stats.summary import cell_keys

ALPHA = 0.05
NOISE_THRESHOLD = 0.10  # a change under 10% is not called (same as the per-cell noise flag)
METRICS = {"time": ["wall_s", "peak_rss_bytes"], "heap": ["py_heap_peak_bytes"]}


class CrossHostError(ValueError):
    """The baseline and this run were measured on different machines."""


def check_hosts(current: pd.DataFrame, baseline: pd.DataFrame, baseline_path: str,
                allow_cross_host: bool) -> None:
    cur = sorted(set(current["host_id"].dropna()))
    base = sorted(set(baseline["host_id"].dropna()))
    if cur != base and not allow_cross_host:
        raise CrossHostError(
            f"baseline {baseline_path} was measured on host(s) {base or ['unknown']}, this run on "
            f"{cur or ['unknown']} (see results/hosts.parquet): timings from different machines "
            "are not comparable. Set `allow_cross_host: true` in the config to compare anyway."
        )


def verdict(ratio: float, p: float, threshold: float = NOISE_THRESHOLD, alpha: float = ALPHA) -> str:
    if math.isnan(ratio) or math.isnan(p):
        return "insufficient"
    if p < alpha and ratio > 1 + threshold:
        return "slower"
    if p < alpha and ratio < 1 / (1 + threshold):
        return "faster"
    return "same"


def compare_cell(cur, base, threshold: float = NOISE_THRESHOLD) -> dict:
    cur = np.asarray(cur, dtype=float)
    base = np.asarray(base, dtype=float)
    out = {"n_current": len(cur), "n_baseline": len(base),
           "median_current": float(np.median(cur)) if len(cur) else math.nan,
           "median_baseline": float(np.median(base)) if len(base) else math.nan,
           "ratio": math.nan, "ratio_ci_low": math.nan, "ratio_ci_high": math.nan,
           "ratio_ci_level": math.nan, "mannwhitney_p": math.nan, "threshold": threshold}
    if len(cur) >= 2 and len(base) >= 2 and out["median_baseline"] > 0:
        out["ratio"], lo, hi = ratio_ci(cur, base)
        out["ratio_ci_low"], out["ratio_ci_high"], out["ratio_ci_level"] = float(lo), float(hi), lo.level
        out["mannwhitney_p"] = float(sps.mannwhitneyu(cur, base, alternative="two-sided").pvalue)
    out["verdict"] = verdict(out["ratio"], out["mannwhitney_p"], threshold)
    return out


def _norm(v):
    """A dimension value that compares equal across tables (NaN/None/NA, 100 vs 100.0)."""
    if v is None or v is pd.NA or (isinstance(v, (float, np.floating)) and math.isnan(v)):
        return None
    if isinstance(v, (np.integer, np.floating)) or isinstance(v, float):
        return int(v) if float(v).is_integer() else float(v)
    return v


def compare(current: pd.DataFrame, baseline: pd.DataFrame, baseline_path: str = "baseline",
            allow_cross_host: bool = False, threshold: float = NOISE_THRESHOLD) -> pd.DataFrame:
    """One row per cell and metric present in either run; ok trials only."""
    check_hosts(current, baseline, baseline_path, allow_cross_host)
    keys = cell_keys(current)
    if set(current["host_id"].dropna()) != set(baseline["host_id"].dropna()):
        keys = [k for k in keys if k != "host_id"]  # allowed across hosts: match cells only
    cur_ok = current[current["status"] == "ok"]
    base_ok = baseline[baseline["status"] == "ok"]

    def cells(df):
        return {tuple(map(_norm, k)): g for k, g in df.groupby(keys, dropna=False, sort=True)}

    cur_cells, base_cells = cells(cur_ok), cells(base_ok)
    rows = []
    for key in sorted(set(cur_cells) | set(base_cells), key=lambda k: tuple(map(str, k))):
        dims = dict(zip(keys, key))
        c, b = cur_cells.get(key), base_cells.get(key)
        for metric in METRICS.get(dims["mode"], []):
            cv = c[metric].dropna() if c is not None else pd.Series(dtype=float)
            bv = b[metric].dropna() if b is not None else pd.Series(dtype=float)
            if cv.empty and bv.empty:
                continue
            row = {**dims, "metric": metric, **compare_cell(cv, bv, threshold)}
            if c is None:
                row["verdict"] = "only-baseline"
            elif b is None:
                row["verdict"] = "only-current"
            rows.append(row)
    cols = [*keys, "metric", "n_baseline", "n_current", "median_baseline", "median_current",
            "ratio", "ratio_ci_low", "ratio_ci_high", "ratio_ci_level", "mannwhitney_p", "threshold",
            "verdict"]
    return pd.DataFrame(rows, columns=cols)
