"""The repository model (a kind is data carried with a repository, never read from its name),
the one manifest writer and reader, and the one git runner's environment rule."""

import os
import subprocess

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ddxspike import charts_catalogue, charts_discovery, gitrun
from ddxspike.repos import manifest
from ddxspike.repos.existing import ExistingRepo
from ddxspike.repos.model import EDGE, REAL, SYNTHETIC, RepositoryNameError, repositories
from ddxspike.report import fits


def config(**extra):
    cfg = {"sizes": {"edge-x": {"files": 10, "bytes": 1000, "commits": 2},
                     "plain": {"files": 20, "bytes": 2000, "commits": 2}},
           "edge_cases": {"nothing-here": {"kind": "empty"}}}
    cfg.update(extra)
    return cfg


def test_kinds_come_from_the_config_section_not_the_name(tmp_path):
    real = tmp_path / "w10"
    (real / "lib" / "workflows").mkdir(parents=True)
    cfg = config(catalogue={"workflow_counts": [5], "bad_input": {"workflows": 3, "invalid": 2}})
    repos = repositories(cfg, "/scratch", {"w10": ExistingRepo(str(real), "lib")}, {})
    # A size named like an edge case is a size; an edge case named like nothing is an edge case.
    assert repos["edge-x"].kind == SYNTHETIC and repos["edge-x"].source == "size"
    assert repos["edge-x"].path == "/scratch/edge-x/repo"
    edge = repos["edge-nothing-here"]
    assert edge.kind == EDGE and edge.folder == "/scratch/edge/nothing-here"
    assert edge.path == "/scratch/edge/nothing-here/repo"
    assert edge.manifest == "results/manifests/edge/nothing-here.parquet"
    # A real repository named like a generated catalogue is real, and its library is measured.
    assert repos["w10"].kind == REAL and repos["w10"].library_path == f"{real}/lib"
    assert repos["w10"].experiments == ("discovery", "catalogue")
    assert repos["w5"].kind == SYNTHETIC and repos["w5"].spec == {"workflows": 5, "invalid": 0}
    assert repos["edge-bad-workflows"].kind == EDGE


def test_a_real_upstream_is_real_whatever_its_name(tmp_path):
    up = {"edge-y": {"kind": "bundle", "path": str(tmp_path / "x.bundle"), "library": "",
                     "state": "s"}}
    repos = repositories(config(), "/scratch", {}, up)
    assert repos["edge-y"].kind == REAL and repos["edge-y"].experiments == ("subtree",)


def test_two_repositories_with_one_name_are_refused():
    cfg = config()
    cfg["sizes"]["edge-nothing-here"] = {"files": 1, "bytes": 10, "commits": 1}
    with pytest.raises(RepositoryNameError, match="edge_cases.nothing-here.*sizes.edge-nothing-here"):
        repositories(cfg, "/scratch", {}, {})


def test_charts_and_fits_read_the_kind_column():
    rows = [{"experiment": "discovery", "size": "edge-x", "repo_kind": SYNTHETIC, "files": 10},
            {"experiment": "discovery", "size": "plain", "repo_kind": EDGE, "files": 20}]
    df = pd.DataFrame(rows)
    assert list(charts_discovery._libraries(df)["size"]) == ["edge-x"]
    assert list(fits.scaling_points(df)["size"]) == ["edge-x"]
    cat = pd.DataFrame([{"experiment": "catalogue", "size": s, "repo_kind": k, "mode": "time",
                         "status": "ok"} for s, k in [("w10", REAL), ("big", SYNTHETIC)]])
    assert list(charts_catalogue._catalogue(cat)["size"]) == ["big"]


def test_manifest_round_trip_is_sorted_and_atomic(tmp_path):
    rows = [{"path": p, "size": 1, "blob": "b", "kind": "text", "asset_type": None, "asset": None}
            for p in (b"z", b"caf\xe9", b"a/b")]
    out = tmp_path / "m" / "x.parquet"
    with pytest.raises(RuntimeError):  # a failure before publishing leaves nothing behind
        manifest.write(out, manifest.table(rows), {"files": 3}, before_publish=_fail)
    assert list(out.parent.iterdir()) == []
    manifest.write(out, manifest.table(rows), {"files": 3})
    assert manifest.read_paths(out) == [b"a/b", b"caf\xe9", b"z"]
    assert manifest.read_summary(out) == {"files": 3}
    assert pq.read_table(out).schema.equals(manifest.SCHEMA)


def _fail():
    raise RuntimeError("stop")


def test_git_runner_ignores_the_callers_git_variables(tmp_path, monkeypatch):
    mine, other = tmp_path / "mine", tmp_path / "other"
    for repo in (mine, other):
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    # A caller (a hook, a shell) pointing git elsewhere: none of it may reach the runner's git.
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "stray-index"))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'user.name=Intruder'")
    monkeypatch.setenv("GIT_TRACE2_EVENT", str(tmp_path / "stray-trace"))
    env = gitrun.environment(read_only=True)
    assert not {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_PARAMETERS",
                "GIT_TRACE2_EVENT"} & set(env)
    assert env["GIT_OPTIONAL_LOCKS"] == "0" and env["GIT_CONFIG_GLOBAL"] == os.devnull
    assert "GIT_OPTIONAL_LOCKS" not in gitrun.environment()
    assert gitrun.git(mine, "rev-parse", "--absolute-git-dir") == str(mine / ".git")
    (mine / "f.txt").write_text("x\n")
    gitrun.git(mine, "add", "f.txt")
    gitrun.git(mine, "commit", "-q", "-m", "one")
    assert gitrun.git(mine, "log", "-1", "--format=%an") == gitrun.IDENTITY["GIT_AUTHOR_NAME"]
    assert gitrun.git(mine, "ls-files") == "f.txt"
    assert not (tmp_path / "stray-index").exists() and not (tmp_path / "stray-trace").exists()
    assert gitrun.git(other, "rev-list", "--all") == ""  # nothing went to the other repository


def test_git_runner_traces_only_when_told(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path / "r")], check=True)
    trace = tmp_path / "trace.json"
    gitrun.trace_to(trace)
    try:
        gitrun.git(tmp_path / "r", "status", "--porcelain")
        assert gitrun.traced_to() == str(trace) and trace.stat().st_size > 0
    finally:
        gitrun.trace_to(None)
    assert "GIT_TRACE2_EVENT" not in gitrun.environment()


def test_git_errors_name_the_command(tmp_path):
    with pytest.raises(gitrun.GitError, match="rev-parse") as err:
        gitrun.git(tmp_path, "rev-parse", "HEAD")
    assert err.value.returncode != 0
    proc = gitrun.run(["git", "rev-parse", "HEAD"], tmp_path, check=False, text=True)
    assert proc.returncode != 0 and isinstance(proc.stderr, str)
