"""Snakemake job: render one named chart (ddxspike.charts.CHARTS) to an offline SVG, from the
rows of the host the findings are judged on (two machines' timings are never drawn as one)."""

import pandas as pd

from ddxspike.charts import CHARTS
from ddxspike.report import tidy


def main(sm):
    df = pd.read_parquet(sm.input.measurements)
    df = tidy.one_host(df, tidy.judged_host(df, pd.read_parquet(sm.input.hosts)))
    CHARTS[sm.wildcards.chart](df).save(sm.output[0])


main(snakemake)  # noqa: F821 (provided by Snakemake)
