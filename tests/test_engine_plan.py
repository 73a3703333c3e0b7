"""The one planner: each experiment's plan is what config says, the engine runs it in one
order, and its stop rules (give-up, slow operations, adaptive trials) hold and say why."""

import textwrap
from pathlib import Path

import pytest
import yaml

from ddxspike import budgets
from ddxspike.engine import TrialSpec, plan, run_cell
from ddxspike.engine.plan import Adaptive, Group, Hooks, Plan, Variant
from ddxspike.groundtruth import digest_paths

ROOT = Path(__file__).resolve().parents[1]
PROBES = "ddxspike.engine.probes"
RIGHT = ["a.md", "b/c.yml", "b/d.png"]


def quiet(_msg):
    pass


def config(preset=None) -> dict:
    """config.yaml, with a preset's sections merged over it as Snakemake merges --configfile."""
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    if preset:
        for key, value in yaml.safe_load((ROOT / "presets" / preset).read_text()).items():
            if isinstance(value, dict) and isinstance(cfg.get(key), dict):
                cfg[key] = {**cfg[key], **value}
            else:
                cfg[key] = value
    return cfg


def listing(strategy, cache_state="warm", depth="names", paths=RIGHT, **dims):
    return TrialSpec(dims={"experiment": "plan-test", "strategy": strategy, "depth": depth,
                           "cache_state": cache_state, **dims},
                     target=f"{PROBES}:listing", kwargs={"paths": paths},
                     expected_items=len(RIGHT), expected_digest=digest_paths(RIGHT))


@pytest.fixture
def probe(tmp_path, monkeypatch):
    """A fake strategy the workers import: it answers right, and its `bytes_read` is the next
    value of a fixed sequence (a deterministic stand-in for a noisy or steady time)."""
    (tmp_path / "plan_probe.py").write_text(textwrap.dedent("""
        from ddxspike.engine.trial import Outcome
        def measured(values, calls):
            with open(calls, "a+") as f:
                f.seek(0)
                n = len(f.read())
                f.write("x")
            return Outcome(items=0, bytes_read=values[n % len(values)])
    """))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))

    def spec(name, values):
        calls = tmp_path / f"{name}.calls"
        return TrialSpec(dims={"strategy": name}, target="plan_probe:measured",
                         kwargs={"values": values, "calls": str(calls)}, expected_items=0), calls
    return spec


# --- each experiment's plan is what config says ------------------------------------------------

@pytest.mark.parametrize("preset", [None, "quick.yaml"])
def test_discovery_plan_follows_config(preset):
    cfg = config(preset)
    m, budget = cfg["measurement"], cfg["discovery"]["budget"]
    specs = [listing("s", state, depth) for state in m["cache_states"]
             for depth in cfg["discovery"]["depths"]]
    small, big = {"bytes": 10}, {"bytes": 2_000_000_000}
    for summary, edge in ((small, False), (big, False), (small, True)):
        p = budgets.discovery(m, budget, specs, summary, edge, prepare_cold=lambda s: {})
        warm, cold = p.groups
        assert (warm.warmups, cold.warmups) == (m["warmups"], budget.get("cold_warmups", m["warmups"]))
        for v in p.variants:
            d = v.spec.dims
            assert v.trials == budgets.discovery_trials(d["depth"], summary, edge, m["trials"],
                                                        budget, d["cache_state"])
            assert v.trials <= budget["trials"]
            assert v.heap_trials == (m["heap_trials"] if d["cache_state"] == "warm" else 0)
        assert p.timeout_s == m["trial_timeout_s"]
        assert p.give_up.timeouts_in_a_row == m.get("give_up_after_timeouts", 2)
        assert p.adaptive is None  # off by default
    hash_warm = [v for v in p.variants if v.spec.dims["depth"] == "hash"]
    assert {v.trials for v in hash_warm} == {1}  # hash_trials, then edge_case_trials


@pytest.mark.parametrize("preset", [None, "quick.yaml"])
def test_catalogue_plan_follows_config(preset):
    cfg = config(preset)
    cat = cfg["catalogue"]
    for name, entry in cat["strategies"].items():
        view = budgets.catalogue_view(cat, cfg["measurement"], name)
        assert set(view["strategy"]) == set(entry)  # only its own entry: others' edits rerun nothing
        timed, heap = listing(name), listing(name, paths=RIGHT[:1])
        p = budgets.catalogue(view, timed, heap)
        (v,) = p.variants
        assert v.trials == entry.get("trials", cat["trials"])
        assert v.heap_trials == entry.get("heap_trials", cat["heap_trials"])
        assert p.groups[0].warmups == entry.get("warmups", cat["warmups"])
        assert v.heap_spec is heap and p.timeout_s == cfg["measurement"]["trial_timeout_s"]
        assert budgets.catalogue_queries(view) == entry.get("queries", 1)
    assert budgets.catalogue_view(cat, cfg["measurement"], "scan-parse")["strategy"]["heap_trials"] == 0


