"""Recommendations written from the data: each says what to do and the figures behind it, or
says plainly that the data cannot tell yet."""

import numpy as np
import pandas as pd

from ddxspike.report import fits as fitlib
from ddxspike.report import fmt, select, stats, tidy
from ddxspike.report import policy as policylib
from ddxspike.report.verdicts import cache_ratios, decided


def _largest(d: pd.DataFrame) -> pd.DataFrame:
    return tidy.largest(d)


def discovery_strategy(df, cfg) -> dict:
    d = tidy.valid(select.rows(df, cfg["h1"]["experiment"]))
    topic = "Discovery strategy"
    if d.empty:
        return {"topic": topic, "text": "No asset-discovery data yet.", "evidence": ""}
    top = _largest(d)
    size, files = top["size"].iloc[0], top["files"].iloc[0]
    lines, evidence = [], []
    baseline = select.present(top, cfg["h1"]["strategies"])
    cached = set(cfg["h4"]["cached"])
    for (depth, state), g in top.groupby(["depth", "cache_state"], dropna=False):
        meds = g.groupby("strategy")["wall_s"].median()
        # Only strategies that list every file compete (ddx list shows type-folder children only).
        full = set(g.loc[g["items"] == g["files"], "strategy"]) if "items" in g else set(meds.index)
        plain = meds[[s for s in meds.index if s not in cached and s in full]]
        if plain.empty:
            continue
        best = plain.idxmin()
        ref = next((b for b in baseline if b in meds.index and b in full), None)
        r = stats.ratio_ci(g.loc[g["strategy"] == best, "wall_s"], g.loc[g["strategy"] == ref, "wall_s"]) if ref else None
        vs = f" — {fmt.ratio(*r)} of {ref}" if ref and ref != best else ""
        evidence.append(f"{depth}/{state}: {best} {fmt.interval('wall_s', *stats.median_ci(g.loc[g['strategy'] == best, 'wall_s']))}{vs}")
        lines.append(best)
    if not lines:
        return {"topic": topic, "text": "No uncached strategy measured.", "evidence": ""}
    winner = pd.Series(lines).mode().iloc[0]
    text = (f"Adopt `{winner}` for asset discovery: it is the fastest uncached strategy listing every file in "
            f"{lines.count(winner)} of {len(lines)} depth/cache-state cells at {size} ({fmt.count(files)} files).")
    return {"topic": topic, "text": text, "evidence": "; ".join(evidence), "strategy": winner}


def caching(df, cfg) -> dict:
    topic = "Caching"
    r = cache_ratios(df, cfg["h4"])
    if r.empty:
        return {"topic": topic, "text": "Cached strategies were not measured: caching cannot be judged yet.",
                "evidence": ""}
    if "depth" in r:  # judged at the depths that read file metadata, as H4 is
        r = r[r["depth"].isin(cfg["h4"]["depths"])]
    if r.empty:
        return {"topic": topic, "text": "No cached measurement at the metadata depths.", "evidence": ""}
    pays = r[r["hi"] < 1]
    top = tidy.largest(r)
    best = top.loc[top["ratio"].idxmin()]
    worst = top.loc[top["ratio"].idxmax()]
    gain = 1 - best["ratio"]
    ev = "; ".join(f"{x['size']} {x.get('depth', '')}/{x.get('cache_state', '')} {x['cached']}: "
                   f"{fmt.ratio(x['ratio'], x['lo'], x['hi'])}" for x in top.to_dict("records"))
    if pays.empty:
        text = (f"Caching did not pay at any measured size: the best cached/uncached ratio at the largest size "
                f"is {fmt.ratio(best['ratio'], best['lo'], best['hi'])}. Do not add a metadata cache yet.")
    else:
        first = pays.loc[pays["files"].idxmin()]
        band = (f"[{1 - best['hi']:.0%}, {1 - best['lo']:.0%}]" if np.isfinite(best["lo"]) and np.isfinite(best["hi"])
                else "(no interval)")
        text = (f"Caching pays from {first['size']} ({fmt.count(first['files'])} files) on; at the largest size "
                f"{best['cached']} saves up to {gain:.0%} of the time {band} "
                f"({best.get('depth', '')}, {best.get('cache_state', '')})")
        if worst["ratio"] > 1:
            text += (f", but {worst['cached']} is slower than no cache in {worst.get('depth', '')}/"
                     f"{worst.get('cache_state', '')} ({fmt.ratio(worst['ratio'], worst['lo'], worst['hi'])}): "
                     f"cache only where the measured gain holds.")
        else:
            text += f", and at least {1 - worst['ratio']:.0%} in every judged cell."
    return {"topic": topic, "text": text, "evidence": ev}


