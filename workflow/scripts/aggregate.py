"""Snakemake job: concatenate every cell's rows into results/measurements.parquet (pinned
schema) and every cell's host facts into results/hosts.parquet. Both are built in full before
either is replaced (atomically), so a failure leaves the previous pair in place."""

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ddxspike import imports, table
from ddxspike.outputs import replace_atomically
from ddxspike.stats import contention


def main(sm):
    # conform: a cell measured before a column was added (and not rerun since) gets it as null.
    cells = [table.conform(pq.read_table(p)) for p in sm.input.cells]
    merged = pa.concat_tables(cells) if cells else table.SCHEMA.empty_table()
    hosts = {}
    for p in sm.input.cells:
        host = json.loads(Path(p).with_suffix(".host.json").read_text())
        # Only jobs that ran DDX's binary know its version: keep it whatever job came last.
        seen = hosts.get(host["host_id"], {})
        host.update({k: seen[k] for k in ("ddx_version", "ddx_sha256") if seen.get(k) and not host.get(k)})
        hosts[host["host_id"]] = {**host, "imported": False}  # measured by this run
    # Other hosts' or earlier runs' tables (config import_measurements), kept apart by host_id.
    merged, hosts = imports.merge(merged, hosts, list(sm.input.imported))
    # Contention: each row's calibration over its host's best anywhere in the merged table.
    slow = contention.slowdown(merged.select([*contention.COLUMNS, "host_id"]).to_pandas())
    merged = merged.set_column(merged.schema.get_field_index("slowdown"), "slowdown",
                               pa.array(slow.to_numpy(), pa.float64(), from_pandas=True))
    hosts_table = pd.DataFrame(list(hosts.values()))
    replace_atomically(sm.output.measurements, lambda tmp: pq.write_table(merged, tmp))
    replace_atomically(sm.output.hosts, lambda tmp: hosts_table.to_parquet(tmp, index=False))
    print(f"{merged.num_rows} rows from {len(cells)} cells, {len(hosts)} host(s)")


main(snakemake)  # noqa: F821 (provided by Snakemake)
