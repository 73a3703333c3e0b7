"""The whole chain on a tiny configuration: generate -> measure -> Parquet -> charts -> report,
then incremental recomputation: only what a config or code change affects is scheduled."""

import re
import time

import pandas as pd
import pytest
import yaml

from conftest import tiny_config


def scheduled_jobs(dry_run_output: str) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job a dry run would run."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \S+:)", dry_run_output):
        m = re.match(r"(?:local)?rule (\S+):", block.strip())
        if not m:
            continue
        wc = re.search(r"^\s*wildcards: (.*)$", block, re.M)
        jobs.append((m.group(1), wc.group(1).strip() if wc else ""))
    return jobs


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """One complete tiny run, shared by the tests of this module."""
    import shutil

    from conftest import ROOT, SKIP, Pipeline

    dest = tmp_path_factory.mktemp("e2e") / "pipeline"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    p = Pipeline(dest)
    p.write_config(tiny_config())
    p.snakemake()
    return p


def test_measurements_cover_the_matrix_and_match_ground_truth(finished):
    df = pd.read_parquet(finished.root / "results" / "measurements.parquet")
    cfg = yaml.safe_load((finished.root / "config.yaml").read_text())
    disc = df[df["experiment"] == "discovery"]
    assert set(disc["size"]) == set(cfg["sizes"])
    assert set(cfg["discovery"]["strategies"]) <= set(disc["strategy"])
    timed = disc[disc["mode"] == "time"]
    assert (timed["status"] == "ok").all(), timed[timed["status"] != "ok"][["strategy", "error"]]
    manifest = pd.read_parquet(finished.root / "results" / "manifests" / "tiny.parquet")
    walk = timed[timed["strategy"] == "walk"]
    assert (walk["items"] == len(manifest)).all()
    assert (timed["wall_s"] > 0).all() and (timed["peak_rss_bytes"] > 0).all()
    assert timed["host_id"].notna().all()


def test_report_is_offline_and_holds_the_charts(finished):
    finished.snakemake("--report", "report.html")
    html = (finished.root / "report.html").read_text(errors="replace")
    assert "discovery_time_vs_files" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_adding_a_size_schedules_only_that_size_and_downstream(finished):
    cfg = yaml.safe_load((finished.root / "config.yaml").read_text())
    cfg["sizes"]["tiny2"] = {"files": 30, "bytes": 300_000, "commits": 2}
    finished.write_config(cfg)
    try:
        out = finished.snakemake("-n").stdout
        jobs = scheduled_jobs(out)
        per_size = [(r, w) for r, w in jobs if "size=" in w]
        assert per_size, out[-2000:]
        assert all("size=tiny2" in w for _, w in per_size), per_size
        assert {r for r, _ in per_size} >= {"generate_library", "measure_discovery"}
    finally:
        del cfg["sizes"]["tiny2"]
        finished.write_config(cfg)


def test_editing_one_strategy_reruns_only_its_jobs(finished):
    source = finished.root / "workflow" / "scripts" / "ddxspike" / "discovery" / "walk.py"
    time.sleep(1)
    source.write_text(source.read_text() + "\n# edited\n")
    jobs = scheduled_jobs(finished.snakemake("-n").stdout)
    measured = [w for r, w in jobs if r.startswith("measure_")]
    assert measured and all("strategy=walk" in w for w in measured), jobs
    assert not any(r == "generate_library" for r, _ in jobs)


def test_an_imported_host_is_fitted_apart_and_not_judged(finished):
    """import_measurements of another machine's table (here this run's rows, relabelled and ten
    times slower): fits.parquet keeps the two hosts apart, and the findings page is judged on this
    run's host and names the other."""
    res = finished.root / "results"
    own = pd.read_parquet(res / "measurements.parquet")
    own_id = own["host_id"].iloc[0]
    foreign = finished.root / "imports" / "other"
    foreign.mkdir(parents=True)
    other = own.assign(host_id="foreignhost0", wall_s=own["wall_s"] * 10)
    other.to_parquet(foreign / "measurements.parquet", index=False)
    pd.read_parquet(res / "hosts.parquet").assign(host_id="foreignhost0").to_parquet(foreign / "hosts.parquet")
    cfg = yaml.safe_load((finished.root / "config.yaml").read_text())
    finished.write_config({**cfg, "import_measurements": [str(foreign / "measurements.parquet")]})
    try:
        finished.snakemake("results/fits.parquet", "results/report/findings.html")
        fits = pd.read_parquet(res / "fits.parquet")
        assert set(fits["host_id"]) == {own_id, "foreignhost0"}
        page = (res / "report" / "findings.html").read_text()
        assert f"Judged on host {own_id}" in page and "foreignhost0" in page
        assert "foreignhost0" in (res / "report" / "executive_summary.txt").read_text()
    finally:
        finished.write_config(cfg)
