"""Snakemake job: concatenate every cell's rows into results/measurements.parquet (pinned
schema) and every cell's host facts into results/hosts.parquet."""

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ddxspike import imports, table
from ddxspike.engine import calibrate


def main(sm):
    # conform: a cell measured before a column was added (and not rerun since) gets it as null.
    cells = [table.conform(pq.read_table(p)) for p in sm.input.cells]
    merged = pa.concat_tables(cells) if cells else table.SCHEMA.empty_table()
    hosts = {}
    for p in sm.input.cells:
        host = json.loads(Path(p).with_suffix(".host.json").read_text())
        hosts[host["host_id"]] = {**host, "imported": False}  # measured by this run
    # Other hosts' or earlier runs' tables (config import_measurements), kept apart by host_id.
    merged, hosts = imports.merge(merged, hosts, list(sm.input.imported))
    # Contention: each row's calibration over its host's best anywhere in the merged table.
    slow = calibrate.slowdown(merged.select([*calibrate.COLUMNS, "host_id"]).to_pandas())
    merged = merged.set_column(merged.schema.get_field_index("slowdown"), "slowdown",
                               pa.array(slow.to_numpy(), pa.float64(), from_pandas=True))
    pq.write_table(merged, sm.output.measurements)
    pd.DataFrame(list(hosts.values())).to_parquet(sm.output.hosts, index=False)
    print(f"{merged.num_rows} rows from {len(cells)} cells, {len(hosts)} host(s)")


main(snakemake)  # noqa: F821 (provided by Snakemake)
