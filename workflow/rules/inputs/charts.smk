# Chart names, their report categories, and the files they render to.

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


def chart_outputs():
    return expand("results/charts/{chart}.svg", chart=CHART_CATEGORIES)
