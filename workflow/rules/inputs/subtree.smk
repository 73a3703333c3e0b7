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


def subtree_outputs():
    return [f"results/subtree/{s}/c{c}.parquet" for s, c in subtree_cells()]


def subtree_library_spec(wc):
    return {**config["sizes"][wc.size], "commits": int(wc.commits)}
