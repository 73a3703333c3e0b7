# Asset discovery (sub-questions 1, 4, 5; H1, H4): every strategy on every size, every depth and
# cache state. One job per (size, strategy), so editing one strategy reruns only its jobs.


rule measure_discovery:
    input:
        repo=lambda wc: repo_dir(wc.size),
        manifest=lambda wc: manifest(wc.size),
        code=discovery_code,
    output:
        "results/discovery/{size}/{strategy}.parquet",
    log:
        "results/logs/discovery/{size}/{strategy}.log",
    conda:
        "../../envs/measure.yaml"
    # Timed jobs take every core so that nothing runs beside them.
    threads: workflow.cores
    params:
        size=lambda wc: wc.size,
        strategy=lambda wc: wc.strategy,
        strategy_spec=lambda wc: config["discovery"]["strategies"][wc.strategy],
        depths=config["discovery"]["depths"],
        measurement=config["measurement"],
        scratch_dir=SCRATCH,
    script:
        "../scripts/measure_discovery.py"
