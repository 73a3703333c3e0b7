"""Edge-case repositories: each is a git repository with a manifest in the generator's format,
and every strategy either lists exactly what the manifest says or fails with a clean error."""

import importlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ddxspike.discovery.assets import expected_assets
from ddxspike.discovery.depth import DEPTHS
from ddxspike.repos.edgecases import generate_edgecase, remove_case
from ddxspike.repos.manifest import SCHEMA, read_summary
from ddxspike.engine.external import run_command
from ddxspike.groundtruth import digest_paths

CASES = {
    "empty": {"kind": "empty"},
    "one-big-file": {"kind": "big_file", "bytes": 5_000_000},
    "wide-folder": {"kind": "wide_folder", "files": 500},
    "deep-nesting": {"kind": "deep", "levels": 64},
    "symlink-loop": {"kind": "symlink_loop"},
    "unreadable-folder": {"kind": "unreadable"},
    "non-utf8-names": {"kind": "non_utf8"},
}
STRATEGIES = ["walk", "scandir", "parallel", "gitindex", "memory_cache", "file_cache", "lazy",
              "sorted_full", "ddx_list"]
COMMANDS = {
    "find": ["find", ".", "-path", "./.git", "-prune", "-o", "!", "-type", "d", "-print0"],
    "fdfind": ["fdfind", "--hidden", "--no-ignore", "--exclude", ".git", "--type", "f",
               "--type", "l", "--print0"],
    "git-ls-files": ["git", "ls-files", "-z"],
}


@pytest.fixture(scope="module")
def cases():
    # World-traversable, so the unreadable case can be tried as an unprivileged user too.
    root = Path(tempfile.mkdtemp(prefix="ddxspike-edge-"))
    os.chmod(root, 0o755)
    built = {}
    for name, spec in CASES.items():
        summary = generate_edgecase(name, spec, root / name / "repo", root / f"{name}.parquet",
                                    log=lambda m: None)
        built[name] = (root / name / "repo", root / f"{name}.parquet", summary)
    yield built
    for name in CASES:
        remove_case(root / name / "repo")
    subprocess.run(["rm", "-rf", str(root)], check=True)


def listing(module, repo, depth, tmp):
    kwargs = {}
    if hasattr(module, "prime"):
        kwargs["state"] = module.prime(str(repo), depth)
    if module.__name__.endswith("file_cache"):
        kwargs["cache_file"] = str(tmp / "cache.pickle")
    out = module.discover(str(repo), depth, **kwargs)
    if out.paths is not None:
        return len(out.paths), digest_paths(out.paths)
    return out.items, out.digest


@pytest.mark.parametrize("case", sorted(CASES))
def test_manifest_has_the_generators_format(cases, case):
    repo, manifest, summary = cases[case]
    table = pq.read_table(manifest)
    assert table.schema.equals(SCHEMA)
    assert table.num_rows == summary["files"]
    assert digest_paths(table.column("path").to_pylist()) == summary["digest"]
    assert (repo / ".git").is_dir() and summary["head"] and summary["tree"]
    assert read_summary(manifest)["digest"] == summary["digest"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_strategy_lists_the_manifest(cases, case, tmp_path):
    repo, manifest, summary = cases[case]
    assets = expected_assets(manifest)
    for name in STRATEGIES:
        module = importlib.import_module(f"ddxspike.discovery.{name}")
        truth = ((len(assets), digest_paths(assets)) if module.LISTS == "assets"
                 else (summary["files"], summary["digest"]))
        for depth in getattr(module, "DEPTHS", DEPTHS):
            assert listing(module, repo, depth, tmp_path) == truth, f"{name} at {depth} on {case}"
    for tool, argv in COMMANDS.items():
        out = run_command(argv, cwd=str(repo), output="nul").finish()
        assert digest_paths(out.paths) == summary["digest"], f"{tool} on {case}"


def test_shapes(cases):
    assert cases["empty"][2]["files"] == 0
    assert cases["one-big-file"][2]["bytes"] == 5_000_000 and cases["one-big-file"][2]["files"] == 1
    assert cases["wide-folder"][2]["files"] == 500
    deepest = max(pq.read_table(cases["deep-nesting"][1]).column("path").to_pylist(), key=len)
    assert deepest.count(b"/") == 64 + 2
    kinds = pq.read_table(cases["symlink-loop"][1]).column("kind").to_pylist()
    assert kinds.count("symlink") == 4
    names = pq.read_table(cases["non-utf8-names"][1]).column("path").to_pylist()
    assert any(not _is_utf8(n) for n in names)


def _is_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def test_unreadable_folder_is_recorded_honestly(cases):
    summary = cases["unreadable-folder"][2]
    if os.geteuid() == 0:
        assert summary["unreadable_effective"] is False and "does not stop reads" in summary["note"]
    else:
        assert summary["unreadable_effective"] is True


WALKERS = ("walk", "scandir", "parallel", "lazy", "sorted_full")


def as_unprivileged_user(repo: Path) -> dict:
    """Run each strategy at names depth in a forked child that dropped root for uid 65534."""
    modules = {n: importlib.import_module(f"ddxspike.discovery.{n}")
               for n in WALKERS + ("gitindex", "ddx_list")}
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        code = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            out = {}
            for name, module in modules.items():
                try:
                    module.discover(str(repo), "names")
                    out[name] = "ok"
                except PermissionError as exc:
                    out[name] = f"PermissionError: {exc}"
            os.write(write_end, json.dumps(out).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and data, "the unprivileged probe failed"
    return json.loads(data)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to an unprivileged user")
def test_unreadable_folder_as_an_unprivileged_user(cases):
    """As root chmod 000 stops nothing, so the rule is checked as uid 65534: walkers fail naming
    the folder; the index-based listing and ddx list (which never reads inside it) still work."""
    repo = cases["unreadable-folder"][0]
    got = as_unprivileged_user(repo)
    for walker in WALKERS:
        assert got[walker].startswith("PermissionError") and "locked" in got[walker], got
    assert got["gitindex"] == "ok" and got["ddx_list"] == "ok"
    find = subprocess.run(COMMANDS["find"], cwd=repo, capture_output=True, user=65534)
    assert find.returncode != 0  # the external tool reports it too: an error row, not a listing
