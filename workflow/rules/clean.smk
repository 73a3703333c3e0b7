# `snakemake clean`: remove the generated repositories under scratch_dir, keep results/.
# The next run measures nothing again: Snakemake reruns a job for a missing input only when
# something needs that input anew (tests/test_preflight.py checks this).


rule clean:
    log:
        "results/logs/clean.log",
    conda:
        "../../envs/generate.yaml"
    params:
        scratch_dir=SCRATCH,
        generated=list(config["sizes"]) + ["edge", "subtree", "catalogue"],
        keep=list(EXISTING.values()),
    script:
        "../scripts/clean_scratch.py"
