"""DDX's own targets (config `targets:`) checked against every relevant cell at every size, and
the size at which each would break according to the fits.

A target: {id, source, text, metric, limit, experiment, strategies?, prefer?, where?, applies_to?,
kind?}. `prefer` names DDX's own implementation (e.g. [ddx-binary]): judged when it has rows.
kind `max` (default): the cell's median must stay below limit; `doubling`: the median at a size
about twice another (on `axis`) may be at most (1 + limit) times the smaller one's.
A target whose experiment has not been measured yields one honest "no data" row.

Trials that failed are kept in view, per cell and size: n_failed counts every trial that gave no
valid figure (error, timeout, mismatch), n_timeout the timeouts among them. For a `max` target a
timeout counts as a fail (the trial ran past its time limit, so its figure is at least that): it
enters the median as +inf. A size whose trials all failed gets an explicit status instead of
vanishing ("fail: all trials timed out", "no valid trials: N failed"). Only wall_s timeouts count
as fails, and not when the trial's own time limit (from its error text) was below the target's.
"""

import numpy as np
import pandas as pd

from ddxspike.report import fits as fitlib
from ddxspike.report import fmt, select, stats, tidy

BREAK_AXES = ("files", "bytes", "commits")


def _applies(row, applies_to: dict) -> bool:
    for key, bound in (applies_to or {}).items():
        axis, _, side = key.rpartition("_")
        if axis not in row or pd.isna(row[axis]):
            continue
        if side == "max" and row[axis] > bound or side == "min" and row[axis] < bound:
            return False
    return True


def _status(med, lo, hi, limit) -> str:
    if np.isnan(med):
        return "no data"
    if med >= limit:
        return "fail" if not np.isfinite(lo) or lo >= limit else "fail (marginal)"
    return "pass" if not np.isfinite(hi) or hi < limit else "pass (marginal)"


def _strategies(t):
    """A target's strategies and its `prefer` ones (judged instead when they have rows); None: all."""
    return list(dict.fromkeys((t.get("prefer") or []) + t["strategies"])) if t.get("strategies") else None


def _rows_for(df, t):
    metric = t["metric"]
    v = tidy.metric_rows(df, metric)
    return select.rows(v, t["experiment"], _strategies(t), t.get("where"))


def _failed_for(df, t):
    """The target's trials (same experiment, strategies, where, mode) that gave no valid figure."""
    mode = tidy.METRICS.get(t["metric"], ("time", ""))[0]
    return select.rows(tidy.failed(df, mode), t["experiment"], _strategies(t), t.get("where"))


def _failures_text(n_timeout: int, others: dict, n: int) -> str:
    """'2 timed out and 1 error of 5 trials'; others: status -> count of trials with no figure."""
    parts = ([f"{n_timeout} timed out"] if n_timeout else []) + [f"{k} {st}" for st, k in others.items() if k]
    return f"{' and '.join(parts)} of {n} trials" if parts else ""


def _size_check(t, values: np.ndarray, s_bad: pd.DataFrame | None) -> dict:
    """Median, interval, status and measured text of one cell at one size, failures included.
    values: the valid trials' figures; s_bad: the size's trials with no valid figure (rows; None
    when there are none)."""
    metric, limit = t["metric"], t["limit"]
    n_timeout, n_failed, others = 0, 0 if s_bad is None else int(len(s_bad)), {}
    if n_failed:
        timeouts = s_bad[s_bad["status"] == "timeout"]
        # A timeout is a figure above the limit unless its own time limit was shorter than the
        # target's (then it says nothing either way and counts with the errors).
        ran_for = (timeouts["error"].map(tidy.timeout_s) if "error" in timeouts
                   else pd.Series(np.nan, index=timeouts.index))
        n_timeout = int((~(ran_for < limit)).sum()) if metric == "wall_s" else 0
        others = s_bad["status"].value_counts().to_dict()
        short = others.pop("timeout", 0) - n_timeout
        if short:  # a timeout says nothing about memory, nor about time when its limit was shorter
            others["timeout (its limit below the target's)" if metric == "wall_s" else "timeout"] = short
    n_other = n_failed - n_timeout
    n = len(values) + n_failed
    fails = _failures_text(n_timeout, others, n)
    if len(values) == 0 and n_timeout == 0:
        return {"median": np.nan, "lo": np.nan, "hi": np.nan, "measured": f"– ({fails})" if fails else "–",
                "status": ("no valid trials: " + ", ".join(f"{k} {st}" for st, k in others.items() if k))
                if n_other else "no data"}
    med, lo, hi = stats.median_ci(np.concatenate([values, np.full(n_timeout, np.inf)]))
    if len(values) == 0:
        return {"median": med, "lo": lo, "hi": hi, "measured": f"– ({fails})",
                "status": "fail: all trials timed out" if n_other == 0 else f"fail: {fails}"}
    measured = (f"timed out (median beyond the trial limit; {fails})" if not np.isfinite(med)
                else fmt.interval(metric, med, lo, hi) + (f" ({fails})" if fails else ""))
    return {"median": med, "lo": lo, "hi": hi, "measured": measured, "status": _status(med, lo, hi, limit)}


