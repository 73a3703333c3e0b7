"""A measuring job's start-up cost: the modules every measure job and every trial's worker import
must not pull in pandas (its import was ~1 s of each of ~150 jobs on the loaded 2-core machine;
a worker pays it per trial), nor must running a job: pyarrow imports pandas on first use of
pa.array() or pq.read_table() (0.3 s of CPU a job), jsonschema came with the config checks."""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, tiny_config

SCRIPTS = ROOT / "workflow" / "scripts"
JOB_MODULES = ["ddxspike.engine.runner", "ddxspike.engine.worker", "ddxspike.experiment",
               "ddxspike.engine.host", "ddxspike.ddxcli", "ddxspike.discovery.cells",
               "ddxspike.joblog", "ddxspike.engine.exclusive", "ddxspike.repos.model"]
HEAVY = {"pandas", "altair", "scipy", "jsonschema"}
# Runs a job script in this fresh interpreter with a stand-in for Snakemake's `snakemake` object
# (input, params, output, log, config from a JSON file), then prints the heavy modules it loaded.
JOB_DRIVER = f"""
import json, runpy, sys
from types import SimpleNamespace

class Named(dict):  # Snakemake's Namedlist: items by name as attributes, dict() of all
    __getattr__ = dict.__getitem__

job = json.loads(open(sys.argv[2]).read())
sm = SimpleNamespace(input=Named(job["input"]), params=Named(job["params"]),
                     output=job["output"], log=job["log"], config=job["config"])
runpy.run_path(sys.argv[1], init_globals={{"snakemake": sm}}, run_name="__main__")
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({sorted(HEAVY)!r}))))
"""


def fresh(args, cwd, env=None) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(SCRIPTS), "PATH": os.environ["PATH"], **(env or {})}
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def run_job(script: str, job: dict, where, run_id: str) -> list:
    spec = where / f"{script}.job.json"
    spec.write_text(json.dumps(job))
    proc = fresh(["-c", JOB_DRIVER, str(SCRIPTS / script), str(spec)], where,
                 {"DDXSPIKE_RUN_ID": run_id})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_measuring_code_imports_no_pandas():
    code = ("import sys, importlib\n"
            f"for m in {JOB_MODULES!r}: importlib.import_module(m)\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r})))")
    out = fresh(["-c", code], SCRIPTS)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout


def test_a_fit_with_one_trial_per_size_imports_no_scipy_stats():
    # Its t quantile comes from scipy.special: scipy.stats cost a second of each report job.
    code = ("import sys\nimport numpy as np\nfrom ddxspike.report import fits\n"
            "x = np.log([1.0, 2, 4, 8, 16]); y = 0.9 * x + np.array([0.01, -0.02, 0.0, 0.02, -0.01])\n"
            "r = fits.regress(x[:, None], y, np.arange(5))\n"
            "assert r['ci_method'].startswith('t-interval') and r['lo'][0] < 0.9 < r['hi'][0], r\n"
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=SCRIPTS, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(SCRIPTS), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "False", out.stdout


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A tiny library with its manifest, and a small catalogue with its index."""
    from ddxspike.catalogue.index import build_index
    from ddxspike.repos.catalogue.generate import CatalogueSpec, generate_catalogue
    from ddxspike.repos.generator import LibrarySpec, generate_library

    root = tmp_path_factory.mktemp("job-inputs")
    split = {"templates": 0.3, "patterns": 0.3, "prompts": 0.3, "workflows": 0.1}
    generate_library(LibrarySpec(files=30, bytes=100_000, commits=2, seed=7, split=split),
                     repo_dir=root / "repo", manifest_path=root / "m.parquet", log=lambda m: None)
    generate_catalogue(CatalogueSpec(workflows=10, seed=7, queries_per_kind=5),
                       root / "library", root / "truth.json", log=lambda m: None)
    build_index(str(root / "library"), str(root / "index.json"))
    return root


def test_running_the_measure_jobs_pulls_in_no_pandas(inputs, tmp_path):
    """measure_discovery (ddx-list: its ground truth reads the manifest) and measure_catalogue,
    run as Snakemake runs them, twice in one run (the second reads the host facts kept)."""
    from ddxspike import budgets

    cfg = tiny_config()
    scratch = str(tmp_path / "scratch")
    common = {"config": {"scratch_dir": scratch}, "log": [str(tmp_path / "job.log")]}
    discovery = {
        **common, "input": {"repo": str(inputs / "repo"), "manifest": str(inputs / "m.parquet")},
        "output": [str(tmp_path / "discovery.parquet")],
        "params": {"repo": str(inputs / "repo"), "library": str(inputs / "repo"), "size": "tiny",
                   "strategy": "ddx-list", "repo_kind": "synthetic",
                   "strategy_spec": {"python": "ddxspike.discovery.ddx_list"},
                   "depths": ["names"], "page_size": 10, "budget": {},
                   "measurement": {**cfg["measurement"], "trials": 1, "cache_states": ["warm"]},
                   "ddx_binary": "", "ddx_sha256": "", "ddx_timeout_s": 60,
                   "scratch_dir": scratch, "cache_dir": str(tmp_path / "cache")}}
    view = budgets.catalogue_view(cfg["catalogue"], cfg["measurement"], "index-file")
    catalogue = {
        **common, "input": {"library": str(inputs / "library"), "truth": str(inputs / "truth.json"),
                            "index": str(inputs / "index.json")},
        "output": [str(tmp_path / "catalogue.parquet")],
        "params": {"catalogue": "w10", "repo_kind": "synthetic", "strategy": "index-file",
                   "module": "ddxspike.catalogue.strategies.index_file",
                   "budget": {**view, "strategy": {**view["strategy"], "queries": 5}},
                   "on_mismatch": "fail", "scratch_dir": scratch}}
    for _ in range(2):
        assert run_job("measure_discovery.py", discovery, tmp_path, "run-1") == []
        assert run_job("measure_catalogue.py", catalogue, tmp_path, "run-1") == []
    import pyarrow.parquet as pq

    for out in ("discovery", "catalogue"):
        rows = pq.read_table(tmp_path / f"{out}.parquet").to_pylist()
        assert rows and all(r["status"] == "ok" and r["run_id"] == "run-1" for r in rows), rows
