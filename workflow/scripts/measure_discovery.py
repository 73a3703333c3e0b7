"""Snakemake job: asset discovery with one strategy on one repository, every depth x cache state.

Writes one row per trial to results/discovery/<size>/<strategy>.parquet; fails if the strategy's
listing differs from the manifest (correctness before speed).
"""

import importlib
import sys

from ddxspike import experiment
from ddxspike.engine import TrialSpec, run_cell
from ddxspike.engine.host import fingerprint


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def main(sm):
    p = sm.params
    summary = experiment.load_summary(sm.input.manifest)
    repo = str(sm.input.repo)
    module = importlib.import_module(p.strategy_spec["python"])
    if getattr(module, "LISTS", "files") != "files":
        raise ValueError(f"{p.strategy}: only file-listing strategies are wired here yet")
    shape = {"files": summary["files"], "bytes": summary["bytes"], "commits": summary["commits"]}
    specs = [
        TrialSpec(
            dims={"experiment": "discovery", "size": p.size, "strategy": p.strategy,
                  "depth": depth, "cache_state": state, **shape},
            target=f"{module.__name__}:discover",
            kwargs={"repo": repo, "depth": depth},
            expected_items=summary["files"],
            expected_digest=summary["digest"],
            expected_paths_file=str(sm.input.manifest),
        )
        for state in p.measurement["cache_states"]
        for depth in p.depths
    ]
    m = p.measurement
    log(f"discovery: {p.strategy} on {p.size} ({summary['files']} files, "
        f"{summary['bytes'] / 1e6:.0f} MB): {len(specs)} variants x {m['trials']} trials")
    rows = run_cell(
        specs, warmups=m["warmups"], trials=m["trials"], timeout_s=m["trial_timeout_s"],
        heap_trials=m.get("heap_trials", 0),
        prepare=experiment.cold_preparer(repo, m.get("drop_caches", False)), log=log,
    )
    host = fingerprint(p.scratch_dir)
    experiment.write_rows(rows, sm.output[0], host, m.get("on_mismatch", "fail"))


main(snakemake)  # noqa: F821 (provided by Snakemake)
