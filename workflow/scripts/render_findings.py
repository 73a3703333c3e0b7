"""Snakemake job: the findings computed once (ddxspike/report/findings.py), then rendered: the
findings page (page.py), TS-001-results.md (markdown.py), the executive summary (text.py), the
detailed tables, the environment page and the targets Parquet."""

import datetime
import os
import sys

import pandas as pd

from ddxspike import charts_findings
from ddxspike.report import findings, html, markdown, page, text, tidy
from ddxspike.report import stats as cellstats


SHOWN_METRICS = ("wall_s", "peak_rss_bytes", "py_heap_peak_bytes", "first_page_s", "first_query_s", "query_p95_s")


def write(path, text_or_df):
    tmp = f"{path}.tmp-{os.getpid()}"
    if isinstance(text_or_df, pd.DataFrame):
        text_or_df.to_parquet(tmp, index=False)
    else:
        with open(tmp, "w") as f:
            f.write(text_or_df)
    os.replace(tmp, path)


def cell_table(df: pd.DataFrame) -> pd.DataFrame:
    """Median wall time and peak RSS per cell and size, with intervals (the comparison table)."""
    v = tidy.valid(df)
    if v.empty:
        return v
    keys = tidy.host_keys(v) + tidy.cell_keys(v) + ["size", "files", "bytes", "commits"]
    keys = [k for k in keys if k in v]
    t = cellstats.cell_medians(v, keys, "wall_s")
    m = cellstats.cell_medians(v, keys, "peak_rss_bytes")
    t["wall median [interval]"] = [findings.fmt.interval("wall_s", *_bounds(r)) for r in t.to_dict("records")]
    t["peak RSS median [interval]"] = [findings.fmt.interval("peak_rss_bytes", *_bounds(r)) for r in m.to_dict("records")]
    return (t.drop(columns=["median", "lo", "hi", "level"])
            .sort_values([k for k in ("experiment", "strategy", "files") if k in t]))


def _bounds(r):
    """A cell_medians row's median and interval ends, with its coverage and trial count."""
    return (r["median"], *(cellstats.Bound(r[k], r["level"], r["trials"]) for k in ("lo", "hi")))


def measured_on(path) -> str:
    """The day the measurement table was last written (UTC): the run the document describes."""
    return datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc).strftime("%Y-%m-%d")


def main(sm):
    df, fits, hosts, profiles = (tidy.read(p) for p in (sm.input.measurements, sm.input.fits,
                                                        sm.input.hosts, sm.input.profiles))
    cfg = sm.params.report
    # Verdicts, targets and policy are judged on this run's rows: pooling them with another
    # machine's timings would describe neither. Imported hosts stay in the tables below, per host.
    own = tidy.own_hosts(df, hosts)
    run_df, run_fits = tidy.this_run(df, own), tidy.this_run(fits, own)
    run_hosts = hosts[hosts["host_id"].isin(own)] if "host_id" in hosts and own else hosts
    doc = findings.analyse(run_df, run_fits, sm.params.targets, cfg, exclude=sm.params.exclude,
                           hosts=run_hosts, profiles=profiles, ddx_note=sm.params.ddx_note)
    doc.hosts = findings.hosts_note(df, own)
    summary = text.executive_summary(doc)
    results_md = markdown.results(doc, summary, when=measured_on(sm.input.measurements))
    write(sm.output.results_md, results_md)
    charts = charts_findings.svgs(run_df, doc, sm.params.targets, cfg, sm.params.exclude)
    write(sm.output.findings, page.findings(doc, hosts, profiles, cfg, charts, results_md))
    # The page shows the fits a reader compares; every fit (all metrics, RMS per class) is in fits.parquet.
    shown = fits[fits["metric"].isin(SHOWN_METRICS)].drop(columns=["xbar", "ybar", "classes"], errors="ignore")
    tables = ("<h1>Scaling fits, targets and cells</h1><h2>Scaling fits</h2><p class=\"small\">metric = a·n^b per "
              "cell and size axis; pooled (all sizes), controlled (other axes held fixed), joint (all varying "
              "axes at once). best_class: Google-Benchmark-style complexity class with its relative RMS.</p>"
              + html.table(shown, badges=("status",))
              + "<h2>Targets, every cell and size</h2>"
              + html.table(doc.checks.drop(columns=["lo", "hi", "median"], errors="ignore"), badges=("status",))
              + "<h2>Cells: medians with intervals</h2>" + html.table(cell_table(df)))
    write(sm.output.tables, html.page("Fits, targets and cells", tables))
    env = hosts.T.reset_index().rename(columns={"index": "fact"}) if not hosts.empty else hosts
    write(sm.output.environment, html.page("Environment", "<h1>Environment</h1><p>Every host whose measurements "
                                           "are in this report, with tool and package versions.</p>" + html.table(env)))
    targets = doc.checks.copy()
    for c in targets.columns:
        if targets[c].dtype == object:
            targets[c] = targets[c].astype("string")
    write(sm.output.targets, targets)
    write(sm.output.summary_text, summary + "\n")
    with open(sm.log[0], "w") as log:
        print(summary, file=log)
    print(summary, file=sys.stderr)


main(snakemake)  # noqa: F821 (provided by Snakemake)
