"""Each hypothesis judge on constructed data: supported, refuted, and an honest inconclusive
when the data cannot decide; targets pass/fail with a predicted break size."""

import re

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import ROOT
from ddxspike.report import fits, findings, targets, verdicts

CFG = yaml.safe_load((ROOT / "config.yaml").read_text())
RC = CFG["report"]
DECONF = {"s1": (100, 10_000_000), "s2": (1_000, 10_000_000), "s3": (1_000, 100_000_000),
          "s4": (10_000, 100_000_000), "s5": (10_000, 1_000_000_000)}


def rows(experiment, strategy, law, sizes, trials=5, seed=0, commits=None, heap=None, **dims):
    rng = np.random.default_rng(seed)
    out = []
    for size, shape in sizes.items():
        f, b = shape[:2]
        c = shape[2] if len(shape) > 2 else (commits or 10)
        base = dict(experiment=experiment, size=size, strategy=strategy, files=f, bytes=b, commits=c,
                    status="ok", **dims)
        for t in range(trials):
            out.append({**base, "mode": "time", "trial": t, "wall_s": law(f, b, c) * np.exp(rng.normal(0, 0.03)),
                        "peak_rss_bytes": int(3e7), "rss_before_bytes": int(2e7)})
        if heap:
            for t in range(3):
                out.append({**base, "mode": "heap", "trial": t,
                            "py_heap_peak_bytes": int(heap(f, b) * np.exp(rng.normal(0, 0.02)))})
    return out


def judge(df, which):
    ft = fits.fit_table(df, n_boot=200)
    return getattr(verdicts, which)(df, ft, RC)


def disc(strategy, law, heap=None, seed=0, states=("warm",)):
    return [r for s in states for r in rows("discovery", strategy, law, DECONF, seed=seed, heap=heap,
                                                 depth="stat", cache_state=s)]


def test_h1_supported_when_linear_and_refuted_when_superlinear():
    v = judge(pd.DataFrame(disc("walk", lambda f, b, c: 1e-5 * f)), "h1")
    assert v.verdict == "supported" and "b = 1.0" in v.deciding
    v = judge(pd.DataFrame(disc("walk", lambda f, b, c: 1e-7 * f**1.5)), "h1")
    assert v.verdict == "refuted" and "1.5" in v.deciding


def test_h1_inconclusive_with_too_few_sizes():
    two = {k: DECONF[k] for k in ("s1", "s4")}
    df = pd.DataFrame(rows("discovery", "walk", lambda f, b, c: 1e-5 * f, two, depth="stat", cache_state="warm"))
    v = judge(df, "h1")
    assert v.verdict == "inconclusive" and "too few sizes" in v.deciding


def test_h2_memory_follows_files_not_bytes():
    df = pd.DataFrame(disc("walk", lambda f, b, c: 1e-5 * f, heap=lambda f, b: 300 * f))
    v = judge(df, "h2")
    assert v.verdict == "supported", v.deciding
    df = pd.DataFrame(disc("walk", lambda f, b, c: 1e-5 * f, heap=lambda f, b: 0.01 * b))
    v = judge(df, "h2")
    assert v.verdict == "refuted" and "follows bytes" in v.deciding


def test_h2_inconclusive_when_files_and_bytes_vary_together():
    together = {f"s{n}": (n, n * 100_000) for n in (100, 1_000, 10_000, 20_000)}
    df = pd.DataFrame(rows("discovery", "walk", lambda f, b, c: 1e-5 * f, together, heap=lambda f, b: 300 * f,
                           depth="stat", cache_state="warm"))
    v = judge(df, "h2")
    assert v.verdict == "inconclusive" and "confounded" in v.deciding


def subtree(op, law, trials=3, seed=0, **dims):
    """The spike's four sizes at 100 commits (bytes vary, history held), and history at 10 MB."""
    sizes = {"a": (100, 10_000_000, 100), "b": (1_000, 100_000_000, 100), "c": (10_000, 1_000_000_000, 100),
             "d": (20_000, 2_000_000_000, 100), "h1": (100, 10_000_000, 500), "h2": (100, 10_000_000, 2_000)}
    return rows("subtree", op, law, sizes, trials=trials, seed=seed, depth=None, cache_state="warm", **dims)


