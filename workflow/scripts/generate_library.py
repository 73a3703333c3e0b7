"""Snakemake job: generate one DDX-shaped library repository and its manifest."""

import sys
from pathlib import Path

from ddxspike.generator import LibrarySpec, generate_library


def main(sm):
    log_file = open(sm.log[0], "w", buffering=1)

    def log(msg):
        print(msg, file=log_file)
        print(f"[generate {sm.wildcards.size}] {msg}", file=sys.stderr, flush=True)

    spec = LibrarySpec(seed=sm.params.seed, split=dict(sm.params.split), **sm.params.spec)
    summary = generate_library(
        spec, repo_dir=Path(sm.output.repo), manifest_path=Path(sm.output.manifest), log=log
    )
    log(f"done: {summary['files']} files, {summary['bytes']} bytes, tree {summary['tree']}")


main(snakemake)  # noqa: F821 (provided by Snakemake)
