"""Small HTML helpers: self-contained pages (inline CSS, no scripts) that the report shows in
an iframe, and tables from DataFrames with escaped text."""

import html
import math

import pandas as pd

from ddxspike.report import fmt

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.2em;color:#1b1f24;max-width:1400px}
h1{font-size:1.5em;margin:.2em 0 .4em} h2{font-size:1.2em;margin:1.4em 0 .4em;border-bottom:1px solid #d0d7de}
h3{font-size:1.05em;margin:1em 0 .3em} p,li{max-width:110ch}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:12.5px}
th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f5f7} tr:nth-child(even) td{background:#fafbfc}
.supported,.pass,.met{color:#116329;font-weight:600} .refuted,.fail,.not-yet{color:#b3261e;font-weight:600}
.inconclusive,.marginal,.partly,.no-data{color:#8a5a00;font-weight:600}
.rule{color:#444;font-style:italic} .small{font-size:12px;color:#555} code{background:#f3f5f7;padding:0 3px}
.exec td:first-child{width:22ch;font-weight:600}
"""


def page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body>{body}</body></html>")


def esc(x) -> str:
    """Escaped text with no machine paths (fmt.no_paths: relative to the project or the repository)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return html.escape(fmt.no_paths(str(x)))


def badge(word: str) -> str:
    cls = str(word).split(" ")[0].replace("_", "-")
    cls = {"no": "no-data"}.get(cls, cls)
    if "(marginal)" in str(word):
        cls += " marginal"
    return f'<span class="{esc(cls)}">{esc(word)}</span>'


def table(df: pd.DataFrame, badges=(), max_rows: int = 2000, floatfmt="{:.4g}") -> str:
    if df is None or df.empty:
        return '<p class="small">(no rows)</p>'
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    shown = df.head(max_rows)
    # Column by column, each distinct value escaped once (a table repeats its cells' names and
    # statuses on every row); keyed by type too, so 1, 1.0 and True stay apart.
    columns = []
    for col, (_, values) in zip(df.columns, shown.items()):
        cell = badge if col in badges else esc
        memo: dict = {}
        out = []
        for v in values.tolist():
            key = (type(v), v)
            text = memo.get(key)
            if text is None:
                shown_v = floatfmt.format(v) if isinstance(v, float) and not math.isnan(v) else v
                text = memo[key] = f"<td>{cell(shown_v)}</td>"
            out.append(text)
        columns.append(out)
    body = ["<tr>" + "".join(row) + "</tr>" for row in zip(*columns)]
    more = f'<p class="small">… {len(df) - max_rows} more rows in the Parquet file</p>' if len(df) > max_rows else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"
