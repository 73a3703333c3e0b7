"""Scaling fits recover known exponents and classes from constructed data, separate files from
bytes when the sizes allow it, and say "too few sizes" / "confounded" when they do not."""

import numpy as np
import pandas as pd
import pytest

from ddxspike.report import fits

SIZES = {  # files and bytes varied one at a time, as the default config's de-confounded points
    "s1": (100, 10_000_000), "s2": (1_000, 10_000_000), "s3": (1_000, 100_000_000),
    "s4": (10_000, 100_000_000), "s5": (10_000, 1_000_000_000),
}


def table(law, sizes=SIZES, trials=5, noise=0.05, seed=1, strategy="walk"):
    """Timed rows whose wall time follows law(files, bytes) with log-normal noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for size, (f, b) in sizes.items():
        for t in range(trials):
            rows.append(dict(experiment="discovery", size=size, strategy=strategy, depth="stat",
                             cache_state="warm", files=f, bytes=b, commits=10, mode="time", trial=t,
                             status="ok", wall_s=law(f, b) * np.exp(rng.normal(0, noise)),
                             peak_rss_bytes=int(2e7 + 400 * f), rss_before_bytes=int(2e7)))
    return pd.DataFrame(rows)


def pick(ft, metric, axis, model):
    r = ft[(ft.metric == metric) & (ft.axis == axis) & (ft.model == model)]
    assert len(r) == 1, r
    return r.iloc[0]


def test_joint_fit_separates_files_from_bytes():
    ft = fits.fit_table(table(lambda f, b: 1e-5 * f), n_boot=300)
    jf, jb = pick(ft, "wall_s", "files", "joint"), pick(ft, "wall_s", "bytes", "joint")
    assert jf.status == "ok" and jf.b_lo <= 1.0 <= jf.b_hi and jf.b_hi - jf.b_lo < 0.1
    assert jb.b_lo <= 0.0 <= jb.b_hi and abs(jb.b) < 0.05
    # The pooled fit against bytes alone is misled by files varying with it.
    assert pick(ft, "wall_s", "bytes", "pooled").b > 0.4


def test_interval_covers_the_true_exponent_at_about_the_nominal_rate():
    hits = 0
    for seed in range(40):
        ft = fits.fit_table(table(lambda f, b: 2e-6 * f**1.3, seed=seed, noise=0.2), n_boot=300,
                            metrics=["wall_s"])
        r = pick(ft, "wall_s", "files", "pooled")
        hits += r.b_lo <= 1.3 <= r.b_hi
    assert hits >= 32  # nominal 95% of 40 = 38; bootstrap percentile intervals run a little narrow



def test_t_interval_with_one_trial_per_size_covers_at_its_nominal_rate():
    hits = 0
    for seed in range(40):
        ft = fits.fit_table(table(lambda f, b: 2e-6 * f**1.3, trials=1, seed=seed, noise=0.2),
                            n_boot=300, metrics=["wall_s"])
        r = pick(ft, "wall_s", "files", "pooled")
        assert r.ci_method.startswith("t-interval")
        hits += r.b_lo <= 1.3 <= r.b_hi
    assert hits >= 34  # exact 95% for normal noise in logs: 38 of 40 expected


def test_point_estimates_only_give_the_same_exponents_and_no_interval():
    df = table(lambda f, b: 1e-5 * f)
    full, points = fits.fit_table(df, n_boot=200), fits.fit_table(df, n_boot=0)
    ok = full["status"] == "ok"
    assert ok.any() and (points["status"] == full["status"]).all()
    assert np.allclose(points.loc[ok, "b"], full.loc[ok, "b"], rtol=0, atol=1e-12)
    assert points.loc[ok, ["b_lo", "b_hi"]].isna().all().all()
    assert (points.loc[ok, "ci_method"] == "none (point estimates only)").all()

@pytest.mark.parametrize("law, expected", [
    (lambda f, b: 1e-6 * f, "O(n)"),
    (lambda f, b: 1e-9 * f * f, "O(n^2)"),
    (lambda f, b: 1e-6 * f * np.log2(f), "O(n log n)"),
    (lambda f, b: 0.01 + 0 * f, "O(1)"),
])
def test_complexity_class_like_google_benchmark(law, expected):
    sizes = {f"s{n}": (n, n * 1000) for n in (100, 300, 1_000, 3_000, 10_000, 30_000)}
    ft = fits.fit_table(table(law, sizes=sizes, noise=0.02), n_boot=100, metrics=["wall_s"])
    assert pick(ft, "wall_s", "files", "pooled").best_class == expected


def test_two_sizes_are_too_few_and_collinear_sizes_are_confounded():
    two = {"a": (100, 10_000_000), "b": (1_000, 100_000_000)}
    ft = fits.fit_table(table(lambda f, b: 1e-5 * f, sizes=two), n_boot=50)
    r = pick(ft, "wall_s", "files", "pooled")
    assert r.status == "too few sizes" and "2 distinct" in r.note and np.isnan(r.b)
    together = {f"s{n}": (n, n * 100_000) for n in (100, 1_000, 10_000, 20_000)}
    ft = fits.fit_table(table(lambda f, b: 1e-5 * f, sizes=together), n_boot=50)
    assert pick(ft, "wall_s", "files", "joint").status == "confounded"
    assert pick(ft, "wall_s", "files", "pooled").confounded_with == "bytes"


def test_only_valid_timed_rows_and_scaling_points_are_fitted():
    df = table(lambda f, b: 1e-5 * f)
    bad = df.iloc[:3].copy()
    bad["status"], bad["wall_s"] = "mismatch", 1e6  # a wrong answer must not bend the fit
    edge = df.iloc[:2].copy()
    edge["size"], edge["files"], edge["wall_s"] = "edge-empty", 0, 5.0
    ft = fits.fit_table(pd.concat([df, bad, edge]), n_boot=100, exclude=["edge-*"])
    r = pick(ft, "wall_s", "files", "joint")
    assert r.b_lo <= 1.0 <= r.b_hi


def test_break_size_inverts_the_fit():
    ft = fits.fit_table(table(lambda f, b: 1e-4 * f, noise=0.01), n_boot=200)
    r = pick(ft, "wall_s", "files", "pooled").to_dict()
    n, lo, hi = fits.break_size(r, 5.0)  # 1e-4 * n = 5 s at n = 50,000
    assert 40_000 < n < 60_000 and lo <= n <= hi
    assert fits.predict(r, 50_000) == pytest.approx(5.0, rel=0.15)
    flat = dict(r, b=0.0, b_lo=-0.01, b_hi=0.0)
    assert fits.break_size(flat, 1e9)[0] == np.inf


def test_fits_count_the_trials_they_leave_out_per_size():
    df = table(lambda f, b: 1e-5 * f)
    df["cache_state"], df["residency_before"] = "cold", 0.001
    df.loc[(df["size"] == "s5") & (df["trial"] < 2), "status"] = "timeout"
    df.loc[(df["size"] == "s2") & (df["trial"] == 0), "residency_before"] = 0.4  # not really cold
    df.loc[(df["size"] == "s3") & (df["trial"] == 0), "peak_rss_bytes"] = int(1e7)  # RSS fell
    ft = fits.fit_table(df, n_boot=50, metrics=["wall_s", "rss_growth_bytes"])
    w = pick(ft, "wall_s", "files", "pooled")
    assert w.n_excluded == 3 and w.excluded == "s2: 1 not cold; s5: 2 timeout"
    assert w.n_points == 22
    g = pick(ft, "rss_growth_bytes", "files", "pooled")
    assert g.n_excluded == 4 and "s3: 1 <= 0" in g.excluded  # kept raw, left out of the log fit
    assert "best_single" not in dir(fits)


def test_growth_is_kept_raw_and_lukewarm_cold_trials_are_not_valid():
    from ddxspike.report import tidy
    df = table(lambda f, b: 1e-5 * f)
    df["cache_state"], df["residency_before"] = "cold", 0.0
    df.loc[0, "peak_rss_bytes"], df.loc[1, "residency_before"] = int(1e7), 0.06
    v = tidy.valid(df)
    assert 1 not in v.index and len(tidy.lukewarm(df)) == 1
    assert v.loc[0, "rss_growth_bytes"] == -1e7 and tidy.nonpositive(df, "rss_growth_bytes") == 1


def test_hosts_are_fitted_apart_and_this_runs_hosts_are_judged_together():
    """Two machines with different laws (O(n) here, O(n^2) on an imported host) are never pooled:
    one fit each, each recovering its own exponent. The page is judged on this run's hosts even
    when the imported one brought more rows; a cluster run's two node fingerprints are one group."""
    from ddxspike.report import tidy

    here = table(lambda f, b: 1e-5 * f).assign(host_id="here")
    there = table(lambda f, b: 1e-9 * f * f, trials=9).assign(host_id="there")
    both = pd.concat([here, there], ignore_index=True)
    ft = fits.fit_table(both, n_boot=200, metrics=["wall_s"])
    by_host = {h: pick(g, "wall_s", "files", "joint") for h, g in ft.groupby("host_id")}
    assert by_host["here"].b_lo <= 1.0 <= by_host["here"].b_hi
    assert by_host["there"].b_lo <= 2.0 <= by_host["there"].b_hi
    hosts = pd.DataFrame([{"host_id": "here", "imported": False}, {"host_id": "there", "imported": True}])
    assert tidy.own_hosts(both, hosts) == ["here"]
    assert tidy.own_hosts(both) == ["there"]  # no hosts table: the host with most timed trials
    assert set(tidy.this_run(both, ["here"])["host_id"]) == {"here"}

    # A cluster run: the sizes landed on two node fingerprints; fitted together, imported apart.
    nodes = here.assign(host_id=np.where(here["files"] < 5_000, "node-a", "node-b"))
    hosts = pd.DataFrame([{"host_id": "node-a", "imported": False}, {"host_id": "node-b", "imported": False},
                          {"host_id": "there", "imported": True}])
    mixed = pd.concat([nodes, there], ignore_index=True)
    own = tidy.own_hosts(mixed, hosts)
    assert own == ["node-a", "node-b"]
    ft = fits.fit_table(tidy.with_run_hosts(mixed, own), n_boot=200, metrics=["wall_s"])
    assert set(ft["host_id"]) == {"node-a+node-b", "there"}
    joint = pick(tidy.this_run(ft, own), "wall_s", "files", "joint")
    assert joint.status == "ok" and joint.b_lo <= 1.0 <= joint.b_hi


