"""Cluster execution: the tiny pipeline through snakemake-executor-plugin-cluster-generic with a
local submit script (profiles/local-cluster), so every job or group of jobs runs as a separate
background process, as on SLURM. Passing proves no rule relies on shared in-process state; the
submission log shows what a SLURM profile with the same resources and groups would request."""

import json

import pyarrow.parquet as pq
import yaml

from conftest import ROOT
from test_determinism import small_config

CLUSTER = ["--profile", "profiles/local-cluster", "--workflow-profile", "none", "--cores", "2"]


def cluster_config():
    cfg = small_config()
    if cfg.get("subtree"):  # two operations, one short history: seconds, not minutes
        cfg["subtree"].update(fixed_commits=10, commit_counts=[10], trials=1,
                              operations=["model-has-subtree", "internal-pull"])
    if cfg.get("catalogue"):
        keep = ("scan-parse", "index-memory")
        cfg["catalogue"]["strategies"] = {k: v for k, v in cfg["catalogue"]["strategies"].items()
                                          if k in keep}
    return cfg


def test_slurm_profile_matches_the_tested_one():
    slurm = yaml.safe_load((ROOT / "profiles/slurm/config.yaml").read_text())
    local = yaml.safe_load((ROOT / "profiles/local-cluster/config.yaml").read_text())
    assert slurm["executor"] == "slurm"
    assert slurm["groups"] == local["groups"] and slurm["set-resources"] == local["set-resources"]
    grouped = {g.split("=")[0] for g in slurm["groups"]}
    assert {"generate_library", "measure_discovery"} <= grouped
    for rule in grouped:  # the whole group's submission asks for an exclusive node
        assert slurm["set-resources"][rule]["slurm_extra"] == "'--exclusive'"


def test_pipeline_runs_as_separate_cluster_jobs(pipeline):
    pipeline.write_config(cluster_config())
    targets = ["results/measurements.parquet", "results/summary.html",
               "results/charts/discovery_time_vs_files.svg"]
    pipeline.snakemake(*CLUSTER, *targets, timeout=300)
    for t in targets:
        assert (pipeline.root / t).stat().st_size > 0
    rows = pq.read_table(pipeline.root / "results/measurements.parquet").to_pandas()
    assert {"discovery"} <= set(rows["experiment"]) and len(set(rows["host_id"])) == 1
    assert set(rows.loc[rows["experiment"] == "discovery", "status"]) == {"ok"}

    log = pipeline.root / "results/cluster-logs/submissions.jsonl"
    subs = [json.loads(line) for line in log.read_text().splitlines()]
    groups = [s for s in subs if s["properties"]["type"] == "group"]
    singles = {s["properties"]["rule"] for s in subs if s["properties"]["type"] == "single"}
    assert "aggregate_measurements" in singles and "generate_library" not in singles
    assert "measure_discovery" not in singles
    # One submission holds the tiny size's generation and both of its measurements, exclusive,
    # with the cores of one node.
    size_group = next(g for g in groups
                      if "results/discovery/tiny/walk.parquet" in g["properties"]["output"])
    out = size_group["properties"]["output"]
    assert "results/discovery/tiny/scandir.parquet" in out and "results/manifests/tiny.json" in out
    assert size_group["extra"] == "--exclusive" and size_group["cpus"] == "2"
    assert all(g["extra"] == "--exclusive" for g in groups)
    assert all(s["extra"] == "" for s in subs if s["properties"]["type"] == "single")
    # Every submission ran as its own process and finished (Snakemake saw its marker).
    assert len({s["id"] for s in subs}) == len(subs)
    again = pipeline.snakemake(*CLUSTER, "-n", *targets)
    assert "Nothing to be done" in again.stdout + again.stderr
