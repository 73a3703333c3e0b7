"""Snakemake job: build one edge-case repository for asset discovery, with its manifest."""

from pathlib import Path

from ddxspike.repos.edgecases import generate_edgecase, remove_case
from ddxspike.joblog import job_logger


def main(sm):
    log = job_logger(sm.log[0], f"edge case {sm.wildcards.case}")

    repo = Path(sm.output.case) / "repo"
    remove_case(repo)  # a half-built case from an interrupted run
    generate_edgecase(sm.wildcards.case, dict(sm.params.spec), repo, Path(sm.output.manifest), log=log)


main(snakemake)  # noqa: F821 (provided by Snakemake)
