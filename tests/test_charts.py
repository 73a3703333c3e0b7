"""Charts on a constructed table: the subtree-time and catalogue charts draw every median with
the summary's interval of it (bars from the order statistics), and every chart's spec is valid."""

import re

import numpy as np
import pandas as pd
import vl_convert

from ddxspike import charts_catalogue, charts_common, charts_subtree
from ddxspike.catalogue import query
from ddxspike.stats import summary


def _rows(experiment, strategies, sizes, values, **extra):
    rows = []
    for s in strategies:
        for size, axes in sizes.items():
            for trial, v in enumerate(values):
                rows.append({"experiment": experiment, "strategy": s, "size": size, "mode": "time",
                             "repo_kind": "synthetic", "status": "ok", "cache_state": "warm", "depth": None, "trial": trial,
                             "wall_s": v * axes.get("bytes", 1) / 1e6, **axes,
                             **{k: f(v, axes) for k, f in extra.items()}})
    return rows


def subtree_table():
    sizes = {"tiny": {"bytes": 2e6, "commits": 20}, "small": {"bytes": 1e7, "commits": 20},
             "tiny-h": {"bytes": 2e6, "commits": 200}}
    return pd.DataFrame(_rows("subtree", ["ddx-init", "subtree-add", "model-add"], sizes, [1.0, 1.2, 1.5]))


def catalogue_table():
    sizes = {f"w{n}": {"workflows": n} for n in (10, 100, 1000)}
    extra = {"first_query_s": lambda v, a: v * a["workflows"] / 1e3,
             "query_p50_s": lambda v, a: v / 1e3, "query_p95_s": lambda v, a: 2 * v / 1e3,
             "queries": lambda v, a: 8, "peak_rss_bytes": lambda v, a: 2e7 * v,
             **{c: (lambda v, a: 3 * v / 1e3) for c in query.P95_COLUMNS.values()}}
    return pd.DataFrame(_rows("catalogue", ["index-build", "inverted-index"], sizes, [1.0, 1.3, 1.1], **extra))


def _marks(svg: str, kind: str) -> int:
    return len(re.findall(rf'class="mark-{kind} role-mark[^"]*"', svg))


def test_medians_carry_the_summarys_interval_and_its_coverage():
    d = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 7 + ["c"], "x": [3.0, 1.0, 2.0, *range(1, 8), 5.0]})
    med = charts_common.medians(d, ["g"], "x").set_index("g")
    lo, hi, level = summary.median_interval(d.loc[d["g"] == "b", "x"])
    assert (med.loc["b", "lo"], med.loc["b", "hi"]) == (lo, hi) and med.loc["b", "coverage"] == f"{level:.0%}"
    assert (med.loc["a", "lo"], med.loc["a", "hi"], med.loc["a", "coverage"]) == (1.0, 3.0, "75%")
    # One trial: the bar collapses onto the median, and the tooltip says why.
    assert med.loc["c", "lo"] == med.loc["c", "hi"] == 5.0 and med.loc["c", "coverage"] == "1 trial: no interval"


def test_subtree_time_charts_draw_interval_bars_per_family():
    df = subtree_table()
    for name in ("subtree_time_vs_size", "subtree_time_vs_commits"):
        chart = charts_subtree.CHARTS[name](df)
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        svg = vl_convert.vegalite_to_svg(spec)
        panels = len(spec["vconcat"])
        assert panels == 3, name  # DDX's own, its models, git subtree: one family a panel
        assert _marks(svg, "rule") >= panels and _marks(svg, "line") >= 3, name


def test_catalogue_charts_draw_interval_bars():
    df = catalogue_table()
    for name, fn in charts_catalogue.CHARTS.items():
        svg = vl_convert.vegalite_to_svg(fn(df).to_dict())
        assert _marks(svg, "line") >= 1, name
        assert _marks(svg, "rule") >= 2, name  # the interval bars and the target
    med = charts_common.medians(df, ["strategy", "workflows"], "peak_rss_bytes")
    assert np.all(med["lo"] < med["median"]) and np.all(med["median"] < med["hi"])  # three trials: [min, max]
