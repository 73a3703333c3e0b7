"""Several hosts: measurements.parquet files from earlier runs or other machines, merged into
this run's table (config `import_measurements: [paths]`).

Every row carries the host_id of the machine that measured it, so merged rows stay apart
downstream (summaries, fits and verdicts group by host). Where this run measured the same
cell (host_id, run_id, experiment, size, strategy) itself, its own rows win and the imported ones are
dropped, so re-importing a run's own output never doubles its trials.
"""

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ddxspike import table

# run_id too: an earlier run of the same host is another run (between-run spread), not a duplicate.
CELL = ["host_id", "run_id", "experiment", "size", "strategy"]


class ImportedTableError(ValueError):
    """An imported file cannot be merged; the message names the file."""


def read_imported(path) -> pa.Table:
    """An imported table in today's schema: missing (newer) columns are null, columns this
    version does not know are dropped; a file without host_id cannot be attributed."""
    t = pq.read_table(path)
    if "host_id" not in t.column_names or t.column("host_id").null_count > 0:
        raise ImportedTableError(f"import_measurements: {path} has no host_id: rows from an unknown "
                           "host cannot be kept apart from this run's")
    return table.conform(t)


def imported_hosts(path, host_ids) -> list[dict]:
    """Host facts of an imported file: its sibling hosts.parquet, else the bare ids."""
    hosts_file = Path(path).with_name("hosts.parquet")
    known = {}
    if hosts_file.exists():
        for rec in pd.read_parquet(hosts_file).to_dict("records"):
            known[rec["host_id"]] = rec
    return [known.get(h, {"host_id": h}) for h in sorted(host_ids)]


def merge(current: pa.Table, hosts: dict, paths, log=print) -> tuple[pa.Table, dict]:
    """current + every imported table, minus imported rows of cells this run measured."""
    if not paths:
        return current, hosts
    own = set(map(tuple, current.select(CELL).to_pandas().drop_duplicates().itertuples(index=False)))
    parts = [current]
    for path in paths:
        t = read_imported(path)
        df = t.select(CELL).to_pandas()
        keep = [tuple(r) not in own for r in df.itertuples(index=False)]
        kept = t.filter(pa.array(keep, pa.bool_()))
        dropped = t.num_rows - kept.num_rows
        ids = set(kept.column("host_id").to_pylist())
        for h in imported_hosts(path, ids):
            hosts.setdefault(h["host_id"], {**h, "imported": True})
        log(f"import {path}: {kept.num_rows} rows from host(s) {sorted(ids)}"
            + (f"; {dropped} rows dropped (cells this run measured itself)" if dropped else ""))
        parts.append(kept)
    return pa.concat_tables(parts), hosts
