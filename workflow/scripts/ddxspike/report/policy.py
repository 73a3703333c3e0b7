"""A size policy derived from where the targets break (like git-sizer's levels of concern).

Each target carries a severity: `warn` (a FEAT-001 comfort target: say so), `redirect` (a TS-001
requirement: warn strongly and point to the alternative, e.g. pagination, an index, partial
clone) or `refuse` (a DDX timeout: the operation would fail). Per size axis, a level's threshold
is the smallest predicted break of its targets over the implementation each target judges (DDX's
own binary where measured, else the strategies it names, else DDX's model or the recommended
strategy: targets.judged_strategies), within REACH times the largest measured size; the interval
and the target, cell and fit behind it are the evidence.
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
        return pd.DataFrame(columns=["axis", "level", "concern", "threshold", "interval", "action", "evidence"])
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
            rows.append({"axis": axis, "level": level, "concern": stars,
                         "threshold": fmt.by_axis(axis, first["break_at"]),
                         "threshold_value": float(first["break_at"]),
                         "interval": f"[{fmt.by_axis(axis, first['break_lo'])}, {fmt.by_axis(axis, first['break_hi'])}]",
                         "action": action,
                         "evidence": f"{first['target']} ({first['text']}) breaks first for {first['cell']}: "
                                     f"fit b = {first['b']:.2f} ({first['fit_model']}), "
                                     + ("within the measured range" if first["break_at"] <= first.get("x_max", np.inf)
                                        else f"extrapolated from at most {fmt.by_axis(axis, first['x_max'])}")})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    order = list(LEVELS)
    out["_o"] = out["level"].map(order.index)
    out = out.sort_values(["axis", "_o"]).drop(columns="_o")
    return out
