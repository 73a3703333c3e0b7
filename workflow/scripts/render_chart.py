"""Snakemake job: render one named chart (ddxspike.charts.CHARTS) to an offline SVG, from the
rows of this run's own host(s): an imported machine's timings are never drawn into the same marks."""

import pandas as pd

from ddxspike.charts import CHARTS
from ddxspike.report import tidy


def main(sm):
    df = pd.read_parquet(sm.input.measurements)
    df = tidy.this_run_rows(df, pd.read_parquet(sm.input.hosts))
    CHARTS[sm.wildcards.chart](df).save(sm.output[0])


main(snakemake)  # noqa: F821 (provided by Snakemake)
