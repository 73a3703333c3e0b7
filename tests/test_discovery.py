"""Asset discovery strategies: every strategy and depth against a generated library's manifest,
git's index read at versions 2 and 4, the lazy stream's order, the trial plan, and the caches
staying correct after files are touched, added, removed or renamed."""

import importlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ddxspike import budgets
from ddxspike.discovery import dircache, file_cache, gitindex, lazy, memory_cache, scandir
from ddxspike.discovery.assets import expected_assets
from ddxspike.discovery.cells import build_specs, resolve
from ddxspike.discovery.ddx_list import RESOURCE_TYPES
from ddxspike.discovery.depth import DEPTHS
from ddxspike.repos.generator import LibrarySpec, generate_library
from ddxspike.groundtruth import digest_paths

PYTHON_STRATEGIES = ["walk", "scandir", "parallel", "gitindex", "memory_cache", "lazy",
                     "sorted_full", "ddx_list"]
SPLIT = {"templates": 0.3, "patterns": 0.3, "prompts": 0.3, "workflows": 0.1}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    summary = generate_library(LibrarySpec(files=120, bytes=600_000, commits=3, seed=7, split=SPLIT),
                               repo_dir=root / "repo", manifest_path=root / "m.parquet",
                               log=lambda m: None)
    return root / "repo", root / "m.parquet", summary


def answer(module, repo, depth, **kw):
    outcome = module.discover(str(repo), depth, **kw)
    if outcome.paths is not None:
        return len(outcome.paths), digest_paths(outcome.paths)
    return outcome.items, outcome.digest


@pytest.mark.parametrize("name", PYTHON_STRATEGIES)
def test_every_strategy_and_depth_matches_the_manifest(library, name):
    repo, manifest, summary = library
    module = importlib.import_module(f"ddxspike.discovery.{name}")
    if module.LISTS == "assets":
        assets = expected_assets(manifest)
        truth = (len(assets), digest_paths(assets))
    else:
        truth = (summary["files"], summary["digest"])
    for depth in getattr(module, "DEPTHS", DEPTHS):
        kwargs = {}
        if hasattr(module, "prime"):
            kwargs["state"] = module.prime(str(repo), depth)
        assert answer(module, repo, depth, **kwargs) == truth, f"{name} at {depth}"


def test_ddx_list_truth_is_the_manifests_asset_columns(library):
    _, manifest, _ = library
    rows = pq.read_table(manifest).to_pylist()
    from_columns = sorted({f"{r['asset_type']}/{r['asset']}".encode() for r in rows
                           if r["asset_type"] in RESOURCE_TYPES})
    assert from_columns and expected_assets(manifest) == from_columns


def test_ddx_list_reads_descriptions_and_has_no_hash_depth(library):
    repo, _, _ = library
    from ddxspike.discovery import ddx_list

    assert "hash" not in ddx_list.DEPTHS
    with pytest.raises(ValueError, match="no depth 'hash'"):
        ddx_list.discover(str(repo), "hash")
    folder = next(p for p in (repo / "templates").iterdir() if p.is_dir())
    assert ddx_list.describe(str(folder), folder.name, True, 0)  # README line or "N items"
    assert ddx_list.guess_tags("react-api") == ["react", "api"]
    assert "typescript" in ddx_list.guess_tags("tests")  # DDX guesses by substring: "ts"


def test_gitindex_reads_index_versions_2_and_4(library, tmp_path):
    repo, _, summary = library
    copy = tmp_path / "repo"
    shutil.copytree(repo, copy, symlinks=True)
    for version in ("2", "4"):
        subprocess.run(["git", "update-index", "--index-version", version], cwd=copy, check=True)
        assert answer(gitindex, copy, "names") == (summary["files"], summary["digest"])
        assert answer(gitindex, copy, "stat") == (summary["files"], summary["digest"])


def test_gitindex_sizes_come_from_the_index(library):
    repo, manifest, _ = library
    from ddxspike.discovery.indexfile import read_index

    sizes = {r["path"]: r["size"] for r in pq.read_table(manifest).to_pylist()}
    entries = read_index(str(repo))
    assert {e.path: e.size for e in entries} == sizes


def test_lazy_streams_paths_in_ground_truth_order(library):
    repo, _, summary = library
    streamed = [p for p, _ in lazy.stream(str(repo))]
    assert streamed == sorted(streamed)
    assert digest_paths(streamed) == summary["digest"]
    out = lazy.discover(str(repo), "stat", page_size=7)
    assert out.paths is None and out.items == summary["files"]  # never materialised
    assert 0 < out.extra["first_page_s"] < 60 and out.extra["render_json_s"] > 0


