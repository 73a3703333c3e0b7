"""Snakemake job: per-cell statistics of results/measurements.parquet -> results/summary.parquet
and an HTML table of it for the report (method: ddxspike/stats/summary.py)."""

import os
from pathlib import Path

import pandas as pd

from ddxspike.stats import html, summary


def write_atomic(path, write) -> None:
    path = Path(path)
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)


def main(sm, log):
    df = pd.read_parquet(sm.input.measurements)
    table = summary.summarise(df)
    keys = summary.cell_keys(df)
    write_atomic(sm.output.table, lambda p: table.to_parquet(p, index=False))
    write_atomic(sm.output.html, lambda p: p.write_text(html.summary_page(table, keys)))
    noisy = int(table.loc[table["metric"] == "wall_s", "noisy"].sum())
    print(f"{len(df)} trials -> {len(table)} cell x metric rows; {noisy} noisy wall-time cell(s)",
          file=log)


with open(snakemake.log[0], "w") as log:  # noqa: F821 (provided by Snakemake)
    main(snakemake, log)  # noqa: F821
