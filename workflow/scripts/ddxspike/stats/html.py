"""Self-contained HTML tables of the summary and the baseline comparison, for the report
(Snakemake shows HTML items in an iframe; tables as CSV would be download-only)."""

import html
import math

import numpy as np
import pandas as pd

from ddxspike.report.fmt import no_paths

STYLE = """<style>
body{font-family:system-ui,sans-serif;font-size:13px;margin:1em}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f0f0f0;position:sticky;top:0}td.t{text-align:left}
tr.noisy td{background:#fff6d5}tr.bad td{background:#fde2e2}
.slower{color:#b00}.faster{color:#070}
</style>"""

# Which metrics the readable summary shows; summary.parquet has them all.
SHOWN = ["wall_s", "cpu_s", "peak_rss_bytes", "py_heap_peak_bytes", "storage_read_bytes"]


def _fmt(v, metric: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        if metric.endswith("_bytes"):
            return f"{v / 1e6:,.2f} MB"
        if metric.endswith("_s"):
            return f"{v * 1e3:,.2f} ms" if v < 1 else f"{v:,.3f} s"
        return f"{v:.3g}"
    return html.escape(str(v))


def _page(title: str, intro: str, head: list[str], body: list[str]) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"{STYLE}</head><body><h3>{html.escape(title)}</h3><p>{intro}</p><table><thead><tr>"
            + "".join(f"<th>{html.escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table></body></html>\n")


def _dims(df: pd.DataFrame, keys: list[str]) -> list[str]:
    """Dimension columns that vary or are set (shape columns repeat the size: left out)."""
    shown = [k for k in keys if k in df.columns and k not in ("files", "bytes", "commits")
             and df[k].notna().any()]
    # One host: its id is in results/hosts.parquet, not worth a column on every row.
    return [k for k in shown if not (k == "host_id" and df[k].nunique() <= 1)]


def summary_page(summary: pd.DataFrame, keys: list[str]) -> str:
    df = summary[summary["metric"].isin(SHOWN)]
    dims = _dims(df, keys) + ["metric"]
    head = dims + ["valid/trials", "median", "interval of the median (coverage)", "MAD", "IQR", "p95", "min", "max",
                   "CV", "outliers mild/severe", "failed", "first error"]
    body = []
    for r in df.to_dict("records"):
        m = r["metric"]
        failed = r["n_error"] + r["n_timeout"] + r["n_mismatch"]
        not_cold = r.get("cold_verified") is False
        cls = "bad" if failed or not_cold else ("noisy" if r["noisy"] else "")
        cv = "" if pd.isna(r["cv"]) else f"{r['cv']:.1%}"
        error = no_paths(r["first_error"]) if isinstance(r["first_error"], str) else ""
        cells = [f"<td class=t>{_fmt(r[d])}</td>" for d in dims] + [
            f"<td>{r['valid']}/{r['trials']}</td>",
            f"<td><b>{_fmt(r['median'], m)}</b></td>",
            (f"<td>{_fmt(r['ci_low'], m)} – {_fmt(r['ci_high'], m)} ({r['ci_level']:.0%})</td>"
             if r["valid"] > 1 else "<td>1 trial: no interval</td>") if r["valid"] else "<td></td>",
            *(f"<td>{_fmt(r[k], m)}</td>" for k in ("mad", "iqr", "p95", "min", "max")),
            f"<td>{cv}{' noisy' if r['noisy'] else ''}</td>",
            f"<td>{r['outliers_mild']}/{r['outliers_severe']}</td>",
            f"<td>{failed or ''}</td>",
            f"<td class=t>{_fmt(error[:160])}"
            f"{' NOT COLD: residency before up to ' + format(r['residency_before_max'], '.0%') if not_cold else ''}</td>",
        ]
        body.append(f"<tr class='{cls}'>" + "".join(cells) + "</tr>")
    intro = ("One row per cell (every dimension and trial mode) and metric; values are trials with "
             "status ok. The interval of the median is distribution-free (order statistics), its "
             "exact coverage in brackets (the same interval as in the findings and the charts); one valid trial "
             "has no interval. Yellow: coefficient of variation above 10% (noisy); "
             "red: some trials failed (error, timeout or mismatch) or a cold cell started with more than "
             "5% of the repository cached (eviction not effective). Outliers are counted, not "
             "dropped.")
    return _page("Measurement summary per cell", intro, head, body)


def _ratio_interval(r) -> str:
    if not np.isfinite(r["ratio_ci_low"]):
        return "no interval (fewer than 2 trials a side)"
    level = r.get("ratio_ci_level", math.nan)
    shown = f" (≥ {level:.0%})" if np.isfinite(level) and level < 0.95 else ""
    return f"{_fmt(r['ratio_ci_low'])} – {_fmt(r['ratio_ci_high'])}{shown}"


def comparison_page(comp: pd.DataFrame, keys: list[str], baseline: str) -> str:
    dims = _dims(comp, keys) + ["metric"]
    head = dims + ["n base/now", "median base", "median now", "ratio", "interval of ratio (coverage)",
                   "Mann-Whitney p", "verdict"]
    body = []
    for r in comp.to_dict("records"):
        m = r["metric"]
        v = r["verdict"]
        body.append("<tr>" + "".join(f"<td class=t>{_fmt(r[d])}</td>" for d in dims) + (
            f"<td>{r['n_baseline']}/{r['n_current']}</td><td>{_fmt(r['median_baseline'], m)}</td>"
            f"<td>{_fmt(r['median_current'], m)}</td><td>{_fmt(r['ratio'])}</td>"
            f"<td>{_ratio_interval(r)}</td>"
            f"<td>{_fmt(r['mannwhitney_p'])}</td><td class='t {v}'><b>{v}</b></td>") + "</tr>")
    intro = (f"This run against the baseline {html.escape(baseline)}. Ratio = median now / median "
             "baseline, with the quotient of the two medians' order-statistics intervals; its coverage is "
             "at least the product of theirs (shown when below 95%). A cell is called faster or slower only when the "
             "Mann-Whitney U test gives p &lt; 0.05 and the change exceeds the noise threshold "
             f"({comp['threshold'].iloc[0]:.0%})." if len(comp) else "No cells to compare.")
    return _page("Comparison with the baseline", intro, head, body)
