"""Faults a user meets around a run: the checkout is moved or copied (nothing may rerun), an
aggregation fails (the previous tables must stay in place), Ctrl-C during a measurement (no
process of it may survive)."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SKIP, Pipeline, tiny_config


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """One complete tiny run, shared by the tests of this module."""
    dest = tmp_path_factory.mktemp("faults") / "pipeline"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    p = Pipeline(dest)
    p.write_config(tiny_config())
    p.snakemake()
    return p


def copy_of(p: Pipeline, dest) -> Pipeline:
    # copy2 keeps every mtime, as `cp -a` and a move do: only paths differ.
    shutil.copytree(p.root, dest, symlinks=True)
    return Pipeline(dest)


def test_a_copied_or_moved_checkout_has_nothing_to_do(finished, tmp_path):
    copied = copy_of(finished, tmp_path / "copied")
    dry = copied.snakemake("-n")
    assert "Nothing to be done" in dry.stdout + dry.stderr, (dry.stdout + dry.stderr)[-3000:]
    moved = tmp_path / "elsewhere" / "moved"
    moved.parent.mkdir()
    shutil.move(copied.root, moved)
    dry = Pipeline(moved).snakemake("-n")
    assert "Nothing to be done" in dry.stdout + dry.stderr, (dry.stdout + dry.stderr)[-3000:]


def test_a_failed_aggregation_leaves_the_previous_tables(finished):
    """In the finished run itself (last in this module): Snakemake deletes a job's outputs before
    it runs and after it fails, unless they are marked update()."""
    p = finished
    res = p.root / "results"
    before = {n: (res / n).read_bytes() for n in ("measurements.parquet", "hosts.parquet")}
    cell = next((res / "discovery").rglob("*.parquet"))
    cell.write_bytes(b"not a parquet file")  # newer than the tables: aggregation reruns, and fails
    proc = p.snakemake("results/measurements.parquet", check=False)
    assert proc.returncode != 0 and "aggregate_measurements" in proc.stderr
    for name, data in before.items():
        assert (res / name).exists(), f"{name} was deleted by the failed aggregation"
        assert (res / name).read_bytes() == data, f"{name} changed"
    assert not list(res.glob(".*.tmp-*")), "a temporary table was left behind"


MARK = "3607.25"  # the hanging strategy's sleeps, findable in /proc


def marked() -> list[int]:
    pids = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                if f.read().split(b"\0")[:2] == [b"sleep", MARK.encode()]:
                    pids.append(int(name))
        except (OSError, ValueError):
            pass
    return pids


def test_ctrl_c_during_a_measurement_leaves_no_process(pipeline):
    """Ctrl-C reaches Snakemake and its jobs (the terminal signals the foreground group): the
    measuring job kills its trial's tree, a setsid grandchild included, and says so in its log."""
    cfg = tiny_config(edge_cases={})
    cfg["measurement"]["trial_timeout_s"] = 600
    cfg["discovery"]["strategies"] = {"hangs": {
        "command": ["sh", "-c", f"setsid -f sleep {MARK}; exec sleep {MARK}"], "output": "lines"}}
    pipeline.write_config(cfg)
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "results/discovery/tiny/hangs.parquet"]
    snakemake = subprocess.Popen(cmd, cwd=pipeline.root, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while len(marked()) < 2 and time.monotonic() < deadline and snakemake.poll() is None:
            time.sleep(0.2)
        assert len(marked()) == 2, "the hanging trial never started"
        os.killpg(snakemake.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        out, _ = snakemake.communicate(timeout=60)
    finally:
        if snakemake.poll() is None:
            os.killpg(snakemake.pid, signal.SIGKILL)
    assert snakemake.returncode != 0
    deadline = time.monotonic() + 5
    while marked() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not marked(), f"processes of the trial survived: {marked()}"
    log = (pipeline.root / "results/logs/discovery/tiny/hangs.log").read_text()
    assert "interrupted by SIGINT" in log, log + out[-2000:]
