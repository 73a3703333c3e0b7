"""Hypotheses H1-H5 of TS-001, each judged by a rule stated before the numbers.

Each judge returns a Verdict. Its fields, for whoever renders them:
- verdict: one of VERDICTS — "supported", "refuted", "inconclusive" (the data cannot decide: too
  few sizes, no data, ...), or "inconclusive: borderline" (BORDERLINE: the decision turns on a
  figure whose interval, or whose spread between runs, straddles the rule's threshold);
  `decided(v)` is True for the first two only.
- deciding: the figures that decided it, in words (for a borderline verdict: the figure, its
  interval, the spread between runs when there are several, and the threshold).
- figures: the headline figures (spread.Figure: name, value, lo, hi, threshold, text, runs,
  deciding); `runs` holds each run's own figure when the table has more than one run of the host.
- runs: how many runs of the host the rows come from (run_id); spread is used when > 1.
- contended / contention: whether the verdict rests on cells measured while the machine ran
  measurably slower (engine/calibrate.py; cut: report.contention.slowdown_cut), and which.
- evidence: the per-cell table.
A general claim ("scales linearly") is refuted by one decisive counter-example and supported when
every decisive cell agrees; a cell that could flip a supported verdict is borderline, so is the
verdict. Cells whose data cannot decide are listed and counted, never silently dropped.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ddxspike.report import fmt, select, spread, stats, tidy
from ddxspike.report import fits as fitlib
from ddxspike.stats.summary import median_interval

SUPPORTED, REFUTED, INCONCLUSIVE = "supported", "refuted", "inconclusive"
BORDERLINE = "inconclusive: borderline"
VERDICTS = (SUPPORTED, REFUTED, INCONCLUSIVE, BORDERLINE)
DEFAULT_SLOWDOWN_CUT = 1.25


@dataclass
class Verdict:
    id: str
    question: int
    hypothesis: str
    rule: str
    verdict: str
    deciding: str
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)
    figures: list = field(default_factory=list)
    runs: int = 1
    contended: bool = False
    contention: str = ""


def decided(verdict: str) -> bool:
    return verdict in (SUPPORTED, REFUTED)


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
    """refuted if any decisive cell refutes; else borderline if any cell is (it could refute);
    else supported if any decisive cell supports; else inconclusive."""
    sup = decisions.count(SUPPORTED)
    ref = decisions.count(REFUTED)
    bord = decisions.count(BORDERLINE)
    und = len(decisions) - sup - ref - bord
    tail = (f" ({sup} supporting, {ref} refuting, {bord} borderline, {und} undecided of {len(decisions)} {what})")
    if ref:
        return REFUTED, reasons_against + tail
    if bord:
        return BORDERLINE, tail.strip(" ()")
    if sup:
        return SUPPORTED, reasons_for + tail
    return INCONCLUSIVE, tail.strip(" ()")


def few(items, n: int = 3) -> str:
    """The first n items and how many more: deciding figures stay one screen long."""
    items = list(items)
    more = f" … and {len(items) - n} more (see the table)" if len(items) > n else ""
    return "; ".join(items[:n]) + more


def median(values) -> tuple[float, float, float]:
    """(median, lo, hi): the summary's distribution-free interval (stats/summary.py)."""
    v = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype=float)
    if v.size == 0:
        return (np.nan, np.nan, np.nan)
    lo, hi, _ = median_interval(v)
    return (float(np.median(v)), lo, hi) if v.size > 1 else (float(v[0]), np.nan, np.nan)


def _cells(df: pd.DataFrame) -> list[dict]:
    keys = tidy.cell_keys(df)
    return [dict(zip(keys, k if isinstance(k, tuple) else (k,)))
            for k, _ in df.groupby(keys, dropna=False, sort=True)]


def _cell_rows(rows: pd.DataFrame, cell: dict) -> pd.DataFrame:
    """The rows of one cell (its string dimensions; size axes vary within it)."""
    return select.rows(rows, where={k: x for k, x in cell.items() if isinstance(x, str)})


def _why_none(fits, cells, metric, axis) -> str:
    """Why no decisive fit: the statuses the fits recorded, e.g. too few sizes."""
    notes = set()
    for c in cells:
        f = select.fit_for(fits, c, metric, axis, ("joint", "controlled", "pooled"))
        notes.add(f"{f['status']}: {f['note']}" if f else "no data")
    return "; ".join(sorted(notes))


def _run_b(run_fits: dict, cell, metric, axis, models) -> list[float]:
    """The exponent of one cell in each run's own fits (nan where a run has no fit)."""
    out = []
    for f in run_fits.values():
        x = select.fit_for(f, cell, metric, axis, models)
        out.append(float(x["b"]) if x and x.get("status") == "ok" else np.nan)
    return out


