"""Selecting rows and fits by the config's `report:` and `targets:` selectors.

A selector is {experiment, strategies, where: {column: value or [values]}}; a column the table
does not have (an experiment not landed yet) selects nothing rather than failing."""

import numpy as np
import pandas as pd


def rows(df: pd.DataFrame, experiment=None, strategies=None, where=None) -> pd.DataFrame:
    if df.empty:
        return df
    m = pd.Series(True, index=df.index)
    if experiment:
        m &= df["experiment"].isin([experiment] if isinstance(experiment, str) else experiment)
    if strategies:
        m &= df["strategy"].isin(strategies)
    for col, val in (where or {}).items():
        if col not in df:
            return df.iloc[0:0]
        m &= df[col].isin(val if isinstance(val, list) else [val])
    return df[m]


def present(df: pd.DataFrame, wanted) -> list:
    """The wanted strategies that the data has, in the wanted order."""
    have = set(df["strategy"].dropna()) if not df.empty else set()
    return [s for s in (wanted or []) if s in have]


def fit_for(fits: pd.DataFrame, cell: dict, metric: str, axis: str, models=("controlled", "pooled")):
    """The first ok fit of a cell in the preference order of models, else the first row with its
    status (so a caller can say why there is none), else None."""
    if fits is None or fits.empty:
        return None
    m = (fits["metric"] == metric) & (fits["axis"] == axis)
    for k, v in cell.items():
        if k in fits:
            m &= fits[k].isna() if (v is None or (isinstance(v, float) and np.isnan(v))) else fits[k] == v
    f = fits[m]
    if "host_id" in f and f["host_id"].nunique() > 1 and "host_id" not in cell:
        raise ValueError(f"fit_for: fits of {sorted(f['host_id'].unique())} for one cell: pass one "
                         "host's fits (tidy.this_run), never several machines' pooled")
    fallback = None
    for model in models:
        sub = f[f["model"] == model]
        ok = sub[sub["status"] == "ok"]
        if not ok.empty:
            return ok.iloc[0].to_dict()
        if fallback is None and not sub.empty:
            fallback = sub.iloc[0].to_dict()
    return fallback


def fmt_b(fit) -> str:
    """'b = 1.02 [0.97, 1.08]' or the reason there is no fit."""
    if fit is None:
        return "no fit (no data)"
    if fit.get("status") != "ok":
        return f"no fit ({fit.get('status')}: {fit.get('note')})"
    lo, hi = fit.get("b_lo"), fit.get("b_hi")
    ci = f" [{lo:.2f}, {hi:.2f}]" if np.isfinite(lo) and np.isfinite(hi) else " (no interval)"
    return f"b = {fit['b']:.2f}{ci}"
