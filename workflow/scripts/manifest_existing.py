"""Snakemake job: the ground truth of one real repository (git ls-files + lstat), written in the
generator's manifest format. Reads the repository only."""

import sys

from ddxspike.existing import write_manifest


def main(sm):
    log_file = open(sm.log[0], "w", buffering=1)

    def log(msg):
        print(msg, file=log_file)
        print(f"[manifest {sm.wildcards.size}] {msg}", file=sys.stderr, flush=True)

    write_manifest(sm.input.repo, sm.output.manifest, log=log)


main(snakemake)  # noqa: F821 (provided by Snakemake)
