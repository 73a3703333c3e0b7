"""Hypotheses H1-H5 of TS-001, each judged by a rule stated before the numbers.

Each judge returns a Verdict: supported, refuted or inconclusive, the figures that decided it,
and the per-cell evidence. A general claim ("scales linearly") is refuted by one decisive
counter-example and supported when every decisive cell agrees; cells whose interval is too wide
to decide are listed and counted, never silently dropped.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ddxspike.report import fmt, select, stats, tidy

SUPPORTED, REFUTED, INCONCLUSIVE = "supported", "refuted", "inconclusive"


@dataclass
class Verdict:
    id: str
    question: int
    hypothesis: str
    rule: str
    verdict: str
    deciding: str
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)


def classify(lo, hi, band) -> str:
    """Where an interval on an exponent lies relative to a band."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "no interval"
    if band[0] <= lo and hi <= band[1]:
        return "inside"
    if hi < band[0]:
        return "below"
    if lo > band[1]:
        return "above"
    return "undetermined"


def combine(decisions: list[str], reasons_for: str, reasons_against: str, what: str) -> tuple[str, str]:
    """supported if every decisive cell supports; refuted if any decisive cell refutes."""
    sup = decisions.count(SUPPORTED)
    ref = decisions.count(REFUTED)
    und = len(decisions) - sup - ref
    tail = f" ({sup} supporting, {ref} refuting, {und} undecided of {len(decisions)} {what})"
    if ref:
        return REFUTED, reasons_against + tail
    if sup:
        return SUPPORTED, reasons_for + tail
    return INCONCLUSIVE, tail.strip(" ()")


def few(items, n: int = 3) -> str:
    """The first n items and how many more: deciding figures stay one screen long."""
    items = list(items)
    more = f" … and {len(items) - n} more (see the table)" if len(items) > n else ""
    return "; ".join(items[:n]) + more


def _cells(df: pd.DataFrame) -> list[dict]:
    keys = tidy.cell_keys(df)
    return [dict(zip(keys, k if isinstance(k, tuple) else (k,)))
            for k, _ in df.groupby(keys, dropna=False, sort=True)]


def _cell_rows(rows: pd.DataFrame, cell: dict) -> pd.DataFrame:
    """The rows of one cell (its string dimensions; size axes vary within it)."""
    return select.rows(rows, where={k: x for k, x in cell.items() if isinstance(x, str)})


def _past_limit(rows: pd.DataFrame, limit: float) -> pd.Series:
    """Timeouts whose own limit was above `limit`: a time above it, not a missing figure."""
    if rows.empty or "error" not in rows:
        return pd.Series(False, index=rows.index)
    return (rows["status"] == "timeout") & (rows["error"].map(tidy.timeout_s) > limit)


def _why_none(fits, cells, metric, axis) -> str:
    """Why no decisive fit: the statuses the fits recorded, e.g. too few sizes."""
    notes = set()
    for c in cells:
        f = select.fit_for(fits, c, metric, axis, ("joint", "controlled", "pooled"))
        notes.add(f"{f['status']}: {f['note']}" if f else "no data")
    return "; ".join(sorted(notes))


# --- H1 ---------------------------------------------------------------------------------------
# Both directions refute "linear"; the reader must see at once which one: cheaper or dearer.
OUTSIDE = {"below": "below: sub-linear, cheaper than linear", "above": "above: super-linear"}


