"""The measurement engine: verified cold caches, interleaving, failures as rows, correctness."""

import os
import time

import pyarrow.parquet as pq
import pytest

from ddxspike import experiment, table
from ddxspike.engine import TrialSpec, cache, plan, run_cell
from ddxspike.engine.host import fingerprint
from ddxspike.groundtruth import digest_paths

PROBES = "ddxspike.engine.probes"
RIGHT = ["a.md", "b/c.yml", "b/d.png"]


def quiet(_msg):
    pass


def spec(strategy, fn, cache_state="warm", **kwargs):
    return TrialSpec(dims={"experiment": "engine-test", "strategy": strategy, "cache_state": cache_state},
                     target=f"{PROBES}:{fn}", kwargs=kwargs, expected_items=len(RIGHT),
                     expected_digest=digest_paths(RIGHT))


@pytest.fixture
def file_set(tmp_path):
    """40 files of 128 KiB, written and read back so that they are resident."""
    root = tmp_path / "files"
    for i in range(40):
        p = root / f"d{i % 4}" / f"f{i}.bin"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(os.urandom(128 * 1024))
    os.sync()
    for p in root.rglob("*.bin"):
        p.read_bytes()
    return root


def test_eviction_drops_residency_to_about_zero(file_set):
    assert cache.residency(file_set) > 0.9
    assert cache.evict(file_set) == "file-pages"
    assert cache.residency(file_set) < 0.02
    for p in file_set.rglob("*.bin"):  # reading brings it back: the measure is not stuck at 0
        p.read_bytes()
    assert cache.residency(file_set) > 0.9


def test_cold_trials_record_residency_before_and_which_caches_were_dropped(file_set):
    specs = [spec("right", "listing", "cold", paths=RIGHT), spec("right", "listing", "warm", paths=RIGHT)]
    rows = run_cell(plan.cell(specs, warmups=0, trials=2, timeout_s=30, prepare=experiment.cold_preparer(str(file_set), drop_caches=False)), log=quiet)
    cold = [r for r in rows if r["cache_state"] == "cold"]
    warm = [r for r in rows if r["cache_state"] == "warm"]
    assert len(cold) == 2 and all(r["residency_before"] < 0.02 for r in cold)
    assert all(r["caches_dropped"] == "file-pages" for r in cold)
    assert all(r.get("residency_before") is None for r in warm)


def test_trials_are_interleaved_warm_before_cold_and_numbered():
    specs = [spec(s, "listing", state, paths=RIGHT) for state in ("cold", "warm") for s in "ABC"]
    rows = run_cell(plan.cell(specs, warmups=1, trials=2, timeout_s=30), log=quiet)
    seq = [(r["cache_state"], r["strategy"], r["trial"]) for r in sorted(rows, key=lambda r: r["order"])]
    assert seq == [("warm", s, t) for t in (0, 1) for s in "ABC"] + [("cold", s, t) for t in (0, 1) for s in "ABC"]
    assert [r["order"] for r in rows] == list(range(12))  # warm-ups are run but not rows


def test_timed_trial_fields(tmp_path):
    rows = run_cell(plan.cell([spec("right", "listing", paths=RIGHT)], warmups=0, trials=1, heap_trials=1, timeout_s=30), log=quiet)
    timed, heap = rows
    assert timed["status"] == "ok" and timed["error"] is None and timed["mode"] == "time"
    assert timed["items"] == 3 and timed["digest"] == digest_paths(RIGHT)
    assert 0 < timed["wall_s"] < 5 and timed["cpu_s"] == pytest.approx(timed["user_s"] + timed["sys_s"])
    assert timed["peak_rss_bytes"] >= timed["rss_before_bytes"] > 1_000_000
    assert timed["storage_read_bytes"] is not None and timed["load_1m"] >= 0
    assert heap["mode"] == "heap" and heap["py_heap_peak_bytes"] > 0 and heap.get("wall_s") is None
    # Every key the engine produces is a column of the pinned schema, config_hash included.
    out = tmp_path / "cell.parquet"
    experiment.write_rows(rows, out, fingerprint(str(tmp_path)), config={"trials": 1})
    t = pq.read_table(out).to_pandas()
    assert list(t.columns) == table.COLUMNS and t["config_hash"].nunique() == 1
    assert t["host_id"].str.len().eq(12).all()