def test_segmented_fit_reads_cost_per_byte_on_each_side_of_the_threshold():
    """Slopes, not log-log exponents: a fixed cost does not read as a change past the threshold."""
    rng = np.random.default_rng(3)
    x = np.repeat([1e7, 1e8, 1e9, 2e9], 4)

    def seg(law):
        y = np.array([law(v) for v in x]) * np.exp(rng.normal(0, 0.02, x.size))
        return fits.segmented(x, y, x, 5e8, n_boot=300)

    linear = seg(lambda b: 5 + 2e-8 * b)  # a large fixed cost, the same cost per byte throughout
    assert linear["status"] == "ok" and linear["ratio_lo"] < 1.0 < linear["ratio_hi"]
    assert linear["k_below_lo"] < 2e-8 < linear["k_below_hi"]
    kink = seg(lambda b: 1e-8 * b if b <= 5e8 else 5 + 3e-8 * (b - 5e8))
    assert kink["ratio_lo"] < 3.0 < kink["ratio_hi"] and kink["ratio_lo"] > 2.5
    flat = seg(lambda b: 0.1)
    assert abs(flat["k_below"]) * 1e9 < 0.1 and abs(flat["k_above"]) * 1e9 < 0.1  # under 0.1 s per GB
    one = fits.segmented(x[::4], x[::4] * 1e-8, x[::4], 5e8)
    assert one["status"] == "ok" and np.isnan(one["ratio_lo"]) and one["ratio"] == pytest.approx(1.0)
    few = fits.segmented(x[x > 5e7], x[x > 5e7] * 1e-8, x[x > 5e7], 5e8)
    assert few["status"] == "too few sizes" and "1 size(s) at or below" in few["note"]


@pytest.mark.parametrize("sort", [True, False])
def test_groups_visit_the_groups_of_a_group_by_with_their_rows(sort):
    from ddxspike.report import tidy

    df = pd.DataFrame({"s": ["b", "a", None, "b", "a", None], "d": ["x", np.nan, "y", "x", np.nan, "y"],
                       "v": range(6)})
    got = tidy.groups(df, ["s", "d"], sort=sort)
    want = list(df.groupby(["s", "d"], dropna=False, sort=sort))
    assert len(got) == len(want) == 3
    for (key, pos), (wkey, g) in zip(got, want):
        assert all(k == w or (pd.isna(k) and pd.isna(w)) for k, w in zip(key, wkey))
        assert df["v"].to_numpy()[pos].tolist() == g["v"].tolist()
    assert tidy.groups(df.iloc[0:0], ["s"]) == []
