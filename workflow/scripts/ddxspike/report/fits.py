"""Scaling fits: metric = a * n^b against each size axis (files, bytes, commits, ...) per cell.

Three models per cell and metric:
- pooled: one axis, every size (other axes may vary with it: `confounded_with` says which);
- controlled: one axis, only sizes where the other axes are held fixed (`held` says at what);
- joint: log-log multiple regression on every varying axis at once, which separates e.g. files
  from bytes (H2) or bytes from commits (H3) when the sizes vary them independently.
The interval on b is a percentile bootstrap that resamples trials within each size (the design
stays fixed); with one trial per size it is the regression's t-interval instead; n_boot = 0 asks
for the point estimates only (no interval). A fit needs at
least 3 distinct sizes, else it is recorded as "too few sizes". Single-axis fits also get the best
complexity class as Google Benchmark's Complexity() picks it: least squares t = c*f(n) for each
class, lowest RMS relative to the mean wins.
"""

import fnmatch

import numpy as np
import pandas as pd

from ddxspike.report import tidy
from ddxspike.repos.model import SYNTHETIC

MIN_SIZES = 3
N_BOOT = 1000
SEED = 20261127
COLLINEAR = 0.98  # |correlation| of log axes above which a joint fit cannot separate them
CONFOUNDED = 0.90  # ... above which a pooled fit is flagged as confounded with the other axis

CLASSES = {
    "O(1)": lambda n: np.ones_like(n),
    "O(log n)": lambda n: np.log2(n),
    "O(n)": lambda n: n,
    "O(n log n)": lambda n: n * np.log2(n),
    "O(n^2)": lambda n: n**2,
    "O(n^3)": lambda n: n**3,
}

COLUMNS = [
    "metric", "kind", "axis", "model", "held", "confounded_with", "status", "note",
    "n_sizes", "n_points", "trials_min", "x_min", "x_max", "a", "b", "b_lo", "b_hi",
    "ci_method", "r2", "xbar", "ybar", "best_class", "class_rms", "classes", "n_excluded", "excluded",
]


def complexity(n, t) -> tuple[str, float, dict]:
    """Best class by normalised RMS of t = c*f(n) (Google Benchmark's minimal least squares)."""
    n = np.asarray(n, float)
    t = np.asarray(t, float)
    rms = {}
    for name, f in CLASSES.items():
        fn = f(n)
        denom = float(np.sum(fn * fn))
        if denom <= 0 or not np.isfinite(denom):
            continue
        coef = float(np.sum(t * fn)) / denom
        rms[name] = float(np.sqrt(np.mean((t - coef * fn) ** 2)) / np.mean(t))
    best = min(rms, key=rms.get)
    return best, rms[best], rms


def _strata_indices(strata: np.ndarray, n_boot: int, rng) -> np.ndarray:
    """(n_boot, N) indices resampling points within each stratum (size point)."""
    cols = []
    for s in np.unique(strata):
        members = np.flatnonzero(strata == s)
        cols.append(members[rng.integers(0, members.size, (n_boot, members.size))])
    return np.concatenate(cols, axis=1)


def _design(X: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(X)), X])


