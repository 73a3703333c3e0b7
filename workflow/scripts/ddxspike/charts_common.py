"""What every chart shares: strategy families (a panel holds one family, at most about 8 series),
medians with the one interval of the document (report/stats.py: order statistics), DDX's own and
the recommended strategy drawn heavier, the target drawn when it lies near the data, and
legends for every encoding (colour: strategy; line style: cache state)."""

import altair as alt
import numpy as np
import pandas as pd

from ddxspike.report import stats

# Families of strategies, one panel each; a strategy named in none lands in "other".
FAMILIES = {
    "DDX's own and its models": ["ddx-binary", "ddx-startup", "ddx-list", "ddx-init", "ddx-update",
                                 "ddx-contribute", "model-add", "model-push", "model-has-subtree",
                                 "internal-pull", "internal-pull-rm", "internal-check-behind",
                                 "internal-check-behind-nopath", "tarball-install", "tarball-update"],
    "walkers": ["walk", "scandir", "parallel", "lazy", "sorted-full"],
    "caches": ["memory-cache", "file-cache"],
    "index readers": ["gitindex", "git-ls-files", "index-build", "index-file", "index-memory", "inverted-index"],
    "external tools": ["find", "fdfind", "spawn-overhead"],
    "scans": ["scan-parse", "scan-parse-c"],
}
EMPHASIS = ("ddx-binary", "ddx-startup", "ddx-init", "ddx-update", "ddx-contribute")
DASH = {"warm": [1, 0], "cold": [6, 3]}


def family(strategy: str) -> str:
    return next((f for f, members in FAMILIES.items() if strategy in members), "other")


def medians(d: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """Median, interval ends and coverage per group (the summary's interval of the median)."""
    rows = []
    for key, g in d.groupby(keys, dropna=False, sort=True):
        med, lo, hi = stats.median_ci(g[metric])
        rows.append({**dict(zip(keys, key if isinstance(key, tuple) else (key,))), "median": med,
                     "lo": lo if np.isfinite(lo) else med, "hi": hi if np.isfinite(hi) else med,
                     "coverage": f"{lo.level:.0%}" if np.isfinite(lo.level) else "1 trial: no interval",
                     "trials": int(g[metric].notna().sum())})
    return pd.DataFrame(rows)


def empty(title: str, width: int = 400) -> alt.Chart:
    """A visible 'no data' panel rather than a broken chart when a run measured nothing here."""
    return (alt.Chart(pd.DataFrame({"text": [f"{title}: no measurements in this run"]}))
            .mark_text(size=13).encode(text="text:N").properties(width=width, height=50))


def lines(med: pd.DataFrame, x: str, x_title: str, y_title: str, emphasise=(), target=None,
          width=240, height=180, y_format="~s", dash="cache_state") -> alt.LayerChart:
    """Median lines with interval bars, log-log; emphasised strategies drawn wider; the target a
    red rule when within 10x of the data (else named in the subtitle)."""
    med = med[(med["median"] > 0)].copy()
    med["emphasis"] = np.where(med["strategy"].isin(list(emphasise) + list(EMPHASIS)), "DDX's own / recommended",
                               "other")
    ys = pd.concat([med["lo"], med["hi"], med["median"]])
    ys = ys[ys > 0]
    lo, hi = float(ys.min()), float(ys.max())
    note = ""
    if target is not None:
        limit, label = target
        if limit <= hi * 10 and limit >= lo / 10:
            lo, hi = min(lo, limit), max(hi, limit)
        else:
            note = f"{label}: {limit / hi:.3g}× above the slowest median" if limit > hi else f"{label}: below the data"
    xs = med[x].astype(float)
    xscale = alt.Scale(type="log", domain=[float(xs.min()), float(xs.max())], nice=False)
    yscale = alt.Scale(type="log", domain=[lo / 1.2, hi * 1.2], nice=False)
    enc = dict(x=alt.X(f"{x}:Q", scale=xscale, title=x_title, axis=alt.Axis(format="~s", tickCount=4)),
               color=alt.Color("strategy:N", title="strategy", legend=alt.Legend(orient="right")))
    has_dash = dash in med and med[dash].notna().any()
    line_enc = dict(enc, y=alt.Y("median:Q", scale=yscale, title=y_title, axis=alt.Axis(format=y_format)),
                    strokeWidth=alt.StrokeWidth("emphasis:N", scale=alt.Scale(
                        domain=["DDX's own / recommended", "other"], range=[3.2, 1.3]), title="line width"),
                    tooltip=["strategy", *([dash] if has_dash else []), f"{x}:Q",
                             alt.Tooltip("median:Q", format=".4g"), alt.Tooltip("lo:Q", format=".4g"),
                             alt.Tooltip("hi:Q", format=".4g"), "coverage", "trials"])
    if has_dash:
        line_enc["strokeDash"] = alt.StrokeDash(f"{dash}:N", title="cache" if dash == "cache_state" else dash,
                                                scale=alt.Scale(domain=list(DASH), range=list(DASH.values())))
        detail = [alt.Detail("strategy:N"), alt.Detail(f"{dash}:N")]
    else:
        detail = [alt.Detail("strategy:N")]
    base = alt.Chart(med)
    layers = [
        base.mark_rule(opacity=0.55).encode(**enc, y=alt.Y("lo:Q", scale=yscale), y2="hi:Q", detail=detail),
        base.mark_line(point=True).encode(**line_enc),
    ]
    if target is not None and not note:
        t = pd.DataFrame({"limit": [target[0]], "text": [target[1]]})
        layers.append(alt.Chart(t).mark_rule(color="firebrick", strokeDash=[4, 3]).encode(y=alt.Y("limit:Q", scale=yscale)))
        layers.append(alt.Chart(t).mark_text(align="left", dx=3, dy=-5, color="firebrick", fontSize=10)
                      .encode(y=alt.Y("limit:Q", scale=yscale), x=alt.value(0), text="text:N"))
    chart = alt.layer(*layers).properties(width=width, height=height)
    return chart, note


def render_svg(chart) -> str:
    """An Altair chart as SVG text (offline: vl-convert, no CDN)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_json())