def breaks_for(fits, cell: dict, metric: str, limit: float) -> dict:
    """axis -> (n, lo, hi, fit) where the cell's fit reaches limit."""
    out = {}
    # A catalogue is sized by its workflow count: its file count is no repository size.
    wf = select.fit_for(fits, cell, metric, "workflows")
    for axis in ("workflows",) if wf is not None else BREAK_AXES:
        f = select.fit_for(fits, cell, metric, axis)
        if f is not None and f.get("status") == "ok":
            out[axis] = (*fitlib.break_size(f, limit), f)
    return out


def _break_text(br: dict, max_seen: dict) -> str:
    parts = []
    excluded = next((f.get("excluded") for *_, f in br.values() if f.get("n_excluded")), "")
    for axis, (n, lo, hi, f) in br.items():
        if not np.isfinite(n) and np.isinf(n):
            parts.append(f"{axis}: never (not growing, {select.fmt_b(f)})")
        elif np.isfinite(n) and n < f.get("x_min", np.nan):  # not "≈ 0": how far below, no fit says
            parts.append(f"{axis} < {fmt.by_axis(axis, f['x_min'])} (the fit reaches the limit below the smallest "
                         "size measured)")
        elif np.isfinite(n):
            where = "within measured range" if n <= max_seen.get(axis, np.inf) else "extrapolated"
            parts.append(f"{axis} ≈ {fmt.by_axis(axis, n)} [{fmt.by_axis(axis, lo)}, {fmt.by_axis(axis, hi)}] "
                         f"({where})")
    text = "; ".join(parts) if parts else "no fit (too few sizes)"
    return text + (f" — trials left out of the fit: {excluded}" if excluded else "")


def check_targets(df: pd.DataFrame, fits: pd.DataFrame, targets: list[dict]):
    """(checks: one row per target x cell x size, breaks: one row per target x cell x axis).

    Each target's rows are grouped once (cells, then sizes) and read as arrays (tidy.groups): the
    report runs this on every cell at every size, where a DataFrame per group cost seconds."""
    checks, breaks = [], []
    for t in targets:
        base = {"target": t["id"], "source": t["source"], "text": t["text"], "limit": t["limit"],
                "metric": t["metric"]}
        d = _rows_for(df, t)
        bad = _failed_for(df, t)
        if d.empty and (bad.empty or t.get("kind") == "doubling"):
            checks.append({**base, "cell": "–", "size": "–", "measured": "–", "status": "no data",
                           "predicted break": f"no {t['experiment']} rows match "
                                              f"{t.get('strategies') or 'any strategy'} {t.get('where') or ''}".strip()})
            continue
        keys = tidy.cell_keys(d if not d.empty else bad)
        if t.get("kind") == "doubling":
            for key, g_all in d.groupby(keys, dropna=False, sort=True):
                cell = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
                checks.extend(_doubling(base, t, cell, tidy.label(cell, keys), g_all[g_all["status"] == "ok"], fits))
            continue
        every = pd.concat([d, bad]) if not bad.empty else d
        col = {c: every[c].to_numpy() for c in every.columns}
        ok = col["status"] == "ok"
        values = (every[t["metric"]].to_numpy(dtype=float, na_value=np.nan) if t["metric"] in col
                  else np.full(len(every), np.nan))
        axes = [a for a in (*BREAK_AXES, "workflows") if a in col]
        bounds = [k.rpartition("_")[0] for k in (t.get("applies_to") or {})]
        for key, pos in tidy.groups(every, keys):
            cell = dict(zip(keys, key))
            label = tidy.label(cell, keys)
            good = pos[ok[pos]]
            br = breaks_for(fits, cell, t["metric"], t["limit"])
            max_seen = {a: _max(col[a][good]) for a in axes} if good.size else {}
            br_text = _break_text(br, max_seen)
            for axis, (n, lo, hi, f) in br.items():
                breaks.append({**base, "cell": label, **cell, "axis": axis, "break_at": n, "break_lo": lo,
                               "break_hi": hi, "b": f["b"], "fit_model": f["model"],
                               "x_min": f["x_min"], "x_max": f["x_max"]})
            # A size measured at several commit counts (subtree history) is checked per count.
            sub = every.iloc[pos]
            by = ["size", "commits"] if "commits" in col and sub["commits"].notna().any() else ["size"]
            for _, within in tidy.groups(sub, by, sort=False):
                at = pos[within]
                first = {a: col[a][at[0]] for a in (*BREAK_AXES, *bounds) if a in col}
                if not _applies(first, t.get("applies_to")):
                    continue
                failed = at[~ok[at]]
                s_bad = every.iloc[failed] if failed.size else None
                checks.append({**base, "cell": label, "size": col["size"][at[0]], **cell,
                               **{a: first[a] for a in BREAK_AXES if a in col},
                               **_size_check(t, values[at[ok[at]]], s_bad),
                               "n_failed": int(failed.size),
                               "n_timeout": int((col["status"][failed] == "timeout").sum()),
                               "predicted break": br_text})
    checks = pd.DataFrame(checks)
    if not checks.empty and "files" in checks:
        checks = checks.sort_values(["target", "cell", "files"], kind="stable", na_position="first")
    return checks, pd.DataFrame(breaks)


