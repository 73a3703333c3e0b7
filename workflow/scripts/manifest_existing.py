"""Snakemake job: the ground truth of one real repository (git ls-files + lstat), written in the
generator's manifest format. Reads the repository only."""

from ddxspike.repos.existing import write_manifest
from ddxspike.joblog import job_logger


def main(sm):
    log = job_logger(sm.log[0], f"manifest {sm.wildcards.size}")

    write_manifest(sm.input.repo, sm.output.manifest, library=sm.params.library, log=log)


main(snakemake)  # noqa: F821 (provided by Snakemake)
