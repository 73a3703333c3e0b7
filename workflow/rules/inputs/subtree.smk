# Input functions of the git subtree rules: which (size, commits) cells to measure. Real
# upstreams (subtree.upstreams: SUBTREE_UPSTREAMS and REPOSITORIES in common.smk) are cells too.


def subtree_cells():
    """Every size at the fixed history, and the history size at every commit count: bytes and
    commits each vary with the other held fixed."""
    st = config.get("subtree")
    if not st:
        return []
    for name in [*st["sizes"], st["history_size"]]:
        if name not in config["sizes"]:
            raise ValueError(
                f"config subtree: size {name!r} is not one of sizes: {list(config['sizes'])}"
                " (a real library as the upstream goes in subtree.upstreams)"
            )
    cells = [(s, st["fixed_commits"]) for s in st["sizes"]]
    cells += [(st["history_size"], c) for c in st["commit_counts"]]
    return list(dict.fromkeys(cells))


def subtree_upstream_cells():
    """Each real upstream once, with its own history; the hosts' history is fixed_commits long.
    They are no points on the size or history axes (their rows' repo_kind is real)."""
    st = config.get("subtree")
    return [(name, st["fixed_commits"]) for name in SUBTREE_UPSTREAMS] if st else []


def subtree_operations():
    """The configured operations; those that run DDX's own binary only when it was found (no
    jobs and no error rows for them otherwise: the report says once that DDX was not measured).
    """
    from ddxspike.subtree.operations import OPERATIONS

    ops = (config.get("subtree") or {}).get("operations", [])
    return [op for op in ops if DDX_BINARY or not OPERATIONS[op].binary]


def subtree_outputs():
    if not subtree_operations():
        return []
    cells = subtree_cells() + subtree_upstream_cells()
    return [f"results/subtree/{s}/c{c}.parquet" for s, c in cells]


def subtree_library_spec(wc):
    """The generated upstream's shape (None for a real upstream)."""
    repo = repository(wc.size)
    if repo.source != "size":
        return None
    return {**repo.spec, "commits": int(wc.commits)}


def subtree_upstream(wc):
    """A real upstream's source {kind, path, library, state}, or None for a generated one."""
    return SUBTREE_UPSTREAMS.get(wc.size)
