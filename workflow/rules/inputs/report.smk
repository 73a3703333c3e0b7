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


def report_outputs():
    return [
        "results/fits.parquet",
        "results/report/findings.html",
        "results/report/bottlenecks.html",
    ]
