"""Git subtree experiment: operations succeed and are verified against the ground truth, the
pristine repositories stay untouched, failures become rows, and the rules run end to end."""

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import vl_convert

from conftest import DDX_BINARY

from ddxspike.repos.generator import LibrarySpec, generate_library
from ddxspike.repos import subtree_fixtures as fixtures
from ddxspike.subtree import cell, ddxbin, operations, verify, workspace
from ddxspike.gitrun import git

PREFIX = ".ddx/library"
ADVANCE = 3
DIMS = {"experiment": "subtree", "size": "tiny", "cache_state": "warm"}
DDX = {"binary": str(DDX_BINARY), "timeout_s": 60}


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


def section(trials=1, **budget):
    return {"warmups": 1, "trials": trials, "slow_trials": trials, "slow_after_s": 60,
            "trial_timeout_s": 60, **budget}


def run(cell_repos, ops, trials=1, **budget):
    root, info, paths = cell_repos
    return cell.run_subtree_cell(
        info, ops, {**DIMS, "commits": 12}, section(trials, **budget), work_dir=root / "work",
        manifest_paths=paths, sparse_dirs=["workflows"], ddx=DDX, log=lambda m: None)


@pytest.fixture(scope="module")
def all_rows(cell_repos, tmp_path_factory):
    # HOME and XDG folders of our own, empty: DDX's processes must write nothing there.
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        for var in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            mp.setenv(var, str(home))
        rows = run(cell_repos, list(operations.OPERATIONS))
    assert list(home.iterdir()) == []
    return rows


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
    expected_findings = {"internal-pull", "internal-check-behind"}
    for name, r in rows.items():
        if name not in expected_findings:
            assert r["status"] == "ok", (name, r.get("error"))
            assert r["exit_status"] == 0 and r["wall_s"] > 0
            assert r["git_processes"] >= (0 if name == "ddx-update" else 1), name
    # DDX's pull: `git rm --cached` leaves the files, read-tree -u refuses to overwrite them.
    pull = rows["internal-pull"]
    assert pull["status"] == "error" and pull["exit_status"] == 128
    assert "would be overwritten" in pull["error"]
    # DDX's behind-check limits the count to the prefix, a path the upstream never has.
    behind = rows["internal-check-behind"]
    assert behind["status"] == "mismatch" and json.loads(behind["answer"]) == 0
    assert json.loads(rows["internal-check-behind-nopath"]["answer"]) == ADVANCE
    assert json.loads(rows["model-has-subtree"]["answer"]) is True


def test_measures_are_plausible(all_rows):
    rows = by_op(all_rows)
    assert rows["subtree-add"]["objects_added"] > 40  # the whole upstream history came in
    assert rows["model-has-subtree"]["git_growth_bytes"] == 0
    assert rows["model-has-subtree"]["git_processes"] == 2  # rev-parse --git-dir, log --grep
    assert rows["model-add"].get("files_changed") is None  # measured for DDX's own commands only
    # split leaves its cache behind; the split after a rejoin walks far fewer commits.
    assert rows["split"]["subtree_cache_bytes"] > 0
    assert rows["split-after-rejoin"]["git_processes"] < rows["split"]["git_processes"]
    assert rows["model-add"]["git_peak_rss_bytes"] > 0


def test_ddx_binary_operations(all_rows, cell_repos):
    _, info, _ = cell_repos
    rows = by_op(all_rows)
    init = rows["ddx-init"]
    assert init["status"] == "ok" and init["files_changed"] == 40  # the whole library arrived
    # The "Squashed" commit is a merge with the upstream's tip: its 12 commits join the history.
    facts = json.loads(init["answer"])
    assert facts["squash_parents"] == 2 and facts["upstream_commits_gained"] == 12
    assert init["git_processes"] > rows["model-add"]["git_processes"]  # + the config commit
    update = rows["ddx-update"]
    assert update["status"] == "ok" and update["git_processes"] == 0 and update["files_changed"] == 0
    assert json.loads(update["answer"])["arrived"] == 0 < 2 * ADVANCE
    contribute = rows["ddx-contribute"]
    assert contribute["status"] == "ok", contribute["error"]
    assert contribute["files_changed"] == 0 and contribute["git_processes"] > 10  # split walks
    for op in ("tarball-install", "tarball-update"):
        assert rows[op]["status"] == "ok" and rows[op]["exit_status"] == 0, rows[op]["error"]
    assert rows["tarball-update"]["host_commits"] == info["host_commits"]["host"] + 1


