"""Altair charts built from the tidy measurement table; rendered to SVG (no CDN, no JS needed)."""

import altair as alt
import pandas as pd


def timed_ok(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["mode"] == "time") & (df["status"] == "ok")]


CHARTS = {}

from ddxspike import charts_discovery  # noqa: E402 (registers the asset discovery charts)

CHARTS.update(charts_discovery.CHARTS)

from ddxspike import charts_subtree  # noqa: E402 (registers the git subtree charts)

CHARTS.update(charts_subtree.CHARTS)

from ddxspike import charts_catalogue  # noqa: E402 (registers the workflow catalogue charts)

CHARTS.update(charts_catalogue.CHARTS)
