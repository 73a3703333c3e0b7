"""The workflow catalogue rules end to end in a private pipeline copy: generate -> index ->
every strategy measured and checked against the ground truth -> charts; then reruns stay
incremental."""

import time

import pandas as pd
import pytest

from conftest import tiny_config
from ddxspike.charts_catalogue import CHARTS


@pytest.fixture
def measured(pipeline):
    cfg = tiny_config()
    cfg.pop("subtree", None)  # not under test here: only the catalogue targets are built
    cfg["catalogue"].update(workflow_counts=[10], bad_input={"workflows": 10, "invalid": 9},
                            warmups=0, trials=1, heap_trials=1)
    pipeline.write_config(cfg)
    targets = [f"results/catalogue/{c}/{s}.parquet" for c in ("w10", "edge-bad-workflows")
               for s in cfg["catalogue"]["strategies"]]
    pipeline.snakemake(*targets)
    return pipeline, cfg, targets


def test_every_strategy_measured_correct_on_every_catalogue(measured):
    p, cfg, targets = measured
    df = pd.concat([pd.read_parquet(p.root / t) for t in targets])
    assert (df["status"] == "ok").all(), df[df["status"] != "ok"][["strategy", "error"]]
    assert set(df["strategy"]) == set(cfg["catalogue"]["strategies"])
    timed = df[df["mode"] == "time"]
    assert (timed["wall_s"] > 0).all() and (timed["peak_rss_bytes"] > 0).all()
    queries = timed[timed["strategy"] != "index-build"]
    assert (queries["first_query_s"] > 0).all()
    for name, spec in cfg["catalogue"]["strategies"].items():
        if "queries" in spec:
            got = queries.loc[queries["strategy"] == name, "queries"]
            assert (got == spec["queries"] - 1).all(), (name, got.tolist())
    assert (timed.loc[timed["size"] == "edge-bad-workflows", "invalid_reported"] == 9).all()
    assert (timed.loc[timed["size"] == "w10", "invalid_reported"] == 0).all()
    assert (df["workflows"] == 10).all()
    heap = df[df["mode"] == "heap"]
    assert not heap.empty and (heap["py_heap_peak_bytes"] > 0).all()
    assert heap["first_query_s"].isna().all()  # no times taken under tracemalloc

    log = (p.root / "results/logs/catalogue/index-edge-bad-workflows.log").read_text()
    assert log.count("invalid workflow: workflows/broken-") == 9
    assert "YAML syntax error" in log and "missing required field 'version'" in log

    for name, chart in CHARTS.items():
        chart(df).save(str(p.root / f"{name}.svg"))
        assert (p.root / f"{name}.svg").read_text().startswith("<svg")

    # Nothing to redo; editing one strategy reruns only its jobs.
    assert "Nothing to be done" in p.snakemake("-n", *targets).stdout
    source = p.root / "workflow/scripts/ddxspike/catalogue/strategies/inverted_index.py"
    time.sleep(1)
    source.write_text(source.read_text() + "\n# edited\n")
    out = p.snakemake("-n", *targets).stdout
    scheduled = [line for line in out.splitlines() if "wildcards:" in line]
    assert scheduled and all("strategy=inverted-index" in line for line in scheduled), scheduled
