"""Disk preflight (refuse before anything is written) and `clean` (repositories go, results stay,
nothing is measured again)."""

from pathlib import Path

import pytest

from conftest import tiny_config
from test_determinism import small_config
from ddxspike import preflight
from ddxspike.preflight import PreflightError


def test_refusal_names_sizes_and_shortfall():
    cfg = {"sizes": {"small": {"files": 100, "bytes": 10_000_000},
                     "big": {"files": 10, "bytes": 10**9}},
           "edge_cases": {"wide": {"kind": "wide_folder", "files": 1000}},
           "catalogue": {"workflow_counts": [100], "bad_input": {"workflows": 30}}}
    jobs = [("generate_library", {"size": "small"}), ("generate_library", {"size": "big"}),
            ("subtree_fixtures", {"size": "small", "commits": "100"}),
            ("measure_subtree", {"size": "small", "commits": "100"}),
            ("generate_edgecase", {"case": "wide"}),
            ("generate_catalogue", {"catalogue": "w100"}),
            ("generate_catalogue", {"catalogue": "edge-bad-workflows"}),
            ("measure_discovery", {"size": "small", "strategy": "walk"})]
    needs = preflight.planned_needs(jobs, cfg)
    assert set(needs) == {"small", "big", "subtree small c100", "subtree work space", "edge wide",
                          "catalogue w100", "catalogue edge-bad-workflows"}
    assert needs["catalogue w100"] == 100 * preflight.CATALOGUE_PER_WORKFLOW
    assert needs["subtree small c100"] > 2 * needs["small"]  # five repositories, hard links
    total = sum(needs.values()) * preflight.MARGIN
    with pytest.raises(PreflightError) as err:
        preflight.check(needs, "/scratch", free=int(total) - 5_000_000)
    msg = str(err.value)
    assert "small" in msg and "big" in msg and "short by 5.0 MB" in msg and "/scratch" in msg
    assert preflight.check(needs, "/scratch", free=int(total) + 1) == needs
    # Nothing to generate: nothing to check; `preflight: false` skips the check.
    assert preflight.check({}, "/scratch", free=0) == {}
    assert "skipped" in preflight.before_run({**cfg, "preflight": False}, jobs, "/scratch", free=0)
    with pytest.raises(PreflightError):
        preflight.before_run(cfg, jobs, "/scratch", free=0)


def test_footprint_model_matches_a_generated_repository(tmp_path):
    """The estimate is a measured model, so it must stay close to what generation really uses."""
    from ddxspike.repos.generator import LibrarySpec, generate_library

    spec = {"files": 300, "bytes": 3_000_000, "commits": 10}
    generate_library(LibrarySpec(seed=7, **spec), repo_dir=tmp_path / "s" / "repo",
                     manifest_path=tmp_path / "m.parquet", log=lambda m: None)
    used = preflight.disk_usage(tmp_path / "s")
    assert 0.8 * used <= preflight.estimate(spec) <= 1.25 * used, (used, preflight.estimate(spec))


def test_pipeline_refuses_before_writing_anything(pipeline):
    cfg = small_config()
    cfg["sizes"]["huge"] = {"files": 1000, "bytes": 10**16, "commits": 1}  # 10 PB
    pipeline.write_config(cfg)
    proc = pipeline.snakemake(check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "disk preflight" in out and "huge" in out, out[-3000:]
    assert "short by" in out
    assert not (pipeline.root / "results").exists()
    assert not (pipeline.root / cfg["scratch_dir"]).exists()


def test_clean_removes_repositories_keeps_results_and_measures_nothing_again(pipeline):
    cfg = small_config()
    pipeline.write_config(cfg)
    targets = [f"results/discovery/tiny/{s}.parquet" for s in cfg["discovery"]["strategies"]]
    pipeline.snakemake(*targets)
    repo = pipeline.root / cfg["scratch_dir"] / "tiny" / "repo"
    assert (repo / ".git").is_dir()
    kept = {t: (pipeline.root / t).stat().st_mtime_ns for t in targets}
    scratch = Path(pipeline.root / cfg["scratch_dir"])
    (scratch / "precious").mkdir()  # not made by the pipeline: clean must leave it alone
    (scratch / "precious" / "notes.txt").write_text("mine")
    pipeline.snakemake("clean")
    assert not repo.exists()
    assert [p.name for p in scratch.iterdir()] == ["precious"]
    assert (scratch / "precious" / "notes.txt").read_text() == "mine"
    assert (pipeline.root / "results/manifests/tiny.parquet").exists()
    assert {t: (pipeline.root / t).stat().st_mtime_ns for t in targets} == kept
    again = pipeline.snakemake(*targets)
    assert "Nothing to be done" in again.stdout + again.stderr
    assert not repo.exists(), "the next run regenerated a repository nobody needed"


def test_every_edge_case_parameter_is_modelled(tmp_path):
    """deep-nesting's `levels` drives its size (700 levels were 165x the old flat estimate)."""
    from ddxspike.repos.edgecases import generate_edgecase

    spec = {"kind": "deep", "levels": 300}
    generate_edgecase("deep", spec, tmp_path / "deep" / "repo", tmp_path / "m.parquet",
                      log=lambda m: None)
    used = preflight.disk_usage(tmp_path / "deep" / "repo")
    assert 0.8 * used <= preflight.edge_estimate(spec) <= 1.25 * used, (used, preflight.edge_estimate(spec))
    assert preflight.edge_estimate({"kind": "deep", "levels": 700}) > 8 * preflight.edge_estimate(
        {"kind": "deep"})


def test_subtree_cells_are_modelled_with_their_history():
    cfg = {"sizes": {"small": {"files": 100, "bytes": 10_000_000}}}
    needs = preflight.planned_needs([("subtree_fixtures", {"size": "small", "commits": str(c)})
                                     for c in (100, 2000)], cfg)
    # measured: 43.5 MB at 100 commits, 67.7 MB at 2,000
    assert 0.9 * 67.7e6 <= needs["subtree small c2000"] <= 1.1 * 67.7e6, needs
    assert needs["subtree small c2000"] - needs["subtree small c100"] > 20e6
