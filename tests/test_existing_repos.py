"""Real repositories (config existing_repos): bad paths stop the run before any job; ground
truth from git matches what the walkers find; a run never writes inside the repository."""

import hashlib
import importlib
import os
import subprocess

import pyarrow.parquet as pq
import pytest

from conftest import tiny_config
from test_determinism import small_config
from ddxspike.repos.existing import ExistingRepo, ExistingRepoError, build_manifest, check_existing_repos
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
    assert check_existing_repos({"mine": str(repo)}, {}) == {"mine": ExistingRepo(str(repo.resolve()))}
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


def git(repo, *args):
    subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True)


def make_project(root):
    """A DDX project: the library at .ddx/library, and a folder named like an asset type outside
    it (not an asset of the library)."""
    files = {
        "README.md": b"# project\n",
        "templates/not-the-library.md": b"project file\n",
        ".ddx/library/templates/web/README.md": b"# web\n",
        ".ddx/library/workflows/helix/workflow.yml": b"name: helix\nversion: 1\n",
    }
    root.mkdir()
    subprocess.run([*GIT, "init", "-q", str(root)], check=True)
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    git(root, "add", ".")
    git(root, "commit", "-qm", "project")
    return root


def test_library_folder_inside_a_repository(tmp_path):
    root = make_project(tmp_path / "p")
    top = str(root.resolve())
    for given in (".ddx/library", "./.ddx/library/", ".ddx//library"):
        got = check_existing_repos({"p": {"path": str(root), "library": given}}, {})
        assert got == {"p": ExistingRepo(top, ".ddx/library")}
    assert check_existing_repos({"p": {"path": str(root)}}, {}) == {"p": ExistingRepo(top, "")}
    for bad in ("/abs/library", "../library", ".git", "missing", "README.md"):
        with pytest.raises(ExistingRepoError, match=r"existing_repos\.p\.library"):
            check_existing_repos({"p": {"path": str(root), "library": bad}}, {})
    table, summary = build_manifest(root, ".ddx/library")
    assets = {r["path"]: (r["asset_type"], r["asset"]) for r in table.to_pylist()}
    assert assets[b".ddx/library/workflows/helix/workflow.yml"] == ("workflows", "helix")
    assert assets[b".ddx/library/templates/web/README.md"] == ("templates", "web")
    assert assets[b"templates/not-the-library.md"] == (None, None)  # outside the library
    assert summary["library"] == ".ddx/library" and summary["workflows"] == 1
    assert summary["files"] == 4  # paths stay the repository's: the walkers list all of it
    whole = {r["path"]: r["asset_type"] for r in build_manifest(root)[0].to_pylist()}
    assert whole[b"templates/not-the-library.md"] == "templates"


def clone(src, dest):
    subprocess.run([*GIT, "clone", "-q", str(src), str(dest)], check=True, capture_output=True)
    return dest


def refused(name, path, *words):
    before = fingerprint(path)
    with pytest.raises(ExistingRepoError) as err:
        check_existing_repos({name: str(path)}, {})
    text = str(err.value)
    assert f"existing_repos.{name}" in text, text
    for w in words:
        assert w in text, (w, text)
    assert fingerprint(path) == before, "the check wrote inside the repository"
    return text


def test_each_kind_of_working_tree_is_measured_or_refused(tmp_path):
    import yaml
    from conftest import ROOT

    main = make_repo(tmp_path / "main")
    git(main, "commit", "-qm", "staged change")
    # Linked worktree: .git is a file naming the main repository's .git/worktrees/<name>.
    linked = tmp_path / "linked"
    git(main, "worktree", "add", "-q", str(linked))
    assert (linked / ".git").is_file()
    assert check_existing_repos({"linked": str(linked)}, {})["linked"].path == str(linked.resolve())
    table, summary = build_manifest(linked)
    assert summary["files"] == len(build_manifest(main)[0]) and summary["untracked_on_disk"] == 0
    strategies = yaml.safe_load((ROOT / "config.yaml").read_text())["discovery"]["strategies"]
    for name, entry in strategies.items():
        if "python" not in entry:
            continue
        module = importlib.import_module(entry["python"])
        if getattr(module, "LISTS", "files") != "files":
            continue
        for depth in ("names", "hash"):
            kw = {"cache_file": str(tmp_path / f"{name}.pickle")} if name == "file-cache" else {}
            if hasattr(module, "prime"):
                kw["state"] = module.prime(str(linked), depth)
            out = module.discover(str(linked), depth, **kw)
            got = digest_paths(out.paths) if out.paths is not None else out.digest
            assert got == summary["digest"], f"{name} at {depth} on a linked worktree"

    sparse = clone(main, tmp_path / "sparse")
    git(sparse, "sparse-checkout", "set", "templates")
    refused("sparse", sparse, "sparse checkout", "not on disk", "git clone")

    split = clone(main, tmp_path / "split")
    git(split, "update-index", "--split-index")
    assert list((split / ".git").glob("sharedindex.*"))
    refused("split", split, "split index", "sharedindex", "git clone")  # and nothing touched
    from ddxspike.discovery import gitindex
    from ddxspike.discovery.indexfile import SplitIndexError
    with pytest.raises(SplitIndexError):  # named, not read as empty names
        gitindex.discover(str(split), "names")

    sub = clone(main, tmp_path / "sub")
    git(sub, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(main), "vendor/lib")
    git(sub, "commit", "-qm", "submodule")
    refused("sub", sub, "submodule", "vendor/lib", "entry of its own")

    conflict = clone(main, tmp_path / "conflict")
    (conflict / "notes.txt").write_text("ours\n")
    git(conflict, "commit", "-qam", "ours")
    git(conflict, "checkout", "-qb", "theirs", "HEAD~1")
    (conflict / "notes.txt").write_text("theirs\n")
    git(conflict, "commit", "-qam", "theirs")
    subprocess.run([*GIT, "-C", str(conflict), "merge", "-q", "master"], capture_output=True)
    refused("conflict", conflict, "unmerged", "notes.txt", "abort")

    missing = clone(main, tmp_path / "missing")
    (missing / "notes.txt").unlink()
    refused("missing", missing, "not in the working tree", "notes.txt", "git restore")

    dirty = make_repo(tmp_path / "dirty", clean=False)
    refused("dirty", dirty, "3 untracked or ignored", "git clean -ndx")
    ignored = clone(main, tmp_path / "ignored")
    (ignored / "build").mkdir()
    (ignored / "build" / "out.bin").write_bytes(b"\0")  # ignored by .gitignore, still on disk
    refused("ignored", ignored, "1 untracked or ignored", "build/out.bin")