def test_ddx_update_traced_in_every_trial(cell_repos):
    rows = run(cell_repos, ["ddx-update"], trials=2)
    assert [(r["git_processes"], r["files_changed"]) for r in rows] == [(0, 0), (0, 0)]


def test_ddx_contribute_refusal_is_an_error_row(cell_repos, monkeypatch):
    monkeypatch.setattr(ddxbin, "CONTRIBUTION_TEXT", "# Contributed\n\nThe api secret is here.\n")
    [row] = run(cell_repos, ["ddx-contribute"])
    assert row["status"] == "error" and row["exit_status"] == 1
    assert "Potential sensitive data detected" in row["error"]
    assert "Usage:" not in row["error"]  # DDX's own words, not cobra's usage text


def test_generated_libraries_pass_ddx_sensitive_check(cell_repos):
    """The deliberate choice: synthetic libraries hold none of the words `ddx contribute`
    refuses (c208478, cmd/contribute.go), so its whole path is timed; the refusal is the test
    above. DDX reads every file whose extension is not a known binary one."""
    words = ("password", "secret", "token", "api_key", "private_key", "-----begin", "ssh-rsa",
             "ssh-ed25519")
    root = Path(cell_repos[0]) / "upstream"
    binary = (".png", ".pdf", ".zip", ".gz")
    hits = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts
            and not p.name.endswith(binary)
            and any(w in p.read_bytes().decode(errors="replace").lower() for w in words)]
    assert hits == []


def test_file_url_must_pass_through_tmp(cell_repos):
    """DDX takes a file:// URL only when it contains /tmp/ (or $TMPDIR); url_in_tmp arranges
    that even when the workspace is elsewhere."""
    _, info, _ = cell_repos
    base = Path("/dev/shm")
    if not base.is_dir():
        pytest.skip("needs a writable folder outside /tmp")
    import tempfile
    ws = Path(tempfile.mkdtemp(prefix="ddxspike-url-", dir=base))
    try:
        git(ws, "clone", "-q", info["repos"]["host"], "host")  # another device: no hard links
        direct = Path(info["upstream"]["path"]).resolve()
        link = ws / "lib"
        link.symlink_to(direct)
        from ddxspike.ddxcli import DdxFailed
        with pytest.raises(DdxFailed, match="unsupported URL scheme: file"):
            ddxbin.init(str(DDX_BINARY), ws, link.as_uri(), 60)
        workspace.remove(ws / "host" / ".ddx")  # the refused init saved its config already
        url = ddxbin.url_in_tmp(ws, "upstream", direct)
        assert "/tmp/" in url and str(ws) in url
        ddxbin.init(str(DDX_BINARY), ws, url, 60)
        assert git(ws / "host", "rev-parse", f"HEAD:{PREFIX}") == info["upstream"]["tree"]
    finally:
        workspace.remove(ws)


def test_verification_catches_a_wrong_result(cell_repos, tmp_path):
    root, info, paths = cell_repos
    ws = tmp_path / "ws"
    workspace.fresh_copy(info["repos"]["host"], ws / "host")  # no library added
    assert "missing" in verify.verify("model-add", ws, None, info)
    assert verify.verify("internal-check-behind", ws, 0, info) is not None
    assert verify.verify("model-has-subtree", ws, False, info) is not None
    assert "missing" in verify.verify("ddx-init", ws, None, info)
    assert "missing" in verify.verify("tarball-install", ws, None, info)
    # The pull check looks every changed path up in one git process: each missing one counted.
    missing = verify.verify("internal-pull-rm", ws, None, info)
    assert missing.startswith(f"{len(info['advance_blobs'])} upstream changes missing")
    assert "has tree" in verify.verify("split", ws, git(ws / "host", "rev-parse", "HEAD"), info)
    names = ["HEAD^{tree}", "HEAD:no such path", "HEAD:README.md"]
    assert verify._objects_at(ws / "host", names) == [
        git(ws / "host", "rev-parse", "HEAD^{tree}"), "<missing: HEAD:no such path>",
        git(ws / "host", "rev-parse", "HEAD:README.md")]


