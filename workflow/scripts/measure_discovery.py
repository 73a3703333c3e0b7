"""Snakemake job: asset discovery with one strategy on one repository (a configured size, a real
repository or an edge case), every depth it supports x cache state.

Writes one row per trial to results/discovery/<size>/<strategy>.parquet; a strategy whose
listing differs from the manifest fails the job (correctness before speed), one that raises is
an `error` row naming the reason. Progress goes to the rule's log and stderr.
"""

import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

from ddxspike import experiment
from ddxspike.discovery.cells import build_specs, resolve
from ddxspike.engine import cache, run_cell
from ddxspike.engine import exclusive
from ddxspike.engine.host import fingerprint
from ddxspike.joblog import job_logger


def main(sm):
    p = sm.params
    log = job_logger(sm.log[0], f"discovery {p.size}/{p.strategy}")
    exclusive.hold(sm.config["scratch_dir"], f"discovery {p.size}/{p.strategy}", log)

    m, budget = p.measurement, dict(p.budget or {})
    heap = m.get("heap_trials", 0)
    summary = experiment.load_summary(sm.input.manifest)
    repo = str(p.repo)
    strategy = resolve(p.strategy, p.strategy_spec)
    # The file cache starts empty in every job: its first (warm-up) call builds it.
    shutil.rmtree(p.cache_dir, ignore_errors=True)
    base_prepare = experiment.cold_preparer(repo, m.get("drop_caches", False))

    def prepare(spec):
        facts = base_prepare(spec)
        if Path(p.cache_dir).exists():
            cache.evict(p.cache_dir)  # a cold start finds the cache file cold too
        return facts

    if summary.get("note"):
        log(f"edge case note: {summary['note']}")
    with tempfile.TemporaryDirectory(prefix="ddxspike-discovery-") as tmp:
        planned = build_specs(
            strategy, repo=repo, manifest=str(sm.input.manifest), summary=summary, size=p.size,
            depths=p.depths, cache_states=m["cache_states"], page_size=p.page_size,
            cache_dir=p.cache_dir, workdir=Path(tmp), trials=m["trials"], budget=budget,
            edge_case=p.edge_case)
        by_trials = defaultdict(list)
        for n, spec in planned:
            by_trials[n].append(spec)
        log(f"{strategy.name} on {p.size} ({summary['files']} files, {summary['bytes'] / 1e6:.1f} MB): "
            + ", ".join(f"{len(s)} variant(s) x {n} trials" for n, s in sorted(by_trials.items())))
        rows, offset = [], 0
        for n, specs in sorted(by_trials.items()):
            warm = [s for s in specs if s.dims["cache_state"] == "warm"]
            cold = [s for s in specs if s.dims["cache_state"] == "cold"]
            # A heap trial is untimed and never cold: once per spec, with the warm group.
            groups = [(warm, m["warmups"], heap), (cold, budget.get("cold_warmups", m["warmups"]),
                                                   0 if warm else heap)]
            for group, warmups, heap_trials in groups:
                if not group:
                    continue
                got = run_cell(group, warmups=warmups, trials=n, timeout_s=m["trial_timeout_s"],
                               heap_trials=heap_trials, prepare=prepare, log=log)
                for r in got:
                    r["order"] += offset  # one run order across the job's groups
                offset += len(got)
                rows += got
    failed = [r for r in rows if r.get("status") in ("error", "timeout")]
    if failed:
        log(f"{len(failed)} trial(s) failed cleanly, e.g. {failed[0].get('depth')}: {failed[0].get('error')}")
    host = fingerprint(p.scratch_dir)
    experiment.write_rows(rows, sm.output[0], host, m.get("on_mismatch", "fail"), config=dict(p))
    log(f"wrote {len(rows)} rows to {sm.output[0]}")


main(snakemake)  # noqa: F821 (provided by Snakemake)