def test_failing_crashing_and_hanging_strategies_become_rows_and_the_run_completes(tmp_path):
    pid_file = tmp_path / "child.pid"
    specs = [spec("fails", "fail", message="boom"), spec("crashes", "crash", code=7),
             spec("hangs", "hang", pid_file=str(pid_file)), spec("right", "listing", paths=RIGHT)]
    rows = run_cell(plan.cell(specs, warmups=0, trials=3, timeout_s=1.0, heap_trials=1), log=quiet)
    by = {}
    for r in rows:
        if r["mode"] == "time":
            by.setdefault(r["strategy"], []).append(r)
    assert [r["status"] for r in by["fails"]] == ["error"] * 3
    assert by["fails"][0]["error"] == "RuntimeError: boom"
    assert [r["status"] for r in by["crashes"]] == ["error"] * 3
    assert "worker exited 7" in by["crashes"][0]["error"]
    assert [r["status"] for r in by["hangs"]] == ["timeout"] * 3
    assert "process tree was killed" in by["hangs"][0]["error"]
    assert by["hangs"][2]["error"].startswith("not run: timed out 2 times")  # gave up after two
    assert [r["status"] for r in by["right"]] == ["ok"] * 3
    # The hanging strategy's child was killed with its process group.
    child = int(pid_file.read_text())
    time.sleep(0.2)
    assert not _alive(child), f"child {child} of the hanging strategy survived the timeout"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_mismatching_strategy_is_caught_and_named(tmp_path):
    truth = tmp_path / "truth.txt"
    truth.write_bytes(b"\0".join(p.encode() for p in RIGHT))
    wrong = spec("wrong", "listing", paths=["a.md", "b/c.yml", "b/extra.md"])
    wrong.expected_paths_file = str(truth)
    rows = run_cell(plan.cell([wrong], warmups=0, trials=1, timeout_s=30), log=quiet)
    (r,) = rows
    assert r["status"] == "mismatch"
    assert "digest differs" in r["error"] and "1 missing: b/d.png" in r["error"]
    assert "1 unexpected: b/extra.md" in r["error"]
    with pytest.raises(experiment.MismatchError, match="wrong .* does not match the manifest"):
        experiment.write_rows(rows, tmp_path / "x.parquet", {"host_id": "h"}, on_mismatch="fail")
    assert not (tmp_path / "x.parquet").exists()


def test_a_strategy_returning_something_else_is_an_error():
    rows = run_cell(plan.cell([TrialSpec(dims={"strategy": "bad"}, target="os:getcwd")], warmups=0, trials=1, timeout_s=30), log=quiet)
    assert rows[0]["status"] == "error" and "not an Outcome" in rows[0]["error"]


def test_peak_rss_is_the_strategys_not_the_parents():
    """Linux carries a parent's memory high-water mark into its child across fork+exec: a
    200 MB parent must not make a do-nothing strategy look like it used 200 MB."""
    ballast = bytearray(200 * 1024 * 1024)
    ballast[::4096] = b"\1" * len(ballast[::4096])  # touch every page: resident
    (row,) = run_cell(plan.cell([TrialSpec(dims={"strategy": "noop"}, target=f"{PROBES}:noop", expected_items=0)], warmups=0, trials=1, timeout_s=30), log=quiet)
    del ballast
    assert row["status"] == "ok"
    assert 1_000_000 < row["peak_rss_bytes"] < 100_000_000, row["peak_rss_bytes"]


def test_drop_caches_not_permitted_falls_back_to_file_pages_and_says_so(file_set, monkeypatch):
    """Never really drops the machine's caches here (a shared machine): the write is refused."""
    import builtins

    real_open = builtins.open

    def refusing_open(path, *args, **kwargs):
        if str(path) == "/proc/sys/vm/drop_caches":
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    assert cache.evict(file_set, drop_caches=True) == "file-pages"
    assert cache.residency(file_set) < 0.02


def test_storage_reads_show_a_cold_trial_reading_from_disk_and_a_warm_one_not(file_set):
    total = sum(p.stat().st_size for p in file_set.rglob("*.bin"))
    specs = [TrialSpec(dims={"strategy": "read", "cache_state": state},
                       target=f"{PROBES}:read_files", kwargs={"root": str(file_set)})
             for state in ("warm", "cold")]
    rows = run_cell(plan.cell(specs, warmups=1, trials=1, timeout_s=30, prepare=experiment.cold_preparer(str(file_set), drop_caches=False)), log=quiet)
    warm, cold = rows
    if cold["storage_read_bytes"] is None:
        pytest.skip("this kernel does not account I/O per task (/proc/self/io)")
    assert warm["bytes_read"] == cold["bytes_read"] == total
    assert cold["storage_read_bytes"] >= 0.9 * total, cold["storage_read_bytes"]
    assert warm["storage_read_bytes"] <= 0.1 * total, warm["storage_read_bytes"]


def test_a_costly_variant_with_fewer_trials_stays_interleaved():
    variants = [plan.Variant(spec(s, "listing", paths=RIGHT), n) for s, n in (("A", 3), ("B", 1), ("C", 3))]
    rows = run_cell(plan.Plan([plan.Group(variants)], timeout_s=30), log=quiet)
    assert [r["strategy"] + str(r["trial"]) for r in rows] == ["A0", "B0", "C0", "A1", "C1", "A2", "C2"]
    assert {r["stop_reason"] for r in rows} == {"planned"}
