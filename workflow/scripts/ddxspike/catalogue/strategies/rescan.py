"""A catalogue with no index: each search is a full discovery (find, parse, validate, filter)."""

from ddxspike.catalogue import query
from ddxspike.catalogue.scan import scan


class RescanCatalogue:
    def __init__(self, library: str, loader):
        self.library, self.loader = library, loader
        self.invalid: list[tuple[str, str]] = []

    def search(self, kind: str, value: str) -> list[str]:
        records, self.invalid = scan(self.library, self.loader)
        return query.answer(records, kind, value)
