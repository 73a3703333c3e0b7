"""What every chart shares: strategy families (a panel holds one family, at most about 8 series),
medians with the one interval of the document (stats/summary.py: order statistics), DDX's own and
the recommended strategy drawn heavier, the target drawn when it lies near the data, and
legends for every encoding (colour: strategy; line style: cache state)."""

import altair as alt
import numpy as np
import pandas as pd

from ddxspike.stats import summary

# Families of strategies, one panel each; a strategy named in none lands in "other".
FAMILIES = {
    "DDX's own": ["ddx-binary", "ddx-startup", "ddx-list", "ddx-init", "ddx-update", "ddx-contribute"],
    "DDX's models": ["model-add", "model-push", "model-has-subtree", "internal-pull", "internal-pull-rm",
                     "internal-check-behind", "internal-check-behind-nopath", "tarball-install",
                     "tarball-update"],
    "walkers": ["walk", "scandir", "parallel", "lazy", "sorted-full"],
    "caches": ["memory-cache", "file-cache"],
    "index readers": ["gitindex", "git-ls-files", "index-build", "index-file", "index-memory", "inverted-index"],
    "external tools": ["find", "fdfind", "spawn-overhead"],
    "git subtree": ["subtree-add", "subtree-add-squash", "subtree-pull-squash", "split", "split-rejoin-squash",
                    "split-after-rejoin"],
    "alternatives and status": ["init-fallback", "partial-clone", "submodule-add", "status", "status-manyfiles"],
    "scans": ["scan-parse", "scan-parse-c"],
}
EMPHASIS = ("ddx-binary", "ddx-startup", "ddx-init", "ddx-update", "ddx-contribute")
DASH = {"warm": [1, 0], "cold": [6, 3]}


def family(strategy: str) -> str:
    return next((f for f, members in FAMILIES.items() if strategy in members), "other")


