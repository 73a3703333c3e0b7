"""The registry of Altair charts built from the tidy measurement table (name -> fn(df) -> chart),
rendered to SVG by one render_<family>_charts job per family (no CDN, no JS needed). Each
experiment's charts live in its own charts_<family> module."""

CHARTS = {}

from ddxspike import charts_discovery  # noqa: E402 (registers the asset discovery charts)

CHARTS.update(charts_discovery.CHARTS)

from ddxspike import charts_subtree  # noqa: E402 (registers the git subtree charts)

CHARTS.update(charts_subtree.CHARTS)

from ddxspike import charts_catalogue  # noqa: E402 (registers the workflow catalogue charts)

CHARTS.update(charts_catalogue.CHARTS)
