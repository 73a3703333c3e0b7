"""Selecting rows and fits by the config's `report:` and `targets:` selectors.

A selector is {experiment, strategies, where: {column: value or [values]}}; a column the table
does not have (an experiment not landed yet) selects nothing rather than failing."""

import numpy as np
import pandas as pd


def rows(df: pd.DataFrame, experiment=None, strategies=None, where=None) -> pd.DataFrame:
    if df.empty:
        return df
    m = np.ones(len(df), dtype=bool)  # a plain mask: the report selects thousands of times
    if experiment:
        m &= _among(df["experiment"], experiment)
    if strategies:
        m &= _among(df["strategy"], strategies)
    for col, val in (where or {}).items():
        if col not in df:
            return df.iloc[0:0]
        m &= _among(df[col], val)
    return df[m]


def _among(column: pd.Series, wanted) -> np.ndarray:
    """Rows whose value is wanted: one text (compared directly, the common case), else any of a
    list (isin, as before)."""
    if isinstance(wanted, str):
        return (column == wanted).fillna(False).to_numpy(bool)
    return column.isin(wanted if pd.api.types.is_list_like(wanted) else [wanted]).to_numpy(bool)


def present(df: pd.DataFrame, wanted) -> list:
    """The wanted strategies that the data has, in the wanted order."""
    have = set(df["strategy"].dropna()) if not df.empty else set()
    return [s for s in (wanted or []) if s in have]


# Fits tables indexed for fit_for: id -> (the table, {(metric, axis): (rows, {column: values})}).
# The table is held, so an id is never reused while indexed; fits tables are not edited in place.
_INDEXED: dict = {}


def _fits_index(fits: pd.DataFrame, metric: str, axis: str):
    entry = _INDEXED.get(id(fits))
    if entry is None or entry[0] is not fits:
        if len(_INDEXED) >= 8:
            _INDEXED.pop(next(iter(_INDEXED)))
        by = {k: (g, {c: g[c].to_numpy(object) for c in g.columns})
              for k, g in fits.groupby(["metric", "axis"], sort=False)}
        entry = _INDEXED[id(fits)] = (fits, by)
    return entry[1].get((metric, axis))


def fit_for(fits: pd.DataFrame, cell: dict, metric: str, axis: str, models=("controlled", "pooled")):
    """The first ok fit of a cell in the preference order of models, else the first row with its
    status (so a caller can say why there is none), else None."""
    if fits is None or fits.empty:
        return None
    found = _fits_index(fits, metric, axis)
    if found is None:
        return None
    f, cols = found
    m = np.ones(len(f), dtype=bool)
    for k, v in cell.items():
        if k in cols:
            m &= pd.isna(cols[k]) if (v is None or (isinstance(v, float) and np.isnan(v))) else cols[k] == v
    hosts = {h for h in cols["host_id"][m] if not pd.isna(h)} if "host_id" in cols else set()
    if len(hosts) > 1 and "host_id" not in cell:
        raise ValueError(f"fit_for: fits of {sorted(hosts)} for one cell: pass one "
                         "host's fits (tidy.this_run), never several machines' pooled")
    fallback = None
    for model in models:
        sub = m & (cols["model"] == model)
        ok = np.flatnonzero(sub & (cols["status"] == "ok"))
        if ok.size:
            return _row(cols, ok[0])
        if fallback is None and sub.any():
            fallback = _row(cols, np.flatnonzero(sub)[0])
    return fallback


def _row(cols: dict, i: int) -> dict:
    """Row i as a dict of Python values, as DataFrame.iloc[i].to_dict() gives it, read from the
    indexed object arrays (a pandas row costs ~100x more, and a report looks up thousands)."""
    return {c: v[i] for c, v in cols.items()}


def fmt_b(fit) -> str:
    """'b = 1.02 [0.97, 1.08]' or the reason there is no fit."""
    if fit is None:
        return "no fit (no data)"
    if fit.get("status") != "ok":
        return f"no fit ({fit.get('status')}: {fit.get('note')})"
    lo, hi = fit.get("b_lo"), fit.get("b_hi")
    ci = f" [{lo:.2f}, {hi:.2f}]" if np.isfinite(lo) and np.isfinite(hi) else " (no interval)"
    return f"b = {fit['b']:.2f}{ci}"
