# Chart names, their report categories, their families (one job each) and the files they render to.

CHART_CATEGORIES = {
    "discovery_time_vs_files": "1. Asset discovery",
    "discovery_time_vs_bytes": "1. Asset discovery",
    "discovery_first_page": "5. Pagination, lazy loading and caching",
    "discovery_cache_ratio": "5. Pagination, lazy loading and caching",
    "discovery_edge_cases": "1. Asset discovery",
    "discovery_memory": "4. Memory",
    "discovery_heap": "4. Memory",
    "subtree_time_vs_size": "2. Git subtree",
    "subtree_time_vs_commits": "2. Git subtree",
    "subtree_git_growth": "2. Git subtree",
    "subtree_git_processes": "2. Git subtree",
    "catalogue_discovery_time": "3. Workflow catalogue",
    "catalogue_query_latency": "3. Workflow catalogue",
    "catalogue_query_kinds": "3. Workflow catalogue",
    "catalogue_memory": "3. Workflow catalogue",
}
# A chart's family is its name's first word: its module is ddxspike/charts_<family>.py.
CHART_FAMILIES = sorted({chart.split("_")[0] for chart in CHART_CATEGORIES})


def charts_of(family):
    return [chart for chart in CHART_CATEGORIES if chart.split("_")[0] == family]


def chart_reports(family):
    """The family's SVGs by chart name, each marked for the report with its own caption."""
    return {
        chart: report(
            f"results/charts/{chart}.svg",
            caption=f"../report/{chart}.rst",
            category=CHART_CATEGORIES[chart],
        )
        for chart in charts_of(family)
    }


def chart_code(family):
    """The modules a family's charts are drawn by: editing one reruns the family's job."""
    modules = [
        f"ddxspike.charts_{family}",
        "ddxspike.charts_common",
        "ddxspike.stats.summary",
    ]
    return [module_source(m) for m in modules]


def chart_outputs():
    return expand("results/charts/{chart}.svg", chart=CHART_CATEGORIES)
