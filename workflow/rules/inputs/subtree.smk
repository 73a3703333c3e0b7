# Input functions of the git subtree rules: which (size, commits) cells to measure.


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
            )
    cells = [(s, st["fixed_commits"]) for s in st["sizes"]]
    cells += [(st["history_size"], c) for c in st["commit_counts"]]
    return list(dict.fromkeys(cells))


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
    return [f"results/subtree/{s}/c{c}.parquet" for s, c in subtree_cells()]


def subtree_library_spec(wc):
    return {**config["sizes"][wc.size], "commits": int(wc.commits)}
