"""Which rows count and which columns are what, read from the table schema so that columns added
by new experiments (ddxspike/table.py) are picked up without code here."""

import re

import numpy as np
import pandas as pd

from ddxspike import table

# Numeric dimensions are size axes (files, bytes, commits, and any added later, e.g. workflows);
# string dimensions other than `size` name a cell (experiment, strategy, depth, cache_state ...).
_DIM_TYPES = {name: str(t) for name, t in table.DIMENSIONS}
SIZE_AXES_PREFERRED = ("files", "bytes", "commits")

# Measures fitted against size. Heap peaks come from the untimed tracemalloc trials; the others
# from timed trials. rss_growth_bytes = peak RSS minus RSS before the call (interpreter excluded),
# kept raw: a value <= 0 (RSS fell, or page-granular noise) is left out of log fits by
# metric_rows and counted by nonpositive(), never clamped into a made-up figure.
METRICS = {
    "wall_s": ("time", "time"),
    "peak_rss_bytes": ("time", "memory"),
    "rss_growth_bytes": ("time", "memory"),
    "py_heap_peak_bytes": ("heap", "memory"),
}
# A cold trial that started with more than this share of the repository's pages cached was not
# really cold: it is left out of fits, verdicts and targets and counted (lukewarm()).
COLD_RESIDENCY_MAX = 0.05
_NOT_FITTED = {"user_s", "sys_s", "cpu_s", "calib_before_s", "calib_after_s"}  # calibrations: contention


def read(path) -> pd.DataFrame:
    """A Parquet table with its text columns as Python strings (object dtype): pandas keeps those
    in one block, so each of the report's many small row selections is one copy rather than one
    Arrow take per text column (about 3x faster findings on the quick preset)."""
    df = pd.read_parquet(path)
    return df.astype({c: object for c in df.columns if isinstance(df[c].dtype, pd.StringDtype)})


def metrics(df: pd.DataFrame) -> list[str]:
    """The core metrics plus every experiment-specific time column (…_s) that has values, e.g.
    first_page_s or query_p95_s, fitted from timed trials."""
    extra = [c for c in df.columns if c.endswith("_s") and c not in METRICS and c not in _NOT_FITTED
             and pd.api.types.is_numeric_dtype(df[c]) and df[c].notna().any()]
    return list(METRICS) + sorted(extra)


def axes(df: pd.DataFrame) -> list[str]:
    """Size axes present in df: integer dimension columns with at least one value."""
    found = [c for c, t in _DIM_TYPES.items() if t.startswith("int") and c in df and df[c].notna().any()]
    return sorted(found, key=lambda c: (SIZE_AXES_PREFERRED.index(c) if c in SIZE_AXES_PREFERRED else 9, c))


def cell_keys(df: pd.DataFrame) -> list[str]:
    """String dimensions that identify a cell across sizes (all but `size`), present in df."""
    return [c for c, t in _DIM_TYPES.items() if t == "string" and c != "size" and c in df]


def host_keys(df: pd.DataFrame) -> list[str]:
    """["host_id"] when df has it: figures from different machines are fitted and tabled apart,
    never pooled (results merged with import_measurements)."""
    return ["host_id"] if "host_id" in df else []


def own_hosts(df: pd.DataFrame, hosts: pd.DataFrame | None = None) -> list[str]:
    """Host ids of this run's own rows: every host in df that hosts.parquet does not mark
    `imported` (several on a cluster whose nodes differ, or when a machine changed between
    incremental runs). Without that information, the host with the most timed trials."""
    if df.empty or "host_id" not in df or df["host_id"].isna().all():
        return []
    present = set(df["host_id"].dropna())
    if hosts is not None and not hosts.empty and "imported" in hosts:
        imported = set(hosts.loc[hosts["imported"].fillna(False).astype(bool), "host_id"])
        if present - imported:
            return sorted(present - imported)
    timed = df[df["mode"] == "time"] if "mode" in df else df
    counts = (timed if not timed.empty else df)["host_id"].value_counts()
    return [sorted(h for h, n in counts.items() if n == counts.max())[0]]


def run_label(own: list[str]) -> str:
    """The host_id under which this run's own rows are fitted: its host, or its hosts joined by '+'."""
    return "+".join(own)


def this_run(df: pd.DataFrame, own: list[str]) -> pd.DataFrame:
    """The rows (or fits) of this run's own hosts; all rows when df has no host_id."""
    if not own or "host_id" not in df:
        return df
    return df[df["host_id"].isin(own + [run_label(own)])]


def this_run_rows(df: pd.DataFrame, hosts: pd.DataFrame | None) -> pd.DataFrame:
    """this_run(df, own_hosts(df, hosts)): the rows a chart, profile or comparison may use."""
    return this_run(df, own_hosts(df, hosts))