def regress(X: np.ndarray, y: np.ndarray, strata: np.ndarray, n_boot: int = N_BOOT,
            seed: int = SEED) -> dict:
    """OLS of y on X (log space) with intervals on each slope (none when n_boot <= 0). X: (N, k)."""
    D = _design(X)
    coef, *_ = np.linalg.lstsq(D, y, rcond=None)
    resid = y - D @ coef
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else np.nan
    counts = np.unique(strata, return_counts=True)[1]
    k = X.shape[1]
    if n_boot <= 0:
        lo = hi = np.full(k, np.nan)
        method = "none (point estimates only)"
    elif counts.min() >= 2:
        idx = _strata_indices(strata, n_boot, np.random.default_rng(seed))
        if k == 1:  # closed-form slope, vectorised over replicates
            xb, yb = X[idx, 0], y[idx]
            xc = xb - xb.mean(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                boots = (np.sum(xc * (yb - yb.mean(axis=1, keepdims=True)), axis=1)
                         / np.sum(xc * xc, axis=1))[:, None]
        else:  # least squares of every replicate at once (the pseudo-inverse is lstsq's solution)
            boots = (np.linalg.pinv(D[idx]) @ y[idx][..., None])[:, 1:, 0]
        lo, hi = np.nanquantile(boots, [0.025, 0.975], axis=0)
        method = f"bootstrap {n_boot} (trials within size)"
    else:
        dof = len(y) - (k + 1)
        if dof < 1:
            lo = hi = np.full(k, np.nan)
            method = "none (no residual degrees of freedom)"
        else:
            # Student's t quantile (what scipy.stats.t.ppf calls): scipy.special imports in a
            # quarter of the time scipy.stats takes, and only a fit with one trial per size needs it.
            from scipy.special import stdtrit

            sigma2 = float(np.sum(resid**2)) / dof
            cov = sigma2 * np.linalg.pinv(D.T @ D)
            se = np.sqrt(np.diag(cov))[1:]
            t = stdtrit(dof, 0.975)
            lo, hi = coef[1:] - t * se, coef[1:] + t * se
            method = f"t-interval (one trial per size, {dof} dof)"
    return {"intercept": float(coef[0]), "b": coef[1:], "lo": np.asarray(lo), "hi": np.asarray(hi),
            "r2": r2, "ci_method": method, "counts": counts}


def _single(x: np.ndarray, y: np.ndarray, axis: str, n_boot: int) -> dict:
    distinct = np.unique(x)
    base = {"n_sizes": int(distinct.size), "n_points": int(len(x)),
            "x_min": float(x.min()), "x_max": float(x.max())}
    if distinct.size < MIN_SIZES:
        return {**base, "status": "too few sizes",
                "note": f"{distinct.size} distinct {axis} value(s); a fit needs {MIN_SIZES}"}
    lx, ly = np.log(x), np.log(y)
    r = regress(lx[:, None], ly, x, n_boot)
    best, rms, all_rms = complexity(x, y)
    return {**base, "status": "ok", "note": "", "trials_min": int(r["counts"].min()),
            "a": float(np.exp(r["intercept"])), "b": float(r["b"][0]),
            "b_lo": float(r["lo"][0]), "b_hi": float(r["hi"][0]), "ci_method": r["ci_method"],
            "r2": r["r2"], "xbar": float(lx.mean()), "ybar": float(ly.mean()),
            "best_class": best, "class_rms": rms,
            "classes": "; ".join(f"{k} {v:.3f}" for k, v in all_rms.items())}


def _rows_codes(A: np.ndarray) -> np.ndarray:
    """A code per row of A, equal rows equal, numbered in order of first appearance."""
    _, first, inverse = np.unique(A, axis=0, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inverse.ravel()]


def abs_corrs(points: np.ndarray) -> np.ndarray:
    """|correlation| of the logs of every pair of axes (columns) over the distinct size points,
    all pairs at once; 0 where either axis does not vary."""
    logs = np.log(points)
    varies = np.ptp(logs, axis=0) > 0 if len(points) else np.zeros(points.shape[1], bool)
    both = varies[:, None] & varies[None, :]
    if not both.any():
        return np.zeros(both.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.abs(np.atleast_2d(np.corrcoef(logs, rowvar=False)))
    return np.where(both, r, 0.0)


def collinear_groups(corr: np.ndarray, axes: list[str], varying: list[str]) -> list[list[str]]:
    """Axes that the sizes vary together (|r| of logs > COLLINEAR), grouped; order kept.
    corr: abs_corrs of the distinct size points, one row and column per axis of `axes`."""
    col = {a: i for i, a in enumerate(axes)}
    groups: list[list[str]] = []
    for a in varying:
        for g in groups:
            if corr[col[g[0]], col[a]] > COLLINEAR:
                g.append(a)
                break
        else:
            groups.append([a])
    return groups


def fit_cell(A: np.ndarray, y: np.ndarray, cell_axes: list[str], n_boot: int = N_BOOT) -> list[dict]:
    """Every model of one cell's metric (y, one value per trial) against its axes (A: one column
    per axis of cell_axes)."""
    out = []
    col = {a: i for i, a in enumerate(cell_axes)}
    varying = [a for a in cell_axes if np.unique(A[:, col[a]]).size >= 2]
    points = np.unique(A, axis=0)
    corr = abs_corrs(points)
    groups = collinear_groups(corr, cell_axes, varying)
    partners = {a: [b for grp in groups if a in grp for b in grp if b != a] for a in varying}
    for axis in cell_axes:
        x = A[:, col[axis]]
        others = [o for o in varying if o != axis and o not in partners.get(axis, [])]
        conf = [o for o in varying if o != axis and corr[col[axis], col[o]] > CONFOUNDED]
        row = {"axis": axis, "model": "pooled", "held": "", "confounded_with": ",".join(conf)}
        out.append({**row, **_single(x, y, axis, n_boot)})
        if others:
            # The largest set of sizes where every other (separable) axis is held at one value
            # (ties: the lowest held values, as a sorted group-by visits them).
            held_at, which = np.unique(A[:, [col[o] for o in others]], axis=0, return_inverse=True)
            which = which.ravel()
            best = None
            for h in range(len(held_at)):
                sel = which == h
                nx = np.unique(x[sel]).size
                if nx >= 2 and (best is None or (nx, sel.sum()) > best[0]):
                    best = ((nx, sel.sum()), h, sel)
            if best is not None:
                held = ", ".join(f"{o}={int(v)}" for o, v in zip(others, held_at[best[1]]))
                out.append({"axis": axis, "model": "controlled", "held": held,
                            "confounded_with": ",".join(partners.get(axis, [])),
                            **_single(x[best[2]], y[best[2]], axis, n_boot)})
    if len(varying) >= 2:
        out.extend(_joint(A, y, col, groups, n_boot))
    return out


def _joint(A, y, col, groups, n_boot) -> list[dict]:
    """Multiple regression on one representative per group of collinear axes; an axis that moves
    with another carries the group's exponent, flagged in confounded_with."""
    reps = [grp[0] for grp in groups]
    R = A[:, [col[a] for a in reps]]
    base = {"model": "joint", "n_sizes": int(len(np.unique(R, axis=0))), "n_points": int(len(y))}

    def each(fields):
        return [{**base, "axis": a, "held": "joint with " + ", ".join(reps),
                 "confounded_with": ",".join(x for x in grp if x != a), **fields(i)}
                for i, grp in enumerate(groups) for a in grp]

    if len(np.unique(A[:, [col[a] for grp in groups for a in grp]], axis=0)) < MIN_SIZES:
        return each(lambda i: {"status": "too few sizes",
                               "note": f"{base['n_sizes']} size points; a fit needs {MIN_SIZES}"})
    if len(reps) < 2:
        members = groups[0]
        return [{**base, "axis": a, "held": "", "confounded_with": ",".join(x for x in members if x != a),
                 "status": "confounded",
                 "note": f"the sizes vary {' and '.join(members)} together: add sizes that vary one at a time"}
                for a in members]
    k = len(reps)
    if base["n_sizes"] < k + 2:
        return each(lambda i: {"status": "too few sizes",
                               "note": f"{base['n_sizes']} size points for {k} axes; a joint fit needs {k + 2}"})
    r = regress(np.log(R), np.log(y), _rows_codes(R), n_boot)
    return each(lambda i: {"status": "ok", "note": "", "trials_min": int(r["counts"].min()),
                           "a": float(np.exp(r["intercept"])), "b": float(r["b"][i]),
                           "b_lo": float(r["lo"][i]), "b_hi": float(r["hi"][i]),
                           "ci_method": r["ci_method"], "r2": r["r2"],
                           "x_min": float(R[:, i].min()), "x_max": float(R[:, i].max())})


def scaling_points(df: pd.DataFrame, exclude=()) -> pd.DataFrame:
    """Rows of repositories that are points on a size axis: repo_kind synthetic, not edge cases or
    real repositories (rows written before the column: not excluded by it), not named by an
    `exclude` glob pattern (report.fit_exclude), and with every size axis > 0 (logs)."""
    if df.empty:
        return df
    keep = ~df["size"].astype(str).apply(lambda s: any(fnmatch.fnmatchcase(s, p) for p in exclude))
    if "repo_kind" in df:
        keep &= df["repo_kind"].isna() | (df["repo_kind"] == SYNTHETIC)
    for a in tidy.axes(df):
        keep &= df[a].isna() | (df[a] > 0)
    return df[keep]


def fit_table(df: pd.DataFrame, n_boot: int = N_BOOT, metrics=None, exclude=()) -> pd.DataFrame:
    """All fits of all cells: one row per cell x metric x axis x model."""
    df = scaling_points(df, exclude)
    keys = tidy.host_keys(df) + tidy.cell_keys(df)  # one fit per host: machines never pooled
    rows = []
    for metric in metrics or tidy.metrics(df):
        kind = tidy.METRICS.get(metric, ("time", "time"))[1]
        v = tidy.metric_rows(df, metric)
        if v.empty:
            continue
        left_out = _excluded(df, v, metric, keys)
        ids = _cell_id(v, keys).to_numpy()
        axes = tidy.axes(v)
        # Each cell's axes and values sliced from arrays (tidy.groups), not a DataFrame per cell.
        A_all = v[axes].to_numpy(dtype=float, na_value=np.nan)
        y_all = v[metric].to_numpy(dtype=float, na_value=np.nan)
        for key, pos in tidy.groups(v, keys):
            A = A_all[pos]
            has = ~np.isnan(A).any(axis=0)
            n_ex, ex_text = left_out.get(ids[pos[0]], (0, ""))
            for r in fit_cell(A[:, has], y_all[pos], [a for a, h in zip(axes, has) if h], n_boot):
                rows.append({**dict(zip(keys, key)), "metric": metric, "kind": kind, **r,
                             "n_excluded": n_ex, "excluded": ex_text})
    out = pd.DataFrame(rows)
    for c in keys + COLUMNS:
        if c not in out:
            out[c] = np.nan
    return out[keys + COLUMNS]


def _cell_id(d: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Each row's cell as one string (its keys' values joined)."""
    out = pd.Series("", index=d.index)
    for i, k in enumerate(keys):
        out = out + ("\x1f" if i else "") + d[k].map(str).astype(object)
    return out


def _why_out(out: pd.DataFrame, metric: str) -> pd.Series:
    """Why each trial is out of the fit: its status, not cold, no value, or <= 0 (logs)."""
    value = out[metric] if metric in out else pd.Series(np.nan, index=out.index)
    why = np.where(value.isna(), "no value", "<= 0")
    why = np.where(tidy.lukewarm_mask(out).fillna(False).to_numpy(bool), "not cold", why)
    status = out["status"].astype(object)
    return pd.Series(np.where(status != "ok", status.map(str), why), index=out.index)


def _excluded(df: pd.DataFrame, v: pd.DataFrame, metric: str, keys: list[str]) -> dict:
    """cell id -> (trials of the metric's mode left out of its fit, 'size: n reason, ...' per size):
    failed trials (error/timeout/mismatch), lukewarm cold trials, values <= 0 (logs)."""
    mode = tidy.METRICS.get(metric, ("time", ""))[0]
    out = tidy.with_growth(df[(df["mode"] == mode) & ~df.index.isin(v.index)] if "mode" in df else df.iloc[0:0])
    if metric not in out:
        out = out[out["status"] != "ok"]
    else:
        # An ok trial with no value of this metric is another experiment's row, not an exclusion.
        out = out[(out["status"] != "ok") | out[metric].notna()]
    res = {}
    if out.empty:
        return res
    why = _why_out(out, metric)
    for cid, g in out.groupby(_cell_id(out, keys), sort=False):
        parts = []
        for size, sg in g.groupby("size", sort=True):
            counts = why[sg.index].value_counts()
            parts.append(f"{size}: " + ", ".join(f"{n} {w}" for w, n in counts.items()))
        res[cid] = (int(len(g)), "; ".join(parts))
    return res


def predict(fit: dict, n: float) -> float:
    """The fitted metric at size n."""
    return float(np.exp(fit["ybar"] + fit["b"] * (np.log(n) - fit["xbar"])))


def break_size(fit: dict, limit: float) -> tuple[float, float, float]:
    """Size (point, lo, hi) where the fitted metric reaches limit; inf when it never does.

    The fitted line passes through the centroid of the data; the interval pivots it there
    over the interval on b."""
    if fit.get("status") != "ok" or not np.isfinite(fit.get("b", np.nan)):
        return (np.nan, np.nan, np.nan)

    def at(b):
        if not np.isfinite(b):
            return np.nan
        gap = np.log(limit) - fit["ybar"]
        if b <= 1e-3:
            return np.inf if gap > 0 else 0.0
        with np.errstate(over="ignore"):  # a break beyond any float is "never": inf
            return float(np.exp(fit["xbar"] + gap / b))

    ends = [at(fit["b_lo"]), at(fit["b_hi"])]
    ends = [e for e in ends if not np.isnan(e)]
    point = at(fit["b"])
    if np.isfinite(fit.get("b_lo", np.nan)) and fit["b_lo"] <= 0 < np.log(limit) - fit["ybar"]:
        point = np.inf  # not significantly growing: no break follows from this fit
    return (point, min(ends) if ends else np.nan, max(ends) if ends else np.nan)


def segmented(x, y, strata, at: float, n_boot: int = N_BOOT, seed: int = SEED) -> dict:
    """Cost per unit of x below and above `at` (seconds per byte for H3), each with its interval.

    Below: the least-squares line through the points at or below `at`. Above: the least-squares
    slope of the points above `at` through that line's value at `at` — two segments joined at the
    threshold, each slope estimated from its own side's points only, so a fixed cost (the
    intercept) never reads as a change of slope the way a log-log exponent would. `ratio` is
    above / below; where the below slope is not positive, +inf if the above one is, else 0.
    Intervals: percentile bootstrap resampling trials within each size; none with one trial per
    size. Needs 2 sizes at or below `at` and 1 above it."""
    x, y, strata = (np.asarray(v) for v in (x, y, strata))
    x, y = x.astype(float), y.astype(float)
    below = x <= at
    nb, na = np.unique(x[below]).size, np.unique(x[~below]).size
    out = {"n_below": int(nb), "n_above": int(na), "at": float(at),
           "x_min": float(x.min()) if x.size else np.nan, "x_max": float(x.max()) if x.size else np.nan}
    if nb < 2 or na < 1:
        return {**out, "status": "too few sizes",
                "note": f"{nb} size(s) at or below and {na} above the threshold; needs 2 and 1"}

    def fit(ib, ia):
        """Slopes for index arrays of shape (R, n): rows are replicates."""
        xb, yb, xa, ya = x[below][ib], y[below][ib], x[~below][ia], y[~below][ia]
        xc = xb - xb.mean(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            k1 = np.sum(xc * (yb - yb.mean(axis=1, keepdims=True)), axis=1) / np.sum(xc * xc, axis=1)
            anchor = yb.mean(axis=1) + k1 * (at - xb.mean(axis=1))
            d = xa - at
            k2 = np.sum(d * (ya - anchor[:, None]), axis=1) / np.sum(d * d, axis=1)
        return k1, k2

    def ratio(k1, k2):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(k1 > 0, k2 / k1, np.where(k2 > 0, np.inf, 0.0))

    ib0 = np.arange(int(below.sum()))[None, :]
    ia0 = np.arange(int((~below).sum()))[None, :]
    k1, k2 = (float(v[0]) for v in fit(ib0, ia0))
    res = {**out, "status": "ok", "note": "", "k_below": k1, "k_above": k2,
           "ratio": float(ratio(np.array([k1]), np.array([k2]))[0])}
    counts = np.unique(strata, return_counts=True)[1]
    if n_boot <= 0 or counts.min() < 2:
        nan = {k: np.nan for k in ("k_below_lo", "k_below_hi", "k_above_lo", "k_above_hi", "ratio_lo", "ratio_hi")}
        return {**res, **nan, "ci_method": "none (one trial per size)" if n_boot > 0 else "none"}
    rng = np.random.default_rng(seed)
    b1, b2 = fit(_strata_indices(strata[below], n_boot, rng), _strata_indices(strata[~below], n_boot, rng))
    q = [(1 - 0.95) / 2, 1 - (1 - 0.95) / 2]
    r = ratio(b1, b2)
    lo1, hi1 = np.nanquantile(b1, q)
    lo2, hi2 = np.nanquantile(b2, q)
    rlo, rhi = np.quantile(r[~np.isnan(r)], q, method="inverted_cdf")
    return {**res, "k_below_lo": float(lo1), "k_below_hi": float(hi1), "k_above_lo": float(lo2),
            "k_above_hi": float(hi2), "ratio_lo": float(rlo), "ratio_hi": float(rhi),
            "ci_method": f"bootstrap {n_boot} (trials within size)"}
