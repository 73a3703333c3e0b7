"""The four kinds of catalogue query and what each answers, plus the digest of a set of answers.

Every strategy must answer exactly this: a sorted list of workflow names. A keyword matches a
whole word (lower-case letters and digits) of the name or the description.
"""

import hashlib
import re

KINDS = ("name", "keyword", "tag", "role")
# The measurement column of each kind's p95 latency (ddxspike/table.py declares them).
P95_COLUMNS = {k: f"query_{k}_p95_s" for k in KINDS}
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def record_words(record: dict) -> set[str]:
    return words(record["name"]) | words(record["description"])


def matches(record: dict, kind: str, value: str) -> bool:
    if kind == "name":
        return record["name"] == value
    if kind == "keyword":
        return value in record_words(record)
    if kind == "tag":
        return value in record["tags"]
    if kind == "role":
        return value in record["roles"]
    raise ValueError(f"unknown query kind {kind!r} (one of {', '.join(KINDS)})")


def answer(records, kind: str, value: str) -> list[str]:
    """The reference answer: a linear filter over records, names sorted."""
    return sorted(r["name"] for r in records if matches(r, kind, value))


def digest_answers(answers: list[tuple[str, str, list[str]]], invalid_paths) -> tuple[int, str]:
    """(items, digest) of the answers to a query list plus the invalid workflows reported:
    items counts every name answered and every invalid path; the digest covers them in order."""
    h = hashlib.sha256()
    items = 0
    for kind, value, names in answers:
        h.update(f"{kind}\x1f{value}\x1f{chr(30).join(names)}\n".encode())
        items += len(names)
    invalid = sorted(invalid_paths)
    h.update(("invalid\x1f" + chr(30).join(invalid)).encode())
    return items + len(invalid), h.hexdigest()