def _max(x: np.ndarray):
    """The largest value, missing values skipped (nan when none), as Series.max() gives it."""
    x = x[pd.notna(x)]
    return x.max() if x.size else np.nan


def _doubling(base, t, cell, label, g, fits) -> list[dict]:
    """Slowdown when the repository doubles on t['axis']: measured pairs and the fit's 2^b."""
    axis = t.get("axis", "bytes")
    sizes = g.groupby("size")[axis].first().sort_values()
    out = []
    for small, x in sizes.items():
        for big, y in sizes.items():
            if 1.8 <= y / x <= 2.2:
                r, lo, hi = stats.ratio_ci(g.loc[g["size"] == big, t["metric"]],
                                           g.loc[g["size"] == small, t["metric"]])
                out.append({**base, "cell": label, "size": f"{small} → {big}", axis: y,
                            "median": r - 1, "lo": lo - 1, "hi": hi - 1,
                            "measured": f"+{(r - 1):.0%} [{(lo - 1):+.0%}, {(hi - 1):+.0%}]"
                            if np.isfinite(lo) else f"+{(r - 1):.0%} (no interval)",
                            "status": _status(r - 1, lo - 1, hi - 1, t["limit"]), "predicted break": ""})
    f = select.fit_for(fits, cell, t["metric"], axis)
    if f is not None and f.get("status") == "ok":
        slow = [2 ** f[k] - 1 for k in ("b", "b_lo", "b_hi")]
        out.append({**base, "cell": label, "size": f"any doubling (fit on {axis})", "median": slow[0],
                    "lo": slow[1], "hi": slow[2],
                    "measured": f"+{slow[0]:.0%} [{slow[1]:+.0%}, {slow[2]:+.0%}] from {select.fmt_b(f)}",
                    "status": _status(*slow, t["limit"]),
                    "predicted break": "a power law slows by the same share at every doubling"})
    if not out:
        out.append({**base, "cell": label, "size": "–", "measured": "–", "status": "no data",
                    "predicted break": f"no pair of sizes about 2× apart on {axis}, and no fit"})
    return out


def summary(checks: pd.DataFrame) -> pd.DataFrame:
    """One row per target x cell: how many sizes pass, the largest size's figure, the break."""
    if checks.empty:
        return checks
    rows = []
    for (tid, cell), g in checks.groupby(["target", "cell"], sort=False):
        st = g["status"].astype(str)
        last = g.iloc[-1]
        fails = g[st.str.startswith("fail")]
        verdict = ("no data" if (st == "no data").all() else
                   "fail" if not fails.empty else
                   "no valid trials at some sizes" if st.str.startswith("no valid").any() else
                   "pass (marginal)" if st.str.contains("marginal").any() else "pass")
        rows.append({"target": tid, "text": last["text"], "cell": cell,
                     "sizes": f"{int(st.str.startswith('pass').sum())} pass / {len(fails)} fail of {len(g)}",
                     "status": verdict,
                     "largest measured": f"{last['size']}: {last['measured']}" if last["measured"] != "–" else "–",
                     "first failing size": f"{fails.iloc[0]['size']}: {fails.iloc[0]['measured']}" if not fails.empty else "–",
                     "predicted break": last.get("predicted break", "")})
    return pd.DataFrame(rows)


