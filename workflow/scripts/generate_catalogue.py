"""Snakemake job: generate one workflow catalogue (library of HELIX workflows) and its ground
truth (valid and invalid workflows, the query set and every expected answer)."""

import sys
from pathlib import Path

from ddxspike.catalogue.generate import CatalogueSpec, generate_catalogue


def main(sm):
    log_file = open(sm.log[0], "w", buffering=1)

    def log(msg):
        print(msg, file=log_file)
        print(f"[catalogue {sm.wildcards.catalogue}] {msg}", file=sys.stderr, flush=True)

    spec = CatalogueSpec(seed=sm.params.seed, **sm.params.spec)
    generate_catalogue(spec, Path(sm.output.library), Path(sm.output.truth), log=log)


main(snakemake)  # noqa: F821 (provided by Snakemake)
