"""Snakemake job: the pristine repositories of one git subtree cell (size, commits): the upstream
library (generated, or a private clone of a real one: config subtree.upstreams), its advanced
copy, and the host projects (ddxspike.repos.subtree_fixtures)."""

import shutil
from pathlib import Path

from ddxspike.repos import existing
from ddxspike.repos.generator import LibrarySpec, generate_library
from ddxspike.joblog import job_logger
from ddxspike.repos.subtree_fixtures import build_fixtures, clone_upstream


def main(sm):
    tag = f"{sm.wildcards.size}-c{sm.wildcards.commits}"
    log = job_logger(sm.log[0], f"subtree fixtures {tag}")

    out = Path(sm.output.repos)
    shutil.rmtree(out, ignore_errors=True)
    if sm.params.upstream:
        # The real library's own history; `commits` sizes the host projects' history only.
        clone_upstream(sm.params.upstream, out / "upstream", log)
        summary = existing.write_manifest(out / "upstream", Path(sm.output.manifest), log=log)
    else:
        spec = LibrarySpec(seed=sm.params.seed, split=dict(sm.params.split), **sm.params.spec)
        log(f"upstream: generating {spec.files} files, {spec.bytes} bytes, {spec.commits} commits")
        summary = generate_library(spec, repo_dir=out / "upstream",
                                   manifest_path=Path(sm.output.manifest), log=log)
    build_fixtures(out / "upstream", out, Path(sm.output.info), commits=int(sm.wildcards.commits),
                   prefix=sm.params.prefix, advance=sm.params.advance,
                   touch_every=sm.params.touch_every, upstream_summary=summary, log=log)
    log("done")


main(snakemake)  # noqa: F821 (provided by Snakemake)
