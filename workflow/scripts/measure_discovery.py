"""Snakemake job: asset discovery with one strategy on one repository (a configured size, a real
repository or an edge case), every depth it supports x cache state.

Writes one row per trial to results/discovery/<size>/<strategy>.parquet; a strategy whose
listing differs from the manifest fails the job (correctness before speed), one that raises is
an `error` row naming the reason. Progress goes to the rule's log and stderr.

The ddx-binary job also holds the model to DDX's own binary, once per repository: the model's
full `ddx list` records (ddx_list.py) against the binary's, untimed. Its row has mode `parity`
(strategy ddx-list, depth meta), so that statistics, fits and targets, which take `time` and
`heap` rows, never count it; status `mismatch` names the assets that differ and is recorded,
never fails the job (the difference is a finding about the model).
"""

import shutil
import tempfile
from collections import Counter
from pathlib import Path

from ddxspike import budgets, ddxcli, experiment
from ddxspike.discovery import ddx_binary
from ddxspike.discovery.cells import build_specs, resolve
from ddxspike.engine import cache, run_cell
from ddxspike.engine import exclusive
from ddxspike.engine.host import fingerprint
from ddxspike.joblog import job_logger
from ddxspike.repos import manifest
from ddxspike.repos.model import EDGE


def main(sm):
    p = sm.params
    log = job_logger(sm.log[0], f"discovery {p.size}/{p.strategy}")
    # The binary as configured (relative to the project or on PATH), resolved here.
    binary = ddxcli.locate({"ddx": {"binary": p.ddx_binary}}) if p.ddx_binary else None
    exclusive.hold(sm.config["scratch_dir"], f"discovery {p.size}/{p.strategy}", log)

    m, budget = p.measurement, dict(p.budget or {})
    summary = manifest.read_summary(sm.input.manifest)
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
        specs = build_specs(
            strategy, repo=repo, manifest=str(sm.input.manifest), summary=summary, size=p.size,
            depths=p.depths, cache_states=m["cache_states"], page_size=p.page_size,
            cache_dir=p.cache_dir, workdir=Path(tmp), library=str(p.library), ddx=binary)
        plan = budgets.discovery(m, budget, specs, summary, p.repo_kind == EDGE, prepare)
        counts = Counter(v.trials for v in plan.variants)
        log(f"{strategy.name} on {p.size} ({summary['files']} files, {summary['bytes'] / 1e6:.1f} MB): "
            + ", ".join(f"{k} variant(s) x {n} trials" for n, k in sorted(counts.items())))
        rows = run_cell(plan, log=log)
        if strategy.ddx is not None and strategy.lists == "assets":
            rows.append(parity_row(p, binary, summary, Path(tmp) / "parity", order=len(rows), log=log))
    failed = [r for r in rows if r.get("status") in ("error", "timeout")]
    if failed:
        log(f"{len(failed)} trial(s) failed cleanly, e.g. {failed[0].get('depth')}: {failed[0].get('error')}")
    for r in rows:
        r["repo_kind"] = p.repo_kind  # the repository's kind (repos/model.py), never its name
    host = fingerprint(p.scratch_dir, ddx_binary=binary)
    experiment.write_rows(rows, sm.output[0], host, m.get("on_mismatch", "fail"), config=dict(p))
    log(f"wrote {len(rows)} rows to {sm.output[0]}")


def parity_row(p, binary: str, summary: dict, home: Path, order: int, log) -> dict:
    status, error, items = ddx_binary.parity(str(p.library), binary, home,
                                             p.ddx_timeout_s)
    log(f"parity of ddx-list with DDX's own ddx list on {p.size}: {status}"
        + (f" ({error})" if error else ""))
    return {"experiment": "discovery", "size": p.size, "strategy": "ddx-list", "depth": "meta",
            "cache_state": None, "files": summary["files"], "bytes": summary["bytes"],
            "commits": summary["commits"], "mode": "parity", "trial": 0, "order": order,
            "status": status, "error": error, "items": items}


main(snakemake)  # noqa: F821 (provided by Snakemake)
