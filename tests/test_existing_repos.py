"""Real repositories (config existing_repos): bad paths stop the run before any job; ground
truth from git matches what the walkers find; a run never writes inside the repository."""

import hashlib
import os
import subprocess

import pyarrow.parquet as pq
import pytest

from conftest import tiny_config
from test_determinism import small_config
from ddxspike.existing import ExistingRepoError, build_manifest, check_existing_repos
from ddxspike.groundtruth import digest_paths

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]


def make_repo(root, clean=True):
    """A small real-looking repository: text and binary files, a symlink, a non-UTF-8 name, a
    staged-but-uncommitted change; unless clean, also untracked and ignored files and a nested
    repository (on disk, not tracked)."""
    root.mkdir()
    subprocess.run([*GIT, "init", "-q", str(root)], check=True)
    files = {
        "templates/web/README.md": b"# web\nA template.\n",
        "templates/web/logo.png": b"\x89PNG\0\0binary",
        "workflows/helix/workflow.yml": b"name: helix\nversion: 1\n",
        "prompts/common/p.md": b"prompt\n",
        ".gitignore": b"build/\n",
        "notes.txt": b"top-level file\n",
        os.fsdecode(b"caf\xe9.md"): b"latin-1 name\n",
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    os.symlink("README.md", root / "templates/web/latest.md")
    subprocess.run([*GIT, "-C", str(root), "add", "."], check=True)
    subprocess.run([*GIT, "-C", str(root), "commit", "-qm", "init"], check=True)
    (root / "notes.txt").write_text("edited and staged\n")
    subprocess.run([*GIT, "-C", str(root), "add", "notes.txt"], check=True)
    if not clean:
        (root / "untracked.md").write_text("not added\n")
        (root / "build").mkdir()
        (root / "build" / "out.bin").write_bytes(b"\0" * 100)  # ignored, still on disk
        nested = root / "vendor" / "lib"
        nested.mkdir(parents=True)
        subprocess.run([*GIT, "init", "-q", str(nested)], check=True)
        (nested / "lib.md").write_text("nested repository\n")
    return root


def fingerprint(root) -> str:
    """Hash of every file below root (.git refs, index and objects included): path, mode,
    size, mtime and content, plus the set of folders."""
    h = hashlib.sha256()
    for dirpath, dirs, names in sorted(os.walk(os.fsencode(root))):
        dirs.sort()
        h.update(b"D" + dirpath)
        for name in sorted(names):
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            h.update(b"F%s %o %d %d " % (full, st.st_mode, st.st_size, st.st_mtime_ns))
            if not os.path.islink(full):
                with open(full, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def test_check_names_key_and_path(tmp_path):
    repo = make_repo(tmp_path / "r")
    assert check_existing_repos({"mine": str(repo)}, {}) == {"mine": str(repo.resolve())}
    cases = {
        str(tmp_path / "nope"): "does not exist",
        str(tmp_path): "not a git repository",
        str(repo / "templates"): "inside the git repository",
    }
    for path, words in cases.items():
        with pytest.raises(ExistingRepoError, match=words) as err:
            check_existing_repos({"mine": path}, {})
        assert "existing_repos.mine" in str(err.value)
    with pytest.raises(ExistingRepoError, match="also a key of sizes"):
        check_existing_repos({"tiny": str(repo)}, {"tiny": {}})


def test_ground_truth_is_what_git_tracks_and_a_walk_sees(tmp_path):
    from ddxspike.discovery import scandir

    repo = make_repo(tmp_path / "clean")
    table, summary = build_manifest(repo)
    paths = set(table.column("path").to_pylist())
    assert b"caf\xe9.md" in paths and b"templates/web/latest.md" in paths
    assert not any(p.startswith(b".git/") for p in paths)
    assert summary["digest"] == digest_paths(scandir.discover(str(repo), "names").paths)
    assert summary["commits"] == 1 and summary["files"] == len(paths) == 8
    assert summary["untracked_on_disk"] == 0
    kinds = dict(zip(table.column("path").to_pylist(), table.column("kind").to_pylist()))
    assert kinds[b"templates/web/logo.png"] == "binary" and kinds[b"notes.txt"] == "text"
    assert kinds[b"templates/web/latest.md"] == "symlink"
    assets = dict(zip(table.column("path").to_pylist(), table.column("asset").to_pylist()))
    assert assets[b"workflows/helix/workflow.yml"] == "helix" and assets[b"notes.txt"] is None
    # Untracked, ignored and nested-repository files are on disk but not in the ground truth.
    dirty = make_repo(tmp_path / "dirty", clean=False)
    dirty_table, dirty_summary = build_manifest(dirty)
    assert set(dirty_table.column("path").to_pylist()) == paths
    assert dirty_summary["untracked_on_disk"] == 3  # untracked.md, build/out.bin, vendor/lib/


def test_bad_path_stops_before_any_job(pipeline, tmp_path):
    pipeline.write_config(small_config(existing_repos={"mine": str(tmp_path / "missing")}))
    proc = pipeline.snakemake("-n", check=False)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "existing_repos.mine" in out and "does not exist" in out
    assert not (pipeline.root / "results").exists()


def test_pipeline_never_writes_inside_the_repository(pipeline, tmp_path):
    repo = make_repo(tmp_path / "real")
    before = fingerprint(repo)
    cfg = small_config(existing_repos={"mine": str(repo)})
    cfg["discovery"]["strategies"] = tiny_config()["discovery"]["strategies"]  # every strategy
    cfg["discovery"]["depths"] = ["names", "hash"]  # hash reads every file
    # Cold trials evict the repository's pages before each trial (a read-only open too).
    cfg["measurement"].update(trials=1, heap_trials=0, cache_states=["cold"])
    pipeline.write_config(cfg)
    # Every job measuring the real repository, not the tiny size.
    outputs = [f"results/discovery/mine/{s}.parquet" for s in cfg["discovery"]["strategies"]]
    pipeline.snakemake(*outputs)
    assert fingerprint(repo) == before, "the pipeline wrote inside the configured repository"
    manifest = pq.read_table(pipeline.root / "results/manifests/mine.parquet")
    assert manifest.num_rows == len(build_manifest(repo)[0])
    for out in outputs:
        rows = pq.read_table(pipeline.root / out).to_pandas()
        assert set(rows["status"]) == {"ok"} and set(rows["size"]) == {"mine"}
    # An unchanged repository is not measured again; a new commit reruns its manifest.
    again = pipeline.snakemake("-n", *outputs)
    assert "Nothing to be done" in again.stdout + again.stderr
    (repo / "templates" / "new.md").write_text("new\n")  # the user commits a file
    subprocess.run([*GIT, "-C", str(repo), "add", "templates/new.md"], check=True)
    subprocess.run([*GIT, "-C", str(repo), "commit", "-qm", "more"], check=True)
    changed = pipeline.snakemake("-n", *outputs)
    assert "manifest_existing" in changed.stdout + changed.stderr
