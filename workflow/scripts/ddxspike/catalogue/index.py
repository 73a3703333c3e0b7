"""The persistent catalogue index: one JSON file holding each workflow.yml's record (or the
reason it is invalid) with the file's mtime, ctime, size and inode when it was read.

Opening the index stats every workflow.yml and re-parses only those whose stat changed or that
are new, drops the removed ones, and writes the refreshed index back (temporary file +
os.replace). Stats are what make it safe and what it costs: a changed file within the same
mtime tick, same size and same inode goes unseen, as with make and git's index.
"""

import json
import os

import yaml

from ddxspike.catalogue.record import InvalidWorkflow, read_record
from ddxspike.catalogue.scan import workflow_files

FORMAT = 1


def _key(st) -> list[int]:
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino]


def _read(full: str, rel: str, st, loader) -> list:
    try:
        return _key(st) + [read_record(full, rel, loader), None]
    except InvalidWorkflow as exc:
        return _key(st) + [None, str(exc)]


def _write(index_path: str, library: str, entries: dict) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(index_path)), exist_ok=True)
    tmp = f"{index_path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump({"format": FORMAT, "library": os.path.realpath(library), "entries": entries}, f)
    os.replace(tmp, index_path)


def _split(entries: dict) -> tuple[list[dict], list[tuple[str, str]]]:
    records, invalid = [], []
    for rel in sorted(entries):
        e = entries[rel]
        if e[4] is not None:
            records.append(e[4])
        else:
            invalid.append((rel, e[5]))
    return records, invalid


def build_index(library: str, index_path: str, loader=yaml.CSafeLoader) -> dict:
    """Parse every workflow.yml and write the index from scratch; returns counts."""
    entries = {rel: _read(full, rel, st, loader) for full, rel, st in workflow_files(library)}
    _write(index_path, library, entries)
    records, invalid = _split(entries)
    return {"records": records, "invalid": invalid}


def open_index(library: str, index_path: str, loader=yaml.CSafeLoader, write_back: bool = True):
    """(records, invalid, refresh) from the index, refreshed against the files on disk first.
    refresh counts reused/changed/added/removed entries and says why the index was rebuilt."""
    refresh = {"reused": 0, "changed": 0, "added": 0, "removed": 0, "rebuilt": None}
    try:
        with open(index_path) as f:
            data = json.load(f)
        if data.get("format") != FORMAT:
            refresh["rebuilt"] = f"format {data.get('format')!r}, expected {FORMAT}"
        elif data.get("library") != os.path.realpath(library):
            refresh["rebuilt"] = f"index is of another library ({data.get('library')})"
        old = {} if refresh["rebuilt"] else data["entries"]
    except FileNotFoundError:
        old, refresh["rebuilt"] = {}, "no index yet"
    except (ValueError, KeyError, TypeError) as exc:
        old, refresh["rebuilt"] = {}, f"unreadable index: {exc}"
    entries = {}
    for full, rel, st in workflow_files(library):
        e = old.get(rel)
        if e is not None and e[:4] == _key(st):
            entries[rel] = e
            refresh["reused"] += 1
        else:
            entries[rel] = _read(full, rel, st, loader)
            refresh["changed" if e is not None else "added"] += 1
    refresh["removed"] = len(old.keys() - entries.keys())
    if write_back and (refresh["changed"] or refresh["added"] or refresh["removed"]
                       or refresh["rebuilt"]):
        _write(index_path, library, entries)
    records, invalid = _split(entries)
    return records, invalid, refresh