def _b_figure(name, f, threshold, runs) -> spread.Figure:
    ok = bool(f) and f.get("status") == "ok"
    return spread.Figure(name, f["b"] if ok else np.nan, f.get("b_lo", np.nan) if ok else np.nan,
                         f.get("b_hi", np.nan) if ok else np.nan, threshold, select.fmt_b(f), runs)


def _finish(v: Verdict, rows: pd.DataFrame, cfg) -> Verdict:
    """Contention and run count of the rows a verdict rests on; the borderline figures named."""
    cut = (cfg.get("contention") or {}).get("slowdown_cut", DEFAULT_SLOWDOWN_CUT)
    v.contended, v.contention = spread.contention(rows, cut) if not rows.empty else (False, "")
    v.runs = max(1, len(spread.runs(rows)))
    if v.verdict == BORDERLINE:
        straddling = [f for f in v.figures if f.deciding and f.side() == "straddles"]
        if straddling:
            v.deciding = "straddling: " + few(f.describe() for f in straddling) + " — " + v.deciding
    return v


# --- H1 ---------------------------------------------------------------------------------------
# Both directions refute "linear"; the reader must see at once which one: cheaper or dearer.
OUTSIDE = {"below": "below: sub-linear, cheaper than linear", "above": "above: super-linear"}


def h1(df, fits, cfg) -> Verdict:
    band = tuple(cfg["linear_band"])
    sel = cfg["h1"]
    q = "Discovery time scales linearly with file count."
    rule = (f"A question of shape. Fit discovery time = a·files^b per strategy, depth ({', '.join(sel['depths'])}) "
            f"and cache state, with files separated from bytes (joint fit) where the sizes allow, else at fixed "
            f"bytes, else over all sizes. A cell is linear when the 95% interval on b lies within "
            f"[{band[0]}, {band[1]}]; clearly sub- or super-linear when it lies wholly outside; borderline when it "
            f"straddles an edge of the band, or when the runs' own exponents (several runs of the host) fall on "
            f"both sides of one. Judged on the strategies that model DDX today ({', '.join(sel['strategies'])}): "
            f"refuted when any decisive cell is clearly not linear; else inconclusive: borderline when any judged "
            f"cell is borderline; else supported when the decisive cells are linear. A cell whose median at the "
            f"largest size is under {fmt.seconds(sel.get('min_time_s', 0.0))} cannot refute: there the fixed cost "
            f"of a call hides the cost per file.")
    d = select.rows(df, sel["experiment"], where={"depth": sel["depths"]})
    judged = select.present(d, sel["strategies"])
    floor = sel.get("min_time_s", 0.0)
    v = tidy.valid(d)
    models = ("joint", "controlled", "pooled")
    per_run = spread.run_fits(d[d["strategy"].isin(judged)], ["wall_s"]) if judged else {}
    ev, decisions, figures = [], [], []
    for c in _cells(d):
        is_judged = c.get("strategy") in judged
        f = select.fit_for(fits, c, "wall_s", "files", models)
        fig = _b_figure(f"{tidy.label(c, list(c))}: exponent on files", f, band,
                        _run_b(per_run, c, "wall_s", "files", models) if is_judged else [])
        side = fig.side()
        pos = {"straddles": "undetermined"}.get(side, side) if f and f.get("status") == "ok" else "no fit"
        cv = _cell_rows(v, c)
        top = tidy.largest(cv)["wall_s"].median() if not cv.empty else np.nan
        if pos in ("below", "above", "undetermined") and np.isfinite(top) and top < floor:
            pos = f"too fast ({fmt.seconds(top)} at the largest size: fixed costs dominate)"
        dec = {"inside": SUPPORTED, "below": REFUTED, "above": REFUTED, "undetermined": BORDERLINE}.get(pos, INCONCLUSIVE)
        if is_judged:
            decisions.append(dec)
            fig.deciding = dec != INCONCLUSIVE
            figures.append(fig)
        ev.append({"cell": tidy.label(c, list(c)), "judged": "yes" if is_judged else "",
                   "exponent on files": select.fmt_b(f)
                   + (f"; runs {fig.spread[0]:.2f}–{fig.spread[1]:.2f}" if fig.spread else ""),
                   "model": (f or {}).get("model", ""),
                   "confounded with": (f or {}).get("confounded_with", "") or "",
                   "class": (f or {}).get("best_class", "") or "", "reading": pos})
    ev = pd.DataFrame(ev)
    if not judged:
        return Verdict("H1", 1, q, rule, INCONCLUSIVE, "no data: none of the judged strategies was measured", ev)
    recs = [r for r in ev.to_dict("records") if r["judged"]]
    verdict, why = combine(
        decisions,
        "every decisive judged fit is linear: " + few(f"{r['cell']} {r['exponent on files']}" for r in recs
                                                      if r["reading"] == "inside"),
        "outside the linear band: " + few(f"{r['cell']} {r['exponent on files']} ({OUTSIDE[r['reading']]})"
                                          for r in recs if r["reading"] in OUTSIDE), "cells")
    if verdict == INCONCLUSIVE:
        kinds = {"no interval": "no interval", "no fit": "no fit"}
        counts = pd.Series([kinds.get(r["reading"], "too fast to judge (fixed costs dominate)")
                            for r in recs]).value_counts()
        why = "; ".join(f"{n} × {k}" for k, n in counts.items())
        if "no fit" in counts:
            why += " (" + _why_none(fits, [c for c in _cells(d) if c.get("strategy") in judged], "wall_s", "files") + ")"
    return _finish(Verdict("H1", 1, q, rule, verdict, why, ev, figures), d[d["strategy"].isin(judged)], cfg)


