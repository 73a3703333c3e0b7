"""One small chart per sub-question for the findings page: the deciding metric of the implementation
each question's deciding target judges, beside DDX's model and the recommended strategy, with
intervals and the target (charts_common). Inline SVG: the page stays one offline file."""

import pandas as pd

from ddxspike import charts_common as common
from ddxspike.charts_subtree import size_sweep
from ddxspike.report import fits as fitlib
from ddxspike.report import tidy

MAX_SERIES = 6  # strategies a small chart draws (each in warm and cold)


def _spec(k: int, cfg: dict) -> dict:
    """What question k's chart shows: experiment, metric, x axis, extra strategies."""
    return {
        1: {"experiment": cfg["h1"]["experiment"], "metric": "wall_s", "x": "files", "y": "median wall time",
            "extra": list(cfg["h1"]["strategies"])},
        2: {"experiment": cfg["h3"]["experiment"], "metric": "wall_s", "x": "bytes", "y": "median wall time",
            "extra": list(cfg["h3"]["strategies"])},
        3: {"experiment": cfg["h5"]["experiment"], "metric": "first_query_s", "x": "workflows",
            "y": "median cold discovery + first query", "extra": list(cfg["h5"]["scan"]) + list(cfg["h5"]["index"])},
        4: {"experiment": cfg["h1"]["experiment"], "metric": "peak_rss_bytes", "x": "files", "y": "median peak RSS",
            "extra": list(cfg["h1"]["strategies"])},
        5: {"experiment": cfg["listing"]["experiment"], "metric": "wall_s", "x": "files", "y": "median wall time",
            "extra": list(cfg["listing"]["strategies"])},
    }[k]


def _one_depth(d: pd.DataFrame, prefer: str = "stat") -> pd.DataFrame:
    """Per strategy, one depth: `prefer` where it has rows, else its first."""
    if "depth" not in d or d["depth"].isna().all():
        return d
    keep = []
    for s, g in d.groupby("strategy"):
        depths = list(g["depth"].dropna().unique())
        depth = prefer if prefer in depths else (sorted(depths)[0] if depths else None)
        keep.append(g if depth is None else g[g["depth"] == depth])
    return pd.concat(keep) if keep else d


def question_chart(k: int, df: pd.DataFrame, doc, targets: list[dict], cfg: dict, exclude=()):
    """(chart, caption) for question k."""
    spec = _spec(k, cfg)
    answer = doc.answers[k]
    row = doc.matrix[doc.matrix["target"] == answer.target].head(1) if not doc.matrix.empty else doc.matrix
    judged = [x for x in row["judged_list"].iloc[0].split(", ") if x] if not row.empty else []
    recommended = [r.get("strategy") for r in doc.recommendations if r.get("strategy")]
    wanted = list(dict.fromkeys(judged + recommended + spec["extra"]))
    d = tidy.valid(fitlib.scaling_points(df, exclude), "time")
    d = d[(d["experiment"] == spec["experiment"]) & d["strategy"].isin(wanted)]
    if spec["metric"] not in d or spec["x"] not in d:
        return common.empty(answer.question, 300), "not measured"
    d = d[d[spec["metric"]].notna() & d[spec["x"]].notna()]
    if k == 2:
        d = size_sweep(d)
    d = _one_depth(d)
    present = [s for s in wanted if (d["strategy"] == s).any()][:MAX_SERIES]
    d = d[d["strategy"].isin(present)]
    if d.empty:
        return common.empty(f"{k}. no data", 300), "not measured"
    t = next((t for t in targets if t["id"] == answer.target), None)
    target = (t["limit"], f"{t['id']} < {_limit_text(t)}") if t and t.get("kind", "max") == "max" else None
    keys = ["strategy", spec["x"]] + (["cache_state"] if "cache_state" in d and d["cache_state"].notna().any() else [])
    med = common.medians(d, keys, spec["metric"])
    med, y_title, target = common.in_units(med, spec["metric"], spec["y"], target)
    chart, note = common.lines(med, spec["x"], spec["x"], y_title, emphasise=judged + recommended, target=target,
                               width=300, height=170)
    depth = ", ".join(sorted(set(d["depth"].dropna()))) if "depth" in d else ""
    caption = (f"{y_title} against {spec['x']}" + (f" (depth {depth})" if depth else "")
               + "; bars: interval of the median; dashed: cold cache; wide lines: the judged implementation"
               + (f" and the recommended strategy" if recommended else "") + (f". {note}" if note else "."))
    return chart, caption


def _limit_text(t: dict) -> str:
    from ddxspike.report import fmt

    return fmt.by_metric(t["metric"], t["limit"])


def svgs(df: pd.DataFrame, doc, targets: list[dict], cfg: dict, exclude=()) -> dict:
    """question -> (inline SVG, caption)."""
    out = {}
    for k in doc.answers:
        chart, caption = question_chart(k, df, doc, targets, cfg, exclude)
        svg = common.render_svg(chart)
        out[k] = (svg[svg.index("<svg"):] if "<svg" in svg else svg, caption)
    return out
