# Input functions of the report rules.


def largest_library():
    """The configured size with the most files (then bytes): where bottlenecks are profiled."""
    return max(
        config["sizes"],
        key=lambda s: (config["sizes"][s]["files"], config["sizes"][s]["bytes"]),
    )


def python_discovery_strategies():
    """Discovery strategies that run in Python (external commands cannot be cProfiled)."""
    return {
        name: spec["python"]
        for name, spec in config["discovery"]["strategies"].items()
        if "python" in spec
    }


def fit_exclusions():
    """Further repositories to leave out of the fits (report.fit_exclude); edge cases and real
    repositories are left out by their rows' repo_kind (report/fits.py scaling_points).
    """
    return list(config["report"].get("fit_exclude", []))


def profiled_subtree_cell(wildcards=None):
    """The subtree cell with the most bytes, then the longest history: where git is profiled."""
    cells = subtree_cells()
    if not cells:
        return {}
    size, commits = max(
        cells, key=lambda c: (config["sizes"][c[0]]["bytes"], int(c[1]))
    )
    return {
        "info": f"results/subtree/fixtures/{size}-c{commits}.json",
        "repos": f"{SCRATCH}/subtree/{size}/c{commits}",
    }


def report_outputs():
    return [
        "results/fits.parquet",
        "results/report/findings.html",
        "results/report/bottlenecks.html",
        "results/report/TS-001-results.md",
    ]