def h1(df, fits, cfg) -> Verdict:
    band = cfg["linear_band"]
    sel = cfg["h1"]
    rule = (f"Fit discovery time = a·files^b per strategy, depth ({', '.join(sel['depths'])}) and cache "
            f"state, with files separated from bytes (joint fit) where the sizes allow, else at fixed "
            f"bytes, else over all sizes. A cell is linear when the 95% interval on b lies within "
            f"[{band[0]}, {band[1]}]; clearly sub- or super-linear when it lies wholly outside. Judged on "
            f"the strategies that model DDX today ({', '.join(sel['strategies'])}): supported when every "
            f"decisive cell is linear, refuted when any is clearly not, else inconclusive. A cell whose "
            f"median at the largest size is under {fmt.seconds(sel.get('min_time_s', 0.0))} cannot refute: "
            f"there the fixed cost of a call hides the cost per file.")
    d = select.rows(df, sel["experiment"], where={"depth": sel["depths"]})
    judged = select.present(d, sel["strategies"])
    floor = sel.get("min_time_s", 0.0)
    v = tidy.valid(d)
    ev, decisions = [], []
    for c in _cells(d):
        f = select.fit_for(fits, c, "wall_s", "files", ("joint", "controlled", "pooled"))
        pos = classify(f.get("b_lo", np.nan), f.get("b_hi", np.nan), band) if f and f.get("status") == "ok" else "no fit"
        cv = _cell_rows(v, c)
        top = tidy.largest(cv)["wall_s"].median() if not cv.empty else np.nan
        if pos in ("below", "above") and np.isfinite(top) and top < floor:
            pos = f"too fast ({fmt.seconds(top)} at the largest size: fixed costs dominate)"
        dec = {"inside": SUPPORTED, "below": REFUTED, "above": REFUTED}.get(pos, INCONCLUSIVE)
        is_judged = c.get("strategy") in judged
        if is_judged:
            decisions.append(dec)
        ev.append({"cell": tidy.label(c, list(c)), "judged": "yes" if is_judged else "",
                   "exponent on files": select.fmt_b(f), "model": (f or {}).get("model", ""),
                   "confounded with": (f or {}).get("confounded_with", "") or "",
                   "class": (f or {}).get("best_class", "") or "", "reading": pos})
    ev = pd.DataFrame(ev)
    if not judged:
        return Verdict("H1", 1, "Discovery time scales linearly with file count.", rule, INCONCLUSIVE,
                       "no data: none of the judged strategies was measured", ev)
    recs = [r for r in ev.to_dict("records") if r["judged"]]
    verdict, why = combine(
        decisions,
        "every decisive judged fit is linear: " + few(f"{r['cell']} {r['exponent on files']}" for r in recs
                                                      if r["reading"] == "inside"),
        "outside the linear band: " + few(f"{r['cell']} {r['exponent on files']} ({OUTSIDE[r['reading']]})"
                                          for r in recs if r["reading"] in OUTSIDE), "cells")
    if verdict == INCONCLUSIVE:
        kinds = {"undetermined": f"interval straddles [{band[0]}, {band[1]}]", "no interval": "no interval",
                 "no fit": "no fit"}
        counts = pd.Series([kinds.get(r["reading"], "too fast to judge (fixed costs dominate)")
                            for r in recs]).value_counts()
        why = "; ".join(f"{n} × {k}" for k, n in counts.items())
        if "no fit" in counts:
            why += " (" + _why_none(fits, [c for c in _cells(d) if c.get("strategy") in judged], "wall_s", "files") + ")"
    return Verdict("H1", 1, "Discovery time scales linearly with file count.", rule, verdict, why, ev)


