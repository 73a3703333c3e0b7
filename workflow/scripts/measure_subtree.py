"""Snakemake job: every git subtree operation on one (size, commits) cell, each trial on a fresh
copy of the pristine repositories (ddxspike.subtree.cell). Writes one row per trial to
results/subtree/<size>/c<commits>.parquet; failing operations are `error` rows, not a failed job."""

import json
import os
import shutil
from pathlib import Path

from ddxspike import ddxcli, experiment
from ddxspike.engine import exclusive
from ddxspike.engine.host import fingerprint
from ddxspike.joblog import job_logger
from ddxspike.repos import manifest
from ddxspike.subtree.cell import run_subtree_cell


def main(sm):
    tag = f"{sm.wildcards.size}-c{sm.wildcards.commits}"
    log = job_logger(sm.log[0], f"subtree {tag}")
    exclusive.hold(sm.config["scratch_dir"], f"subtree {tag}", log)

    st, ops = sm.params.subtree, sm.params.operations
    ddx = dict(sm.params.ddx)  # the binary as configured, resolved here (params stay relocatable)
    if ddx.get("binary"):
        ddx["binary"] = ddxcli.locate({"ddx": {"binary": ddx["binary"]}})
    info = json.loads(Path(sm.input.info).read_text())
    summary = manifest.read_summary(sm.input.manifest)
    paths = [os.fsdecode(p) for p in manifest.read_paths(sm.input.manifest)]
    dims = {"experiment": "subtree", "size": sm.params.size, "repo_kind": sm.params.repo_kind,
            "cache_state": "warm",
            "files": summary["files"], "bytes": summary["bytes"],
            # The upstream's history (a real upstream's own; the hosts' is info["commits"]).
            "commits": summary["commits"]}
    repos = Path(sm.input.repos).resolve()  # <scratch_dir>/subtree/<size>/c<commits>
    work = repos.parent.parent / "work" / f"{tag}-{os.getpid()}"
    log(f"{len(ops)} operations x {st['trials']} trials "
        f"({summary['files']} files, {summary['bytes'] / 1e6:.0f} MB, {summary['commits']} commits)")
    try:
        rows = run_subtree_cell(info, ops, dims, st, work_dir=work, manifest_paths=paths,
                                sparse_dirs=st["sparse_dirs"], ddx=ddx, log=log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # scratch_dir, as discovery's: the run's host facts are kept there, never in an input folder
    host = fingerprint(sm.config["scratch_dir"], ddx_binary=ddx.get("binary") or None)
    experiment.write_rows(rows, sm.output[0], host, st.get("on_mismatch", "record"),
                          config={"subtree": st, "operations": ops, "ddx": dict(sm.params.ddx)})


main(snakemake)  # noqa: F821 (provided by Snakemake)