# --- caches ------------------------------------------------------------------------------

def fresh(repo, depth):
    """The truth a cached listing must equal: a plain listing and the depth's facts per file."""
    got = dircache.list_with_cache(str(repo), depth, None)
    return sorted(got.paths), {p: rec[3] for p, rec in got.cache.files.items()}


def age(repo: Path, seconds=3600):
    """Make every entry older than the racy window, so the cache may trust it."""
    past = time.time() - seconds
    for root, dirs, files in os.walk(repo):
        for name in dirs + files + ["."]:
            os.utime(os.path.join(root, name), (past, past), follow_symlinks=False)


CHANGES = {
    "touched": lambda r: (r / "templates" / "touched.md").write_text("same size, new content"),
    "added": lambda r: (r / "patterns" / "new.md").write_text("a new pattern"),
    "removed": lambda r: (r / "prompts" / "gone.md").unlink(),
    "renamed": lambda r: (r / "prompts" / "gone.md").rename(r / "prompts" / "moved.md"),
}


@pytest.fixture
def small_tree(tmp_path):
    repo = tmp_path / "repo"
    for rel in ("templates/touched.md", "templates/a/README.md", "patterns/p/pattern.md",
                "prompts/gone.md", "prompts/common/x.md"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(f"content of {rel}")
    (repo / "templates" / "touched.md").write_text("same size, old content")
    age(repo)
    return repo


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("depth", ["names", "hash"])
def test_file_cache_equals_a_fresh_walk_after_a_change(small_tree, tmp_path, change, depth):
    cache_file = tmp_path / "results" / "cache.pickle"
    first = file_cache.discover(str(small_tree), depth, str(cache_file))
    second = file_cache.discover(str(small_tree), depth, str(cache_file))
    assert first.cache_misses > 0 and second.cache_misses == 0 and second.cache_hits > 0
    CHANGES[change](small_tree)
    after = file_cache.discover(str(small_tree), depth, str(cache_file))
    if depth == "names" and change == "touched":
        assert after.cache_misses == 0  # new content, same folder: nothing to re-read for names
    else:
        assert after.cache_misses > 0, "the change must be noticed"
    assert sorted(after.paths) == fresh(small_tree, depth)[0]
    cached = file_cache.load(cache_file)
    assert {p: rec[3] for p, rec in cached.files.items()} == fresh(small_tree, depth)[1]


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_memory_cache_equals_a_fresh_walk_after_a_change(small_tree, change):
    state = memory_cache.prime(str(small_tree), "hash")
    CHANGES[change](small_tree)
    out = memory_cache.discover(str(small_tree), "hash", state=state)
    assert out.cache_misses > 0 and out.cache_hits > 0
    assert sorted(out.paths) == fresh(small_tree, "hash")[0]


def test_a_recent_change_is_never_trusted(small_tree, tmp_path):
    """Racy entries: changed within RACY_NS of the cache's scan, they are re-read every time
    until they are old enough to be trusted."""
    cache_file = tmp_path / "c.pickle"
    (small_tree / "templates" / "touched.md").write_text("same size, new content")
    file_cache.discover(str(small_tree), "hash", str(cache_file))
    again = file_cache.discover(str(small_tree), "hash", str(cache_file))
    assert again.cache_misses == 1  # the recently written file, again
    age(small_tree)
    file_cache.discover(str(small_tree), "hash", str(cache_file))
    assert file_cache.discover(str(small_tree), "hash", str(cache_file)).cache_misses == 0


def test_file_cache_refuses_a_cache_inside_the_repository(small_tree):
    with pytest.raises(ValueError, match="outside the repository"):
        file_cache.discover(str(small_tree), "names", str(small_tree / "cache.pickle"))


def test_file_cache_rebuilds_from_a_corrupt_cache_file(small_tree, tmp_path):
    cache_file = tmp_path / "c.pickle"
    cache_file.write_bytes(b"not a pickle")
    out = file_cache.discover(str(small_tree), "names", str(cache_file))
    assert sorted(out.paths) == fresh(small_tree, "names")[0] and out.cache_hits == 0


# --- the trial plan ----------------------------------------------------------------------

def test_specs_cover_supported_depths_and_cache_states(library, tmp_path):
    repo, manifest, summary = library
    specs = {}
    for name, entry in {"ddx-list": {"python": "ddxspike.discovery.ddx_list"},
                        "lazy": {"python": "ddxspike.discovery.lazy"},
                        "memory-cache": {"python": "ddxspike.discovery.memory_cache"},
                        "file-cache": {"python": "ddxspike.discovery.file_cache"},
                        "find": {"command": ["find", "."], "output": "lines"}}.items():
        specs[name] = build_specs(resolve(name, entry), repo=str(repo), manifest=str(manifest),
                                  summary=summary, size="t", depths=list(DEPTHS),
                                  cache_states=["warm", "cold"], page_size=9,
                                  cache_dir=str(tmp_path / "c"), workdir=tmp_path)
    assert len(specs["ddx-list"]) == 6 and len(specs["lazy"]) == 8 and len(specs["find"]) == 2
    assert specs["lazy"][0].kwargs["page_size"] == 9
    assert specs["memory-cache"][0].setup == "ddxspike.discovery.memory_cache:prime"
    assert all(s.kwargs["cache_file"].startswith(str(tmp_path / "c")) for s in specs["file-cache"])
    ddx = specs["ddx-list"][0]
    assert ddx.expected_items == len(expected_assets(manifest))
    assert Path(ddx.expected_paths_file).read_bytes().split(b"\0") == expected_assets(manifest)
    # The plan config makes of them: warm group then cold, each variant its budgeted trials.
    measurement = {"warmups": 1, "trials": 5, "heap_trials": 1, "trial_timeout_s": 9}
    plan = budgets.discovery(measurement, {"hash_trials": 2, "cold_warmups": 0}, specs["lazy"],
                             summary, False, prepare_cold=lambda s: {})
    warm, cold = plan.groups
    assert (warm.warmups, cold.warmups) == (1, 0) and plan.timeout_s == 9
    assert {v.spec.dims["cache_state"] for v in warm.variants} == {"warm"}
    assert {v.spec.dims["cache_state"] for v in cold.variants} == {"cold"}
    assert {(v.spec.dims["depth"], v.trials) for v in warm.variants} == {
        ("names", 5), ("stat", 5), ("meta", 5), ("hash", 2)}
    assert [v.heap_trials for v in warm.variants] == [1] * 4  # heap trials: never cold
    assert [v.heap_trials for v in cold.variants] == [0] * 4
    assert plan.adaptive is None and plan.give_up.timeouts_in_a_row == 2


def test_trial_budget():
    big = {"bytes": 2_000_000_000}
    small = {"bytes": 10}
    budget = {"hash_trials": 3, "big_repo_bytes": 1_000_000_000, "big_repo_trials": 2,
              "edge_case_trials": 1}
    trials_for = budgets.discovery_trials
    assert trials_for("names", small, False, 7, budget) == 7
    assert trials_for("hash", small, False, 7, budget) == 3
    assert trials_for("names", big, False, 7, budget) == 2
    assert trials_for("names", small, True, 7, budget) == 1


def test_a_bad_strategy_entry_names_the_key():
    with pytest.raises(ValueError, match=r"discovery.strategies.nope.python"):
        resolve("nope", {"python": "ddxspike.discovery.no_such_module"})


def test_measured_trials_match_in_fresh_workers(library, tmp_path):
    """Through the engine: each strategy kind yields ok rows with its own measures."""
    from ddxspike.engine import plan, run_cell

    repo, manifest, summary = library
    repo = shutil.copytree(repo, tmp_path / "repo", symlinks=True)
    age(repo)  # older than the caches' racy window, as a library in use would be
    specs = []
    for name, entry in {"lazy": {"python": "ddxspike.discovery.lazy"},
                        "memory-cache": {"python": "ddxspike.discovery.memory_cache"},
                        "ddx-list": {"python": "ddxspike.discovery.ddx_list"},
                        "git-ls-files": {"command": ["git", "ls-files", "-z"], "output": "nul"}}.items():
        specs += build_specs(
            resolve(name, entry), repo=str(repo), manifest=str(manifest), summary=summary,
            size="t", depths=["names"], cache_states=["warm"], page_size=10,
            cache_dir=str(tmp_path / "c"), workdir=tmp_path)
    rows = run_cell(plan.cell(specs, warmups=0, trials=1, timeout_s=60), log=lambda m: None)
    by = {r["strategy"]: r for r in rows}
    assert all(r["status"] == "ok" for r in rows), [r.get("error") for r in rows]
    assert by["lazy"]["first_page_s"] is not None
    assert by["memory-cache"]["cache_hits"] > 0 and by["memory-cache"]["cache_misses"] == 0
    assert json.loads(json.dumps(by["ddx-list"]["items"])) == len(expected_assets(manifest))
