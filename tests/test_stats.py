"""Per-cell statistics and baseline comparison, on constructed and simulated data."""

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import ROOT
from ddxspike.stats import compare, html, summary


def test_tukey_outliers_on_constructed_data():
    base = np.linspace(10, 11, 40)  # quartiles ~10.24 and ~10.78 once the outliers are in
    d = summary.describe(base)
    assert (d["outliers_mild"], d["outliers_severe"]) == (0, 0)
    # 12.0 lies between the 1.5 and 3 IQR fences (mild); 15 and 5 beyond 3 IQR (severe).
    d = summary.describe(np.r_[base, 12.0, 15.0, 5.0])
    assert d["outliers_mild"] == 1 and d["outliers_severe"] == 2
    assert d["max"] == 15.0 and d["min"] == 5.0  # flagged, not dropped


def test_describe_on_known_values():
    d = summary.describe([1, 2, 3, 4, 5, 6, 7, 8, 9, 100])
    assert d["median"] == 5.5 and d["mad"] == 2.5
    assert d["q1"] == 3.25 and d["q3"] == 7.75 and d["iqr"] == 4.5
    assert d["p95"] == pytest.approx(59.05)
    assert d["noisy"] and d["outliers_severe"] == 1
    quiet = summary.describe([1.00, 1.01, 0.99, 1.02, 0.98])
    assert not quiet["noisy"] and quiet["cv"] < 0.1
    empty = summary.describe([])
    assert empty["n"] == 0 and math.isnan(empty["median"]) and not empty["noisy"]


@pytest.mark.parametrize("n", [7, 15, 31])
def test_median_interval_covers_the_true_median_at_the_nominal_rate(n):
    rng = np.random.default_rng(n)
    true_median = 1.0  # lognormal(0, 0.5): skewed like timings, median exp(0) = 1
    samples = rng.lognormal(0.0, 0.5, size=(3000, n))
    hits = 0
    for x in samples:
        lo, hi, level = summary.median_interval(x)
        hits += lo <= true_median <= hi
    coverage = hits / len(samples)
    # The stated exact coverage is what is observed (within simulation error) and >= 95%.
    assert level >= 0.95
    assert abs(coverage - level) < 0.015, (coverage, level)


def test_median_interval_small_samples_say_their_coverage():
    lo, hi, level = summary.median_interval([3.0, 1.0, 2.0])
    assert (lo, hi) == (1.0, 3.0) and level == pytest.approx(0.75)


def test_interval_ranks_agree_with_the_binomial_distribution():
    from scipy import stats as sps

    for n in range(2, 40):
        lo, level = summary.interval_ranks(n)
        assert level == pytest.approx(sps.binom.cdf(n - lo, n, 0.5) - sps.binom.cdf(lo - 1, n, 0.5))
        assert level >= 0.95 or lo == 1  # below 95% only as [min, max], when nothing reaches it
        if lo + 1 <= n + 1 - (lo + 1):  # the next narrower interval would miss 95%
            assert sps.binom.cdf(n - lo - 1, n, 0.5) - sps.binom.cdf(lo, n, 0.5) < 0.95


def test_describe_groups_matches_numpy_group_by_group():
    rng = np.random.default_rng(3)
    sizes = [1, 2, 3, 4, 5, 8, 13, 40]
    groups = np.repeat(np.arange(len(sizes)), sizes)
    values = rng.lognormal(0.0, 0.7, groups.size)
    values[3] = np.nan  # a missing value is no value
    table = summary.describe_groups(values, groups)
    for g, row in table.iterrows():
        x = values[(groups == g) & ~np.isnan(values)]
        q1, med, q3, p95 = np.percentile(x, [25, 50, 75, 95])
        assert row["n"] == x.size and row["median"] == pytest.approx(med, rel=1e-12)
        assert (row["q1"], row["q3"], row["p95"]) == pytest.approx((q1, q3, p95), rel=1e-12)
        assert row["mad"] == pytest.approx(np.median(np.abs(x - med)), rel=1e-12)
        assert row["sd"] == pytest.approx(x.std(ddof=1) if x.size > 1 else 0.0, rel=1e-9)
        lo, hi, level = summary.median_interval(x)
        assert (row["ci_low"], row["ci_high"], row["ci_level"]) == pytest.approx((lo, hi, level), nan_ok=True)


