"""Snakemake job: scaling fits of every cell (results/fits.parquet); see ddxspike/report/fits.py."""

import os
import sys
import time

import pandas as pd

from ddxspike.report import fits, tidy


def main(sm):
    with open(sm.log[0], "w") as log:
        started = time.monotonic()
        df = tidy.read(sm.input.measurements)
        # One fit per host: this run's own hosts together (a cluster's nodes), each imported apart.
        df = tidy.with_run_hosts(df, tidy.own_hosts(df, pd.read_parquet(sm.input.hosts)))
        table = fits.fit_table(df, exclude=sm.params.exclude)
        tmp = f"{sm.output[0]}.tmp-{os.getpid()}"
        table.to_parquet(tmp, index=False)
        os.replace(tmp, sm.output[0])
        counts = table["status"].value_counts().to_dict() if not table.empty else {}
        print(f"{len(table)} fits from {len(df)} rows in {time.monotonic() - started:.1f} s: {counts}",
              file=log)
        print(f"fit_scaling: {len(table)} fits {counts}", file=sys.stderr)


main(snakemake)  # noqa: F821 (provided by Snakemake)