def b_of(text: str) -> float:
    return float(re.search(r"b = (-?[0-9.]+)", text).group(1))


def per_byte_doubles(f, b, c):
    """1 s per 100 MB up to 500 MB, then 2 s per 100 MB: cost per byte doubles past 500 MB."""
    return 0.5 + (b if b <= 5e8 else 5e8 + 2 * (b - 5e8)) * 1e-8


def test_h3_judges_the_change_of_cost_per_byte_not_a_limit_at_one_size():
    linear = pd.DataFrame(subtree("model-add", lambda f, b, c: 2 + 2.9e-8 * b))  # 60 s at 2 GB
    v = judge(linear, "h3")
    assert v.verdict == "refuted", v.deciding
    assert "Python models" in v.deciding and re.search(r"model-add / warm: (0\.9\d|1\.0\d)×", v.deciding)
    doubling = pd.DataFrame(subtree("model-add", per_byte_doubles))  # 35 s at 2 GB: under 60 s
    v = judge(doubling, "h3")
    assert v.verdict == "supported" and re.search(r"model-add / warm: (1\.9\d|2\.0\d)×", v.deciding), v.deciding
    fig = v.figures[0]
    assert fig.threshold == RC["h3"]["per_byte_ratio"] and fig.lo > 1.5 and fig.deciding
    ev = v.evidence.iloc[0]
    assert re.match(r"(9\.9|10)\S* s/GB \[", ev["cost per byte up to 500 MB"]) and ev["held"] == "commits = 100"
    history = pd.DataFrame(subtree("model-add", lambda f, b, c: 0.01 * c))  # history, not bytes
    v = judge(history, "h3")
    assert v.verdict == "refuted" and "neither side" in v.evidence.iloc[0]["reading"]
    assert b_of(v.evidence.iloc[0]["exponent on commits (bytes separated)"]) == pytest.approx(1.0, abs=0.05)


def test_h3_judges_ddx_own_binary_when_measured_and_says_so():
    data = subtree("ddx-init", per_byte_doubles) + subtree("model-add", lambda f, b, c: 1e-8 * b)
    v = judge(pd.DataFrame(data), "h3")
    assert v.verdict == "supported" and v.deciding.startswith("Judged on DDX's own binary (ddx-init)")
    assert list(v.evidence["operation"]) == ["ddx-init / warm"]