# --- H2 ---------------------------------------------------------------------------------------
def h2(df, fits, cfg) -> Verdict:
    flat = cfg["flat_exponent"]
    sel = cfg["h2"]
    q = "Memory scales with active file count, not total repository size."
    rule = (f"A question of shape. Fit peak memory against files and against bytes separately: a joint log-log "
            f"fit on both (or each at the other held fixed). Memory follows a size axis when the interval on its "
            f"exponent lies above {flat}; it does not when the interval lies below {flat}. Per cell: supports H2 "
            f"when memory follows files and not bytes; refutes it when it follows bytes or does not follow files; "
            f"borderline when an interval (or the runs' own exponents) straddling {flat} leaves either outcome "
            f"open. Memory is the Python heap peak (tracemalloc trials) where measured, else RSS growth during the "
            f"call. Refuted when any decisive cell refutes; else borderline when any cell is; else supported when "
            f"the decisive cells support. A cell that lists nothing at any size (spawn overhead) reads no file "
            f"and is not judged.")
    d = select.rows(df, sel["experiment"])
    v = tidy.valid(d)
    per_run = spread.run_fits(d, sel["metrics"])
    models = ("joint", "controlled")
    ev, decisions, notes, figures = [], [], set(), []
    for c in _cells(d):
        listed = _cell_rows(v, c)
        if "items" in listed and not listed.empty and listed["items"].notna().all() and (listed["items"] == 0).all():
            # e.g. spawn-overhead (`true`): it reads no file, so it cannot say what memory follows.
            ev.append({"cell": tidy.label(c, list(c)), "memory": "", "exponent on files": "",
                       "exponent on bytes": "", "model": "", "reading": "lists nothing: not judged"})
            continue
        for metric in sel["metrics"]:
            ff = select.fit_for(fits, c, metric, "files", models)
            fb = select.fit_for(fits, c, metric, "bytes", models)
            if ff is not None or fb is not None:
                break
        ok = ff is not None and fb is not None and ff.get("status") == "ok" and fb.get("status") == "ok"
        label = tidy.label(c, list(c))
        if not ok:
            for f in (ff, fb):
                notes.add(f"{f['status']}: {f['note']}" if f is not None else "no de-confounded fit "
                          "(the sizes never hold files or bytes fixed while varying the other)")
            dec, reading = INCONCLUSIVE, "not separable"
        else:
            on_files = _b_figure(f"{label}: {metric} exponent on files", ff, flat,
                                 _run_b(per_run, c, metric, "files", models))
            on_bytes = _b_figure(f"{label}: {metric} exponent on bytes", fb, flat,
                                 _run_b(per_run, c, metric, "bytes", models))
            sf, sb = on_files.side(), on_bytes.side()
            if sb == "above" or sf == "below":
                dec, reading = REFUTED, "follows bytes" if sb == "above" else "does not follow files"
            elif sf == "above" and sb == "below":
                dec, reading = SUPPORTED, "follows files, not bytes"
            elif "no interval" in (sf, sb):
                dec, reading = INCONCLUSIVE, "no interval"
            else:
                dec, reading = BORDERLINE, "borderline: an interval straddles the flat exponent"
            for fig, sd in ((on_files, sf), (on_bytes, sb)):
                fig.deciding = dec == BORDERLINE and sd == "straddles" or dec in (SUPPORTED, REFUTED)
                figures.append(fig)
        decisions.append(dec)
        ev.append({"cell": label, "memory": metric, "exponent on files": select.fmt_b(ff),
                   "exponent on bytes": select.fmt_b(fb), "model": (ff or {}).get("model", ""),
                   "reading": reading})
    ev = pd.DataFrame(ev)
    if not decisions:
        return Verdict("H2", 4, q, rule, INCONCLUSIVE, "no data: no memory measurements", ev)
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
    return _finish(Verdict("H2", 4, q, rule, verdict, why, ev, figures), d, cfg)


