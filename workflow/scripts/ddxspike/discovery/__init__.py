"""Asset discovery strategies: one module each, exposing discover(repo, depth) -> Outcome.

Each module also says what it lists: LISTS = "files" (every regular file outside .git) or
"assets" (type-folder children, as `ddx list` shows them).
"""
