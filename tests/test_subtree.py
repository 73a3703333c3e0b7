"""Git subtree experiment: operations succeed and are verified against the ground truth, the
pristine repositories stay untouched, failures become rows, and the rules run end to end."""

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import vl_convert

from ddxspike.generator import LibrarySpec, generate_library
from ddxspike.subtree import cell, fixtures, operations, verify, workspace
from ddxspike.subtree.gitcmd import git

PREFIX = ".ddx/library"
ADVANCE = 3
DIMS = {"experiment": "subtree", "size": "tiny", "cache_state": "warm"}


@pytest.fixture(scope="module")
def cell_repos(tmp_path_factory):
    root = tmp_path_factory.mktemp("subtree")
    summary = generate_library(LibrarySpec(files=40, bytes=400_000, commits=12),
                               repo_dir=root / "upstream", manifest_path=root / "m.parquet",
                               log=lambda m: None)
    info = fixtures.build_fixtures(root / "upstream", root, root / "info.json", commits=12,
                                   prefix=PREFIX, advance=ADVANCE, touch_every=4,
                                   upstream_summary=summary, log=lambda m: None)
    paths = git(root / "upstream", "ls-files").splitlines()
    return root, info, paths


@pytest.fixture(scope="module")
def all_rows(cell_repos):
    root, info, paths = cell_repos
    return cell.run_subtree_cell(
        info, list(operations.OPERATIONS), {**DIMS, "commits": 12}, work_dir=root / "work",
        trials=1, slow_trials=1, slow_after_s=60, warmups=1, timeout_s=60,
        manifest_paths=paths, sparse_dirs=["workflows"])


def by_op(rows):
    return {r["strategy"]: r for r in rows}


def test_fixture_histories(cell_repos):
    _, info, _ = cell_repos
    # host: 12 // 2 own commits; hostlib adds the DDX merge (which brings the upstream's 12)
    # and 6 later commits; rejoined adds the rejoin commits and ADVANCE more.
    assert info["host_commits"]["host"] == 6
    assert info["host_commits"]["hostlib"] == 6 + 1 + 12 + 6
    assert info["host_commits"]["hostlib-rejoined"] > info["host_commits"]["hostlib"] + ADVANCE
    nxt = info["upstream_next"]["path"]
    assert int(git(nxt, "rev-list", "--count", f"{info['upstream']['head']}..main")) == ADVANCE
    assert len(info["advance_blobs"]) == 2 * ADVANCE  # one edit and one new file each


def test_every_operation_verified_or_a_finding(all_rows):
    rows = by_op(all_rows)
    assert set(rows) == set(operations.OPERATIONS)
    expected_findings = {"ddx-pull", "check-behind"}
    for name, r in rows.items():
        if name not in expected_findings:
            assert r["status"] == "ok", (name, r.get("error"))
            assert r["exit_status"] == 0 and r["wall_s"] > 0
            assert r["git_processes"] >= 1, name
    # DDX's pull: `git rm --cached` leaves the files, read-tree -u refuses to overwrite them.
    pull = rows["ddx-pull"]
    assert pull["status"] == "error" and pull["exit_status"] == 128
    assert "would be overwritten" in pull["error"]
    # DDX's behind-check limits the count to the prefix, a path the upstream never has.
    behind = rows["check-behind"]
    assert behind["status"] == "mismatch" and json.loads(behind["answer"]) == 0
    assert json.loads(rows["check-behind-nopath"]["answer"]) == ADVANCE
    assert json.loads(rows["has-subtree"]["answer"]) is True


def test_measures_are_plausible(all_rows):
    rows = by_op(all_rows)
    assert rows["subtree-add"]["objects_added"] > 40  # the whole upstream history came in
    assert rows["has-subtree"]["git_growth_bytes"] == 0
    assert rows["has-subtree"]["git_processes"] == 2  # rev-parse --git-dir, log --grep
    # split leaves its cache behind; the split after a rejoin walks far fewer commits.
    assert rows["split"]["subtree_cache_bytes"] > 0
    assert rows["split-after-rejoin"]["git_processes"] < rows["split"]["git_processes"]
    assert rows["ddx-add"]["git_peak_rss_bytes"] > 0


