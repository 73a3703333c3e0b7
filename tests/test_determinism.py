"""Determinism: the same config run with --cores 1 and --cores 4 gives identical manifests and
identical non-timing columns (what was measured, never how long it took)."""

import json
import shutil

import pandas as pd
import pyarrow.parquet as pq

from conftest import Pipeline, tiny_config

# Columns that measure time, memory, load or cache state: they may differ from run to run.
VARYING = {"peak_rss_bytes", "rss_before_bytes", "py_heap_peak_bytes", "load_1m",
           "residency_before", "storage_read_bytes", "git_peak_rss_bytes", "git_growth_bytes",
           "subtree_cache_bytes",
           # contention: the calibration's ratio to the host's best, and which run measured it
           "slowdown", "run_id"}
# Summary keys that time the generator itself.
SUMMARY_TIMING = {"seconds"}


def small_config(**overrides):
    """tiny_config() cut to two discovery strategies on the tiny size, nothing else generated."""
    cfg = tiny_config(**overrides)
    if cfg.get("subtree"):  # the subtree experiment's cells must name a configured size
        size = next(iter(cfg["sizes"]))
        cfg["subtree"].update(sizes=[size], history_size=size)
        cfg["subtree"]["commit_counts"] = cfg["subtree"]["commit_counts"][:1]
    cfg["discovery"]["depths"] = ["names", "stat"]
    keep = ("walk", "scandir")
    cfg["discovery"]["strategies"] = {k: v for k, v in cfg["discovery"]["strategies"].items()
                                      if k in keep}
    cfg["edge_cases"] = {}
    return cfg


def stable_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if not c.endswith("_s") and c not in VARYING]


def run(pipeline: Pipeline, cores: int):
    pipeline.snakemake("--cores", str(cores), "results/measurements.parquet")
    manifests = {}
    for path in sorted((pipeline.root / "results").glob("**/manifests/**/*.parquet")):
        summary = path.with_suffix(".json")
        summary = json.loads(summary.read_text()) if summary.exists() else {}
        manifests[str(path.relative_to(pipeline.root))] = (
            pq.read_table(path), {k: v for k, v in summary.items() if k not in SUMMARY_TIMING})
    rows = pd.read_parquet(pipeline.root / "results/measurements.parquet")
    rows = rows[stable_columns(rows)]
    # Row order across cells is the aggregation's, not a result: sort by every stable column.
    order = rows.astype(str).sort_values(list(rows.columns), kind="stable").index
    return manifests, rows.loc[order].reset_index(drop=True)


def test_cores_1_and_4_give_identical_results(pipeline, tmp_path):
    from test_cluster import cluster_config  # tiny, and every experiment cut to seconds

    pipeline.write_config(cluster_config())
    other = Pipeline(tmp_path / "pipeline4")
    shutil.copytree(pipeline.root, other.root)
    m1, rows1 = run(pipeline, 1)
    m4, rows4 = run(other, 4)
    assert m1.keys() == m4.keys() and "results/manifests/tiny.parquet" in m1
    for name in m1:
        assert m1[name][0].equals(m4[name][0]), f"manifest {name} differs between --cores 1 and 4"
        assert m1[name][1] == m4[name][1], f"summary of {name} differs"
    assert len(rows1) == len(rows4) > 0
    assert set(rows1["experiment"]) >= {"discovery", "subtree", "catalogue"}
    assert {"digest", "items", "files", "bytes"} <= set(rows1.columns)
    pd.testing.assert_frame_equal(rows1, rows4)
