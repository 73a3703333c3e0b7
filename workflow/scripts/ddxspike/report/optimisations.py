"""Prototype optimisations as before/after: the optimised strategy against the one it improves,
per size, with intervals on both medians and on their ratio (config report.optimisations)."""

import numpy as np
import pandas as pd

from ddxspike.report import fmt, select, stats, tidy


def before_after(df: pd.DataFrame, optimisations: list[dict]) -> pd.DataFrame:
    rows = []
    for o in optimisations:
        metric = o.get("metric", "wall_s")
        d = select.rows(tidy.metric_rows(df, metric), o["experiment"], [o["before"], o["after"]], o.get("where"))
        if d.empty or d["strategy"].nunique() < 2:
            rows.append({"optimisation": o["name"], "cell": "–", "size": "–", "before": "–", "after": "–",
                         "after / before": "no data: " + ("both strategies not measured")})
            continue
        keys = [k for k in tidy.cell_keys(d) if k != "strategy"] + ["size"]
        strategy, values, files = d["strategy"].to_numpy(object), d[metric].to_numpy(), d["files"].to_numpy()
        for key, pos in tidy.groups(d, keys, sort=False):
            cell = dict(zip(keys, key))
            b, a = (values[pos[strategy[pos] == s]] for s in (o["before"], o["after"]))
            if not b.size or not a.size:
                continue
            r = stats.ratio_ci(a, b)
            rows.append({"optimisation": o["name"], "cell": tidy.label(cell, [k for k in keys if k != "size"]),
                         "size": cell["size"], "files": files[pos[0]],
                         f"before ({o['before']})": fmt.interval(metric, *stats.median_ci(b)),
                         f"after ({o['after']})": fmt.interval(metric, *stats.median_ci(a)),
                         "after / before": fmt.ratio(*r), "ratio": r[0], "ratio_lo": r[1], "ratio_hi": r[2],
                         "ratio_level": r[1].level, "ratio_n": r[1].n, **{k: cell.get(k) for k in
                                                                           ("depth", "cache_state")}})
    out = pd.DataFrame(rows)
    if not out.empty and "files" in out:
        out = out.sort_values(["optimisation", "cell", "files"], kind="stable")
    return out


def ranked(ba: pd.DataFrame, depth: str | None = None) -> list[dict]:
    """Each optimisation's measured gain at its largest size (the cell at `depth`, warm and cold;
    the smaller gain decides its rank), best first: 'persistent metadata cache: 2.1× [1.5, 3.0]
    faster at 300 files, stat / warm'. Optimisations without a ratio are left out."""
    out = []
    if ba.empty or "ratio" not in ba:
        return out
    for name, g in ba[ba["ratio"].notna()].groupby("optimisation", sort=False):
        top = g[g["files"] == g["files"].max()]
        if depth and "depth" in top and (top["depth"] == depth).any():
            top = top[top["depth"] == depth]
        parts, gains = [], []
        for r in top.sort_values("ratio", ascending=False).to_dict("records"):
            lo, hi = (stats.Bound(r[k], r["ratio_level"], r["ratio_n"], True) for k in ("ratio_lo", "ratio_hi"))
            where = " / ".join(str(r[k]) for k in ("depth", "cache_state") if isinstance(r.get(k), str))
            parts.append(f"{fmt.speedup(r['ratio'], lo, hi)} ({where or r['cell']})")
            gains.append(1 / r["ratio"] if r["ratio"] > 0 else np.nan)
        first = top.iloc[0]
        out.append({"id": "opt-" + "-".join(name.lower().split()), "name": name, "gain": float(np.nanmin(gains)),
                    "size": first["size"], "files": first["files"],
                    "text": f"{name}: " + ", ".join(parts) + f" at {fmt.count(first['files'])} files ({first['size']})"})
    return sorted(out, key=lambda x: -x["gain"] if np.isfinite(x["gain"]) else np.inf)