def pagination(df, fits, cfg) -> dict:
    topic = "Pagination / lazy loading"
    sel = cfg["listing"]
    thresholds = sel["thresholds_s"]
    d = select.rows(df, sel["experiment"], sel["strategies"])
    found = []
    for s in select.present(d, sel["strategies"]):
        for depth in sel.get("depths", ["stat"]):
            for state in ("warm", "cold"):
                cell = {"experiment": sel["experiment"], "strategy": s, "depth": depth, "cache_state": state}
                f = select.fit_for(fits, cell, "wall_s", "files")
                if f is not None and f.get("status") == "ok":
                    found.append((s, depth, state, f))
    if not found:
        return {"topic": topic, "text": "The full-listing threshold cannot be derived yet: too few sizes for a "
                "fit of listing time against files (see the fits table).", "evidence": "", "thresholds": {}}
    parts, ev, th = [], [], {}
    s, depth, state, f = found[0]
    for limit in thresholds:
        n, lo, hi = fitlib.break_size(f, limit)
        th[limit] = n
        parts.append(f"{fmt.seconds(limit)} at ≈{fmt.count(n)} items [{fmt.count(lo)}, {fmt.count(hi)}]")
    for s2, d2, st2, f2 in found:
        ev.append(f"{s2}/{d2}/{st2}: {select.fmt_b(f2)}, 100 ms at {fmt.count(fitlib.break_size(f2, thresholds[0])[0])}")
    first_page = [c for c in df.columns if "first_page" in c]
    lazy = ""
    if first_page:
        fp = tidy.valid(select.rows(df, sel["experiment"]))
        fp = fp[fp[first_page[0]].notna()]
        if not fp.empty:
            top = _largest(fp)
            lazy = (f" A lazy listing shows its first page in {fmt.interval('wall_s', *stats.median_ci(top[first_page[0]]))} "
                    f"at {top['size'].iloc[0]} ({fmt.count(top['files'].iloc[0])} files).")
    far = ""
    if np.isfinite(th[thresholds[0]]) and th[thresholds[0]] > 10 * f["x_max"]:
        far = (f" (extrapolated from at most {fmt.count(f['x_max'])} files measured: confirm at larger sizes)")
    text = (f"A full listing by {s} ({depth}, {state}) exceeds " + " and ".join(parts) + far +
            f": paginate or stream listings above ≈{fmt.count(th[thresholds[0]])} items." + lazy)
    return {"topic": topic, "text": text, "evidence": "; ".join(ev), "thresholds": th}


def catalogue_index(verdict_h5) -> dict:
    v = verdict_h5
    topic = "Workflow catalogue index"
    if v.deciding.startswith("no data"):
        return {"topic": topic, "text": "The workflow catalogue was not measured: no decision yet.", "evidence": ""}
    if v.verdict == "supported":
        text = "Build the search index (ADR-006): scanning misses the 500 ms target past 1,000 workflows while an index meets it."
    elif v.verdict == "refuted":
        text = "No index needed up to the largest catalogue measured: a scan stays within 500 ms."
    else:
        text = "Undecided from the measured catalogue sizes; see the predicted crossing count."
    return {"topic": topic, "text": text, "evidence": v.deciding}