def test_verification_catches_a_wrong_result(cell_repos, tmp_path):
    root, info, paths = cell_repos
    ws = tmp_path / "ws"
    workspace.fresh_copy(info["repos"]["host"], ws / "host")  # no library added
    assert "missing" in verify.verify("ddx-add", ws, None, info)
    assert verify.verify("check-behind", ws, 0, info) is not None
    assert verify.verify("has-subtree", ws, False, info) is not None


def test_fresh_copy_is_clean_and_pristine_untouched(cell_repos, tmp_path):
    _, info, _ = cell_repos
    ws = tmp_path / "copy"
    workspace.fresh_copy(info["repos"]["hostlib"], ws)
    assert git(ws, "status", "--porcelain") == ""
    git(ws, "commit", "-q", "--allow-empty", "-m", "only in the copy")
    fixtures.check_pristine(info)  # the copy's commit did not reach the pristine repository


def test_tampered_pristine_is_detected(cell_repos, tmp_path):
    _, info, _ = cell_repos
    victim = Path(info["repos"]["host"]) / "README.md"
    original = victim.read_bytes()
    try:
        victim.write_bytes(original + b"changed in place\n")
        with pytest.raises(RuntimeError, match="pristine repository host"):
            fixtures.check_pristine(info)
    finally:
        victim.write_bytes(original)
        info["pristine"]["host"] = workspace.fingerprint(info["repos"]["host"])


def test_object_count_matches_git(cell_repos):
    _, info, _ = cell_repos
    repo = info["repos"]["hostlib"]
    stats = dict(line.split(": ") for line in git(repo, "count-objects", "-v").splitlines())
    assert workspace.object_count(repo) == int(stats["count"]) + int(stats["in-pack"])


def test_charts_render(all_rows):
    from ddxspike import charts_subtree

    df = pd.DataFrame([{**r, "mode": "time", "files": 40, "bytes": 400_000} for r in all_rows])
    for name, fn in charts_subtree.CHARTS.items():
        svg = vl_convert.vegalite_to_svg(fn(df).to_dict())
        drawn = re.findall(r'class="mark-(?:line|symbol|rect|area|bar|point)[^"]*"[^>]*>\s*<path', svg)
        assert drawn, f"{name} draws no marks"


def test_pipeline_runs_the_subtree_rules(pipeline):
    from conftest import tiny_config

    cfg = tiny_config()
    cfg["subtree"].update(sizes=["tiny"], history_size="tiny", fixed_commits=6,
                          commit_counts=[6], trials=1,
                          operations=["ddx-add", "ddx-pull", "split", "has-subtree"])
    pipeline.write_config(cfg)
    pipeline.snakemake("results/subtree/tiny/c6.parquet")
    df = pd.read_parquet(pipeline.root / "results/subtree/tiny/c6.parquet")
    assert sorted(df["strategy"]) == ["ddx-add", "ddx-pull", "has-subtree", "split"]
    status = dict(zip(df["strategy"], df["status"]))
    assert status == {"ddx-add": "ok", "ddx-pull": "error", "has-subtree": "ok", "split": "ok"}
    assert (df["commits"] == 6).all() and (df["experiment"] == "subtree").all()
    work = pipeline.root / "results/repos/subtree/work"
    assert not work.exists() or not any(work.iterdir())  # workspaces removed


def test_quick_preset_replaces_the_subtree_sets(tmp_path):
    import yaml
    from conftest import ROOT

    from ddxspike.settings import apply_presets
    from ddxspike.subtree.operations import OPERATIONS

    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    assert set(cfg["subtree"]["operations"]) == set(OPERATIONS)  # the default runs them all
    assert len(cfg["subtree"]["commit_counts"]) >= 3 and max(cfg["subtree"]["commit_counts"]) >= 2000
    preset = yaml.safe_load((ROOT / "presets/quick.yaml").read_text())
    merged = {**cfg, "subtree": {**cfg["subtree"], **preset["subtree"]}}
    apply_presets(merged, [ROOT / "presets/quick.yaml"])
    assert merged["subtree"]["commit_counts"] == preset["subtree"]["commit_counts"]
    assert merged["subtree"]["sizes"] == preset["subtree"]["sizes"]
