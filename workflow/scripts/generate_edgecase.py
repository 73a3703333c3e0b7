"""Snakemake job: build one edge-case repository for asset discovery, with its manifest."""

import sys
from pathlib import Path

from ddxspike.edgecases import generate_edgecase, remove_case


def main(sm):
    log_file = open(sm.log[0], "w", buffering=1)

    def log(msg):
        print(msg, file=log_file)
        print(f"[edge case {sm.wildcards.case}] {msg}", file=sys.stderr, flush=True)

    repo = Path(sm.output.case) / "repo"
    remove_case(repo)  # a half-built case from an interrupted run
    generate_edgecase(sm.wildcards.case, dict(sm.params.spec), repo, Path(sm.output.manifest), log=log)


main(snakemake)  # noqa: F821 (provided by Snakemake)
