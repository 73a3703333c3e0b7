"""The DDX-shaped library generator: shape, budget, determinism, history, manifest, atomicity."""

import json
import os
import subprocess

import pyarrow.parquet as pq
import pytest
import yaml

from ddxspike.repos.generator import LibrarySpec, generate_library
from ddxspike.repos.generator import build
from ddxspike.groundtruth import digest_paths


def gen(tmp_path, name="lib", log=None, **kw):
    kw.setdefault("commits", 5)
    spec = LibrarySpec(**kw)
    repo, manifest = tmp_path / name / "repo", tmp_path / name / "manifest.parquet"
    return generate_library(spec, repo, manifest, log=log), repo, manifest


def git(repo, *args) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def worktree_files(repo):
    out = {}
    for root, dirs, files in os.walk(repo):
        dirs[:] = [d for d in dirs if d != ".git"]
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, repo)] = os.path.getsize(p)
    return out


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    """One 400-file, 40 MB library shared by the read-only checks."""
    tmp = tmp_path_factory.mktemp("medium")
    return gen(tmp, files=400, bytes=40_000_000, commits=12, seed=7)


def test_same_spec_same_tree_and_commit(tmp_path):
    a, _, ma = gen(tmp_path, "a", files=120, bytes=3_000_000, seed=3)
    b, _, mb = gen(tmp_path, "b", files=120, bytes=3_000_000, seed=3)
    c, _, _ = gen(tmp_path, "c", files=120, bytes=3_000_000, seed=4)
    assert (a["tree"], a["head"]) == (b["tree"], b["head"])
    assert c["tree"] != a["tree"]
    assert pq.read_table(ma).equals(pq.read_table(mb))


@pytest.mark.parametrize("files,nbytes", [(1, 1), (1, 3_000_000), (7, 7_000), (40, 400_000),
                                          (100, 1_000_000), (250, 25_000_000)])
def test_exact_file_count_and_byte_budget(tmp_path, files, nbytes):
    summary, repo, _ = gen(tmp_path, files=files, bytes=nbytes, commits=3)
    on_disk = worktree_files(repo)
    assert len(on_disk) == files == summary["files"]
    assert abs(sum(on_disk.values()) - nbytes) <= 0.01 * nbytes
    assert git(repo, "status", "--porcelain") == ""


def test_heavy_tail_binaries_hold_most_bytes(medium):
    summary, repo, manifest = medium
    df = pq.read_table(manifest).to_pandas()
    by_kind = df.groupby("kind")["size"].sum()
    assert by_kind["binary"] > 0.8 * summary["bytes"]
    assert (df["kind"] == "binary").mean() < 0.3  # few files ...
    top = df["size"].nlargest(len(df) // 50).sum()
    assert top > 0.3 * summary["bytes"]  # ... and the largest 2% hold a big share
    text = df[df["kind"] == "text"]["size"]
    assert 3000 < text.median() < 10000  # the real library's ~6 KB median
    binaries = df[df["kind"] == "binary"]["path"].map(bytes.decode)
    assert binaries.str.contains(r"\.(?:png|pdf|zip|tar\.gz)$").all()


def test_mostly_text_when_files_are_small(tmp_path):
    summary, _, _ = gen(tmp_path, files=500, bytes=5_000_000)  # 10 KB a file
    assert summary["binary_files"] <= 0.05 * summary["files"]


def test_ddx_layout_parses(medium):
    _, repo, _ = medium
    top = sorted(p.name for p in repo.iterdir() if p.name != ".git")
    assert top == ["mcp-servers", "patterns", "personas", "prompts", "templates", "workflows"]
    assert sorted(p.name for p in (repo / "prompts").iterdir()) == ["claude", "common", "ddx"]
    for yml in repo.rglob("*.yml"):
        assert yaml.safe_load(yml.read_text()) is not None, yml
    workflows = list(repo.glob("workflows/*/workflow.yml"))
    assert workflows
    for wf in workflows:
        doc = yaml.safe_load(wf.read_text())
        assert doc["name"] and doc["version"] and doc["phases"]
    for meta in repo.glob("workflows/*/phases/*/artifacts/*/meta.yml"):
        doc = yaml.safe_load(meta.read_text())
        assert {"artifact", "dependencies", "output", "validation"} <= set(doc)
    registry = yaml.safe_load((repo / "mcp-servers/registry.yml").read_text())
    for server in registry["servers"]:
        assert (repo / "mcp-servers" / server["file"]).is_file()
    for persona in (repo / "personas").glob("*.md"):
        front = yaml.safe_load(persona.read_text().split("---\n")[1])
        assert {"name", "roles", "description", "tags"} <= set(front)
    # What `ddx list` shows: every asset folder's README has a description line.
    for t in ("templates", "patterns", "workflows", "prompts/claude"):
        for asset in (a for a in (repo / t).iterdir() if a.is_dir()):
            lines = [ln for ln in (asset / "README.md").read_text().splitlines()
                     if ln.strip() and not ln.startswith("#")]
            assert len(lines[0]) > 20, asset


def test_manifest_matches_git(medium):
    summary, repo, manifest = medium
    df = pq.read_table(manifest).to_pandas()
    staged = {}
    for line in git(repo, "ls-files", "-s").splitlines():
        meta, path = line.split("\t")
        staged[path] = meta.split()[1]
    assert dict(zip(df["path"].map(bytes.decode), df["blob"])) == staged
    assert dict(zip(df["path"].map(bytes.decode), df["size"])) == worktree_files(repo)
    assert set(df["asset_type"]) == {"templates", "patterns", "prompts", "workflows", "personas",
                                     "mcp-servers"}
    assert (df["asset"] == df["path"].map(lambda p: p.decode().split("/")[1])).all()
    sidecar = json.loads(manifest.with_suffix(".json").read_text())
    assert sidecar["tree"] == summary["tree"] == git(repo, "rev-parse", "HEAD^{tree}").strip()
    assert sidecar["digest"] == digest_paths(staged)
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "branch", "--show-current").strip() == "main"


