"""Snakemake job: build a catalogue's persistent index, reporting every invalid workflow.yml
with its path and reason (the report a user of the catalogue would see)."""

import time

from ddxspike.catalogue.index import build_index
from ddxspike.joblog import job_logger


def main(sm):
    log = job_logger(sm.log[0], f"catalogue index {sm.wildcards.catalogue}")

    t0 = time.perf_counter()
    built = build_index(str(sm.input.library), str(sm.output[0]))
    for path, reason in built["invalid"]:
        log(f"invalid workflow: {path}: {reason}")
    log(f"indexed {len(built['records'])} workflows, {len(built['invalid'])} invalid, "
        f"in {time.perf_counter() - t0:.2f} s (untimed here: see strategy index-build)")


main(snakemake)  # noqa: F821 (provided by Snakemake)
