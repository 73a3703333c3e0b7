"""Workflow catalogue strategies, one module each.

A query strategy exposes open_catalogue(library, index_path) -> an object with
search(kind, value) -> sorted names and `invalid` [(path, reason)], and REREADS: True when every
search reads the catalogue again (a CLI with no long-lived process), False when it answers from
memory. The index build strategy exposes build(library, index_path) instead (MEASURES = "build").
"""