def test_commit_count_and_history(medium):
    summary, repo, _ = medium
    assert int(git(repo, "rev-list", "--count", "HEAD")) == 12 == summary["commits"]
    # Later commits revise text files (more than one version of some path in history).
    assert git(repo, "log", "--format=", "--name-only", "-3").strip()


def test_thousands_of_commits(tmp_path):
    # Long histories feed the subtree experiment's history axis (~6 s of CPU here; speed
    # belongs in benchmarks/generation_cost.py, not in a timed test).
    summary, repo, _ = gen(tmp_path, files=60, bytes=600_000, commits=5000)
    assert int(git(repo, "rev-list", "--count", "HEAD")) == 5000
    assert git(repo, "status", "--porcelain") == ""


def test_empty_library_is_one_empty_commit(tmp_path):
    summary, repo, manifest = gen(tmp_path, files=0, bytes=0, commits=1)
    assert summary["tree"] == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    assert int(git(repo, "rev-list", "--count", "HEAD")) == 1
    assert pq.read_table(manifest).num_rows == 0
    assert worktree_files(repo) == {}


def test_interrupted_run_leaves_nothing(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise KeyboardInterrupt("simulated interruption")

    monkeypatch.setattr(build, "_import_history", boom)
    with pytest.raises(KeyboardInterrupt):
        gen(tmp_path, files=50, bytes=5_000_000)
    assert not (tmp_path / "lib" / "manifest.parquet").exists()
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == []


def test_failure_while_streaming_binaries_leaves_nothing(tmp_path, monkeypatch):
    def broken(slot, seed):
        yield b"\x89PNG"
        raise OSError("simulated disk error")

    monkeypatch.setattr(build, "binary_chunks", broken)
    with pytest.raises(OSError, match="simulated"):
        gen(tmp_path, files=50, bytes=5_000_000)
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == []


def test_refuses_to_overwrite_and_cleans_stale_temp(tmp_path):
    gen(tmp_path, files=10, bytes=50_000)
    stale = tmp_path / "lib" / "repo.tmp-999999999"
    stale.mkdir()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        gen(tmp_path, files=10, bytes=50_000)
    spec = LibrarySpec(files=12, bytes=60_000, commits=2)
    summary = generate_library(spec, tmp_path / "lib" / "repo", tmp_path / "lib" / "m.parquet",
                               log=None, overwrite=True)
    assert len(worktree_files(tmp_path / "lib" / "repo")) == 12 == summary["files"]
    assert not stale.exists()


@pytest.mark.parametrize("kw,needle", [
    (dict(files=-1, bytes=10), "files=-1"),
    (dict(files=10, bytes=-5), "bytes=-5"),
    (dict(files=10, bytes=5), "bytes=5"),
    (dict(files=0, bytes=10), "bytes=10"),
    (dict(files=5, bytes=500, commits=0), "commits=0"),
    (dict(files=5, bytes=500, split={"templates": 1, "tools": 1}), "tools"),
])
def test_bad_specs_name_the_value(tmp_path, kw, needle):
    with pytest.raises(ValueError, match=needle):
        gen(tmp_path, **{"commits": 1, **kw})
    assert not (tmp_path / "lib").exists() or not any((tmp_path / "lib").iterdir())


@pytest.fixture
def small_disk(tmp_path):
    """A 5 MB tmpfs (root only); skipped where it cannot be mounted; always unmounted."""
    import subprocess

    mnt = tmp_path / "small-disk"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=5m", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_names_the_cause_and_the_folder(small_disk, tmp_path):
    from ddxspike.repos.generator.build import DiskFull

    spec = LibrarySpec(seed=3, files=200, bytes=20_000_000, commits=5)
    with pytest.raises(DiskFull) as err:
        generate_library(spec, repo_dir=small_disk / "big" / "repo",
                         manifest_path=tmp_path / "m.parquet", log=None)
    msg = str(err.value)
    assert "no space left on device (ENOSPC)" in msg and str(small_disk / "big") in msg, msg
    assert "BrokenPipe" not in msg
    assert not list((small_disk / "big").iterdir()), "the partial repository was left behind"
