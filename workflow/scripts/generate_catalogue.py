"""Snakemake job: generate one workflow catalogue (library of HELIX workflows) and its ground
truth (valid and invalid workflows, the query set and every expected answer)."""

from pathlib import Path

from ddxspike.repos.catalogue.generate import CatalogueSpec, generate_catalogue
from ddxspike.joblog import job_logger


def main(sm):
    log = job_logger(sm.log[0], f"catalogue {sm.wildcards.catalogue}")

    spec = CatalogueSpec(seed=sm.params.seed, **sm.params.spec)
    generate_catalogue(spec, Path(sm.output.library), Path(sm.output.truth), log=log)


main(snakemake)  # noqa: F821 (provided by Snakemake)
