"""Snakemake job (`snakemake clean`): remove the generated repositories, keep results."""

from ddxspike.scratch import remove_generated


def main(sm):
    with open(sm.log[0], "w") as log_file:

        def log(msg):
            print(msg, file=log_file, flush=True)
            print(msg, flush=True)

        removed = remove_generated(
            sm.params.scratch_dir, sm.params.generated, keep=sm.params.keep, log=log
        )
        log(f"clean: {len(removed)} entries removed from {sm.params.scratch_dir}; results kept")


main(snakemake)  # noqa: F821 (provided by Snakemake)
