# Chart names, their report categories, and the files they render to.

CHART_CATEGORIES = {
    "discovery_time_vs_files": "1. Asset discovery",
    "discovery_time_vs_bytes": "1. Asset discovery",
    "discovery_memory": "4. Memory",
}


def chart_outputs():
    return expand("results/charts/{chart}.svg", chart=CHART_CATEGORIES)