def medians(d: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """Median, interval ends and coverage per group (the summary's interval of the median, every
    group at once); a group without values keeps its row, with no median."""
    if d.empty:
        return pd.DataFrame(columns=[*keys, "median", "lo", "hi", "coverage", "trials"])
    d = d.reset_index(drop=True)  # rows by position: a concatenation repeats index labels
    groups = d.groupby(keys, dropna=False, sort=True)
    code = groups.ngroup()
    first = code.drop_duplicates()
    out = d.loc[first.index, keys].set_axis(first.to_numpy()).sort_index()
    st = summary.describe_groups(d[metric], code).reindex(out.index)
    out["median"] = st["median"]
    out["lo"] = st["ci_low"].where(np.isfinite(st["ci_low"]), st["median"])
    out["hi"] = st["ci_high"].where(np.isfinite(st["ci_high"]), st["median"])
    out["coverage"] = [f"{v:.0%}" if np.isfinite(v) else "1 trial: no interval" for v in st["ci_level"]]
    out["trials"] = st["n"].fillna(0).astype(int)
    return out.reset_index(drop=True)


def in_units(med: pd.DataFrame, metric: str, title: str, target=None):
    """Seconds as ms and bytes as MB (axis labels a reader need not decode): (med, title, target)."""
    unit, f = ("ms", 1e3) if metric.endswith("_s") else ("MB", 1e-6) if metric.endswith("bytes") else ("", 1)
    if f != 1:
        med = med.assign(**{c: med[c] * f for c in ("median", "lo", "hi")})
        target = (target[0] * f, target[1]) if target else None
    return med, f"{title} ({unit})" if unit else title, target


def empty(title: str, width: int = 400) -> alt.Chart:
    """A visible 'no data' panel rather than a broken chart when a run measured nothing here."""
    return (alt.Chart(pd.DataFrame({"text": [f"{title}: no measurements in this run"]}))
            .mark_text(size=13).encode(text="text:N").properties(width=width, height=50))


def lines(med: pd.DataFrame, x: str, x_title: str, y_title: str, emphasise=(), target=None,
          width=240, height=180, y_format="~g", dash="cache_state", title=None) -> alt.LayerChart:
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
            note = far_note(label, [limit / hi])
    xs = med[x].astype(float)
    xscale = alt.Scale(type="log", domain=[float(xs.min()), float(xs.max())], nice=False)
    yscale = alt.Scale(type="log", domain=[lo / 1.2, hi * 1.2], nice=False)
    enc = dict(x=alt.X(f"{x}:Q", scale=xscale, title=x_title, axis=alt.Axis(format="~s", tickCount=4)),
               color=alt.Color("strategy:N", title="strategy", legend=alt.Legend(orient="right")))
    has_dash = dash in med and med[dash].notna().any()
    line_enc = dict(enc, y=alt.Y("median:Q", scale=yscale, title=y_title, axis=alt.Axis(format=y_format)),
                    strokeWidth=alt.StrokeWidth("emphasis:N", scale=alt.Scale(
                        domain=["DDX's own / recommended", "other"], range=[3.2, 1.3]), title="line width",
                        # The width legend only where a wide line is drawn.
                        legend=alt.Legend(symbolStrokeColor="gray") if (med["emphasis"] != "other").any() else None),
                    tooltip=["strategy", *([dash] if has_dash else []), f"{x}:Q",
                             alt.Tooltip("median:Q", format=".4g"), alt.Tooltip("lo:Q", format=".4g"),
                             alt.Tooltip("hi:Q", format=".4g"), "coverage", "trials"])
    if has_dash:
        shown = [k for k in DASH if (med[dash] == k).any()] or list(DASH)  # the legend names only what is drawn
        line_enc["strokeDash"] = alt.StrokeDash(f"{dash}:N", title="cache" if dash == "cache_state" else dash,
                                                scale=alt.Scale(domain=shown, range=[DASH[k] for k in shown]),
                                                legend=alt.Legend(symbolStrokeColor="gray"))
        detail = [alt.Detail("strategy:N"), alt.Detail(f"{dash}:N")]
    else:
        detail = [alt.Detail("strategy:N")]
    base = alt.Chart(med)
    layers = [
        base.mark_rule(opacity=0.55).encode(**enc, y=alt.Y("lo:Q", scale=yscale), y2="hi:Q", detail=detail),
        # Points in a layer of their own: a line mark with points draws no stroke in its legends.
        base.mark_line().encode(**{k: v for k, v in line_enc.items() if k != "tooltip"}),
        base.mark_point(filled=True, size=22).encode(**enc, y=alt.Y("median:Q", scale=yscale),
                                                      tooltip=line_enc["tooltip"]),
    ]
    if target is not None and not note:
        t = pd.DataFrame({"limit": [target[0]], "text": [target[1]]})
        layers.append(alt.Chart(t).mark_rule(color="firebrick", strokeDash=[4, 3]).encode(y=alt.Y("limit:Q", scale=yscale)))
        layers.append(alt.Chart(t).mark_text(align="left", dx=3, dy=-5, color="firebrick", fontSize=10)
                      .encode(y=alt.Y("limit:Q", scale=yscale), x=alt.value(0), text="text:N"))
    # Sized and titled as it is built: Altair's .properties() deep-copies the whole chart each time.
    chart = alt.LayerChart(layer=layers, width=width, height=height, **({"title": title} if title else {}))
    return chart, note


def far_note(label: str, ratios) -> str:
    """The target when it is too far above the data to draw: '<label>: not drawn, 96× to 1.4e+04×
    above the slowest medians'."""
    r = sorted(x for x in ratios if np.isfinite(x))
    if not r:
        return ""
    if r[-1] < 1:
        return f"{label}: not drawn, below the data"
    span = f"{r[0]:.3g}×" if len(r) == 1 or r[0] == r[-1] else f"{r[0]:.3g}× to {r[-1]:.3g}×"
    return f"{label}: not drawn, {span} above the slowest median{'s' if len(r) > 1 else ''}"


def family_grid(d: pd.DataFrame, x: str, metric: str, y_title: str, title: str, target=None,
                depth_order=(), x_title=None) -> alt.VConcatChart:
    """One row of panels per strategy family, one panel per depth (or one panel without depths):
    median and interval per strategy and cache state, DDX's own drawn wide, the target where near."""
    d = d[d[metric].notna()].assign(family=d["strategy"].map(family))
    depths = ([x_ for x_ in depth_order if (d["depth"] == x_).any()]
              + sorted(set(d["depth"].dropna()) - set(depth_order))) if "depth" in d and d["depth"].notna().any() else [None]
    rows, far, unit_title = [], [], y_title
    for fam in [f for f in list(FAMILIES) + ["other"] if (d["family"] == f).any()]:
        panels = []
        for depth in depths:
            g = d[(d["family"] == fam) & ((d["depth"] == depth) if depth else True)]
            if g.empty:
                continue
            keys = ["strategy", x] + (["cache_state"] if "cache_state" in g and g["cache_state"].notna().any() else [])
            med, unit_title, tgt = in_units(medians(g, keys, metric), metric, y_title, target)
            chart, note = lines(med, x, x_title or f"repository {x}", unit_title, target=tgt, width=200,
                                height=150, title=f"{fam} · {depth}" if depth else fam)
            if note and tgt:
                far.append(tgt[0] / med["hi"].max())
            panels.append(chart)
        if panels:
            rows.append(alt.HConcatChart(hconcat=panels, resolve=alt.Resolve(
                scale=alt.ScaleResolveMap(color="independent", strokeWidth="independent"))))
    both_caches = "cache_state" in d and d["cache_state"].nunique() > 1
    sub = ["bars: interval of the median (order statistics; coverage in the tooltip)",
           ("solid: warm cache, dashed: cold; " if both_caches else "") + "wide: DDX's own"] + (
        [far_note(target[1], far)] if far else [])
    return alt.VConcatChart(vconcat=rows, resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")),
                            title=alt.Title(title, subtitle=sub))


def render_svg(chart) -> str:
    """An Altair chart as SVG text (offline: vl-convert, no CDN). Not validated against the
    Vega-Lite schema here (a second per large chart): the tests validate every chart's spec."""
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_dict(validate=False))