def _rows(strategy, values, mode="time", status="ok", **dims):
    metric = "wall_s" if mode == "time" else "py_heap_peak_bytes"
    return [{"experiment": "discovery", "size": "small", "strategy": strategy, "depth": None,
             "cache_state": "warm", "files": 100, "bytes": 1000, "commits": 2, "mode": mode,
             "trial": i, "status": status, "error": None if status == "ok" else f"{status} text",
             metric: v, "peak_rss_bytes": 10_000_000, "load_1m": 0.5, "host_id": "h1", **dims}
            for i, v in enumerate(values)]


def measurements():
    rows = (_rows("walk", [1.0, 1.1, 0.9, 1.0, 5.0]) + _rows("walk", [None], status="error")
            + _rows("walk", [None], status="timeout") + _rows("walk", [2e6], mode="heap")
            + _rows("broken", [None, None], status="mismatch")
            + _rows("walk", [3.0, 3.1, 2.9], cache_state="cold", residency_before=0.001,
                    caches_dropped="file-pages"))
    return pd.DataFrame(rows)


def test_summarise_groups_by_every_dimension_and_mode_and_counts_failures():
    s = summary.summarise(measurements())
    wall = s[s["metric"] == "wall_s"].set_index(["strategy", "cache_state"])
    warm = wall.loc[("walk", "warm")]
    assert warm["trials"] == 7 and warm["valid"] == 5  # only ok timed trials are values
    assert (warm["n_error"], warm["n_timeout"], warm["n_mismatch"]) == (1, 1, 0)
    assert warm["median"] == 1.0 and warm["outliers_severe"] == 1 and warm["noisy"]
    assert warm["first_error"] in ("error text", "timeout text")
    cold = wall.loc[("walk", "cold")]
    assert cold["valid"] == 3 and cold["median"] == 3.0
    assert cold["residency_before_max"] == 0.001 and cold["caches_dropped"] == "file-pages"
    assert cold["cold_verified"] is True and warm["cold_verified"] is None
    broken = wall.loc[("broken", "warm")]  # a cell that only failed still has its row
    assert broken["valid"] == 0 and broken["n_mismatch"] == 2 and math.isnan(broken["median"])
    heap = s[(s["mode"] == "heap") & (s["metric"] == "py_heap_peak_bytes")]
    assert len(heap) == 1 and heap["median"].iloc[0] == 2e6
    assert list(s.columns[:9]) == ["experiment", "size", "strategy", "depth", "cache_state",
                                   "files", "bytes", "commits", "mode"]
    lukewarm = measurements()
    lukewarm.loc[lukewarm["cache_state"] == "cold", "residency_before"] = 0.4
    s2 = summary.summarise(lukewarm)
    assert not s2[(s2["cache_state"] == "cold") & (s2["metric"] == "wall_s")]["cold_verified"].iloc[0]
    assert "NOT COLD: residency before up to 40%" in html.summary_page(s2, summary.cell_keys(lukewarm))
    page = html.summary_page(s, summary.cell_keys(measurements()))
    assert page.count("<tr class=") == len(s[s["metric"].isin(html.SHOWN)])
    assert "noisy" in page and ("timeout text" in page or "error text" in page)


