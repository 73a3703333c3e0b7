# Pipeline cost: every job's wall time and peak memory (benchmark: files), summarised last.


rule pipeline_cost:
    input:
        cost_inputs(),
    output:
        table="results/pipeline_cost.parquet",
        html=report(
            "results/pipeline_cost.html",
            caption="../report/pipeline_cost.rst",
            category="6. Environment",
        ),
    log:
        "results/logs/pipeline_cost.log",
    benchmark:
        "results/benchmarks/pipeline_cost.tsv"
    conda:
        "../../envs/report.yaml"
    params:
        benchmarks="results/benchmarks",
        memory_limit_bytes=1_000_000_000,
    script:
        "../scripts/pipeline_cost.py"