# --- H2 ---------------------------------------------------------------------------------------
def h2(df, fits, cfg) -> Verdict:
    flat = cfg["flat_exponent"]
    sel = cfg["h2"]
    rule = (f"Fit peak memory against files and against bytes separately: a joint log-log fit on both "
            f"(or each at the other held fixed). Memory follows a size axis when the interval on its "
            f"exponent lies above {flat}; it does not when the interval lies below {flat}. Per cell: "
            f"supports H2 when memory follows files and not bytes; refutes it when it follows bytes or "
            f"does not follow files. Memory is the Python heap peak (tracemalloc trials) where measured, "
            f"else RSS growth during the call. Supported when every decisive cell supports. A cell that "
            f"lists nothing at any size (spawn overhead) reads no file and is not judged.")
    d = select.rows(df, sel["experiment"])
    v = tidy.valid(d)
    ev, decisions, notes = [], [], set()
    for c in _cells(d):
        listed = _cell_rows(v, c)
        if "items" in listed and not listed.empty and listed["items"].notna().all() and (listed["items"] == 0).all():
            # e.g. spawn-overhead (`true`): it reads no file, so it cannot say what memory follows.
            ev.append({"cell": tidy.label(c, list(c)), "memory": "", "exponent on files": "",
                       "exponent on bytes": "", "model": "", "reading": "lists nothing: not judged"})
            continue
        for metric in sel["metrics"]:
            ff = select.fit_for(fits, c, metric, "files", ("joint", "controlled"))
            fb = select.fit_for(fits, c, metric, "bytes", ("joint", "controlled"))
            if ff is not None or fb is not None:
                break
        ok = ff is not None and fb is not None and ff.get("status") == "ok" and fb.get("status") == "ok"
        if not ok:
            for f in (ff, fb):
                notes.add(f"{f['status']}: {f['note']}" if f is not None else "no de-confounded fit "
                          "(the sizes never hold files or bytes fixed while varying the other)")
            dec, reading = INCONCLUSIVE, "not separable"
        else:
            follows_files = ff["b_lo"] > flat if np.isfinite(ff["b_lo"]) else None
            not_files = ff["b_hi"] < flat if np.isfinite(ff["b_hi"]) else None
            follows_bytes = fb["b_lo"] > flat if np.isfinite(fb["b_lo"]) else None
            not_bytes = fb["b_hi"] < flat if np.isfinite(fb["b_hi"]) else None
            if follows_bytes or not_files:
                dec, reading = REFUTED, "follows bytes" if follows_bytes else "does not follow files"
            elif follows_files and not_bytes:
                dec, reading = SUPPORTED, "follows files, not bytes"
            else:
                dec, reading = INCONCLUSIVE, "interval too wide"
        decisions.append(dec)
        ev.append({"cell": tidy.label(c, list(c)), "memory": metric, "exponent on files": select.fmt_b(ff),
                   "exponent on bytes": select.fmt_b(fb), "model": (ff or {}).get("model", ""),
                   "reading": reading})
    ev = pd.DataFrame(ev)
    if not decisions:
        return Verdict("H2", 4, "Memory scales with active file count, not total repository size.", rule,
                       INCONCLUSIVE, "no data: no memory measurements", ev)
    recs = ev.to_dict("records")
    verdict, why = combine(
        decisions,
        "memory follows files, not bytes: " + few(f"{r['cell']}: files {r['exponent on files']}, "
                                                  f"bytes {r['exponent on bytes']}" for r in recs
                                                  if r["reading"].startswith("follows files")),
        "counter-example: " + few(f"{r['cell']} {r['reading']} (files {r['exponent on files']}, "
                                  f"bytes {r['exponent on bytes']})" for r in recs
                                  if r["reading"] in ("follows bytes", "does not follow files")),
        "cells")
    if verdict == INCONCLUSIVE:
        why = ("; ".join(sorted(notes)) or "intervals too wide") + f" — {why}"
    return Verdict("H2", 4, "Memory scales with active file count, not total repository size.", rule,
                   verdict, why, ev)