@pytest.mark.parametrize("preset", [None, "quick.yaml"])
def test_subtree_plan_follows_config(preset):
    st = config(preset)["subtree"]
    ops = [(listing(op), Hooks()) for op in st["operations"][:3]]
    p = budgets.subtree(st, ops)
    (group,) = p.groups
    assert group.warmups == st["warmups"] and [v.trials for v in p.variants] == [st["trials"]] * 3
    assert (p.slow.after_s, p.slow.trials) == (st["slow_after_s"], st["slow_trials"])
    assert p.timeout_s == st["trial_timeout_s"]
    assert p.give_up.timeouts_in_a_row == 1 and not p.give_up.wrong_first_answer
    assert [v.hooks for v in p.variants] == [h for _, h in ops]


def test_one_run_order_across_groups_and_heap_trials():
    specs = [listing(s, state, depth) for state in ("warm", "cold") for s in "AB"
             for depth in ("names", "hash")]
    m = {"warmups": 1, "trials": 2, "heap_trials": 1, "trial_timeout_s": 30}
    p = budgets.discovery(m, {"hash_trials": 1, "cold_warmups": 0}, specs, {"bytes": 1}, False,
                          prepare_cold=lambda s: {"residency_before": 0.0})
    rows = run_cell(p, log=quiet)
    assert [r["order"] for r in rows] == list(range(len(rows)))
    seq = [(r["mode"], r["cache_state"], r["strategy"], r["depth"], r["trial"]) for r in rows]
    warm_time = [s for s in seq if s[:2] == ("time", "warm")]
    # Warm trials interleaved (hash has one), then the warm group's heap trials, then cold.
    assert warm_time == [("time", "warm", s, d, t) for t in (0, 1) for s in "AB"
                         for d in ("names", "hash") if t == 0 or d == "names"]
    modes = [(m, c) for m, c, *_ in seq]
    assert modes == sorted(modes, key=[("time", "warm"), ("heap", "warm"), ("time", "cold")].index)
    assert all(r["residency_before"] == 0.0 for r in rows if r["cache_state"] == "cold")
    assert {r["stop_reason"] for r in rows if r["mode"] == "time"} == {"planned"}
    assert all(r.get("stop_reason") is None for r in rows if r["mode"] == "heap")


# --- stop rules ----------------------------------------------------------------------------------

def test_adaptive_trials_stop_when_narrow_and_run_on_to_the_cap_while_noisy(probe):
    steady, steady_calls = probe("steady", [1000])
    noisy, noisy_calls = probe("noisy", [1000, 5000, 200, 9000])
    cut, _ = probe("cut", [1000])
    ad = Adaptive(min_trials=3, max_trials=6, half_width=0.05, metric="bytes_read")
    p = Plan([Group([Variant(steady, 4), Variant(noisy, 4), Variant(cut, 2)], warmups=1)],
             timeout_s=30, adaptive=ad)
    rows = run_cell(p, log=quiet)
    by = {}
    for r in rows:
        by.setdefault(r["strategy"], []).append(r)
    assert len(by["steady"]) == 3 and {r["stop_reason"] for r in by["steady"]} == {"narrow"}
    assert len(by["noisy"]) == 6 and {r["stop_reason"] for r in by["noisy"]} == {"cap"}
    assert len(by["cut"]) == 2 and {r["stop_reason"] for r in by["cut"]} == {"planned"}
    assert steady_calls.read_text() == "x" * 4 and noisy_calls.read_text() == "x" * 7  # + warm-up
    assert [r["order"] for r in rows] == list(range(11))
    assert all(r["status"] == "ok" for r in rows)


def test_adaptive_config_is_off_unless_enabled():
    assert Adaptive.from_config(None) is None
    assert Adaptive.from_config({"enabled": False, "min_trials": 3, "max_trials": 7}) is None
    assert Adaptive.from_config({"min_trials": 3, "max_trials": 7}).half_width == 0.05
    with pytest.raises(ValueError, match="max_trials 2 is below min_trials 3"):
        Adaptive.from_config({"min_trials": 3, "max_trials": 2})


