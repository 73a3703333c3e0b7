"""Snakemake job: generate one DDX-shaped library repository and its manifest."""

import os
import shutil
from pathlib import Path

from ddxspike.repos.generator import LibrarySpec, generate_library
from ddxspike.joblog import job_logger


def main(sm):
    log = job_logger(sm.log[0], f"generate {sm.wildcards.size}")

    spec = LibrarySpec(seed=sm.params.seed, split=dict(sm.params.split), **sm.params.spec)
    # Snakemake drops a .snakemake_timestamp file into a real directory output after the job,
    # one file too many in the repository; a symlink output only has its own time set. So the
    # repository is built beside it (<size>/library) and <size>/repo links to it.
    out = Path(sm.output.repo)
    library = out.with_name("library")
    shutil.rmtree(library, ignore_errors=True)  # left by an earlier run whose link was removed
    summary = generate_library(
        spec, repo_dir=library, manifest_path=Path(sm.output.manifest), log=log
    )
    out.unlink(missing_ok=True)
    os.symlink(library.name, out)
    log(f"done: {summary['files']} files, {summary['bytes']} bytes, tree {summary['tree']}")


main(snakemake)  # noqa: F821 (provided by Snakemake)
