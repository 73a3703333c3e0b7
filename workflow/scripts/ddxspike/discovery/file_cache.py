"""A persistent listing cache in a file outside the repository (under results/), validated by
folder and file stat data like git's untracked cache and index (dircache). Each call loads the
cache file, lists re-reading only what changed, and rewrites the file (atomically) only when
something was re-read. A missing, unreadable or foreign cache file means a full listing."""

import os
import pickle
from pathlib import Path

from ddxspike.discovery.dircache import TreeCache, list_with_cache
from ddxspike.engine import Outcome

LISTS = "files"


def load(cache_file) -> TreeCache | None:
    try:
        with open(cache_file, "rb") as f:
            cache = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
    return cache if isinstance(cache, TreeCache) else None


def save(cache: TreeCache, cache_file) -> None:
    path = Path(cache_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        pickle.dump(cache, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def discover(repo: str, depth: str, cache_file: str) -> Outcome:
    if os.path.realpath(cache_file).startswith(os.path.realpath(repo) + os.sep):
        raise ValueError(f"file-cache: cache file {cache_file} must live outside the repository")
    old = load(cache_file)
    got = list_with_cache(repo, depth, old)
    if got.misses or old is None:
        save(got.cache, cache_file)
    return Outcome(paths=got.paths, bytes_read=got.bytes_read, cache_hits=got.hits,
                   cache_misses=got.misses)