def subtree(df, fits, cfg) -> dict:
    topic = "Using git subtree"
    sel = cfg["h3"]
    d = tidy.valid(select.rows(df, sel["experiment"]))
    if d.empty:
        return {"topic": topic, "text": "The subtree experiment was not measured: no recommendation yet.", "evidence": ""}
    top = d[d["bytes"] == d["bytes"].max()]
    top = top[top["commits"] == top["commits"].max()]
    meds = top.groupby("strategy")["wall_s"].median().sort_values(ascending=False)
    ev = [f"{s}: {fmt.interval('wall_s', *stats.median_ci(top.loc[top['strategy'] == s, 'wall_s']))}" for s in meds.index]
    growth = []
    for s in meds.index:
        f = select.fit_for(fits, {"experiment": sel["experiment"], "strategy": s}, "wall_s", "commits",
                           ("joint", "controlled", "pooled"))
        if f is not None and f.get("status") == "ok":
            growth.append((s, f))
    hist = sorted(growth, key=lambda x: -x[1]["b"])
    timed = select.rows(df, sel["experiment"])
    timed = timed[timed["mode"] == "time"]
    failing = []
    for s, g in timed.groupby("strategy"):
        bad = g[g["status"] != "ok"]
        if not bad.empty:
            first = str(bad["error"].dropna().iloc[0])[:140] if bad["error"].notna().any() else bad["status"].iloc[0]
            failing.append(f"{s} ({len(bad)} of {len(g)} trials {'/'.join(sorted(set(bad['status'])))}: {first})")
    text = (f"At the largest repository ({fmt.nbytes(top['bytes'].iloc[0])}, {fmt.count(top['commits'].iloc[0])} "
            f"commits) the slowest operation is {meds.index[0]} ({ev[0].split(': ', 1)[1]}).")
    if hist:
        s, f = hist[0]
        text += (f" Time grows most with history for {s} ({select.fmt_b(f)} on commits): keep the library "
                 f"history squashed (DDX's add/pull already squash) and avoid split --rejoin on long histories.")
    else:
        text += " The effect of history could not be fitted (too few commit counts)."
    if failing:
        text += " Failing: " + "; ".join(failing[:3]) + (f" and {len(failing) - 3} more" if len(failing) > 3 else "") + "."
    return {"topic": topic, "text": text, "evidence": "; ".join(ev)}


def size_warnings(policy: pd.DataFrame) -> dict:
    topic = "Size warnings"
    if policy.empty:
        return {"topic": topic, "text": "No size threshold can be derived yet (no target breaks within the fits).",
                "evidence": ""}
    parts = [policylib.rule(r) for r in policy.to_dict("records")]
    return {"topic": topic, "text": "Warn by repository size: " + "; ".join(parts) + " (see the size policy).",
            "evidence": "; ".join(r["evidence"] for r in policy.to_dict("records"))}


def future(verdicts, df) -> dict:
    items = [f"{v.id}: {v.deciding}" for v in verdicts if not decided(v.verdict)]
    v = tidy.valid(df)
    if not v.empty:
        keys = tidy.cell_keys(v) + ["size"]
        g = v.groupby(keys, dropna=False)["wall_s"]
        cv = (g.std() / g.mean()).dropna()
        noisy = int((cv > 0.10).sum())
        if noisy:
            items.append(f"{noisy} of {len(cv)} cells are noisy (coefficient of variation > 10%): rerun them on a quiet host")
    return {"topic": "Future investigation", "text": " · ".join(items), "evidence": ""}


def all_recommendations(df, fits, verdicts, policy, cfg) -> list[dict]:
    """Every recommendation, each with an id ("discovery-strategy", ...) the document links to."""
    by_id = {v.id: v for v in verdicts}
    recs = [discovery_strategy(df, cfg), caching(df, cfg), pagination(df, fits, cfg),
            catalogue_index(by_id["H5"]), subtree(df, fits, cfg), size_warnings(policy), future(verdicts, df)]
    for r in recs:
        r["id"] = "-".join(r["topic"].lower().replace("/", " ").split())
    return recs
