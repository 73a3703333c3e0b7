"""Prototype optimisations as before/after: the optimised strategy against the one it improves,
per size, with intervals on both medians and on their ratio (config report.optimisations)."""

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
        for key, g in d.groupby(keys, dropna=False, sort=False):
            cell = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
            b, a = g[g["strategy"] == o["before"]][metric], g[g["strategy"] == o["after"]][metric]
            if b.empty or a.empty:
                continue
            r = stats.ratio_ci(a, b)
            rows.append({"optimisation": o["name"], "cell": tidy.label(cell, [k for k in keys if k != "size"]),
                         "size": cell["size"], "files": g["files"].iloc[0],
                         f"before ({o['before']})": fmt.interval(metric, *stats.median_ci(b)),
                         f"after ({o['after']})": fmt.interval(metric, *stats.median_ci(a)),
                         "after / before": fmt.ratio(*r), "ratio": r[0], "ratio_lo": r[1], "ratio_hi": r[2]})
    out = pd.DataFrame(rows)
    if not out.empty and "files" in out:
        out = out.sort_values(["optimisation", "cell", "files"], kind="stable")
    return out
