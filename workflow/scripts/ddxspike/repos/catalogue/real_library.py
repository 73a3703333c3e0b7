"""The ground truth of a real library's workflow catalogue (config existing_repos).

A generated catalogue's truth comes from the generator's plan; a real library has no plan, so its
truth comes from git and the validity rules: the workflows are the workflow.yml files git tracks
at <library>/workflows/<name>/workflow.yml (the repository's manifest, not the scan being
measured), each parsed with PyYAML's SafeLoader and judged by record.py, the rules every strategy
applies. The query set is drawn from what the valid records hold (their names, words, tags and
roles, plus absent values that must answer nothing), each answered by the reference filter.
Only the library is read; the truth is written under results/.
"""

import json
import os
import random
from pathlib import Path

import yaml

from ddxspike.catalogue import query
from ddxspike.catalogue.record import InvalidWorkflow, read_record
from ddxspike.outputs import replace_atomically
from ddxspike.repos import manifest
from ddxspike.repos.catalogue.generate import plan_queries


def tracked_paths(manifest_path, library: str) -> list[bytes]:
    """Every path of the manifest below the library's workflows/ folder, relative to the library."""
    prefix = (library.rstrip("/") + "/").encode() if library else b""
    top = prefix + b"workflows/"
    paths = manifest.read_paths(manifest_path)
    return sorted(p[len(prefix):] for p in paths if p.startswith(top))


def workflow_ymls(paths: list[bytes]) -> list[str]:
    """workflows/<name>/workflow.yml of every workflow folder, as DDX loads a workflow by name
    (folders whose name starts with a dot are not workflows, as for the scan)."""
    found = []
    for p in paths:
        parts = p.split(b"/")
        if len(parts) == 3 and parts[2] == b"workflow.yml" and not parts[1].startswith(b"."):
            found.append(os.fsdecode(p))
    return sorted(found)


def build_truth(library_dir: str, paths: list[bytes], queries_per_kind: int, seed: int) -> dict:
    """The truth JSON of the catalogue (the generated catalogues' format, `source: existing`)."""
    records, invalid = [], []
    for rel in workflow_ymls(paths):
        try:
            records.append(read_record(os.path.join(library_dir, rel), rel, yaml.SafeLoader))
        except InvalidWorkflow as exc:
            invalid.append({"path": rel, "reason": str(exc)})
    pools = {
        "keyword": sorted(set().union(*(query.record_words(r) for r in records))),
        "tag": sorted({t for r in records for t in r["tags"]}),
        "role": sorted({role for r in records for role in r["roles"]}),
    }
    queries = plan_queries(random.Random(seed), sorted(r["name"] for r in records), [],
                           queries_per_kind, pools)
    return {
        "source": "existing",
        "library": os.path.realpath(library_dir),
        "workflows": len(records),
        "invalid_count": len(invalid),
        "files": len(paths),
        "seed": seed,
        "valid": sorted(({"name": r["name"], "path": r["path"]} for r in records),
                        key=lambda r: r["path"]),
        "invalid": invalid,
        "queries": [{"kind": k, "value": v, "answer": query.answer(records, k, v)}
                    for k, v in queries],
    }


def write_truth(repo: str, library: str, manifest_path, truth_path, queries_per_kind: int,
                seed: int, log=print) -> dict:
    library_dir = os.path.join(repo, library) if library else repo
    truth = build_truth(library_dir, tracked_paths(manifest_path, library), queries_per_kind, seed)
    out = Path(truth_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(out, lambda tmp: tmp.write_text(json.dumps(truth, indent=0)))
    log(f"catalogue of {library_dir}: {truth['workflows']} valid + {truth['invalid_count']} "
        f"invalid workflows, {truth['files']} files under workflows/")
    for w in truth["invalid"]:
        log(f"invalid workflow: {w['path']}: {w['reason']}")
    return truth
