"""Snakemake job: this run's measurements against a baseline measurements.parquet (config
`baseline:`) -> results/comparison.parquet and an HTML table (method: ddxspike/stats/compare.py).
Refuses, naming both host ids, when the two were measured on different machines unless
`allow_cross_host: true`."""

import os
from pathlib import Path

import pandas as pd

from ddxspike.report import tidy
from ddxspike.stats import compare, html, summary


def main(sm, log):
    current = pd.read_parquet(sm.input.measurements)
    # This run's own rows only: imported hosts (import_measurements) are not "this run".
    current = tidy.this_run_rows(current, pd.read_parquet(sm.input.hosts))
    baseline_path = sm.input.baseline
    if not Path(baseline_path).exists():
        raise FileNotFoundError(f"config baseline: {baseline_path} does not exist")
    baseline = pd.read_parquet(baseline_path)
    missing = {"host_id", "status", "mode"} - set(baseline.columns)
    if missing:
        raise ValueError(f"config baseline: {baseline_path} is not a measurements table "
                         f"(no column(s) {sorted(missing)})")
    table = compare.compare(current, baseline, baseline_path=str(baseline_path),
                            allow_cross_host=sm.params.allow_cross_host)
    keys = summary.cell_keys(current)
    for out, write in ((sm.output.table, lambda p: table.to_parquet(p, index=False)),
                       (sm.output.html, lambda p: p.write_text(
                           html.comparison_page(table, keys, str(baseline_path))))):
        tmp = Path(out).with_name(Path(out).name + f".tmp-{os.getpid()}")
        write(tmp)
        os.replace(tmp, out)
    counts = table["verdict"].value_counts().to_dict()
    print(f"compared {len(table)} cell x metric rows with {baseline_path}: {counts}", file=log)


with open(snakemake.log[0], "w") as log:  # noqa: F821 (provided by Snakemake)
    main(snakemake, log)  # noqa: F821
