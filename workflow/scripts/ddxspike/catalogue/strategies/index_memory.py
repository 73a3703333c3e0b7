"""index-memory: a long-lived process (an MCP server, a daemon) opens the persistent index once
(stat check and refresh included) and answers every query by a linear filter in memory."""

from ddxspike.catalogue import query
from ddxspike.catalogue.index import open_index

MEASURES = "queries"
REREADS = False


class MemoryCatalogue:
    def __init__(self, library: str, index_path: str):
        self.records, self.invalid, self.refresh = open_index(library, index_path)

    def search(self, kind: str, value: str) -> list[str]:
        return query.answer(self.records, kind, value)


def open_catalogue(library: str, index_path: str) -> MemoryCatalogue:
    return MemoryCatalogue(library, index_path)
