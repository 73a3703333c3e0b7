"""Finding a catalogue's workflows on disk and reading them without an index.

DDX keeps one workflow per folder, loaded by name from workflows/<name>/workflow.yml
(ddx-facts.md), so discovery reads the immediate children of workflows/ (like `ddx list`'s
ReadDir) and stats each one's workflow.yml; a folder without one is not a workflow.
"""

import os

from ddxspike.catalogue.record import InvalidWorkflow, read_record


def workflow_files(library: str):
    """(full path, path relative to the library, stat result) of every workflow.yml, by name."""
    top = os.path.join(library, "workflows")
    found = []
    with os.scandir(top) as it:
        for entry in it:
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            full = os.path.join(entry.path, "workflow.yml")
            try:
                st = os.stat(full)
            except FileNotFoundError:
                continue
            found.append((full, f"workflows/{entry.name}/workflow.yml", st))
    found.sort(key=lambda f: f[1])
    return found


def scan(library: str, loader) -> tuple[list[dict], list[tuple[str, str]]]:
    """Parse every workflow.yml with the given PyYAML loader: (records, [(path, reason)])."""
    records, invalid = [], []
    for full, rel, _ in workflow_files(library):
        try:
            records.append(read_record(full, rel, loader))
        except InvalidWorkflow as exc:
            invalid.append((rel, str(exc)))
    return records, invalid
