"""Faults a user meets around a finished run: the checkout is moved or copied (nothing may rerun),
and an aggregation fails (the previous tables must stay in place)."""

import shutil

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
