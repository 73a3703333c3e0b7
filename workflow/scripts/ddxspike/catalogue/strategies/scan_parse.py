"""scan-parse: no index; every query finds every workflow.yml and parses it with PyYAML's
pure-Python SafeLoader (what a Python tool gets without libyaml)."""

import yaml

from ddxspike.catalogue.strategies.rescan import RescanCatalogue

MEASURES = "queries"
REREADS = True


def open_catalogue(library: str, index_path: str | None = None) -> RescanCatalogue:
    return RescanCatalogue(library, yaml.SafeLoader)
