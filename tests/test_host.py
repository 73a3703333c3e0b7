"""Host facts: measured once per pipeline run on a host and kept in scratch_dir for the run's other
jobs; a new run, another DDX binary or a rebuilt one measures them again; the pipeline checkout's
commit stays per job."""

import json
import subprocess

import pytest

from ddxspike import experiment
from ddxspike.engine import host


@pytest.fixture
def counted(monkeypatch):
    """host.measure wrapped so that each test can count how often the facts were measured."""
    calls = []
    real = host.measure

    def measure(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(host, "measure", measure)
    monkeypatch.setenv(experiment.RUN_ID_ENV, "run-1")
    return calls


def fake_ddx(path, version):
    path.write_text(f"#!/bin/sh\necho 'ddx version {version}'\n")
    path.chmod(0o755)
    return str(path)


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                   check=True, capture_output=True)


def test_one_measurement_per_run_and_binary(tmp_path, monkeypatch, counted):
    scratch = str(tmp_path / "scratch")
    ddx = fake_ddx(tmp_path / "ddx", "1.0")
    first = host.fingerprint(scratch, ddx_binary=ddx)
    again = host.fingerprint(scratch, ddx_binary=ddx)
    assert first == again and len(counted) == 1
    assert first["ddx_version"] == "ddx version 1.0" and len(first["host_id"]) == 12
    # Without the binary (catalogue jobs) the facts differ, so they are kept apart.
    bare = host.fingerprint(scratch)
    assert bare["ddx_version"] == "" and bare["host_id"] == first["host_id"] and len(counted) == 2
    assert host.fingerprint(scratch, ddx_binary=ddx) == first and len(counted) == 2
    # A rebuilt binary at the same path is another binary (its size, mtime or inode differ).
    fake_ddx(tmp_path / "ddx", "2.0.0")
    assert host.fingerprint(scratch, ddx_binary=ddx)["ddx_version"] == "ddx version 2.0.0"
    assert len(counted) == 3
    # A new run measures again (and replaces the file: one per host and setting, not per run).
    files = sorted((tmp_path / "scratch" / host.CACHE_DIR).iterdir())
    monkeypatch.setenv(experiment.RUN_ID_ENV, "run-2")
    assert host.fingerprint(scratch, ddx_binary=ddx)["ddx_version"] == "ddx version 2.0.0"
    assert len(counted) == 4
    assert sorted((tmp_path / "scratch" / host.CACHE_DIR).iterdir()) == files
    assert len(files) == 2 and all(p.suffix == ".json" for p in files)  # no temporary left


def test_an_unreadable_file_is_measured_again(tmp_path, counted):
    scratch = tmp_path / "scratch"
    host.fingerprint(str(scratch))
    (kept,) = (scratch / host.CACHE_DIR).iterdir()
    kept.write_text("{not json")
    facts = host.fingerprint(str(scratch))
    assert len(counted) == 2
    assert json.loads(kept.read_text())["facts"]["host_id"] == facts["host_id"]


def test_the_pipeline_commit_stays_per_job(tmp_path, counted):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    git(checkout, "init", "-q")
    git(checkout, "commit", "-q", "--allow-empty", "-m", "one")
    first = host.fingerprint(str(tmp_path / "scratch"), pipeline_dir=str(checkout))
    (checkout / "edited.py").write_text("")
    dirty = host.fingerprint(str(tmp_path / "scratch"), pipeline_dir=str(checkout))
    git(checkout, "add", "edited.py")
    git(checkout, "commit", "-q", "-m", "two")
    second = host.fingerprint(str(tmp_path / "scratch"), pipeline_dir=str(checkout))
    assert len(counted) == 1
    assert (first["pipeline_dirty"], dirty["pipeline_dirty"], second["pipeline_dirty"]) == (
        False, True, False)
    assert len({first["pipeline_commit"], second["pipeline_commit"]}) == 2