def test_comparison_verdicts():
    rng = np.random.default_rng(1)
    base = rng.normal(1.0, 0.03, 15)
    assert compare.compare_cell(rng.normal(1.0, 0.03, 15), base)["verdict"] == "same"
    slow = compare.compare_cell(rng.normal(1.5, 0.03, 15), base)
    assert slow["verdict"] == "slower" and slow["ratio_ci_low"] > 1.3 and slow["mannwhitney_p"] < 0.01
    assert compare.compare_cell(rng.normal(0.5, 0.03, 15), base)["verdict"] == "faster"
    # Significant but within the noise threshold: not called.
    assert compare.compare_cell(rng.normal(1.04, 0.005, 15), rng.normal(1.0, 0.005, 15))["verdict"] == "same"
    assert compare.compare_cell([1.0], base)["verdict"] == "insufficient"
    # Three trials a side: the quotient of two [min, max] intervals, each 75%: at least 56%, said so.
    few = compare.compare_cell([2.0, 2.1, 1.9], [1.0, 1.05, 0.95])
    assert few["ratio_ci_low"] == pytest.approx(1.9 / 1.05) and few["ratio_ci_high"] == pytest.approx(2.1 / 0.95)
    assert few["ratio_ci_level"] == pytest.approx(0.75 * 0.75)
    assert "(≥ 56%)" in html.comparison_page(pd.DataFrame([{"metric": "wall_s", "mode": "time", **few}]),
                                             ["mode"], "old.parquet")
    assert slow["ratio_ci_level"] >= 0.95 ** 2


def test_comparison_of_tables_and_the_host_check():
    base = pd.DataFrame(_rows("walk", [1.0, 1.02, 0.98, 1.01, 0.99]) + _rows("gone", [1, 1.1]))
    cur = pd.DataFrame(_rows("walk", [2.0, 2.04, 1.96, 2.02, 1.98]) + _rows("new", [1, 1.1]))
    c = compare.compare(cur, base).set_index(["strategy", "metric"])
    assert c.loc[("walk", "wall_s"), "verdict"] == "slower"
    assert c.loc[("walk", "wall_s"), "ratio"] == pytest.approx(2.0)
    assert c.loc[("walk", "peak_rss_bytes"), "verdict"] == "same"
    assert c.loc[("gone", "wall_s"), "verdict"] == "only-baseline"
    assert c.loc[("new", "wall_s"), "verdict"] == "only-current"
    other = cur.assign(host_id="h2")
    with pytest.raises(compare.CrossHostError, match=r"host\(s\) \['h1'\], this run on \['h2'\]"):
        compare.compare(other, base, baseline_path="old.parquet")
    allowed = compare.compare(other, base, allow_cross_host=True).set_index(["strategy", "metric"])
    assert allowed.loc[("walk", "wall_s"), "verdict"] == "slower"  # cells matched across hosts
    allowed = allowed.reset_index()
    assert "slower" in html.comparison_page(allowed, summary.cell_keys(cur), "old.parquet")


def test_summary_and_comparison_rules(pipeline):
    """The rules on a measurements table (no measuring): summary, comparison, host refusal."""
    results = pipeline.root / "results"
    results.mkdir()
    table_rows = measurements()
    for col in ("order", "trial"):
        table_rows[col] = table_rows[col].astype("int32") if col in table_rows else None
    table_rows.to_parquet(results / "measurements.parquet", index=False)
    pd.DataFrame({"host_id": table_rows["host_id"].unique(), "imported": False}).to_parquet(
        results / "hosts.parquet", index=False)  # the comparison takes this run's own hosts
    table_rows.assign(host_id="other").to_parquet(pipeline.root / "elsewhere.parquet", index=False)
    table_rows.to_parquet(pipeline.root / "same-host.parquet", index=False)
    # The repository's own config (nothing is generated or measured here): these two rules
    # must not depend on how the other experiments shrink themselves for tests.
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    only = ["--allowed-rules", "summarise", "compare_baseline"]

    cfg["baseline"] = "same-host.parquet"
    pipeline.write_config(cfg)
    pipeline.snakemake("results/summary.html", "results/comparison.html", *only)
    s = pd.read_parquet(results / "summary.parquet")
    assert set(s["metric"]) >= {"wall_s", "py_heap_peak_bytes"}
    assert "<table>" in (results / "summary.html").read_text()
    c = pd.read_parquet(results / "comparison.parquet")
    assert set(c.loc[c["metric"] == "wall_s", "verdict"]) <= {"same", "insufficient"}

    cfg["baseline"] = "elsewhere.parquet"
    pipeline.write_config(cfg)
    proc = pipeline.snakemake("results/comparison.html", "--forceall", *only, check=False)
    assert proc.returncode != 0
    log = (results / "logs" / "comparison.log").read_text() + proc.stderr
    assert "CrossHostError" in log and "['other']" in log and "allow_cross_host" in log