# --- H3 ---------------------------------------------------------------------------------------
def h3(df, fits, cfg) -> Verdict:
    sel = cfg["h3"]
    band = cfg["linear_band"]
    thr, limit = sel["bytes_threshold"], sel["limit_s"]
    rule = (f"For DDX's subtree operations ({', '.join(sel['strategies'])}): supported when one measured "
            f"above {fmt.nbytes(thr)} takes longer than {limit:g} s with confidence (interval of the "
            f"median above it) or its time grows super-linearly with bytes (interval on the bytes "
            f"exponent above {band[1]}, with commits held fixed or fitted jointly); refuted when every "
            f"one was measured above {fmt.nbytes(thr)} and stays below {limit:g} s with confidence and "
            f"none grows super-linearly with bytes; else inconclusive. The exponent on commits is shown "
            f"beside it, so the effect of history is not mistaken for the effect of bytes. An operation "
            f"that fails at every size (errors, not timeouts past the limit) has no time to judge: it is "
            f"named, and its stand-in ({', '.join(f'{k}: {v}' for k, v in (sel.get('stand_ins') or {}).items()) or 'none'}) "
            f"is judged in its place; without a timed stand-in H3 cannot be refuted.")
    d = select.rows(df, sel["experiment"])
    stand_ins = sel.get("stand_ins") or {}
    ops = select.present(d, list(sel["strategies"]) + [s for s in stand_ins.values() if s not in sel["strategies"]])
    q = "Git subtree operations slow significantly above 500 MB."
    if not ops:
        return Verdict("H3", 2, q, rule, INCONCLUSIVE, "no data: the subtree experiment has no rows for "
                       f"{', '.join(sel['strategies'])}", pd.DataFrame())
    v = tidy.valid(d)
    bad_all = tidy.failed(d)
    ev, slow, fast, superlin, missing_big, failed_big, broken, broken_text = [], [], [], [], [], [], [], []
    for c in _cells(d[d["strategy"].isin(ops)]):
        cell_rows, bad = _cell_rows(v, c), _cell_rows(bad_all, c)
        label = tidy.label(c, list(c))
        if cell_rows.empty and not bad.empty and not _past_limit(bad, limit).any():
            # Fails at every size (DDX's ddx-pull): there is no time to judge, at any size. A
            # timeout past the limit is not this: it is a time above the limit (judged below).
            counts = ", ".join(f"{n} {st}" for st, n in bad["status"].value_counts().items())
            first = str(bad["error"].dropna().iloc[0])[:80] if "error" in bad and bad["error"].notna().any() else ""
            broken.append(c.get("strategy"))
            broken_text.append(f"{label} ({counts} at every size{': ' + first if first else ''})")
            ev.append({"operation": label, f"largest size above {fmt.nbytes(thr)}": "fails at every size",
                       "exponent on bytes (commits separated)": "–", "exponent on commits (bytes separated)": "–",
                       f"predicted at {fmt.nbytes(2 * thr)} (pooled fit)": "–"})
            continue
        big = cell_rows[cell_rows["bytes"] > thr]
        bad = bad[bad["bytes"] > thr] if not bad.empty else bad
        fb = select.fit_for(fits, c, "wall_s", "bytes", ("joint", "controlled"))
        fc = select.fit_for(fits, c, "wall_s", "commits", ("joint", "controlled"))
        fpool = select.fit_for(fits, c, "wall_s", "bytes", ("pooled",))
        if big.empty and bad.empty:
            missing_big.append(label)
            above = "not measured"
        else:
            at = max(big["bytes"].max() if not big.empty else 0, bad["bytes"].max() if not bad.empty else 0)
            largest, lbad = big[big["bytes"] == at], bad[bad["bytes"] == at] if not bad.empty else bad
            # A trial that timed out after more than limit seconds is a time above the limit.
            slow_to = lbad[_past_limit(lbad, limit)]
            n_err = len(lbad) - len(slow_to)
            n = len(largest) + len(lbad)
            med, lo, hi = stats.median_ci(list(largest["wall_s"].astype(float)) + [np.inf] * len(slow_to))
            failures = ", ".join(x for x in (
                f"{len(slow_to)} of {n} timed out after more than {limit:g} s" if len(slow_to) else "",
                f"{n_err} of {n} errors or timeouts without a figure" if n_err else "") if x)
            figure = ("no valid trials" if np.isnan(med) else
                      f"timed out (median above {limit:g} s)" if np.isinf(med) else
                      fmt.interval('wall_s', med, lo, hi))
            above = f"{fmt.nbytes(at)}: {figure}" + (f" ({failures})" if failures else "")
            if np.isnan(med):
                failed_big.append(f"{label} ({failures})")
            elif np.isfinite(lo) and lo > limit or np.isinf(med):
                slow.append(f"{label} {above}")
            elif np.isfinite(hi) and hi < limit and not n_err:
                fast.append(label)
        if fb and fb.get("status") == "ok" and np.isfinite(fb["b_lo"]) and fb["b_lo"] > band[1]:
            superlin.append(f"{label} bytes {select.fmt_b(fb)}")
        pred = ""
        if fpool and fpool.get("status") == "ok":
            from ddxspike.report.fits import predict
            pred = fmt.seconds(predict(fpool, 2 * thr))
        ev.append({"operation": label, f"largest size above {fmt.nbytes(thr)}": above,
                   "exponent on bytes (commits separated)": select.fmt_b(fb),
                   "exponent on commits (bytes separated)": select.fmt_b(fc),
                   f"predicted at {fmt.nbytes(2 * thr)} (pooled fit)": pred or "–"})
    ev = pd.DataFrame(ev)
    # A broken operation is covered when its stand-in (config h3.stand_ins) was timed.
    uncovered = [b for b in broken if stand_ins.get(b) not in ops or stand_ins.get(b) in broken]
    not_judged = (f"; not judged: {', '.join(broken_text)}"
                  + "".join(f"; {b} timed by its stand-in {stand_ins[b]}" for b in broken if b not in uncovered)
                  if broken else "")
    if slow or superlin:
        return Verdict("H3", 2, q, rule, SUPPORTED, few(slow + superlin) + not_judged, ev)
    if fast and not uncovered and not missing_big and not failed_big and len(fast) == len(ev) - len(broken):
        return Verdict("H3", 2, q, rule, REFUTED, f"every timed operation ({', '.join(fast)}) stays below "
                       f"{limit:g} s above {fmt.nbytes(thr)} and none grows super-linearly with bytes"
                       + not_judged, ev)
    why = "; ".join(x for x in (
        f"no size above {fmt.nbytes(thr)} measured for {', '.join(missing_big)}" if missing_big else "",
        f"no valid trial above {fmt.nbytes(thr)} for {', '.join(failed_big)}" if failed_big else "",
        f"fails at every size with no stand-in timed: {', '.join(uncovered)}" if uncovered else "",
        f"fails at every size: {', '.join(broken_text)}" if broken and not uncovered else "")
        if x) or "intervals too wide to decide"
    preds = [f"{r['operation']} ≈ {r[f'predicted at {fmt.nbytes(2 * thr)} (pooled fit)']}"
             for r in ev.to_dict("records") if r[f"predicted at {fmt.nbytes(2 * thr)} (pooled fit)"] != "–"]
    if preds:
        why += f"; the fits predict at {fmt.nbytes(2 * thr)}: " + ", ".join(preds)
    return Verdict("H3", 2, q, rule, INCONCLUSIVE, why, ev)


