"""Snakemake job: one workflow catalogue strategy on one catalogue.

Query strategies: each trial (a fresh process) opens the catalogue and answers a fixed prefix of
the seeded query set, kinds interleaved; the first answer is the cold start, the rest give the
latency percentiles. index-build: each trial writes the index from scratch. Every answer and the
list of invalid workflows reported are checked against the ground truth (a difference is a
`mismatch`). Tracemalloc trials answer only the first query. Rows go to
results/catalogue/<catalogue>/<strategy>.parquet.
"""

import importlib
import json
import shutil
import tempfile
from pathlib import Path

from ddxspike import budgets, experiment
from ddxspike.catalogue import trial
from ddxspike.catalogue.index import open_index
from ddxspike.engine import TrialSpec, run_cell
from ddxspike.engine import exclusive
from ddxspike.engine.host import fingerprint
from ddxspike.joblog import job_logger

# Extras of answer_queries that are times: kept from timed trials only.
TIMED_EXTRAS = ("first_query_s", "query_p50_s", "query_p95_s", "query_p99_s", "query_name_p95_s",
                "query_keyword_p95_s", "query_tag_p95_s", "query_role_p95_s")


def checked(dims: dict, function: str, kwargs: dict, expected: tuple[int, str]) -> TrialSpec:
    items, digest = expected
    return TrialSpec(dims=dims, target=f"ddxspike.catalogue.trial:{function}", kwargs=kwargs,
                     expected_items=items, expected_digest=digest)


def main(sm):
    p = sm.params
    log = job_logger(sm.log[0], f"catalogue {p.catalogue}/{p.strategy}")
    exclusive.hold(sm.config["scratch_dir"], f"catalogue {p.catalogue}/{p.strategy}", log)

    truth = json.loads(Path(sm.input.truth).read_text())
    library = str(sm.input.library)
    view = dict(p.budget)
    measures = getattr(importlib.import_module(p.module), "MEASURES", None)
    dims = {"experiment": "catalogue", "size": p.catalogue, "repo_kind": p.repo_kind,
            "strategy": p.strategy, "cache_state": "warm", "workflows": truth["workflows"],
            "files": truth["files"]}

    with tempfile.TemporaryDirectory(prefix="ddxspike-catalogue-") as tmp:
        # A private copy: trials can never alter the pipeline's index (results/.../index.json).
        index_copy = str(Path(tmp) / "index.json")
        shutil.copyfile(sm.input.index, index_copy)
        if measures == "queries":
            _, _, fresh = open_index(library, index_copy, write_back=False)
            if fresh["changed"] or fresh["added"] or fresh["removed"] or fresh["rebuilt"]:
                raise RuntimeError(f"{sm.input.index} is stale for {library}: {fresh} "
                                   "(delete it and rerun to rebuild it)")
            try:
                queries = trial.interleaved(truth, budgets.catalogue_queries(view))
            except ValueError as exc:
                raise ValueError(f"config catalogue.strategies.{p.strategy}.queries: {exc} "
                                 "(raise catalogue.queries_per_kind)") from None
            kwargs = {"strategy": p.module, "library": library, "index_path": index_copy}
            timed = checked(dims, "answer_queries", {**kwargs, "queries": queries},
                            trial.expected(truth, queries))
            heap = checked(dims, "answer_queries", {**kwargs, "queries": queries[:1]},
                           trial.expected(truth, queries[:1]))
            what = f"{len(queries)} queries a trial"
        elif measures == "build":
            kwargs = {"strategy": p.module, "library": library}
            timed = heap = checked(dims, "build_index", kwargs, trial.expected(truth, None))
            what = "an index build a trial"
        else:
            raise ValueError(f"config catalogue.strategies.{p.strategy}: module {p.module} has "
                             f"MEASURES={measures!r}, expected 'queries' or 'build'")
        plan = budgets.catalogue(view, timed, heap)
        (v,) = plan.variants
        log(f"{p.strategy} on {p.catalogue} ({truth['workflows']} workflows + "
            f"{truth['invalid_count']} invalid, {truth['files']} files): {what}, "
            f"{plan.groups[0].warmups} warm-up(s), {v.trials} trials, {v.heap_trials} heap trial(s)")
        rows = run_cell(plan, log=log)
    for r in rows:
        if r["mode"] == "heap":
            for k in TIMED_EXTRAS:  # times taken under tracemalloc mean nothing
                r.pop(k, None)
    for r in rows:
        if r.get("status") != "ok":
            log(f"trial {r['mode']} {r['trial']}: {r['status']}: {r.get('error')}")
    ok = [r for r in rows if r.get("status") == "ok" and r["mode"] == "time"]
    if ok and measures == "queries":
        best = min(ok, key=lambda r: r["first_query_s"])
        log(f"first query {best['first_query_s']:.4f} s (best trial), p95 after load "
            f"{best['query_p95_s'] if best['query_p95_s'] is not None else float('nan'):.6f} s")
    host = fingerprint(p.scratch_dir)  # as discovery's: a real library is read in place
    experiment.write_rows(rows, sm.output[0], host, p.on_mismatch, config=dict(p))
    log(f"wrote {len(rows)} rows to {sm.output[0]}")


main(snakemake)  # noqa: F821 (provided by Snakemake)
