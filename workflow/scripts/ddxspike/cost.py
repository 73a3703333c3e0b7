"""What the pipeline itself costs: every job's wall time and peak memory, from the TSV files
Snakemake's `benchmark:` directive writes (results/benchmarks/<rule>/<wildcards>.tsv).

Snakemake samples the job's process tree every ~0.5 s, interpreter start-up included: right for
the pipeline's own cost, far too coarse for the measurements (those come from the engine).
"""

import html
from pathlib import Path

import pandas as pd

# Snakemake reports memory in MB of 2**20 bytes.
MIB = 2**20


def read_benchmarks(root) -> pd.DataFrame:
    """One row per job: rule, job (its wildcards, from the file name), wall_s, max_rss_bytes,
    cpu_s, io_in_mb, io_out_mb, recorded (file time)."""
    rows = []
    for tsv in sorted(Path(root).glob("**/*.tsv")):
        rel = tsv.relative_to(root)
        df = pd.read_csv(tsv, sep="\t")
        if df.empty or "s" not in df:
            continue
        last = df.iloc[-1]  # --benchmark-repeats writes one line per repeat; the last is kept
        rss = pd.to_numeric(last.get("max_rss"), errors="coerce")
        rows.append({
            "rule": rel.parts[0] if len(rel.parts) > 1 else rel.stem,
            "job": str(Path(*rel.parts[1:]).with_suffix("")) if len(rel.parts) > 1 else "",
            "wall_s": float(last["s"]),
            "max_rss_bytes": None if pd.isna(rss) else int(rss * MIB),
            "cpu_s": float(pd.to_numeric(last.get("cpu_time"), errors="coerce")),
            "io_in_mb": float(pd.to_numeric(last.get("io_in"), errors="coerce")),
            "io_out_mb": float(pd.to_numeric(last.get("io_out"), errors="coerce")),
            "recorded": pd.Timestamp(tsv.stat().st_mtime, unit="s"),
        })
    return pd.DataFrame(rows, columns=["rule", "job", "wall_s", "max_rss_bytes", "cpu_s",
                                       "io_in_mb", "io_out_mb", "recorded"])


def per_rule(jobs: pd.DataFrame) -> pd.DataFrame:
    """Jobs, total and largest wall time, largest peak memory per rule, costliest first."""
    g = jobs.groupby("rule")
    out = pd.DataFrame({
        "jobs": g.size(),
        "wall_s_total": g["wall_s"].sum(),
        "wall_s_max": g["wall_s"].max(),
        "max_rss_mb": g["max_rss_bytes"].max() / 1e6,
        "cpu_s_total": g["cpu_s"].sum(),
    })
    return out.sort_values("wall_s_total", ascending=False).reset_index()


def page(jobs: pd.DataFrame, limit_bytes: int) -> str:
    """The report page: totals, per-rule table, the costliest jobs, the memory check."""
    if jobs.empty:
        return ("<html><body><h1>Pipeline cost</h1><p>No benchmark files yet: every rule writes "
                "one under results/benchmarks/ when it runs.</p></body></html>")
    rules = per_rule(jobs)
    worst = jobs.sort_values("max_rss_bytes", ascending=False).iloc[0]
    over = jobs[jobs["max_rss_bytes"] > limit_bytes]
    fmt = {"wall_s_total": "{:.1f}".format, "wall_s_max": "{:.1f}".format,
           "max_rss_mb": "{:.0f}".format, "cpu_s_total": "{:.1f}".format}
    top = jobs.sort_values("wall_s", ascending=False).head(15).copy()
    top["max_rss_mb"] = top["max_rss_bytes"] / 1e6
    top = top[["rule", "job", "wall_s", "max_rss_mb", "cpu_s"]]
    verdict = (f"<p><b>No job above {limit_bytes / 1e9:.0f} GB peak memory.</b></p>" if over.empty
               else f"<p><b>{len(over)} job(s) above {limit_bytes / 1e9:.0f} GB peak memory:</b> "
               + html.escape(", ".join(f"{r.rule} {r.job}" for r in over.itertuples())) + "</p>")
    return f"""<html><head><meta charset="utf-8"><title>Pipeline cost</title>
<style>body{{font-family:sans-serif}} td,th{{padding:2px 8px;text-align:right}}</style></head>
<body><h1>What running the pipeline costs</h1>
<p>{len(jobs)} jobs recorded by Snakemake's <code>benchmark:</code> directive (sampled every
0.5 s, interpreter start-up included; the sum counts jobs that ran in parallel twice and jobs
kept from earlier runs too). Sum of job wall times {jobs['wall_s'].sum():.0f} s; largest job peak
memory {worst['max_rss_bytes'] / 1e6:.0f} MB ({html.escape(str(worst['rule']))}
{html.escape(str(worst['job']))}).</p>
{verdict}
<h2>Per rule</h2>{rules.to_html(index=False, formatters=fmt, border=0)}
<h2>Longest jobs</h2>{top.to_html(index=False, float_format="{:.1f}".format, border=0)}
</body></html>"""