# --- H4 ---------------------------------------------------------------------------------------
def cache_ratios(df, sel) -> pd.DataFrame:
    """Cached / fastest uncached median time per size, depth and cache state, with intervals."""
    d = tidy.valid(select.rows(df, sel["experiment"]))
    cached, uncached = select.present(d, sel["cached"]), select.present(d, sel["uncached"])
    out = []
    if not cached or not uncached:
        return pd.DataFrame(out)
    keys = [k for k in tidy.cell_keys(d) if k not in ("strategy", "experiment")] + ["size"]
    for key, g in d.groupby(keys, dropna=False):
        base = {k: v for k, v in zip(keys, key if isinstance(key, tuple) else (key,))}
        meds = {s: g.loc[g["strategy"] == s, "wall_s"].median() for s in uncached}
        meds = {s: m for s, m in meds.items() if np.isfinite(m)}
        if not meds:
            continue
        ref = min(meds, key=meds.get)
        for c in cached:
            cv = g.loc[g["strategy"] == c, "wall_s"]
            if cv.empty:
                continue
            r, lo, hi = stats.ratio_ci(cv, g.loc[g["strategy"] == ref, "wall_s"])
            out.append({**base, "files": g["files"].iloc[0], "bytes": g["bytes"].iloc[0], "cached": c, "uncached": ref,
                        "ratio": r, "lo": lo, "hi": hi})
    return pd.DataFrame(out)


