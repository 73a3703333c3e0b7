"""Contention measured, not guessed: the calibration, the per-host slowdown, the cells flagged as
measured on a busy machine, and between-run spread turning a decisive figure borderline."""

import numpy as np
import pandas as pd
import yaml

from conftest import ROOT
from ddxspike import table
from ddxspike.engine import calibrate
from ddxspike.stats import contention
from ddxspike.report import fits, spread, verdicts

RC = yaml.safe_load((ROOT / "config.yaml").read_text())["report"]


def test_calibration_is_short_positive_and_stamped_on_every_row():
    t = calibrate.measure()
    assert 0 < t < 5  # no timing assert beyond sanity: the machine is shared
    rows = calibrate.stamp([{"a": 1}, {"a": 2}], before=0.05)
    assert all(r["calib_before_s"] == 0.05 and r["calib_after_s"] > 0 for r in rows)
    assert {"calib_before_s", "calib_after_s", "slowdown", "run_id"} <= set(table.COLUMNS)


def test_slowdown_is_relative_to_the_best_calibration_of_the_same_host():
    df = pd.DataFrame({"host_id": ["a", "a", "a", "b"], "calib_before_s": [0.05, 0.10, 0.05, 0.20],
                       "calib_after_s": [0.05, 0.10, 0.15, 0.20], "wall_s": [1.0, 2.0, 2.0, 4.0]})
    assert list(contention.slowdown(df)) == [1.0, 2.0, 2.0, 1.0]
    assert list(contention.corrected(df)["wall_s"]) == [1.0, 1.0, 1.0, 4.0]
    old = df.drop(columns=["calib_before_s", "calib_after_s"])  # a table from before calibration
    assert contention.slowdown(old).isna().all() and list(contention.corrected(old)["wall_s"]) == list(old["wall_s"])


def test_the_rows_a_verdict_rests_on_say_whether_the_machine_ran_slower():
    rng = np.random.default_rng(0)
    rows = []
    for size, files in (("s1", 100), ("s2", 1_000), ("s3", 10_000), ("s4", 20_000)):
        for t in range(4):
            rows.append(dict(experiment="discovery", size=size, strategy="walk", depth="stat", cache_state="warm",
                             files=files, bytes=files * 1000, commits=10, mode="time", trial=t, status="ok",
                             host_id="h", run_id="r1", wall_s=1e-5 * files * np.exp(rng.normal(0, 0.02)),
                             calib_before_s=0.05, calib_after_s=0.05 if size != "s4" else 0.09))
    df = pd.DataFrame(rows)
    v = verdicts.h1(df, fits.fit_table(df, n_boot=100), RC)
    assert v.contended and "walk / stat / warm at s4 (1.40×)" in v.contention, v.contention
    assert "1 of 4 cells" in v.contention
    quiet = df.assign(calib_after_s=0.05)
    v = verdicts.h1(quiet, fits.fit_table(quiet, n_boot=100), RC)
    assert not v.contended and v.contention.startswith("no cell measured while")
    flags = spread.cells(df, 1.25)
    assert list(flags.loc[flags["contended"], "size"]) == ["s4"]


def test_a_figure_is_borderline_when_the_runs_straddle_the_threshold_even_if_its_interval_does_not():
    f = spread.Figure("ratio", 1.7, 1.6, 1.8, 1.5, runs=[])
    assert f.side() == "above" and f.spread is None
    f.runs = [1.3, 1.9]
    assert f.side() == "straddles" and f.span == (1.3, 1.9)
    assert "between 2 runs 1.3–1.9 (threshold 1.5)" in f.describe()
    band = spread.Figure("b", 1.0, 0.95, 1.05, (0.85, 1.15))
    assert band.side() == "inside"
    band.runs = [0.9, 1.2]
    assert band.side() == "straddles"


def test_h4_borderline_when_the_best_cache_straddles_the_cut():
    rng = np.random.default_rng(5)
    rows = []
    for strategy, k in (("walk", 1e-4), ("memory-cache", 0.5e-4)):  # exactly half the time: at the cut
        for size, files in (("s1", 1_000), ("s2", 10_000)):
            for t in range(7):
                rows.append(dict(experiment="discovery", size=size, strategy=strategy, depth="stat",
                                 cache_state="warm", files=files, bytes=files * 1000, commits=10, mode="time",
                                 trial=t, status="ok", wall_s=k * files * np.exp(rng.normal(0, 0.05))))
    df = pd.DataFrame(rows)
    v = verdicts.h4(df, pd.DataFrame(), RC)
    assert v.verdict == verdicts.BORDERLINE, v.deciding
    assert "straddling: stat / warm: memory-cache / walk 0." in v.deciding and "(threshold 0.50×)" in v.deciding


def test_an_earlier_run_of_the_same_host_is_kept_as_another_run(tmp_path):
    import pyarrow.parquet as pq

    from ddxspike import imports

    def rows(run, walls):
        return [{"experiment": "discovery", "size": "small", "strategy": "walk", "mode": "time", "trial": i,
                 "status": "ok", "wall_s": w, "host_id": "aaaa", "run_id": run} for i, w in enumerate(walls)]

    current = table.to_table(rows("run-2", [1.0, 1.1]))
    earlier = tmp_path / "measurements.parquet"
    pq.write_table(table.to_table(rows("run-1", [2.0, 2.1]) + rows("run-2", [9.0])), earlier)
    merged, _ = imports.merge(current, {"aaaa": {"host_id": "aaaa"}}, [str(earlier)], log=lambda m: None)
    df = merged.to_pandas()
    assert sorted(df["wall_s"]) == [1.0, 1.1, 2.0, 2.1]  # run-2's own copy re-imported: dropped
    assert sorted(spread.runs(df)) == ["run-1", "run-2"]