def test_h3_borderline_when_the_ratio_or_the_runs_straddle_the_cut():
    def near(f, b, c):  # cost per byte 1.5x past 500 MB: right at the cut
        return 0.5 + (b if b <= 5e8 else 5e8 + 1.5 * (b - 5e8)) * 1e-8
    v = judge(pd.DataFrame(subtree("model-add", near, trials=5)), "h3")
    assert v.verdict == verdicts.BORDERLINE, v.deciding
    assert "straddling: model-add / warm: cost per byte above / below 500 MB 1.4" in v.deciding
    assert "(threshold 1.50×)" in v.deciding and not verdicts.decided(v.verdict)

    def law(r):
        return lambda f, b, c: 0.5 + (b if b <= 5e8 else 5e8 + r * (b - 5e8)) * 1e-8
    # Each run alone is decisive (1.2x refutes, 1.9x supports); together they straddle 1.5x.
    runs = [dict(x, run_id="run-1") for x in subtree("model-add", law(1.2), seed=1)]
    runs += [dict(x, run_id="run-2") for x in subtree("model-add", law(1.9), seed=2)]
    assert judge(pd.DataFrame(runs[: len(runs) // 2]), "h3").verdict == "refuted"
    v = judge(pd.DataFrame(runs), "h3")
    assert v.verdict == verdicts.BORDERLINE and v.runs == 2, v.deciding
    assert re.search(r"between 2 runs 1\.[12]\d×–1\.[89]\d×", v.deciding), v.deciding


def test_h3_inconclusive_without_data_or_large_sizes():
    assert judge(pd.DataFrame(disc("walk", lambda f, b, c: 1e-5 * f)), "h3").deciding.startswith("no data")
    small = pd.DataFrame([r for r in subtree("model-add", lambda f, b, c: 0.1) if r["bytes"] < 5e8])
    v = judge(small, "h3")
    assert v.verdict == "inconclusive" and "no size above 500 MB" in v.deciding


def test_h4_cache_ratio_with_interval():
    base = disc("walk", lambda f, b, c: 1e-4 * f, seed=1)
    good = pd.DataFrame(base + disc("memory-cache", lambda f, b, c: 2e-5 * f, seed=2))
    v = judge(good, "h4")
    assert v.verdict == "supported" and "0.20×" in v.deciding
    weak = pd.DataFrame(base + disc("memory-cache", lambda f, b, c: 0.9e-4 * f, seed=2))
    assert judge(weak, "h4").verdict == "refuted"
    assert judge(pd.DataFrame(base), "h4").verdict == "inconclusive"


def catalogue(strategy, law, counts):
    sizes = {f"wf{n}": (n * 20, n * 40_000) for n in counts}
    return [dict(r, workflows=r["files"] // 20, query_p95_s=r.get("wall_s")) for r in
            rows("catalogue", strategy, lambda f, b, c: law(f // 20), sizes, depth=None, cache_state="warm")]


def test_h5_scan_vs_index_across_counts():
    counts = (10, 100, 1_000, 5_000)
    df = pd.DataFrame(catalogue("scan-parse", lambda n: 2e-4 * n, counts)
                      + catalogue("index-memory", lambda n: 1e-6 * n, counts))
    v = judge(df, "h5")
    assert v.verdict == "supported" and "crosses 500 ms" in v.deciding
    few = pd.DataFrame(catalogue("scan-parse", lambda n: 2e-4 * n, (10, 100)))
    v = judge(few, "h5")
    assert v.verdict == "inconclusive" and "no catalogue of 1,000+" in v.deciding


def test_targets_pass_fail_no_data_and_break_size():
    df = pd.DataFrame(disc("walk", lambda f, b, c: 1e-4 * f, states=("warm", "cold")))  # 1 s at 10,000 files
    ft = fits.fit_table(df, n_boot=200)
    tg = [{"id": "t-fast", "source": "x", "text": "< 0.5 s", "metric": "wall_s", "limit": 0.5,
           "experiment": "discovery"},
          {"id": "t-none", "source": "x", "text": "n/a", "metric": "wall_s", "limit": 1.0, "experiment": "catalogue"}]
    checks, breaks = targets.check_targets(df, ft, tg)
    fast = checks[checks["target"] == "t-fast"]
    assert set(fast.loc[fast["files"] == 10_000, "status"]) == {"fail"}
    assert set(fast.loc[fast["files"] == 100, "status"]) == {"pass"}
    assert (checks.loc[checks["target"] == "t-none", "status"] == "no data").all()
    b = breaks[(breaks["target"] == "t-fast") & (breaks["axis"] == "files")]
    assert ((b["break_at"] > 3_000) & (b["break_at"] < 8_000)).all()  # 1e-4 * n = 0.5 at n = 5,000


def test_findings_page_answers_every_question_even_without_data():
    df = pd.DataFrame(disc("walk", lambda f, b, c: 1e-4 * f))
    ft = fits.fit_table(df, n_boot=100)
    doc = findings.analyse(df, ft, CFG["targets"], RC)
    assert set(doc.answers) == {1, 2, 3, 4, 5} and all(doc.answers.values())
    assert [v.id for v in doc.verdicts] == ["H1", "H2", "H3", "H4", "H5"]
    page = findings.render(df, ft, pd.DataFrame([{"host_id": "h"}]), pd.DataFrame(), doc, RC)
    assert "Executive summary" in page and "inconclusive" in page and "<script" not in page


def test_size_policy_takes_the_earliest_break_per_level_for_ddx_strategies():
    from ddxspike.report import policy

    tg = [{"id": "soft", "severity": "warn"}, {"id": "hard", "severity": "redirect"}]
    breaks = pd.DataFrame([
        {"target": "soft", "text": "s", "cell": "walk", "strategy": "walk", "axis": "files", "break_at": 8_000.0,
         "break_lo": 6_000.0, "break_hi": 9_000.0, "b": 1.0, "fit_model": "pooled"},
        {"target": "soft", "text": "s", "cell": "find", "strategy": "find", "axis": "files", "break_at": 100.0,
         "break_lo": 90.0, "break_hi": 110.0, "b": 1.0, "fit_model": "pooled"},  # not DDX's: ignored
        {"target": "hard", "text": "h", "cell": "walk", "strategy": "walk", "axis": "files", "break_at": 40_000.0,
         "break_lo": 30_000.0, "break_hi": 50_000.0, "b": 1.0, "fit_model": "pooled"},
        {"target": "hard", "text": "h", "cell": "walk", "strategy": "walk", "axis": "files", "break_at": np.inf,
         "break_lo": np.inf, "break_hi": np.inf, "b": 0.0, "fit_model": "pooled"},
    ])
    pol = policy.derive(breaks, tg, ["walk"])
    assert list(pol["level"]) == ["warn", "redirect"]
    assert list(pol["threshold_value"]) == [8_000.0, 40_000.0]
    assert "soft" in pol["evidence"].iloc[0]



def test_a_break_below_the_smallest_size_measured_sets_the_threshold_there_and_says_so():
    from ddxspike.report import policy

    tg = [{"id": "mem", "severity": "warn"}]
    breaks = pd.DataFrame([{"target": "mem", "text": "m", "cell": "walk", "strategy": "walk", "axis": "bytes",
                            "break_at": 0.3, "break_lo": 0.0, "break_hi": 5e6, "b": 0.2, "fit_model": "pooled",
                            "x_min": 2e6, "x_max": 1e7}])
    r = policy.derive(breaks, tg, ["walk"]).iloc[0].to_dict()
    assert r["threshold"] == "2 MB" and r["threshold_value"] == 2e6
    assert policy.rule(r) == "warn at bytes ≥ 2 MB (the smallest size measured: the fit reaches the limit below it)"
    assert r["interval"] == "[< 2 MB, 5 MB]" and "0 B" not in r["interval"] + r["evidence"]
    assert "below the measured range (from 2 MB)" in r["evidence"]
    # A break within the measured range keeps its own value, with no note.
    inside = policy.derive(breaks.assign(break_at=4e6, break_lo=3e6), tg, ["walk"]).iloc[0].to_dict()
    assert policy.rule(inside) == "warn at bytes ≥ 4 MB" and inside["note"] == ""

def test_doubling_target_measures_the_slowdown_between_sizes_twice_apart():
    sizes = {"a": (100, 500_000_000, 100), "b": (200, 1_000_000_000, 100), "c": (400, 2_000_000_000, 100)}
    df = pd.DataFrame(rows("subtree", "internal-pull", lambda f, b, c: 1e-9 * b, sizes, trials=4, depth=None,
                           cache_state="warm"))  # linear in bytes: +100% per doubling
    ft = fits.fit_table(df, n_boot=200)
    tg = [{"id": "dbl", "source": "FEAT-002", "text": "< 20%", "metric": "wall_s", "limit": 0.2,
           "kind": "doubling", "axis": "bytes", "experiment": "subtree"}]
    checks, _ = targets.check_targets(df, ft, tg)
    pairs = checks[checks["size"].str.contains("→")]
    assert list(pairs["size"]) == ["a → b", "b → c"]
    assert (pairs["status"] == "fail").all() and pairs["median"].between(0.8, 1.2).all()
    fit_row = checks[checks["size"].str.startswith("any doubling")].iloc[0]
    assert fit_row["status"] == "fail" and fit_row["median"] == pytest.approx(1.0, abs=0.15)


def _fail(r, status):
    return {**r, "status": status, "wall_s": np.nan}


def test_targets_keep_failed_trials_in_view():
    ok = disc("walk", lambda f, b, c: 1e-4 * f)  # 1 s at 10,000 files
    # s5: every trial timed out; s4: two of five timed out; s3: every trial errored.
    data = [_fail(r, "timeout") if r["size"] == "s5" else
            _fail(r, "timeout") if r["size"] == "s4" and r["trial"] < 2 else
            _fail(r, "error") if r["size"] == "s3" else r for r in ok]
    # A strategy whose every trial errors must not vanish either.
    data += [_fail(r, "error") for r in disc("internal-pull", lambda f, b, c: 1.0)]
    df = pd.DataFrame(data)
    tg = [{"id": "t", "source": "x", "text": "< 5 s", "metric": "wall_s", "limit": 5.0, "experiment": "discovery"}]
    checks, _ = targets.check_targets(df, fits.fit_table(df, n_boot=100), tg)
    walk = checks[checks["cell"].str.startswith("walk")].set_index("size")
    assert walk.loc["s5", "status"] == "fail: all trials timed out" and walk.loc["s5", "n_timeout"] == 5
    assert walk.loc["s3", "status"] == "no valid trials: 5 error" and walk.loc["s3", "n_failed"] == 5
    # 2 of 5 timed out: the 3 remaining (1 s) are below the limit, so the median still passes,
    # and the measured text says that some failed.
    assert walk.loc["s4", "status"].startswith("pass") and "2 timed out of 5 trials" in walk.loc["s4", "measured"]
    assert walk.loc["s1", "n_failed"] == 0
    assert "left out of the fit: s3: 5 error; s4: 2 timeout; s5: 5 timeout" in walk.loc["s1", "predicted break"]
    pull = checks[checks["cell"].str.startswith("internal-pull")]
    assert len(pull) == 5 and (pull["status"] == "no valid trials: 5 error").all()
    summ = targets.summary(checks).set_index("cell")
    assert summ.loc[walk["cell"].iloc[0], "status"] == "fail"
    assert summ.loc[pull["cell"].iloc[0], "status"] == "no valid trials at some sizes"
    # Timeouts past the median: three of five timed out, so the median itself is a timeout.
    data3 = [_fail(r, "timeout") if r["size"] == "s1" and r["trial"] < 3 else r for r in ok]
    c3, _ = targets.check_targets(pd.DataFrame(data3), fits.fit_table(pd.DataFrame(data3), n_boot=100), tg)
    s1 = c3.set_index("size").loc["s1"]
    assert s1["status"].startswith("fail") and "timed out" in s1["measured"]
    # ... unless those trials had a time limit below the target's: then they decide nothing.
    short = [{**r, "error": "no answer within 2 s; process group killed"} if r["status"] == "timeout" else r
             for r in data3]
    c4, _ = targets.check_targets(pd.DataFrame(short), fits.fit_table(pd.DataFrame(short), n_boot=100), tg)
    s1 = c4.set_index("size").loc["s1"]
    assert s1["status"].startswith("pass") and "3 timeout (its limit below the target's) of 5" in s1["measured"]


def test_h3_counts_a_timeout_as_a_lower_bound_and_says_when_errors_left_nothing():
    fast = subtree("model-add", lambda f, b, c: 0.1 + 1e-9 * b)
    timed_out = [{**r, "status": "timeout", "wall_s": np.nan, "error": "no answer within 300 s; process group killed"}
                 if r["bytes"] > 5e8 else r for r in fast]
    v = judge(pd.DataFrame(timed_out), "h3")
    assert v.verdict == "supported" and "(at least: timeouts)" in v.deciding, v.deciding
    assert "timed out" in v.evidence.iloc[0]["largest size (time)"]
    errored = [{**r, "status": "error", "wall_s": np.nan, "error": "git failed"} if r["bytes"] > 5e8 else r
               for r in fast]
    v = judge(pd.DataFrame(errored), "h3")
    assert v.verdict == "inconclusive" and "no valid trial above 500 MB" in v.deciding


def test_checklist_needs_every_size_and_both_edge_cases_and_findings_say_what_was_left_out():
    base = disc("walk", lambda f, b, c: 1e-4 * f, states=("cold",))
    for r in base:
        r["residency_before"] = 0.001
    base[0]["residency_before"] = 0.5  # a cold trial that was not cold
    lost = [_fail(r, "timeout") if r["size"] == "s5" else r for r in base]
    empty = rows("discovery", "walk", lambda f, b, c: 0.01, {"edge-empty": (0, 0)}, depth="stat", cache_state="cold")

    def check(data):
        df = pd.DataFrame(data)
        doc = findings.analyse(df, fits.fit_table(df, n_boot=50), CFG["targets"], RC)
        return doc, findings.checklist(df, doc, None).set_index("criterion")

    doc, cl = check(lost + empty)
    sizes = cl.loc["Benchmarks at each size"]
    assert sizes["status"] == "partly" and "discovery: 5 of 6 sizes (no valid trials at s5)" in sizes["evidence"]
    edge = cl.loc["Edge cases (empty repository, single large file)"]
    assert edge["status"] == "partly" and "single large file: not measured" in edge["evidence"]
    assert "5 timeout trial(s)" in doc.exclusions and "1 cold trial(s)" in doc.exclusions
    assert doc.exclusions in findings.executive_summary_text(doc)
    big = rows("discovery", "walk", lambda f, b, c: 0.5, {"edge-one-big-file": (1, 10**9)}, depth="stat",
               cache_state="cold")
    _, cl = check([r for r in base if r is not base[0]] + empty + big)
    assert (cl.loc[["Benchmarks at each size", "Edge cases (empty repository, single large file)"], "status"]
            == "met").all()


def test_h3_names_an_operation_that_fails_at_every_size_and_judges_its_stand_in():
    """internal-pull errors at every size: it has no time to judge, so it is named and its
    stand-in (config h3.stand_ins: internal-pull-rm) is judged in its place. Without a timed
    stand-in H3 cannot be refuted; a timeout at every size shows no change past 500 MB."""
    fast = subtree("model-add", lambda f, b, c: 0.1 + 1e-9 * b)
    broken = [{**r, "status": "error", "wall_s": np.nan, "error": "read-tree exited 128"}
              for r in subtree("internal-pull", lambda f, b, c: 0.1)]
    stand_in = subtree("internal-pull-rm", lambda f, b, c: 0.2 + 1e-9 * b)
    v = judge(pd.DataFrame(fast + broken + stand_in), "h3")
    assert v.verdict == "refuted", v.deciding
    assert "not judged: internal-pull / warm (18 error at every size: read-tree exited 128)" in v.deciding
    assert "internal-pull timed by its stand-in internal-pull-rm" in v.deciding
    ev = v.evidence.set_index("operation")
    assert ev.loc["internal-pull / warm", "reading"] == "fails at every size"
    v = judge(pd.DataFrame(fast + broken), "h3")  # no stand-in measured
    assert v.verdict == "inconclusive" and "no stand-in timed: internal-pull" in v.deciding
    v = judge(pd.DataFrame(broken), "h3")
    assert v.verdict == "inconclusive"
    hung = [{**r, "status": "timeout", "wall_s": np.nan, "error": "no answer within 300 s; process group killed"}
            for r in subtree("model-push", lambda f, b, c: 0.1)]
    v = judge(pd.DataFrame(fast + hung), "h3")
    assert v.verdict == "inconclusive" and "model-push / warm: times out at every size" in v.deciding


def test_h2_does_not_judge_a_cell_that_lists_nothing():
    """spawn-overhead runs `true`: it reads no file, so its flat memory is no counter-example."""
    data = disc("walk", lambda f, b, c: 1e-5 * f, heap=lambda f, b: 300 * f)
    for r in data:
        r["items"] = r["files"]
    nothing = [{**r, "strategy": "spawn-overhead", "items": 0, "py_heap_peak_bytes": 5000}
               if r["mode"] == "heap" else {**r, "strategy": "spawn-overhead", "items": 0} for r in data]
    v = judge(pd.DataFrame(data + nothing), "h2")
    assert v.verdict == "supported", v.deciding
    ev = v.evidence.set_index("cell")
    assert ev.loc["spawn-overhead / stat / warm", "reading"] == "lists nothing: not judged"


def test_h1_says_which_side_of_linear_a_refuting_cell_is_on():
    v = judge(pd.DataFrame(disc("walk", lambda f, b, c: 1e-4 * f**0.5)), "h1")
    assert v.verdict == "refuted" and "sub-linear, cheaper than linear" in v.deciding


def test_h3_does_not_read_a_cost_per_byte_that_falls_with_bytes_as_a_slowdown():
    """Time measured lower at 100 MB than at 10 MB (uneven contention between the sizes' jobs):
    a negative cost per byte below the threshold makes any ratio meaningless."""
    v = judge(pd.DataFrame(subtree("model-add", lambda f, b, c: (3.0 if b == 1e7 and c == 100 else 0.5) + 1e-8 * b)),
              "h3")
    assert v.verdict == "inconclusive" and "time falls with bytes up to 500 MB" in v.deciding, v.deciding