def test_refused_tree_stops_before_any_job_and_is_not_touched(pipeline, tmp_path):
    repo = clone(make_repo(tmp_path / "main"), tmp_path / "split")
    git(repo, "update-index", "--split-index")
    before = fingerprint(repo)
    pipeline.write_config(small_config(existing_repos={"mine": {"path": str(repo)}}))
    proc = pipeline.snakemake("-n", check=False)
    assert proc.returncode != 0
    assert "existing_repos.mine" in proc.stdout + proc.stderr
    assert "split index" in proc.stdout + proc.stderr
    assert not (pipeline.root / "results").exists()
    assert fingerprint(repo) == before


def test_bad_path_stops_before_any_job(pipeline, tmp_path):
    pipeline.write_config(small_config(existing_repos={"mine": str(tmp_path / "missing")}))
    proc = pipeline.snakemake("-n", check=False)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "existing_repos.mine" in out and "does not exist" in out
    assert not (pipeline.root / "results").exists()


def test_pipeline_never_writes_inside_the_repository(pipeline, tmp_path):
    repo = make_repo(tmp_path / "real")
    # A linked worktree (its git folder inside main's .git), given in the {path} form.
    main = make_repo(tmp_path / "main")
    git(main, "worktree", "add", "-q", str(tmp_path / "linked"))
    trees = (repo, main, tmp_path / "linked")
    before = [fingerprint(t) for t in trees]
    cfg = small_config(existing_repos={"mine": str(repo),
                                       "linked": {"path": str(tmp_path / "linked")}})
    cfg["discovery"]["strategies"] = tiny_config()["discovery"]["strategies"]  # every strategy
    cfg["discovery"]["depths"] = ["names", "hash"]  # hash reads every file
    # Cold trials evict the repository's pages before each trial (a read-only open too).
    cfg["measurement"].update(trials=1, heap_trials=0, cache_states=["cold"])
    pipeline.write_config(cfg)
    # Every job measuring the real repository, not the tiny size.
    outputs = [f"results/discovery/mine/{s}.parquet" for s in cfg["discovery"]["strategies"]]
    linked = [f"results/discovery/linked/{s}.parquet" for s in cfg["discovery"]["strategies"]]
    pipeline.snakemake(*outputs, *linked)
    assert [fingerprint(t) for t in trees] == before, "the pipeline wrote inside a repository"
    manifest = pq.read_table(pipeline.root / "results/manifests/mine.parquet")
    assert manifest.num_rows == len(build_manifest(repo)[0])
    for out in outputs + linked:
        rows = pq.read_table(pipeline.root / out).to_pandas()
        assert set(rows["status"]) == {"ok"} and set(rows["size"]) == {out.split("/")[2]}
    # An unchanged repository is not measured again; a new commit reruns its manifest.
    again = pipeline.snakemake("-n", *outputs)
    assert "Nothing to be done" in again.stdout + again.stderr
    (repo / "templates" / "new.md").write_text("new\n")  # the user commits a file
    subprocess.run([*GIT, "-C", str(repo), "add", "templates/new.md"], check=True)
    subprocess.run([*GIT, "-C", str(repo), "commit", "-qm", "more"], check=True)
    changed = pipeline.snakemake("-n", *outputs)
    assert "manifest_existing" in changed.stdout + changed.stderr
