"""The pinned schema of results/measurements.parquet: one row per trial, every dimension a column.

Everything downstream (statistics, fits, verdicts, charts) reads this table, so a new size or
strategy needs no new code downstream. A new measure is a new nullable column added here.
"""

import pyarrow as pa

from ddxspike import arrowcols

DIMENSIONS = [
    ("experiment", pa.string()),  # discovery | subtree | catalogue
    ("size", pa.string()),  # repository name from config (sizes, edge cases, real repositories)
    ("strategy", pa.string()),  # strategy or git operation
    ("depth", pa.string()),  # what is read per item: names | stat | meta | hash (discovery)
    ("cache_state", pa.string()),  # warm | cold
    ("files", pa.int64()),  # repository shape, for fits against files / bytes / commits
    ("bytes", pa.int64()),
    ("commits", pa.int64()),
    ("workflows", pa.int64()),  # valid workflows in the catalogue (workflow catalogue experiment)
    # How the repository is judged (ddxspike/repos/model.py), never decoded from its name:
    # synthetic (generated at a scale: the rows fits take) | edge (an extreme shape, judged on its
    # own) | real (existing_repos, a real subtree upstream: judged apart from the size axes)
    ("repo_kind", pa.string()),
]

MEASURES = [
    ("mode", pa.string()),  # time: a timed trial; heap: an untimed tracemalloc trial
    ("trial", pa.int32()),
    ("order", pa.int32()),  # position in the job's interleaved run order
    # why the variant's timed trials stopped (engine/plan.py): planned | slow | narrow | cap |
    # gave-up-timeouts | mismatch; time rows only
    ("stop_reason", pa.string()),
    ("status", pa.string()),  # ok | error | timeout | mismatch
    ("error", pa.string()),
    ("wall_s", pa.float64()),
    ("user_s", pa.float64()),
    ("sys_s", pa.float64()),
    ("cpu_s", pa.float64()),
    ("peak_rss_bytes", pa.int64()),  # largest resident set of one process in the worker's tree (VmHWM)
    ("rss_before_bytes", pa.int64()),  # worker's resident set before the strategy ran
    ("py_heap_peak_bytes", pa.int64()),  # tracemalloc peak (heap trials only)
    ("items", pa.int64()),
    ("digest", pa.string()),
    ("bytes_read", pa.int64()),
    ("cache_hits", pa.int64()),
    ("cache_misses", pa.int64()),
    ("load_1m", pa.float64()),
    # contention (engine/calibrate.py): the job's fixed calibration before and after its trials,
    # and their mean over the host's best (set over the whole table when it is aggregated)
    ("calib_before_s", pa.float64()),
    ("calib_after_s", pa.float64()),
    ("slowdown", pa.float64()),
    ("run_id", pa.string()),  # the pipeline run that measured the row (experiment.run_id)
    ("residency_before", pa.float64()),  # share of the repository's file pages cached before a trial
    ("caches_dropped", pa.string()),  # cold trials: file-pages, or pages+dentries+inodes
    ("host_id", pa.string()),
    ("storage_read_bytes", pa.int64()),  # /proc/self/io read_bytes of the worker + reaped children
    ("config_hash", pa.string()),  # hash of the config that shaped the row (experiment.write_rows)
    # git subtree experiment (ddxspike/subtree):
    ("host_commits", pa.int64()),  # commits in the host repository the operation ran in
    ("git_processes", pa.int64()),  # git processes spawned (trace2 "start" events, counting run)
    ("files_changed", pa.int64()),  # DDX's own commands: files under the prefix written or removed
    ("git_peak_rss_bytes", pa.int64()),  # largest resident set among the git processes
    ("git_growth_bytes", pa.int64()),  # growth of .git (subtree-cache and unreachable objects too)
    ("objects_added", pa.int64()),  # objects fetched or written into the repository
    ("subtree_cache_bytes", pa.int64()),  # disk used by .git/subtree-cache left behind
    ("exit_status", pa.int32()),  # exit status of the failing git command (0: all succeeded)
    ("answer", pa.string()),  # the operation's answer as JSON (split commit, behind count, ...)
    # asset discovery, lazy listing (ddxspike/discovery/lazy.py, sorted_full.py):
    ("first_page_s", pa.float64()),  # time until the first page of entries was listed
    ("render_table_s", pa.float64()),  # rendering the listing as a text table
    ("render_json_s", pa.float64()),  # rendering the listing as JSON
    # workflow catalogue (ddxspike/catalogue/trial.py):
    ("first_query_s", pa.float64()),  # cold start: import, load or scan, and the first query
    ("queries", pa.int64()),  # queries timed one by one after the first
    ("query_p50_s", pa.float64()),  # latency percentiles (nearest rank) of those queries
    ("query_p95_s", pa.float64()),
    ("query_p99_s", pa.float64()),
    ("query_name_p95_s", pa.float64()),  # p95 per query kind (catalogue/query.py KINDS); null when
    ("query_keyword_p95_s", pa.float64()),  # a trial timed no query of that kind
    ("query_tag_p95_s", pa.float64()),
    ("query_role_p95_s", pa.float64()),
    ("invalid_reported", pa.int64()),  # broken workflow.yml files reported with path and reason
]

SCHEMA = pa.schema([pa.field(n, t) for n, t in DIMENSIONS + MEASURES])
COLUMNS = [f.name for f in SCHEMA]


def to_table(rows: list[dict]) -> pa.Table:
    """Rows (dicts) to a table of exactly SCHEMA; an unknown key is a programming error."""
    unknown = sorted({k for r in rows for k in r} - set(COLUMNS))
    if unknown:
        raise KeyError(f"measurement rows carry columns not in the schema (ddxspike/table.py): {unknown}")
    return arrowcols.table({c: [r.get(c) for r in rows] for c in COLUMNS}, SCHEMA)


def conform(t: pa.Table) -> pa.Table:
    """A table written by an earlier version (a cell Snakemake did not rerun, an import) in
    today's SCHEMA: columns added since are null, columns no longer known are dropped."""
    cols = {f.name: t.column(f.name).cast(f.type) if f.name in t.column_names else pa.nulls(t.num_rows, f.type)
            for f in SCHEMA}
    return pa.table(cols, schema=SCHEMA)