def h4(df, fits, cfg) -> Verdict:
    sel = cfg["h4"]
    cut = sel["cut"]
    rule = (f"Ratio of median discovery time, cached strategy ({', '.join(sel['cached'])}) over the fastest "
            f"uncached one ({', '.join(sel['uncached'])}), with the quotient of the two medians' intervals, at the largest size, "
            f"per depth ({', '.join(sel['depths'])}) and cache state. Supported when in every such cell "
            f"some cache's whole interval lies below {1 - cut:g} (a cut of more than {cut:.0%}); refuted "
            f"when in every cell every cache's interval lies above {1 - cut:g}; else inconclusive.")
    q = f"File-metadata caching cuts discovery time by more than {cut:.0%}."
    r = cache_ratios(df, sel)
    if r.empty:
        return Verdict("H4", 1, q, rule, INCONCLUSIVE, "no data: cached and uncached strategies were not "
                       "both measured", pd.DataFrame())
    r = r[r["depth"].isin(sel["depths"])] if "depth" in r else r
    if r.empty:
        return Verdict("H4", 1, q, rule, INCONCLUSIVE, "no data at the judged depths", pd.DataFrame())
    top = tidy.largest(r)
    decisions, figures = [], []
    cell_keys = [k for k in r.columns if k not in ("size", "files", "bytes", "cached", "uncached", "ratio", "lo", "hi")]
    for key, g in top.groupby(cell_keys, dropna=False):
        best = g.loc[g["ratio"].idxmin()]
        figures.append(f"{' / '.join(str(k) for k in (key if isinstance(key, tuple) else (key,)))}: "
                       f"{best['cached']} vs {best['uncached']} {fmt.ratio(best['ratio'], best['lo'], best['hi'])}")
        if (g["hi"] < 1 - cut).any():
            decisions.append(SUPPORTED)
        elif (g["lo"] > 1 - cut).all():
            decisions.append(REFUTED)
        else:
            decisions.append(INCONCLUSIVE)
    size = top["size"].iloc[0]
    figs = f"at {size}: " + few(figures, 4)
    if decisions and all(x == SUPPORTED for x in decisions):
        verdict = SUPPORTED
    elif decisions and all(x == REFUTED for x in decisions):
        verdict = REFUTED
    else:
        verdict = INCONCLUSIVE
        figs = ("mixed or too wide — " if decisions else "") + figs
    ev = r.assign(**{"cached / uncached": [fmt.ratio(a, b, c) for a, b, c in zip(r["ratio"], r["lo"], r["hi"])]})
    return Verdict("H4", 1, q, rule, verdict, figs, ev.drop(columns=["ratio", "lo", "hi"]))


