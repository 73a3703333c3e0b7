"""Snakemake job: render one named chart (ddxspike.charts.CHARTS) to an offline SVG, from the
rows of this run's own host(s): an imported machine's timings are never drawn into the same marks."""

import inspect

import pandas as pd

from ddxspike.charts import CHARTS
from ddxspike.report import tidy


def main(sm):
    df = pd.read_parquet(sm.input.measurements)
    df = tidy.this_run_rows(df, pd.read_parquet(sm.input.hosts))
    chart = CHARTS[sm.wildcards.chart]
    # A chart that draws DDX's targets takes them from the config (one place for each limit).
    kw = {"targets": sm.params.targets} if "targets" in inspect.signature(chart).parameters else {}
    chart(df, **kw).save(sm.output[0])


main(snakemake)  # noqa: F821 (provided by Snakemake)
