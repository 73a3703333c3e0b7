"""An in-process listing cache (a long-running DDX process listing again): `prime` lists once,
untimed (the engine's setup step), then `discover` lists again, re-reading only the folders and
files whose stat data changed (dircache). Hit ratio via cache_hits / cache_misses."""

from ddxspike.discovery.dircache import TreeCache, list_with_cache
from ddxspike.engine import Outcome

LISTS = "files"


def prime(repo: str, depth: str) -> TreeCache:
    return list_with_cache(repo, depth, None).cache


def discover(repo: str, depth: str, state: TreeCache | None = None) -> Outcome:
    got = list_with_cache(repo, depth, state)
    return Outcome(paths=got.paths, bytes_read=got.bytes_read, cache_hits=got.hits,
                   cache_misses=got.misses)