def with_run_hosts(df: pd.DataFrame, own: list[str]) -> pd.DataFrame:
    """A copy whose own-host rows carry run_label(own) as host_id, so that fits group this run's
    rows together (a cluster's nodes) and keep each imported host apart."""
    if len(own) <= 1 or "host_id" not in df:
        return df
    out = df.copy()
    out.loc[out["host_id"].isin(own), "host_id"] = run_label(own)
    return out


def lukewarm_mask(df: pd.DataFrame) -> pd.Series:
    """Cold trials whose residency before the call exceeds COLD_RESIDENCY_MAX."""
    if df.empty or "cache_state" not in df or "residency_before" not in df:
        return pd.Series(False, index=df.index)
    return (df["cache_state"] == "cold") & (df["residency_before"] > COLD_RESIDENCY_MAX)


def lukewarm(df: pd.DataFrame) -> pd.DataFrame:
    """The ok cold trials excluded as not really cold."""
    if df.empty:
        return df
    return df[(df["status"] == "ok") & lukewarm_mask(df)]


def valid(df: pd.DataFrame, mode: str = "time") -> pd.DataFrame:
    """Trials that count: status ok, in the given mode (time or heap), and not a lukewarm 'cold'
    trial."""
    if df.empty:
        return df
    return with_growth(df[(df["status"] == "ok") & (df["mode"] == mode) & ~lukewarm_mask(df)])


def with_growth(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with rss_growth_bytes (raw, may be <= 0) where RSS was recorded. A shallow one:
    pandas copies a column on write (copy-on-write), so nothing is copied that is not changed."""
    if "peak_rss_bytes" in df and "rss_before_bytes" in df:
        return df.assign(rss_growth_bytes=(df["peak_rss_bytes"] - df["rss_before_bytes"]).astype("float64"))
    return df.copy(deep=False)


def nonpositive(df: pd.DataFrame, metric: str) -> int:
    """Valid trials whose metric is <= 0 and so left out of log fits (e.g. rss_growth_bytes)."""
    v = valid(df, METRICS.get(metric, ("time", ""))[0])
    return int((v[metric] <= 0).sum()) if metric in v else 0


def timeout_s(error) -> float:
    """The time limit a timed-out trial ran past, read from the engine's error text ("no answer
    within 300 s", "not run: ... (timeout 300 s)"); nan when the text does not say."""
    m = re.search(r"(?:within|timeout) ([0-9.]+(?:e[+-]?[0-9]+)?) s", str(error or ""))
    return float(m.group(1)) if m else float("nan")


def failed(df: pd.DataFrame, mode: str = "time") -> pd.DataFrame:
    """Trials of the mode that did not produce a valid figure: error, timeout or mismatch."""
    if df.empty:
        return df
    return df[(df["status"] != "ok") & (df["mode"] == mode)]


def metric_rows(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Valid rows carrying a positive value of metric (logs need > 0)."""
    mode = METRICS.get(metric, ("time", ""))[0]
    v = valid(df, mode)
    if metric not in v:
        return v.iloc[0:0]
    return v[v[metric].notna() & (v[metric] > 0)]


def groups(df: pd.DataFrame, keys: list[str], sort: bool = True) -> list[tuple[tuple, np.ndarray]]:
    """(key, row positions) of each group of df by keys, in the order a group-by with dropna=False
    visits them (sorted, or in order of first appearance), a missing key value as nan, rows in
    table order. For loops that read a group's values from arrays: a DataFrame per group costs
    far more than the statistics the report computes on it, and it makes thousands."""
    if df.empty:
        return []
    code = df.groupby(keys, dropna=False, sort=sort).ngroup().to_numpy()
    order = np.argsort(code, kind="stable")
    cuts = np.flatnonzero(np.diff(code[order])) + 1
    firsts = df[keys].to_numpy(object)[order[np.concatenate([[0], cuts])]]
    return [(tuple(np.nan if pd.isna(x) else x for x in k), pos) for k, pos in zip(firsts, np.split(order, cuts))]

def label(row, keys) -> str:
    """Human name of a cell, e.g. 'walk / stat / cold'."""
    parts = [str(row[k]) for k in keys if k != "experiment" and k in row and pd.notna(row[k])]
    return " / ".join(parts) if parts else "(all)"


def largest(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of the one largest repository: most files, then most bytes, then most commits (two
    sizes with equal file counts are never pooled)."""
    if df.empty:
        return df
    order = [a for a in ("files", "bytes", "commits") if a in df]
    best = df.sort_values(order, na_position="first", kind="stable").iloc[-1]["size"]
    return df[df["size"] == best]