# --- H5 ---------------------------------------------------------------------------------------
def h5(df, fits, cfg) -> Verdict:
    sel = cfg["h5"]
    limit, thr = sel["limit_s"], sel["count_threshold"]
    q = f"Workflow search degrades past {thr:,} workflows without indexing."
    rule = (f"Median search time of the scan strategies ({', '.join(sel['scan'])}) and the index strategies "
            f"({', '.join(sel['index'])}) per catalogue size, with intervals. Supported when at some size of "
            f"{thr:,} workflows or more a scan exceeds {limit * 1e3:g} ms with confidence while an index "
            f"stays below it; refuted when at the largest size measured (at least {thr:,}) every scan stays "
            f"below {limit * 1e3:g} ms with confidence; else inconclusive. The scan/index ratio and the "
            f"count at which the scan's fit crosses {limit * 1e3:g} ms are shown.")
    d = tidy.valid(select.rows(df, sel["experiment"], where=sel.get("where")))
    scans, idx = select.present(d, sel["scan"]), select.present(d, sel["index"])
    if not scans or sel["metric"] not in d or d[sel["metric"]].isna().all():
        return Verdict("H5", 3, q, rule, INCONCLUSIVE, "no data: the workflow catalogue experiment has no "
                       "scan-strategy rows", pd.DataFrame())
    axis = next((a for a in sel["count_axes"] if a in d and d[a].notna().any()), None)
    ev, supported, refuted_all, seen_big = [], [], True, False
    from ddxspike.report.fits import break_size
    for count, g in d.groupby(axis):
        row = {"workflows": fmt.count(count)}
        meds = {}
        for s in scans + idx:
            med, lo, hi = stats.median_ci(g.loc[g["strategy"] == s, sel["metric"]])
            meds[s] = (med, lo, hi)
            row[s] = fmt.interval(sel["metric"], med, lo, hi)
        fin = {k: m for k, m in meds.items() if np.isfinite(m[0])}
        sc = min((k for k in scans if k in fin), key=lambda k: fin[k][0], default=None)
        ix = min((k for k in idx if k in fin), key=lambda k: fin[k][0], default=None)
        if sc and ix:
            r = stats.ratio_ci(g.loc[g["strategy"] == sc, sel["metric"]], g.loc[g["strategy"] == ix, sel["metric"]])
            row["fastest scan / fastest index"] = f"{sc} / {ix}: {fmt.ratio(*r)}"
        if count >= thr:
            seen_big = True
            slow = [s for s in scans if np.isfinite(meds[s][1]) and meds[s][1] > limit]
            quick_idx = [s for s in idx if np.isfinite(meds[s][2]) and meds[s][2] < limit]
            if slow and quick_idx:
                supported.append(f"{fmt.count(count)} workflows: {slow[0]} {row[slow[0]]} vs {quick_idx[0]} "
                                 f"{row[quick_idx[0]]}")
        ev.append(row)
    if seen_big:
        top = d[d[axis] == d[axis].max()]
        refuted_all = all(np.isfinite(stats.median_ci(top.loc[top["strategy"] == s, sel["metric"]])[2])
                          and stats.median_ci(top.loc[top["strategy"] == s, sel["metric"]])[2] < limit
                          for s in scans)
    crossings = []
    for s in scans:
        cell = {"experiment": sel["experiment"], "strategy": s}
        cell.update({k: v for k, v in (sel.get("where") or {}).items() if isinstance(v, str)})
        f = select.fit_for(fits, cell, sel["metric"], axis)
        if f and f.get("status") == "ok":
            n, lo, hi = break_size(f, limit)
            crossings.append(f"{s} crosses {limit * 1e3:g} ms at ≈{fmt.count(n)} workflows "
                             f"[{fmt.count(lo)}, {fmt.count(hi)}] ({select.fmt_b(f)})")
    ev = pd.DataFrame(ev)
    extra = ("; " + "; ".join(crossings)) if crossings else ""
    if supported:
        return Verdict("H5", 3, q, rule, SUPPORTED, few(supported, 2) + extra, ev)
    if seen_big and refuted_all:
        return Verdict("H5", 3, q, rule, REFUTED, f"every scan stays below {limit * 1e3:g} ms at "
                       f"{fmt.count(d[axis].max())} workflows" + extra, ev)
    why = (f"no catalogue of {thr:,}+ workflows measured (largest {fmt.count(d[axis].max())})"
           if not seen_big else "intervals too wide or no index strategy below the target")
    return Verdict("H5", 3, q, rule, INCONCLUSIVE, why + extra, ev)


JUDGES = (h1, h2, h3, h4, h5)


def judge_all(df: pd.DataFrame, fits: pd.DataFrame, cfg: dict) -> list[Verdict]:
    return [j(df, fits, cfg) for j in JUDGES]
