"""inverted-index: as index-memory, but at load it maps every name, word, tag and role to the
sorted names of the workflows that have it, so a query is one dictionary lookup."""

from collections import defaultdict

from ddxspike.catalogue import query
from ddxspike.catalogue.index import open_index

MEASURES = "queries"
REREADS = False


class InvertedCatalogue:
    def __init__(self, library: str, index_path: str):
        records, self.invalid, self.refresh = open_index(library, index_path)
        postings = {kind: defaultdict(set) for kind in query.KINDS}
        for r in records:
            postings["name"][r["name"]].add(r["name"])
            for w in query.record_words(r):
                postings["keyword"][w].add(r["name"])
            for t in r["tags"]:
                postings["tag"][t].add(r["name"])
            for role in r["roles"]:
                postings["role"][role].add(r["name"])
        self.postings = {k: {key: sorted(names) for key, names in m.items()}
                         for k, m in postings.items()}

    def search(self, kind: str, value: str) -> list[str]:
        if kind not in self.postings:
            raise ValueError(f"unknown query kind {kind!r} (one of {', '.join(query.KINDS)})")
        return list(self.postings[kind].get(value, ()))


def open_catalogue(library: str, index_path: str) -> InvertedCatalogue:
    return InvertedCatalogue(library, index_path)
