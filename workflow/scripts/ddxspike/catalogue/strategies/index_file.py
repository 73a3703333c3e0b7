"""index-file: a persistent index file; every query is a fresh CLI invocation that stats every
workflow.yml against the index (re-parsing only what changed), loads it and filters it."""

from ddxspike.catalogue import query
from ddxspike.catalogue.index import open_index

MEASURES = "queries"
REREADS = True


class IndexFileCatalogue:
    def __init__(self, library: str, index_path: str):
        self.library, self.index_path = library, index_path
        self.invalid: list[tuple[str, str]] = []
        self.refresh: dict = {}

    def search(self, kind: str, value: str) -> list[str]:
        records, self.invalid, self.refresh = open_index(self.library, self.index_path)
        return query.answer(records, kind, value)


def open_catalogue(library: str, index_path: str) -> IndexFileCatalogue:
    return IndexFileCatalogue(library, index_path)
