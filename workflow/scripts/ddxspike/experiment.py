"""What every experiment's measurement job does around the engine: ground truth, cold-cache
preparation, host id, the mismatch policy, and writing its Parquet file atomically."""

import json
import os
import time
from pathlib import Path

import pyarrow.parquet as pq

from ddxspike import table
from ddxspike.discovery.indexfile import index_path
from ddxspike.engine import cache
from ddxspike.engine.host import config_hash as host_config_hash


# One id per pipeline run: common.smk sets it in the main Snakemake process, whose jobs (and a
# cluster's, which inherit the environment) read it. Not a param, so it reruns nothing.
RUN_ID_ENV = "DDXSPIKE_RUN_ID"


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{os.getpid()}"


def run_id() -> str:
    """This pipeline run's id; a job run outside Snakemake is a run of its own."""
    return os.environ.setdefault(RUN_ID_ENV, new_run_id())


class MismatchError(RuntimeError):
    """A strategy listed something other than the ground truth: a bug, not a result."""


def cold_preparer(repo_dir: str, drop_caches: bool):
    """prepare() for run_cell: evict, then record how cold the repository really was."""

    files: list[str] = []

    def prepare(spec):
        # Strategies only read the repository: list its files once per job, not twice per cold
        # trial (two walks were 0.2-1 s of each cold trial's preparation at 10,000 files).
        if not files:
            files.extend(cache.iter_files(repo_dir))
            if os.path.isfile(os.path.join(repo_dir, ".git")):
                # A linked worktree: its index (what gitindex reads) is in its own git folder.
                files.extend(cache.iter_files(os.path.dirname(index_path(repo_dir))))
        dropped = cache.evict(repo_dir, drop_caches, files=files)
        return {"residency_before": cache.residency(repo_dir, files=files), "caches_dropped": dropped}

    return prepare


def write_rows(rows: list[dict], out_path, host: dict, on_mismatch: str = "fail",
               config=None) -> None:
    """Write the job's rows and its host facts beside them (<out>.host.json); with
    on_mismatch=fail a wrong answer fails the job, naming the paths that differ. `config` (the
    job's params, e.g. dict(snakemake.params)) is hashed into every row's config_hash."""
    shaped_by = None if config is None else host_config_hash(config)
    run = run_id()
    for r in rows:
        r["host_id"] = host["host_id"]
        r["config_hash"] = shaped_by
        r["run_id"] = run
    # A parity row (model vs DDX's binary, discovery) is a finding about the model: recorded.
    bad = [r for r in rows if r.get("status") == "mismatch" and r.get("mode") != "parity"]
    if bad and on_mismatch == "fail":
        r = bad[0]
        raise MismatchError(
            f"{r.get('strategy')} on {r.get('size')} (depth {r.get('depth')}, {r.get('cache_state')}) "
            f"does not match the manifest: {r.get('error')}"
        )
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + f".tmp-{os.getpid()}")
    out.with_suffix(".host.json").write_text(json.dumps(host, indent=1))
    pq.write_table(table.to_table(rows), tmp)
    os.replace(tmp, out)