def hanging(name, tmp_path):
    return TrialSpec(dims={"strategy": name}, target=f"{PROBES}:hang",
                     kwargs={"pid_file": str(tmp_path / f"{name}.pid")})


def test_subtree_gives_up_after_one_timeout_and_discovery_after_two(tmp_path):
    st = {"warmups": 1, "trials": 3, "slow_trials": 3, "slow_after_s": 600, "trial_timeout_s": 0.5}
    rows = run_cell(budgets.subtree(st, [(hanging("hangs", tmp_path), Hooks())]), log=quiet)
    assert [r["status"] for r in rows] == ["timeout"] * 3
    # The warm-up timed out: no counted trial ran, each says why.
    assert all(r["error"] == "not run: timed out once in a row (timeout 0.5 s)" for r in rows)
    assert {r["stop_reason"] for r in rows} == {"gave-up-timeouts"}
    m = {"warmups": 0, "trials": 3, "heap_trials": 0, "trial_timeout_s": 0.5}
    spec = hanging("hangs", tmp_path)
    spec.dims.update(depth="names", cache_state="warm")
    rows = run_cell(budgets.discovery(m, {}, [spec], {"bytes": 1}, False, lambda s: {}), log=quiet)
    assert ["not run" in r["error"] for r in rows] == [False, False, True]
    assert {r["stop_reason"] for r in rows} == {"gave-up-timeouts"}


def test_a_subtree_operation_that_answers_wrongly_runs_every_trial(probe):
    wrong = listing("wrong", paths=["x.md"])
    counted = []

    class Count(Hooks):
        def after(self, spec, attempt, row):
            counted.append(attempt.trial)
            return {}

    st = {"warmups": 1, "trials": 3, "slow_trials": 3, "slow_after_s": 600, "trial_timeout_s": 30}
    rows = run_cell(budgets.subtree(st, [(wrong, Count())]), log=quiet)
    assert counted == [-1, 0, 1, 2]
    assert [r["status"] for r in rows] == ["mismatch"] * 3
    assert not any(r["error"].startswith("not run") for r in rows)
    assert {r["stop_reason"] for r in rows} == {"planned"}


def test_a_slow_first_trial_cuts_the_variant_to_its_slow_trials():
    # after_s 0: every trial is slower than that, whatever the machine (no timing assumed).
    st = {"warmups": 1, "trials": 3, "slow_trials": 1, "slow_after_s": 0, "trial_timeout_s": 30}
    ops = [(listing(s), Hooks()) for s in "AB"]
    rows = run_cell(budgets.subtree(st, ops), log=quiet)
    assert [(r["strategy"], r["trial"], r["stop_reason"]) for r in rows] == [
        ("A", 0, "slow"), ("B", 0, "slow")]


def test_hooks_see_every_run_and_give_each_its_spec():
    seen = []

    class Fresh(Hooks):
        def before(self, spec, attempt):
            seen.append((attempt.mode, attempt.trial, attempt.run, attempt.warmup))
            return listing(spec.dims["strategy"], paths=RIGHT), {"residency_before": attempt.run}

        def after(self, spec, attempt, row):
            return {"answer": f"run {attempt.run}"}

    broken = TrialSpec(dims={"strategy": "A"}, target="no.such:module")
    p = Plan([Group([Variant(broken, 2, heap_trials=1, hooks=Fresh())], warmups=2)], timeout_s=30)
    rows = run_cell(p, log=quiet)
    assert seen == [("time", -2, 0, True), ("time", -1, 1, True), ("time", 0, 2, False),
                    ("time", 1, 3, False), ("heap", 0, 0, False)]
    assert [(r["mode"], r["status"], r["answer"], r["residency_before"]) for r in rows] == [
        ("time", "ok", "run 2", 2), ("time", "ok", "run 3", 3), ("heap", "ok", "run 0", 0)]


def test_the_plain_cell_is_warm_then_cold_with_prepare_on_cold_runs_only():
    prepared = []
    specs = [listing("A", "cold"), listing("A", "warm")]
    p = plan.cell(specs, warmups=1, trials=1, timeout_s=30,
                  prepare=lambda s: prepared.append(s.dims["cache_state"]) or {})
    assert [g.variants[0].spec.dims["cache_state"] for g in p.groups] == ["warm", "cold"]
    run_cell(p, log=quiet)
    assert prepared == ["cold", "cold"]  # its warm-up and its trial
