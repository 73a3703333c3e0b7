"""index-build: the cost of writing the persistent index from scratch (every workflow.yml
found, parsed with the C loader, validated, written as JSON with its stat)."""

from ddxspike.catalogue.index import build_index

MEASURES = "build"


def build(library: str, index_path: str) -> dict:
    return build_index(library, index_path)
