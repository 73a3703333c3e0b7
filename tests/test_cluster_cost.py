"""Pipeline cost: benchmark files of every job, summarised per rule, with the 1 GB check."""

from ddxspike import cost

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def write(path, wall, rss_mb):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{wall}\t0:00:01\t{rss_mb}\t1\t1\t1\t0.5\t0.25\t0\t{wall / 2}\n")


def test_benchmarks_become_a_cost_table_and_page(tmp_path):
    root = tmp_path / "benchmarks"
    write(root / "generate_library" / "small.tsv", 3.0, 150.0)
    write(root / "measure_discovery" / "small" / "walk.tsv", 10.0, 80.0)
    write(root / "measure_discovery" / "small" / "scandir.tsv", 6.0, 1200.0)
    write(root / "aggregate_measurements.tsv", 1.0, "NA")
    jobs = cost.read_benchmarks(root)
    assert sorted(jobs["job"]) == ["", "small", "small/scandir", "small/walk"]
    rules = cost.per_rule(jobs).set_index("rule")
    assert rules.loc["measure_discovery", "jobs"] == 2
    assert rules.loc["measure_discovery", "wall_s_total"] == 16.0
    assert round(rules.loc["measure_discovery", "max_rss_mb"]) == round(1200 * 2**20 / 1e6)
    assert rules.index[0] == "measure_discovery"  # costliest first
    page = cost.page(jobs, 1_000_000_000)
    assert "1 job(s) above 1 GB" in page and "small/scandir" in page
    assert "No job above 1 GB" in cost.page(jobs[jobs["job"] != "small/scandir"], 1_000_000_000)
    assert "No benchmark files yet" in cost.page(cost.read_benchmarks(tmp_path / "none"), 1)
