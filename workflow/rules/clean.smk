# `snakemake clean`: remove the generated repositories under scratch_dir, keep results/.
# The next run measures nothing again: Snakemake reruns a job for a missing input only when
# something needs that input anew (tests/test_preflight.py checks this).

from ddxspike.engine.exclusive import lock_path
from ddxspike.engine.host import CACHE_DIR as HOST_FACTS


rule clean:
    log:
        "results/logs/clean.log",
    conda:
        "../../envs/generate.yaml"
    params:
        scratch_dir=SCRATCH,
        # What this configuration makes there, the timed jobs' lock (engine/exclusive.py) and
        # the run's host facts (engine/host.py).
        generated=list(config["sizes"])
        + ["edge", "subtree", "catalogue", lock_path(SCRATCH).name, HOST_FACTS],
        keep=[repository(n).path for n in existing_names()],
    script:
        "../scripts/clean_scratch.py"
