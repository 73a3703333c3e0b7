"""Snakemake job: render the named charts of one family (ddxspike.charts.CHARTS; the job's
outputs, by chart name) to offline SVGs in one process, from the rows of this run's own host(s):
an imported machine's timings are never drawn into the same marks."""

import inspect
import time
from pathlib import Path

import pandas as pd

from ddxspike.charts import CHARTS
from ddxspike.charts_common import render_svg
from ddxspike.report import tidy


def main(sm, log):
    df = tidy.this_run_rows(tidy.read(sm.input.measurements), pd.read_parquet(sm.input.hosts))
    for name, path in sm.output.items():
        started = time.monotonic()
        chart = CHARTS[name]
        # A chart that draws DDX's targets takes them from the config (one place for each limit).
        kw = {"targets": sm.params.targets} if "targets" in inspect.signature(chart).parameters else {}
        Path(path).write_text(render_svg(chart(df, **kw)))
        print(f"{name}: {time.monotonic() - started:.1f} s", file=log)


with open(snakemake.log[0], "w") as log:  # noqa: F821 (provided by Snakemake)
    main(snakemake, log)  # noqa: F821
