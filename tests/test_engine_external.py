"""External-command strategies: argv without a shell, output parsed to paths, failures as rows."""

import shutil
from pathlib import Path

import pytest

from ddxspike.engine import TrialSpec, plan, run_cell
from ddxspike.engine.external import (CommandFailed, CommandNotFound, command_kwargs, run_command,
                                      spawn_overhead, split_output)
from ddxspike.groundtruth import digest_paths

FILES = ["x.md", "a/y.yml", "a/b/z.bin", "we ird;$(echo no).md"]
FIND = {"command": ["find", ".", "-path", "./.git", "-prune", "-o", "-type", "f", "-print0"],
        "output": "nul"}


@pytest.fixture
def repo(tmp_path):
    for rel in FILES + [".git/HEAD"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"content\n")
    return tmp_path


def test_find_lists_the_files_relative_to_the_repository(repo):
    out = run_command(**command_kwargs(FIND, repo)).finish()
    assert digest_paths(out.paths) == digest_paths(FILES)
    assert out.bytes_read is None or out.bytes_read > 0  # rchar of the command's tree


def test_a_file_name_with_shell_characters_is_not_interpreted(repo):
    out = run_command(["find", ".", "-name", "we ird;$(echo no).md", "-print0"], repo, "nul").finish()
    assert out.paths == [b"we ird;$(echo no).md"]


def test_output_parsing():
    assert split_output(b"./a\0./b/c\0", "nul") == [b"a", b"b/c"]
    assert split_output(b"a\nb c\n\n", "lines") == [b"a", b"b c"]
    assert split_output(b"./a\n", "lines", strip_prefix="") == [b"./a"]
    with pytest.raises(ValueError, match="output='csv'"):
        split_output(b"", "csv")


def test_failures_name_the_command(repo):
    with pytest.raises(CommandFailed, match="exited 1"):
        run_command(["find", "does-not-exist"], repo)
    with pytest.raises(CommandNotFound, match="no-such-tool-xyz: not found on PATH"):
        run_command(["no-such-tool-xyz"], repo)


def test_spawn_overhead_lists_nothing():
    assert spawn_overhead().finish().paths == []


def test_command_strategies_run_through_the_engine(repo):
    """find, spawn overhead and a missing tool (clean `error` rows) in one interleaved cell."""
    dims = {"experiment": "discovery", "cache_state": "warm"}
    specs = [
        TrialSpec(dims={**dims, "strategy": "find"}, target="ddxspike.engine.external:run_command",
                  kwargs=command_kwargs(FIND, repo), expected_items=len(FILES),
                  expected_digest=digest_paths(FILES)),
        TrialSpec(dims={**dims, "strategy": "spawn-overhead"},
                  target="ddxspike.engine.external:spawn_overhead", kwargs={"cwd": str(repo)},
                  expected_items=0),
        TrialSpec(dims={**dims, "strategy": "missing"}, target="ddxspike.engine.external:run_command",
                  kwargs={"argv": ["no-such-tool-xyz", "-0"], "cwd": str(repo)}),
    ]
    rows = run_cell(plan.cell(specs, warmups=0, trials=2, timeout_s=30), log=lambda m: None)
    by = {}
    for r in rows:
        by.setdefault(r["strategy"], []).append(r)
    assert [r["status"] for r in by["find"]] == ["ok", "ok"]
    assert all(r["wall_s"] > 0 for r in by["find"] + by["spawn-overhead"])
    assert [r["status"] for r in by["spawn-overhead"]] == ["ok", "ok"]
    assert [r["status"] for r in by["missing"]] == ["error", "error"]
    assert "no-such-tool-xyz: not found on PATH" in by["missing"][0]["error"]


@pytest.mark.skipif(shutil.which("fdfind") is None, reason="fd-find not installed")
def test_fdfind_agrees_with_the_ground_truth(repo):
    out = run_command(["fdfind", "--type", "f", "--hidden", "--no-ignore", "--exclude", ".git", "-0"],
                      repo, "nul").finish()
    assert digest_paths(out.paths) == digest_paths(FILES)


def parse_pipe_separated(data: bytes) -> list:
    return data.decode().split("|")


def test_a_custom_parser_reads_the_output(repo):
    out = run_command(["printf", "x.md|a/y.yml"], repo,
                      parser="test_engine_external:parse_pipe_separated")
    assert out.paths is None  # parsed only when finished: after the clock in a worker
    assert out.finish().paths == ["x.md", "a/y.yml"]


def slow_parse(data: bytes) -> list:
    import time

    time.sleep(3)
    return data.decode().split("|")


def broken_parse(data: bytes) -> list:
    raise ValueError("cannot read this output")


def test_parsing_is_off_the_clock_and_its_failure_is_an_error_row(repo, monkeypatch):
    """The tool is timed as hyperfine times it; a 3 s parser must not show in wall_s (printf
    itself takes milliseconds), yet its answer is still checked, and a parser that raises is an
    `error` row naming the cause."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))  # workers import the parsers
    argv = ["printf", "x.md|a/y.yml"]
    specs = [TrialSpec(dims={"strategy": name}, target="ddxspike.engine.external:run_command",
                       kwargs={"argv": argv, "cwd": str(repo), "parser": f"test_engine_external:{fn}"},
                       expected_items=2, expected_digest=digest_paths(["x.md", "a/y.yml"]))
             for name, fn in (("slow", "slow_parse"), ("broken", "broken_parse"))]
    rows = {r["strategy"]: r for r in run_cell(plan.cell(specs, warmups=0, trials=1, timeout_s=30), log=lambda m: None)}
    assert rows["slow"]["status"] == "ok" and rows["slow"]["items"] == 2
    assert rows["slow"]["wall_s"] < 1.5
    assert rows["broken"]["status"] == "error"
    assert "cannot read this output" in rows["broken"]["error"]


def many_paths(data: bytes) -> list:
    return [f"dir/file-{i}.md" for i in range(100_000)]


def test_a_heap_trial_counts_the_parsed_listing(repo, monkeypatch):
    """Heap trials are untimed: there the parse runs under tracemalloc, so an external tool's
    heap peak includes its listing as a Python strategy's does (100,000 paths: several MB)."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    spec = TrialSpec(dims={"strategy": "many"}, target="ddxspike.engine.external:run_command",
                     kwargs={"argv": ["true"], "cwd": str(repo), "parser": "test_engine_external:many_paths"})
    rows = run_cell(plan.cell([spec], warmups=0, trials=0, heap_trials=1, timeout_s=30), log=lambda m: None)
    heap = [r for r in rows if r["mode"] == "heap"]
    assert heap[0]["status"] == "ok" and heap[0]["py_heap_peak_bytes"] > 5_000_000
