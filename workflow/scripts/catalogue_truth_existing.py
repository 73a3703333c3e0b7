"""Snakemake job: the ground truth of a real library's workflow catalogue (the workflow.yml files
git tracks under its workflows/, parsed with the catalogue's validity rules, and a query set with
every expected answer). Reads the repository only."""

from ddxspike.repos.catalogue.real_library import write_truth
from ddxspike.joblog import job_logger


def main(sm):
    log = job_logger(sm.log[0], f"catalogue {sm.wildcards.catalogue}")

    p = sm.params
    write_truth(p.repo, p.library, sm.input.manifest, sm.output.truth, p.queries_per_kind, p.seed,
                log=log)


main(snakemake)  # noqa: F821 (provided by Snakemake)
