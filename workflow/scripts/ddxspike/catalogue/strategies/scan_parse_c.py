"""scan-parse-c: as scan-parse, with libyaml's C loader (yaml.CSafeLoader)."""

import yaml

from ddxspike.catalogue.strategies.rescan import RescanCatalogue

MEASURES = "queries"
REREADS = True


def open_catalogue(library: str, index_path: str | None = None) -> RescanCatalogue:
    return RescanCatalogue(library, yaml.CSafeLoader)
