"""What a verdict's figures rest on besides their own trials: between-run spread and contention.

A Figure is one number a rule compares with its threshold (an exponent, a ratio, a median), with
its interval and, when the table holds more than one run of the host (run_id: a second run, or
import_measurements), the figure computed from each run alone. A rule reads its position from
the hull of the interval and the runs' figures, so a figure that one run puts on one side of the
threshold and another run on the other side is borderline, as asv treats repeated runs: each
run's interval measures only the noise within that run.

Contention: every job calibrates before and after its trials (engine/calibrate.py); a cell whose
median slowdown exceeds the config's cut (report.contention.slowdown_cut) was measured while the
machine ran measurably slower, and every verdict names the cells of that kind it rests on.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ddxspike.stats.contention import slowdown as table_slowdown
from ddxspike.report import fmt as fmtlib
from ddxspike.report import tidy

NO_RUN = "(no run id)"  # rows written before run_id existed: one earlier run


@dataclass
class Figure:
    """name: what it is; value [lo, hi]: the figure and its 95% interval (nan: none);
    threshold: the cut, or the (low, high) band, the rule compares it with; text: the figure as
    printed; runs: the figure of each run alone (empty with one run); deciding: the verdict
    turns on it."""

    name: str
    value: float
    lo: float
    hi: float
    threshold: float | tuple
    text: str = ""
    runs: list = field(default_factory=list)
    deciding: bool = True
    unit: str = ""  # "s": seconds, "×": a ratio, "": a plain number (an exponent)

    @property
    def spread(self) -> tuple[float, float] | None:
        """(lowest, highest) figure of the single runs, when there are at least two."""
        pts = [r for r in self.runs if r is not None and not np.isnan(r)]
        return (min(pts), max(pts)) if len(pts) >= 2 else None

    @property
    def span(self) -> tuple[float, float]:
        """The hull of the interval and the runs' figures: what the rule classifies."""
        lo, hi = self.lo, self.hi
        if self.spread:
            lo = min(lo, self.spread[0]) if not np.isnan(lo) else np.nan
            hi = max(hi, self.spread[1]) if not np.isnan(hi) else np.nan
        return lo, hi

    def side(self) -> str:
        """above | below (the whole span past a single threshold) | straddles | no interval; for a
        band: inside | below | above | straddles | no interval."""
        lo, hi = self.span
        if np.isnan(lo) or np.isnan(hi):
            return "no interval"
        band = self.threshold if isinstance(self.threshold, tuple) else (self.threshold, self.threshold)
        if hi < band[0]:
            return "below"
        if lo > band[1]:
            return "above"
        if isinstance(self.threshold, tuple) and band[0] <= lo and hi <= band[1]:
            return "inside"
        return "straddles"

    def fmt(self, v) -> str:
        return fmtlib.seconds(v) if self.unit == "s" else f"{v:.2f}×" if self.unit == "×" else f"{v:.3g}"

    def describe(self) -> str:
        """'<name> <figure [interval]>; between 2 runs a–b (threshold t)'."""
        t = (f"[{self.fmt(self.threshold[0])}, {self.fmt(self.threshold[1])}]"
             if isinstance(self.threshold, tuple) else self.fmt(self.threshold))
        runs = (f"; between {len(self.runs)} runs {self.fmt(self.spread[0])}–{self.fmt(self.spread[1])}"
                if self.spread else "")
        return f"{self.name} {self.text or self.fmt(self.value)}{runs} (threshold {t})"


def run_key(df: pd.DataFrame) -> pd.Series:
    if "run_id" not in df:
        return pd.Series(NO_RUN, index=df.index)
    return df["run_id"].astype(object).where(df["run_id"].notna(), NO_RUN)


def runs(df: pd.DataFrame) -> dict:
    """run -> its rows, when df holds at least two runs; else {} (no spread to compute)."""
    if df.empty:
        return {}
    key = run_key(df)
    if key.nunique() < 2:
        return {}
    return {r: g for r, g in df.groupby(key, sort=True)}


def run_fits(df: pd.DataFrame, metrics) -> dict:
    """run -> fits of that run's rows alone, point estimates only (the exponents are read, never
    their intervals), when df holds at least two runs. host_id is dropped: the caller passes one
    host's rows."""
    from ddxspike.report import fits as fitlib

    return {r: fitlib.fit_table(g.drop(columns=["host_id"], errors="ignore"), n_boot=0,
                                metrics=list(metrics))
            for r, g in runs(df).items()}


def slowdown(df: pd.DataFrame) -> pd.Series:
    """The table's slowdown column where set (aggregate), else computed from the calibrations."""
    if df.empty:
        return pd.Series(np.nan, index=df.index, dtype="float64")
    computed = table_slowdown(df)
    if "slowdown" in df:
        return df["slowdown"].astype("float64").where(df["slowdown"].notna(), computed)
    return computed


def cells(df: pd.DataFrame, cut: float) -> pd.DataFrame:
    """One row per cell and size: median slowdown and whether it exceeds cut (`contended`)."""
    keys = [k for k in tidy.cell_keys(df) if k in df] + ["size"]
    if df.empty:
        return pd.DataFrame(columns=[*keys, "slowdown", "contended"])
    s = slowdown(df)
    out = (df.assign(_s=s).groupby(keys, dropna=False, sort=True)["_s"].median()
           .rename("slowdown").reset_index())
    out["contended"] = out["slowdown"] > cut
    return out


def contention(rows: pd.DataFrame, cut: float) -> tuple[bool, str]:
    """(rests on contended cells, what to say): the cells of `rows` measured while the machine ran
    more than cut times slower than its quiet speed."""
    c = cells(rows, cut)
    if c.empty:
        return False, ""
    if c["slowdown"].isna().all():
        return False, "no calibration recorded (rows from a version without it): contention unknown"
    bad = c[c["contended"]]
    if bad.empty:
        return False, (f"no cell measured while the machine ran more than {cut:g}× slower than its quiet speed "
                       f"(largest median slowdown {c['slowdown'].max():.2f}×)")
    names = [f"{tidy.label(r, [k for k in c.columns if k not in ('size', 'slowdown', 'contended')])} at "
             f"{r['size']} ({r['slowdown']:.2f}×)" for r in bad.sort_values("slowdown", ascending=False)
             .to_dict("records")]
    more = f" … and {len(names) - 3} more" if len(names) > 3 else ""
    return True, (f"rests on {len(bad)} of {len(c)} cells measured while the machine ran more than {cut:g}× "
                  f"slower than its quiet speed: " + "; ".join(names[:3]) + more)