# --- the targets matrix: one row per target, one column per measured size -----------------------
def judged_strategies(t: dict, have: set, own: list, models: list, recommended: list) -> tuple[list, str]:
    """Which implementation a target judges, and how to name it: its `prefer` strategies when they
    have rows (DDX's own), else DDX's own binary among its candidates, else the strategies it
    names, else DDX's model, else the recommended strategy, else every strategy measured (the
    slowest decides)."""
    cands = [s for s in (t.get("strategies") or sorted(set(have) - set(t.get("prefer") or []))) if s in have]
    pref = [s for s in t.get("prefer") or [] if s in have]
    if pref:
        return pref, "DDX's own (prefer)"
    mine = [s for s in own if s in cands]
    if mine:
        return mine, "DDX's own"
    if t.get("strategies"):
        return cands, "the target's strategies"
    for names, how in ((models, "DDX's model"), (recommended, "recommended strategy")):
        pick = [s for s in names if s in cands]
        if pick:
            return pick, how
    return cands, "every strategy measured (the slowest decides)"


def size_order(df: pd.DataFrame) -> list:
    """Size names, repositories first (by files, bytes, commits), then workflow catalogues (by
    workflows): the matrix's columns."""
    if df.empty:
        return []
    axes = [a for a in ("workflows", *BREAK_AXES) if a in df]
    first = df.groupby("size")[axes].max()
    key = first.assign(_cat=first["workflows"].notna() if "workflows" in first else False).fillna(0)
    return list(key.sort_values(["_cat", *axes], kind="stable").index)


def matrix(checks: pd.DataFrame, breaks: pd.DataFrame, targets: list[dict], sizes: list, own: list,
           models: list, recommended: list) -> pd.DataFrame:
    """Long form: one row per target x size (sizes in `sizes` only): the worst median among the
    cells of the judged implementation (cells with no valid trial are named beside it, and decide
    only when no cell has a figure), its status and cell, plus per target the judged name and the
    predicted break (text, and on files as numbers) of the cell worst at the largest size."""
    rows = []
    for t in targets:
        c = checks[checks["target"] == t["id"]] if not checks.empty else checks
        base = {"target": t["id"], "source": t["source"], "text": t["text"], "limit": t["limit"],
                "metric": t["metric"], "kind": t.get("kind", "max")}
        have = set(c["strategy"].dropna()) if "strategy" in c else set()
        chosen, how = judged_strategies(t, have, own, models, recommended)
        shown = ", ".join(chosen) if len(chosen) <= 4 else f"{len(chosen)} strategies"
        base.update(judged=shown or "–", judged_list=", ".join(chosen), judged_as=how if chosen else "not measured",
                    break_files=np.nan, break_lo=np.nan, break_hi=np.nan, break_x_max=np.nan)
        c = c[c["strategy"].isin(chosen)] if chosen else c.iloc[0:0]
        if c.empty or t.get("kind") == "doubling":
            last = c.iloc[-1] if not c.empty else None
            rows.append({**base, "size": "", "no_figure": "", "dims": {},
                         "status": "no data" if last is None else str(last["status"]),
                         "cell": "" if last is None else last["cell"],
                         "measured": "" if last is None else f"{last['size']}: {last['measured']}",
                         "predicted break": "" if last is None else last.get("predicted break", "")})
            continue
        worst_at_top = None
        for size in [s for s in sizes if s in set(c["size"])]:
            at = c[c["size"] == size]
            med = at["median"].astype(float)
            figured = med.notna()
            i = med[figured].idxmax() if figured.any() else at.index[0]
            w = at.loc[i].copy()
            if "commits" in at and at["commits"].nunique() > 1:
                w["cell"] = f"{w['cell']} at {fmt.count(w['commits'])} commits"
            unfigured = at.loc[~figured, "cell"].tolist() if figured.any() else []
            dims = {k: w[k] for k in tidy.cell_keys(c) if isinstance(w.get(k), str)}
            rows.append({**base, "size": size, "status": w["status"], "cell": w["cell"], "measured": w["measured"],
                         "no_figure": ", ".join(unfigured), "dims": dims, "predicted break": ""})
            worst_at_top = w
        if worst_at_top is not None:
            br = breaks[(breaks["target"] == t["id"]) & (breaks["cell"] == worst_at_top["cell"])
                        & (breaks["axis"] == "files")] if not breaks.empty else breaks
            extra = {}
            if not br.empty:
                b = br.iloc[0]
                extra = {"break_files": b["break_at"], "break_lo": b["break_lo"], "break_hi": b["break_hi"],
                         "break_x_max": b["x_max"]}
            for r in rows:
                if r["target"] == t["id"]:
                    r["predicted break"] = worst_at_top.get("predicted break", "")
                    r.update(extra)
    return pd.DataFrame(rows)


def matrix_status(m: pd.DataFrame, target: str) -> tuple[str, pd.Series | None]:
    """(status at the largest size of the target, that row)."""
    rows = m[(m["target"] == target) & (m["size"] != "")] if not m.empty else m
    if rows.empty:
        row = m[m["target"] == target] if not m.empty else m
        return ("no data", row.iloc[0] if not row.empty else None)
    last = rows.iloc[-1]
    return str(last["status"]), last