def test_fresh_copy_is_clean_and_pristine_untouched(cell_repos, tmp_path):
    _, info, _ = cell_repos
    ws = tmp_path / "copy"
    workspace.fresh_copy(info["repos"]["hostlib"], ws)
    assert git(ws, "status", "--porcelain") == ""
    # Working tree and objects hard-linked, the rest of .git a real copy; the copy's settings.
    src = Path(info["repos"]["hostlib"])
    loose = next(p for p in (src / ".git" / "objects").rglob("*") if p.is_file())
    for rel, linked in [("README.md", True), (loose.relative_to(src), True),
                        (".git/index", False), (".git/HEAD", False)]:
        assert (ws / rel).samefile(src / rel) is linked, rel
    again = tmp_path / "copy-of-copy"
    workspace.fresh_copy(ws, again)
    for repo in (ws, again):
        assert git(repo, "config", "--get", "gc.auto") == "0"
        assert git(repo, "config", "--get", "core.trustctime") == "false"
    assert (again / ".git" / "config").read_text().count(workspace.COPY_SETTINGS) == 1
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
                          operations=["model-add", "internal-pull", "split", "model-has-subtree",
                                      "ddx-init", "ddx-update", "tarball-update"])
    pipeline.write_config(cfg)
    pipeline.snakemake("results/subtree/tiny/c6.parquet")
    df = pd.read_parquet(pipeline.root / "results/subtree/tiny/c6.parquet")
    status = dict(zip(df["strategy"], df["status"]))
    assert status == {"model-add": "ok", "internal-pull": "error", "model-has-subtree": "ok",
                      "split": "ok", "ddx-init": "ok", "ddx-update": "ok", "tarball-update": "ok"}
    assert (df["commits"] == 6).all() and (df["experiment"] == "subtree").all()
    assert df.set_index("strategy").loc["ddx-update", ["git_processes", "files_changed"]].tolist() == [0, 0]
    work = pipeline.root / "results/repos/subtree/work"
    assert not work.exists() or not any(work.iterdir())  # workspaces removed


def test_without_a_binary_ddx_operations_are_left_out(pipeline):
    """No binary: DDX's own operations are not in the matrix (no rows, no errors); a cell of
    nothing but them is no job at all."""
    from conftest import tiny_config

    cfg = tiny_config()
    cfg["ddx"] = {"binary": "./no/such/ddx"}
    cfg["subtree"].update(fixed_commits=4, commit_counts=[4], trials=1,
                          operations=["ddx-init", "ddx-contribute", "model-has-subtree"])
    pipeline.write_config(cfg)
    pipeline.snakemake("results/subtree/tiny/c4.parquet")
    df = pd.read_parquet(pipeline.root / "results/subtree/tiny/c4.parquet")
    assert list(df["strategy"]) == ["model-has-subtree"] and (df["status"] == "ok").all()
    cfg["subtree"]["operations"] = ["ddx-init"]
    pipeline.write_config(cfg)
    dry = pipeline.snakemake("-n", "--forceall", "all")
    assert "measure_subtree" not in dry.stdout


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


def test_preflight_counts_the_tarball_route():
    from ddxspike import preflight

    cfg = {"sizes": {"small": {"files": 100, "bytes": 10_000_000}}, "subtree": {"operations": ["split"]}}
    jobs = [("measure_subtree", {"size": "small", "commits": "100"})]
    plain = preflight.planned_needs(jobs, cfg)["subtree work space"]
    cfg["subtree"]["operations"].append("tarball-update")
    assert preflight.planned_needs(jobs, cfg)["subtree work space"] > 2 * plain
