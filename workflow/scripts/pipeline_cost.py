"""Snakemake job: results/pipeline_cost.html (every job's own wall time and peak memory, from
the benchmark files) and the same rows as Parquet."""

import os

from ddxspike import cost


def main(sm):
    jobs = cost.read_benchmarks(sm.params.benchmarks)
    tmp = f"{sm.output.table}.tmp-{os.getpid()}"
    jobs.to_parquet(tmp, index=False)
    os.replace(tmp, sm.output.table)
    with open(sm.output.html, "w") as f:
        f.write(cost.page(jobs, sm.params.memory_limit_bytes))
    with open(sm.log[0], "w") as log:
        print(f"{len(jobs)} benchmark files, {jobs['wall_s'].sum():.0f} s of job time", file=log)


main(snakemake)  # noqa: F821 (provided by Snakemake)
