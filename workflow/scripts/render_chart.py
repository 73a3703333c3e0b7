"""Snakemake job: render one named chart (ddxspike.charts.CHARTS) to an offline SVG."""

import pandas as pd

from ddxspike.charts import CHARTS


def main(sm):
    df = pd.read_parquet(sm.input[0])
    CHARTS[sm.wildcards.chart](df).save(sm.output[0])


main(snakemake)  # noqa: F821 (provided by Snakemake)
