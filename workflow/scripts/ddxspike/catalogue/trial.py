"""What the engine runs in each fresh worker process for the catalogue experiment.

answer_queries: import the strategy, open the catalogue and answer the first query (cold start,
load included), then answer the rest one by one, each timed; the answers and the invalid
workflows reported are digested for the engine to check against the ground truth.
build_index: time writing the persistent index from scratch.
"""

import importlib
import math
import os
import shutil
import tempfile
import time

from ddxspike.catalogue import query
from ddxspike.engine import Outcome


def percentile(sorted_values: list[float], p: float):
    """Nearest-rank percentile (an observed value, no interpolation); None if no values."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def answer_queries(strategy: str, library: str, queries: list, index_path: str | None = None):
    t0 = time.perf_counter()
    module = importlib.import_module(strategy)  # yaml's import is part of a cold start too
    catalogue = module.open_catalogue(library, index_path)
    kind, value = queries[0]
    answers = [(kind, value, catalogue.search(kind, value))]
    first = time.perf_counter() - t0
    latencies, by_kind = [], {k: [] for k in query.KINDS}
    for kind, value in queries[1:]:
        t = time.perf_counter()
        names = catalogue.search(kind, value)
        latencies.append(time.perf_counter() - t)
        by_kind[kind].append(latencies[-1])
        answers.append((kind, value, names))
    latencies.sort()
    items, digest = query.digest_answers(answers, [p for p, _ in catalogue.invalid])
    return Outcome(items=items, digest=digest, extra={
        "first_query_s": first,
        "queries": len(latencies),
        "query_p50_s": percentile(latencies, 50),
        "query_p95_s": percentile(latencies, 95),
        "query_p99_s": percentile(latencies, 99),
        # Per kind too: a keyword scan and a name lookup can differ by orders of magnitude, and
        # the mixed p95 would hide which kind needs an index.
        **{query.P95_COLUMNS[k]: percentile(sorted(v), 95) for k, v in by_kind.items()},
        "invalid_reported": len(catalogue.invalid),
    })


def build_index(strategy: str, library: str):
    """Build into a private temporary folder, so trials never share or reuse an index."""
    module = importlib.import_module(strategy)
    tmp = tempfile.mkdtemp(prefix="ddxspike-index-")
    try:
        built = module.build(library, os.path.join(tmp, "index.json"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    names = sorted(r["name"] for r in built["records"])
    items, digest = query.digest_answers([("build", "", names)], [p for p, _ in built["invalid"]])
    return Outcome(items=items, digest=digest,
                   extra={"invalid_reported": len(built["invalid"])})


def expected(truth: dict, queries: list | None) -> tuple[int, str]:
    """(items, digest) the ground truth gives for answer_queries over `queries`, or for a build
    when queries is None."""
    invalid = [w["path"] for w in truth["invalid"]]
    if queries is None:
        return query.digest_answers([("build", "", sorted(w["name"] for w in truth["valid"]))],
                                    invalid)
    answers = {(q["kind"], q["value"]): q["answer"] for q in truth["queries"]}
    return query.digest_answers([(k, v, answers[(k, v)]) for k, v in queries], invalid)


def interleaved(truth: dict, count: int) -> list[list[str]]:
    """The first `count` queries of the fixed set taken kind by kind in turn (name, keyword,
    tag, role, name, ...), so any prefix covers every kind evenly."""
    by_kind: dict[str, list] = {}
    for q in truth["queries"]:
        by_kind.setdefault(q["kind"], []).append([q["kind"], q["value"]])
    rounds = max(len(v) for v in by_kind.values())
    out = [by_kind[k][i] for i in range(rounds) for k in query.KINDS if i < len(by_kind.get(k, []))]
    if count > len(out):
        raise ValueError(f"{count} queries asked for, the ground truth holds {len(out)}")
    return out[:count]
