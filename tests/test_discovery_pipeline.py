"""End to end through Snakemake: the discovery rules generate edge cases and a tiny library,
measure a spread of strategy kinds (asset listing, caches, lazy, external tools) cold and warm,
and every row is right; the charts render from those rows."""

import glob

import pandas as pd

from conftest import tiny_config

STRATEGIES = {
    "ddx-list": {"python": "ddxspike.discovery.ddx_list"},
    "file-cache": {"python": "ddxspike.discovery.file_cache"},
    "memory-cache": {"python": "ddxspike.discovery.memory_cache"},
    "lazy": {"python": "ddxspike.discovery.lazy"},
    "find": {"command": ["find", ".", "-path", "./.git", "-prune", "-o", "!", "-type", "d",
                         "-print0"], "output": "nul"},
}
EDGE = {"symlink-loop": {"kind": "symlink_loop"}, "non-utf8-names": {"kind": "non_utf8"}}


def test_discovery_rules_end_to_end(pipeline):
    cfg = tiny_config()
    cfg["measurement"].update(warmups=0, trials=1, heap_trials=1)
    cfg["discovery"].update(depths=["names", "hash"], strategies=STRATEGIES, page_size=5)
    cfg["edge_cases"] = EDGE
    if "subtree" in cfg:  # other experiments only need to parse: point them at the tiny size
        cfg["subtree"].update(sizes=["tiny"], history_size="tiny")
    pipeline.write_config(cfg)
    repos = ["tiny"] + [f"edge-{c}" for c in EDGE]
    targets = [f"results/discovery/{r}/{s}.parquet" for r in repos for s in STRATEGIES]
    pipeline.snakemake(*targets)

    df = pd.concat(pd.read_parquet(f) for f in glob.glob(str(pipeline.root / "results/discovery/*/*.parquet")))
    assert set(df["size"]) == set(repos) and set(df["strategy"]) == set(STRATEGIES)
    assert (df["status"] == "ok").all(), df[df["status"] != "ok"][["size", "strategy", "error"]]
    timed = df[df["mode"] == "time"]
    assert set(timed["cache_state"]) == {"warm", "cold"}
    # Depths each strategy supports: external tools list names only; ddx-list has no hash.
    depths = timed.groupby("strategy")["depth"].agg(set).to_dict()
    assert depths["find"] == {"names"} and depths["ddx-list"] == {"names"}
    assert depths["lazy"] == {"names", "hash"}
    assert timed[timed["strategy"] == "lazy"]["first_page_s"].notna().all()
    assert timed[timed["strategy"] == "file-cache"]["cache_hits"].notna().all()
    heap = df[df["mode"] == "heap"]
    assert (heap["py_heap_peak_bytes"] > 0).all()
    # The persistent cache lives outside the repository, under results/.
    assert glob.glob(str(pipeline.root / "results/discovery_cache/tiny/file-cache/*.pickle"))
    summary = (pipeline.root / "results/manifests/edge/non-utf8-names.json").read_text()
    assert '"edge_case": "non_utf8"' in summary

    from ddxspike.charts_discovery import CHARTS

    for name, chart in CHARTS.items():
        chart(df).save(str(pipeline.root / f"{name}.svg"))
        assert (pipeline.root / f"{name}.svg").stat().st_size > 1000, name
