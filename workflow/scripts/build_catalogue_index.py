"""Snakemake job: build a catalogue's persistent index, reporting every invalid workflow.yml
with its path and reason (the report a user of the catalogue would see)."""

import sys
import time

from ddxspike.catalogue.index import build_index


def main(sm):
    log_file = open(sm.log[0], "w", buffering=1)

    def log(msg):
        print(msg, file=log_file)
        print(f"[catalogue index {sm.wildcards.catalogue}] {msg}", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    built = build_index(str(sm.input.library), str(sm.output[0]))
    for path, reason in built["invalid"]:
        log(f"invalid workflow: {path}: {reason}")
    log(f"indexed {len(built['records'])} workflows, {len(built['invalid'])} invalid, "
        f"in {time.perf_counter() - t0:.2f} s (untimed here: see strategy index-build)")


main(snakemake)  # noqa: F821 (provided by Snakemake)
