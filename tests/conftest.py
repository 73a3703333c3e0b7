"""Shared test fixtures: the ddxspike package on sys.path, and a private copy of the pipeline.

Snakemake locks its working directory, so every pipeline test runs in its own copy under
tmp_path with a tiny configuration, never in the checkout itself.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "workflow" / "scripts"
# DDX's own CLI (c208478, built offline) beside the checkout, as in CI: the measured subject.
DDX_BINARY = ROOT.parent / "shared" / "ddx" / "ddx"
sys.path.insert(0, str(SCRIPTS))

SKIP = shutil.ignore_patterns("results", ".snakemake", ".git", "__pycache__", ".pytest_cache",
                              "report.html")


def tiny_config(**overrides) -> dict:
    """The repository's config.yaml shrunk to seconds of work; overrides replace top-level keys."""
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg["sizes"] = {"tiny": {"files": 40, "bytes": 400_000, "commits": 3}}
    cfg["measurement"].update(warmups=0, trials=2, heap_trials=1, trial_timeout_s=60)
    cfg["ddx"] = {"binary": str(DDX_BINARY), "timeout_s": 60}
    if "catalogue" in cfg:  # every catalogue strategy once, on one 10-workflow catalogue
        cfg["catalogue"].update(workflow_counts=[10], warmups=0, trials=1, heap_trials=1)
        cfg["catalogue"].pop("bad_input", None)
    if "subtree" in cfg:  # a few operations on one tiny host; subtree tests cover the rest
        cfg["subtree"].update(
            sizes=["tiny"], history_size="tiny", fixed_commits=4, commit_counts=[4],
            advance_commits=2, operations=["model-add", "model-has-subtree", "split", "status"],
            trials=1, slow_trials=1, trial_timeout_s=60,
        )
    if "edge_cases" in cfg:  # discovery's edge cases have their own tests (test_discovery_pipeline)
        cfg["edge_cases"] = {}
    cfg.update(overrides)
    return cfg


class Pipeline:
    """A copy of the pipeline in a temporary folder, with helpers to configure and run it."""

    def __init__(self, root: Path):
        self.root = root

    def write_config(self, cfg: dict, name: str = "config.yaml") -> Path:
        path = self.root / name
        path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        return path

    def snakemake(self, *args, check=True, timeout=900) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
        proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        return proc


@pytest.fixture
def pipeline(tmp_path) -> Pipeline:
    dest = tmp_path / "pipeline"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    p = Pipeline(dest)
    p.write_config(tiny_config())
    return p