# --- H3 ---------------------------------------------------------------------------------------
def _per_gb(k, lo, hi) -> str:
    """Seconds per GB with its interval."""
    if np.isnan(k):
        return "–"
    ci = f" [{lo * 1e9:.3g}, {hi * 1e9:.3g}]" if np.isfinite(lo) and np.isfinite(hi) else " (no interval)"
    return f"{k * 1e9:.3g} s/GB{ci}"


def _segment_rows(rows: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The rows at the one commit count with the most distinct byte sizes (bytes vary, history
    held fixed), and what was held."""
    if rows.empty or "commits" not in rows or rows["commits"].isna().all():
        return rows, ""
    n = rows.groupby("commits")["bytes"].nunique()
    best = n[n == n.max()].index.max()
    return rows[rows["commits"] == best], f"commits = {fmt.count(best)}"


def _timed_or_censored(d: pd.DataFrame) -> pd.DataFrame:
    """Valid time trials, plus timeouts with their own time limit as wall_s (a lower bound on the
    time they would have taken), flagged `censored`."""
    ok = tidy.valid(d).assign(censored=False)
    bad = tidy.failed(d)
    to = bad[bad["status"] == "timeout"] if not bad.empty else bad
    if not to.empty and "error" in to:
        lim = to["error"].map(tidy.timeout_s)
        to = to[lim.notna()].assign(wall_s=lim[lim.notna()], censored=True)
    else:
        to = to.iloc[0:0].assign(censored=True)
    return pd.concat([ok, to]) if not to.empty else ok


def _segments(rows: pd.DataFrame, thr: float, n_boot=fitlib.N_BOOT):
    r = rows[rows["bytes"].notna() & rows["wall_s"].notna()]
    if r.empty:
        return {"status": "no data", "note": "no timed trial", "n_below": 0, "n_above": 0}
    return fitlib.segmented(r["bytes"].to_numpy(float), r["wall_s"].to_numpy(float), r["bytes"].to_numpy(), thr, n_boot)


def h3(df, fits, cfg) -> Verdict:
    sel = cfg["h3"]
    thr, cut = sel["bytes_threshold"], sel["per_byte_ratio"]
    stand_ins = sel.get("stand_ins") or {}
    q = "Git subtree operations slow significantly above 500 MB."
    d = select.rows(df, sel["experiment"])
    binary = select.present(d, sel["strategies"])
    wanted = list(sel["strategies"]) if binary else list(sel.get("models") or [])
    ops = select.present(d, wanted + [s for s in stand_ins.values() if s not in wanted])
    who = (f"DDX's own binary ({', '.join(binary)})" if binary else
           f"the Python models of DDX's git commands ({', '.join(ops) or ', '.join(wanted)}), as DDX's binary "
           f"operations ({', '.join(sel['strategies'])}) were not measured")
    rule = (f"A question of shape, not of a limit at one size (the TS-001 target of 60 s up to 500 MB is checked "
            f"as the target subtree-500mb). Per operation, with history held at one commit count: the cost per "
            f"byte (seconds per GB) below {fmt.nbytes(thr)} is the slope of a least-squares line through the sizes "
            f"up to {fmt.nbytes(thr)}, and above it the slope of the sizes past {fmt.nbytes(thr)} from that line's "
            f"value at {fmt.nbytes(thr)} (a two-segment fit joined at the threshold; slopes, not log-log exponents, "
            f"so a fixed cost is not mistaken for a change of slope), each with a bootstrap interval. "
            f"\"Significantly\" (config report.h3.per_byte_ratio): the cost per byte above is more than "
            f"{cut:g}× the cost below. An operation slows significantly when the interval on that ratio lies "
            f"above {cut:g}; it does not when it lies below {cut:g}, or when its time grows measurably with bytes "
            f"on neither side; borderline when the interval, or the runs' own ratios (several runs of the host), "
            f"straddle {cut:g}. A timeout counts as its time limit, a lower bound: it can support, never refute. "
            f"Supported when any judged operation slows significantly; else borderline when any is borderline; "
            f"refuted when every judged operation does not. Judged on DDX's own binary operations "
            f"({', '.join(sel['strategies'])}) when measured, else on the models "
            f"({', '.join(sel.get('models') or [])}). An operation that fails at every size is named and its "
            f"stand-in ({', '.join(f'{k}: {v}' for k, v in stand_ins.items()) or 'none'}) is judged in its place.")
    if not ops:
        return Verdict("H3", 2, q, rule, INCONCLUSIVE, "no data: the subtree experiment has no rows for "
                       f"{', '.join(list(sel['strategies']) + list(sel.get('models') or []))}", pd.DataFrame())
    v = tidy.valid(d)
    bad_all = tidy.failed(d)
    per_run = spread.runs(d[d["strategy"].isin(ops)])
    ev, figures, decisions, broken, broken_text, reasons = [], [], {}, [], [], {}
    ratio_col, below_col, above_col = (f"cost per byte above / below {fmt.nbytes(thr)}",
                                       f"cost per byte up to {fmt.nbytes(thr)}",
                                       f"cost per byte above {fmt.nbytes(thr)}")
    for c in _cells(d[d["strategy"].isin(ops)]):
        label = tidy.label(c, list(c))
        cell_rows, bad = _cell_rows(v, c), _cell_rows(bad_all, c)
        fc = select.fit_for(fits, c, "wall_s", "commits", ("joint", "controlled"))
        row = {"operation": label, "held": "", below_col: "–", above_col: "–", ratio_col: "–", "reading": "",
               "exponent on commits (bytes separated)": select.fmt_b(fc), "largest size (time)": "–"}
        timed = _timed_or_censored(_cell_rows(d, c))
        if cell_rows.empty and not bad.empty and (bad["status"] != "timeout").all():
            # Fails at every size (e.g. DDX's pull): no time to judge at any size.
            counts = ", ".join(f"{n} {st}" for st, n in bad["status"].value_counts().items())
            first = str(bad["error"].dropna().iloc[0])[:80] if "error" in bad and bad["error"].notna().any() else ""
            broken.append(c.get("strategy"))
            broken_text.append(f"{label} ({counts} at every size{': ' + first if first else ''})")
            ev.append({**row, "reading": "fails at every size"})
            continue
        seg_rows, held = _segment_rows(timed)
        row["held"] = held
        if not timed.empty:
            top = timed[timed["bytes"] == timed["bytes"].max()]
            med, lo, hi = median(top["wall_s"].where(~top["censored"], np.inf))
            row["largest size (time)"] = (f"{fmt.nbytes(top['bytes'].iloc[0])}: "
                                          + (f"timed out (median above {fmt.seconds(top['wall_s'].max())})"
                                             if np.isinf(med) else fmt.interval("wall_s", med, lo, hi)))
        seg = _segments(seg_rows, thr)
        censored = bool(seg_rows["censored"].any()) if not seg_rows.empty else False
        if not timed.empty and timed["censored"].all():
            dec, reading = INCONCLUSIVE, "times out at every size: no change past the threshold can be seen"
        elif seg["status"] != "ok":
            dec = INCONCLUSIVE
            reading = (f"no size above {fmt.nbytes(thr)} measured" if seg.get("n_above", 0) == 0 and seg.get("n_below", 0)
                       else f"{seg['status']}: {seg['note']}")
            if not bad.empty and (bad["bytes"] > thr).any() and not (seg_rows["bytes"] > thr).any():
                reading = f"no valid trial above {fmt.nbytes(thr)} ({len(bad[bad['bytes'] > thr])} failed)"
        else:
            runs_r = []
            for g in per_run.values():
                s2 = _segments(_segment_rows(_timed_or_censored(_cell_rows(g, c)))[0], thr, n_boot=0)
                runs_r.append(s2.get("ratio", np.nan) if s2["status"] == "ok" else np.nan)
            fig = spread.Figure(f"{label}: {ratio_col}", seg["ratio"], seg["ratio_lo"], seg["ratio_hi"], cut,
                                fmt.ratio(seg["ratio"], seg["ratio_lo"], seg["ratio_hi"]), runs_r, unit="×")
            row[below_col] = _per_gb(seg["k_below"], seg["k_below_lo"], seg["k_below_hi"])
            row[above_col] = _per_gb(seg["k_above"], seg["k_above_lo"], seg["k_above_hi"]) + (
                " (at least: timeouts)" if censored else "")
            row[ratio_col] = fig.text + (f"; runs {fig.spread[0]:.2f}–{fig.spread[1]:.2f}" if fig.spread else "")
            side = fig.side()
            flat = all(np.isfinite(seg[k]) and seg[k] <= 0 for k in ("k_below_lo", "k_above_lo"))
            if np.isfinite(seg["k_below_hi"]) and seg["k_below_hi"] < 0:
                # No operation gets cheaper with more bytes: the sizes below were measured unevenly.
                dec, reading = INCONCLUSIVE, (f"time falls with bytes up to {fmt.nbytes(thr)}: a measurement "
                                              "artefact (contention between the sizes' jobs?)")
            elif side == "above":
                dec, reading = SUPPORTED, f"slows: cost per byte above {fmt.nbytes(thr)} more than {cut:g}×"
            elif censored:
                dec, reading = INCONCLUSIVE, "timeouts above the threshold give a lower bound only"
            elif side == "below":
                dec, reading = REFUTED, f"does not slow: cost per byte above {fmt.nbytes(thr)} under {cut:g}×"
            elif flat:
                dec, reading = REFUTED, "time grows measurably with bytes on neither side"
            elif side == "straddles":
                dec, reading = BORDERLINE, f"borderline: the ratio straddles {cut:g}"
            else:
                dec, reading = INCONCLUSIVE, "no interval (one trial per size)"
            fig.deciding = dec in (SUPPORTED, REFUTED, BORDERLINE)
            figures.append(fig)
        decisions[label] = dec
        reasons[label] = reading
        ev.append({**row, "reading": reading})
    ev = pd.DataFrame(ev)
    # A broken operation is covered when its stand-in (config h3.stand_ins) was timed.
    uncovered = [b for b in broken if stand_ins.get(b) not in ops or stand_ins.get(b) in broken]
    not_judged = (f"; not judged: {', '.join(broken_text)}"
                  + "".join(f"; {b} timed by its stand-in {stand_ins[b]}" for b in broken if b not in uncovered)
                  if broken else "")
    on = f"Judged on {who}. "
    recs = ev.to_dict("records")
    rows_used = d[d["strategy"].isin(ops)]

    def done(verdict, why):
        return _finish(Verdict("H3", 2, q, rule, verdict, on + why + not_judged, ev, figures), rows_used, cfg)

    sup = [r for r in recs if r["reading"].startswith("slows")]
    if sup:
        return done(SUPPORTED, few(f"{r['operation']}: {r[ratio_col]} ({r[below_col]} up to, {r[above_col]} "
                                   f"above {fmt.nbytes(thr)})" for r in sup))
    if BORDERLINE in decisions.values():
        return done(BORDERLINE, few(f"{r['operation']}: {r[ratio_col]}" for r in recs
                                    if r["reading"].startswith("borderline")))
    judged = list(decisions.values())
    if judged and all(x == REFUTED for x in judged) and not uncovered:
        return done(REFUTED, f"no judged operation's cost per byte rises more than {cut:g}× past {fmt.nbytes(thr)}: "
                    + few(f"{r['operation']}: {r[ratio_col] if r[ratio_col] != '–' else r['reading']}"
                          for r in recs if r["reading"] != "fails at every size"))
    why = "; ".join(x for x in (
        few(f"{k}: {r}" for k, r in reasons.items() if decisions.get(k) == INCONCLUSIVE),
        f"fails at every size with no stand-in timed: {', '.join(uncovered)}" if uncovered else "") if x)
    return done(INCONCLUSIVE, why or "no operation could be judged")


# --- H4 ---------------------------------------------------------------------------------------
def cache_ratios(df, sel) -> pd.DataFrame:
    """Cached / fastest uncached median time per size, depth and cache state, with intervals."""
    d = tidy.valid(select.rows(df, sel["experiment"]))
    cached, uncached = select.present(d, sel["cached"]), select.present(d, sel["uncached"])
    out = []
    if not cached or not uncached:
        return pd.DataFrame(out)
    keys = [k for k in tidy.cell_keys(d) if k not in ("strategy", "experiment")] + ["size"]
    strategy, wall = d["strategy"].to_numpy(object), d["wall_s"].to_numpy(dtype=float, na_value=np.nan)
    files, nbytes = d["files"].to_numpy(), d["bytes"].to_numpy()
    for key, pos in tidy.groups(d, keys):
        base = dict(zip(keys, key))
        by = {s: wall[pos[strategy[pos] == s]] for s in {*cached, *uncached}}
        meds = {s: _median(by[s]) for s in uncached}
        meds = {s: m for s, m in meds.items() if np.isfinite(m)}
        if not meds:
            continue
        ref = min(meds, key=meds.get)
        for c in cached:
            if not by[c].size:
                continue
            r, lo, hi = stats.ratio_ci(by[c], by[ref])
            out.append({**base, "files": files[pos[0]], "bytes": nbytes[pos[0]], "cached": c, "uncached": ref,
                        "ratio": r, "lo": lo, "hi": hi})
    return pd.DataFrame(out)


def _median(x: np.ndarray) -> float:
    """The median of the values present (nan when none), as Series.median() gives it."""
    x = x[~np.isnan(x)]
    return float(np.median(x)) if x.size else np.nan


def h4(df, fits, cfg) -> Verdict:
    sel = cfg["h4"]
    cut = sel["cut"]
    rule = (f"A question of size (a cut in time), not of shape. Ratio of median discovery time, cached strategy "
            f"({', '.join(sel['cached'])}) over the fastest uncached one ({', '.join(sel['uncached'])}), with the "
            f"quotient of the two medians' intervals, at the largest size, per depth ({', '.join(sel['depths'])}) and cache state. A "
            f"cell supports when some cache's whole interval lies below {1 - cut:g} (a cut of more than {cut:.0%}), "
            f"refutes when every cache's interval lies above {1 - cut:g}, and is borderline when the best cache's "
            f"interval, or its ratios in the separate runs, straddle {1 - cut:g}. Supported when every cell "
            f"supports; refuted when every cell refutes; borderline when the cells that do not are borderline; else "
            f"inconclusive.")
    q = f"File-metadata caching cuts discovery time by more than {cut:.0%}."
    r = cache_ratios(df, sel)
    if r.empty:
        return Verdict("H4", 1, q, rule, INCONCLUSIVE, "no data: cached and uncached strategies were not "
                       "both measured", pd.DataFrame())
    r = r[r["depth"].isin(sel["depths"])] if "depth" in r else r
    if r.empty:
        return Verdict("H4", 1, q, rule, INCONCLUSIVE, "no data at the judged depths", pd.DataFrame())
    top = tidy.largest(r)
    size = top["size"].iloc[0]
    per_run = {run: cache_ratios(g, sel) for run, g in spread.runs(df).items()}
    decisions, figures, texts = [], [], []
    cell_keys = [k for k in r.columns if k not in ("size", "files", "bytes", "cached", "uncached", "ratio", "lo", "hi")]
    for key, g in top.groupby(cell_keys, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        name = " / ".join(str(k) for k in key)
        figs = []
        for x in g.to_dict("records"):
            runs = []
            for rr in per_run.values():
                m = rr[(rr["size"] == size) & (rr["cached"] == x["cached"])] if not rr.empty else rr
                for k, val in zip(cell_keys, key):
                    m = m[m[k] == val] if not m.empty and k in m else m
                runs.append(float(m["ratio"].iloc[0]) if not m.empty else np.nan)
            figs.append(spread.Figure(f"{name}: {x['cached']} / {x['uncached']}", x["ratio"], x["lo"], x["hi"],
                                      1 - cut, fmt.ratio(x["ratio"], x["lo"], x["hi"]), runs, unit="×"))
        sides = [f.side() for f in figs]
        best = min(figs, key=lambda f: f.value)
        if "below" in sides:
            dec = SUPPORTED
        elif all(sd == "above" for sd in sides):
            dec = REFUTED
        elif "straddles" in sides:
            dec = BORDERLINE
        else:
            dec = INCONCLUSIVE
        for f, sd in zip(figs, sides):
            f.deciding = (dec == BORDERLINE and sd == "straddles") or (dec == SUPPORTED and sd == "below") \
                or dec == REFUTED
        figures.extend(figs)
        decisions.append(dec)
        texts.append(f"{best.name} {best.text}" + (f" (runs {best.spread[0]:.2f}–{best.spread[1]:.2f})"
                                                   if best.spread else ""))
    figs_text = f"at {size}: " + few(texts, 4)
    if decisions and all(x == SUPPORTED for x in decisions):
        verdict = SUPPORTED
    elif decisions and all(x == REFUTED for x in decisions):
        verdict = REFUTED
    elif BORDERLINE in decisions and (set(decisions) <= {SUPPORTED, BORDERLINE} or set(decisions) <= {REFUTED, BORDERLINE}):
        verdict = BORDERLINE
    else:
        verdict = INCONCLUSIVE
        figs_text = ("mixed or too wide — " if decisions else "") + figs_text
    ev = r.assign(**{"cached / uncached": [fmt.ratio(a, b, c) for a, b, c in zip(r["ratio"], r["lo"], r["hi"])]})
    rows = select.rows(df, sel["experiment"], list(sel["cached"]) + list(sel["uncached"]), {"depth": sel["depths"]})
    rows = rows[rows["size"] == size] if not rows.empty else rows
    return _finish(Verdict("H4", 1, q, rule, verdict, figs_text, ev.drop(columns=["ratio", "lo", "hi"]), figures),
                   rows, cfg)


# --- H5 ---------------------------------------------------------------------------------------
def h5(df, fits, cfg) -> Verdict:
    sel = cfg["h5"]
    limit, thr = sel["limit_s"], sel["count_threshold"]
    q = f"Workflow search degrades past {thr:,} workflows without indexing."
    rule = (f"A question of a limit past a size, not of shape: \"degrades\" is read against ADR-006's search "
            f"target ({limit * 1e3:g} ms), with an index as the alternative. Median search time of the scan "
            f"strategies ({', '.join(sel['scan'])}) and the index strategies ({', '.join(sel['index'])}) per "
            f"catalogue size, with the order-statistics interval. Supported when at some size of {thr:,} "
            f"workflows or more a scan exceeds {limit * 1e3:g} ms with confidence while an index stays below it; "
            f"refuted when at the largest size measured (at least {thr:,}) every scan stays below "
            f"{limit * 1e3:g} ms with confidence; borderline when a median's interval, or the runs' own medians, "
            f"straddle {limit * 1e3:g} ms where that would decide; else inconclusive. The scan/index ratio and "
            f"the count at which the scan's fit crosses {limit * 1e3:g} ms are shown (a predicted break, read "
            f"from the shape).")
    d = tidy.valid(select.rows(df, sel["experiment"], where=sel.get("where")))
    scans, idx = select.present(d, sel["scan"]), select.present(d, sel["index"])
    if not scans or sel["metric"] not in d or d[sel["metric"]].isna().all():
        return Verdict("H5", 3, q, rule, INCONCLUSIVE, "no data: the workflow catalogue experiment has no "
                       "scan-strategy rows", pd.DataFrame())
    axis = next((a for a in sel["count_axes"] if a in d and d[a].notna().any()), None)
    metric = sel["metric"]
    per_run = spread.runs(d)
    ev, supported, borderline, figures = [], [], [], []
    largest = d[axis].max()
    top_sides = {}
    for count, g in d.groupby(axis):
        row = {"workflows": fmt.count(count)}
        figs = {}
        for s in scans + idx:
            med, lo, hi = median(g.loc[g["strategy"] == s, metric])
            runs = [median(rg.loc[(rg[axis] == count) & (rg["strategy"] == s), metric])[0] for rg in per_run.values()]
            figs[s] = spread.Figure(f"{s} at {fmt.count(count)} workflows", med, lo, hi, limit,
                                    fmt.interval(metric, med, lo, hi), runs, deciding=False, unit="s")
            row[s] = figs[s].text + (f"; runs {fmt.seconds(figs[s].spread[0])}–{fmt.seconds(figs[s].spread[1])}"
                                     if figs[s].spread else "")
        fin = {k: f for k, f in figs.items() if np.isfinite(f.value)}
        sc = min((k for k in scans if k in fin), key=lambda k: fin[k].value, default=None)
        ix = min((k for k in idx if k in fin), key=lambda k: fin[k].value, default=None)
        if sc and ix:
            r = stats.ratio_ci(g.loc[g["strategy"] == sc, metric], g.loc[g["strategy"] == ix, metric])
            row["fastest scan / fastest index"] = f"{sc} / {ix}: {fmt.ratio(*r)}"
        if count >= thr:
            side = {k: f.side() for k, f in fin.items()}
            slow = [s for s in scans if side.get(s) == "above"]
            quick = [s for s in idx if side.get(s) == "below"]
            near_s = [s for s in scans if side.get(s) == "straddles"]
            near_i = [s for s in idx if side.get(s) == "straddles"]
            if slow and quick:
                supported.append(f"{fmt.count(count)} workflows: {slow[0]} {row[slow[0]]} vs {quick[0]} {row[quick[0]]}")
                figs[slow[0]].deciding = figs[quick[0]].deciding = True
            elif (slow or near_s) and (quick or near_i):
                for s in near_s + near_i:
                    figs[s].deciding = True
                borderline.extend(figs[s] for s in near_s + near_i)
            if count == largest:
                top_sides = {s: side.get(s, "no data") for s in scans}
                if all(x in ("below", "straddles") for x in top_sides.values()):
                    for s in scans:
                        figs[s].deciding = True
                    borderline.extend(figs[s] for s in scans if top_sides[s] == "straddles")
            figures.extend(figs.values())
        ev.append(row)
    crossings = []
    for s in scans:
        cell = {"experiment": sel["experiment"], "strategy": s}
        cell.update({k: v for k, v in (sel.get("where") or {}).items() if isinstance(v, str)})
        f = select.fit_for(fits, cell, metric, axis)
        if f and f.get("status") == "ok":
            n, lo, hi = fitlib.break_size(f, limit)
            crossings.append(f"{s} crosses {limit * 1e3:g} ms at ≈{fmt.count(n)} workflows "
                             f"[{fmt.count(lo)}, {fmt.count(hi)}] ({select.fmt_b(f)})")
    ev = pd.DataFrame(ev)
    extra = ("; " + "; ".join(crossings)) if crossings else ""
    rows = select.rows(df, sel["experiment"], scans + idx, sel.get("where"))
    rows = rows[rows[axis] >= thr] if axis in rows else rows

    def done(verdict, why):
        return _finish(Verdict("H5", 3, q, rule, verdict, why + extra, ev, figures), rows, cfg)

    seen_big = largest >= thr
    if supported:
        return done(SUPPORTED, few(supported, 2))
    if seen_big and top_sides and all(x == "below" for x in top_sides.values()):
        return done(REFUTED, f"every scan stays below {limit * 1e3:g} ms at {fmt.count(largest)} workflows")
    if borderline:
        return done(BORDERLINE, few(f"{f.name} {f.text}" for f in borderline))
    why = (f"no catalogue of {thr:,}+ workflows measured (largest {fmt.count(largest)})"
           if not seen_big else "intervals too wide or no index strategy below the target")
    return done(INCONCLUSIVE, why)


JUDGES = (h1, h2, h3, h4, h5)


def judge_all(df: pd.DataFrame, fits: pd.DataFrame, cfg: dict) -> list[Verdict]:
    return [j(df, fits, cfg) for j in JUDGES]
