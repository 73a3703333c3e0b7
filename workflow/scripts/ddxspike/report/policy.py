"""A size policy derived from where the targets break (like git-sizer's levels of concern).

Each target carries a severity: `warn` (a FEAT-001 comfort target: say so), `redirect` (a TS-001
requirement: warn strongly and point to the alternative, e.g. pagination, an index, partial
clone) or `refuse` (a DDX timeout: the operation would fail). Per size axis, a level's threshold
is the smallest predicted break of its targets over the implementation each target judges (DDX's
own binary where measured, else the strategies it names, else DDX's model or the recommended
strategy: targets.judged_strategies), within REACH times the largest measured size; the interval
and the target, cell and fit behind it are the evidence.

A fit that reaches the limit below the smallest size it measured says the target is missed at
every size measured, not where below that it breaks: the threshold is then that smallest size,
said to be so (`note`), never the extrapolated break (which would print as "≥ 0 B").
"""

import numpy as np
import pandas as pd

from ddxspike.report import fmt

REACH = 100  # extrapolate at most this factor beyond the largest measured size

LEVELS = {
    "warn": ("!", "Warn: operations get noticeably slower or larger than DDX's comfort targets."),
    "redirect": ("!!", "Strong warning: a TS-001 requirement breaks; recommend the alternative "
                       "(pagination, the catalogue index, partial clone / sparse checkout)."),
    "refuse": ("!!!", "Refuse or require --force: a DDX timeout would be hit and the operation fail."),
}


def derive(breaks: pd.DataFrame, targets: list[dict], judged) -> pd.DataFrame:
    """One row per axis x level with the threshold and its evidence. judged: target id -> the
    strategies it judges (or one list for every target)."""
    sev = {t["id"]: t.get("severity", "warn") for t in targets}
    rows = []
    if breaks.empty:
        return pd.DataFrame(columns=["axis", "level", "concern", "threshold", "note", "interval", "action",
                                     "evidence"])
    b = breaks[np.isfinite(breaks["break_at"])].copy()
    if "x_max" in b:  # a prediction far beyond the measured sizes decides no policy
        b = b[b["break_at"] <= REACH * b["x_max"]]
    if "strategy" in b and judged:
        per = judged if isinstance(judged, dict) else {t: judged for t in b["target"].unique()}
        keep = [s in per.get(t, []) for t, s in zip(b["target"], b["strategy"])]
        b = b[keep] if any(keep) else b
    b["severity"] = b["target"].map(sev)
    for axis in ("files", "bytes", "commits", "workflows"):
        for level, (stars, action) in LEVELS.items():
            sub = b[(b["axis"] == axis) & (b["severity"] == level)]
            if sub.empty:
                continue
            first = sub.loc[sub["break_at"].idxmin()]
            x_min = first.get("x_min", np.nan)
            below = first["break_at"] < x_min  # nan (no x_min): not below
            at = x_min if below else first["break_at"]

            def size(x):
                return f"< {fmt.by_axis(axis, x_min)}" if x < x_min else fmt.by_axis(axis, x)

            rows.append({"axis": axis, "level": level, "concern": stars,
                         "threshold": fmt.by_axis(axis, at), "threshold_value": float(at),
                         "note": "the smallest size measured: the fit reaches the limit below it" if below else "",
                         "interval": f"[{size(first['break_lo'])}, {size(first['break_hi'])}]",
                         "action": action,
                         "evidence": f"{first['target']} ({first['text']}) breaks first for {first['cell']}: "
                                     f"fit b = {first['b']:.2f} ({first['fit_model']}), "
                                     + (f"below the measured range (from {fmt.by_axis(axis, x_min)})" if below
                                        else "within the measured range" if first["break_at"] <= first.get("x_max", np.inf)
                                        else f"extrapolated from at most {fmt.by_axis(axis, first['x_max'])}")})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    order = list(LEVELS)
    out["_o"] = out["level"].map(order.index)
    out = out.sort_values(["axis", "_o"]).drop(columns="_o")
    return out


def rule(r: dict) -> str:
    """One policy row as the document states it: 'warn at files ≥ 4,864', with its note when the
    threshold is the smallest size measured."""
    return f"{r['level']} at {r['axis']} ≥ {r['threshold']}" + (f" ({r['note']})" if r.get("note") else "")
