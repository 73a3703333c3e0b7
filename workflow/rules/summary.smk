# Statistics per cell (median with its interval, spread, outliers, noise) and, when a baseline
# is configured, change detection against it (method: workflow/scripts/ddxspike/stats/).


rule summarise:
    input:
        measurements="results/measurements.parquet",
    output:
        table="results/summary.parquet",
        html=report(
            "results/summary.html",
            caption="../report/summary.rst",
            category="Evidence",
        ),
    log:
        "results/logs/summary.log",
    benchmark:
        "results/benchmarks/summarise.tsv"
    conda:
        "../../envs/report.yaml"
    script:
        "../scripts/summarise.py"


rule compare_baseline:
    input:
        measurements="results/measurements.parquet",
        hosts="results/hosts.parquet",
        baseline=baseline_measurements(),
    output:
        table="results/comparison.parquet",
        html=report(
            "results/comparison.html",
            caption="../report/summary_comparison.rst",
            category="Evidence",
        ),
    log:
        "results/logs/comparison.log",
    benchmark:
        "results/benchmarks/compare_baseline.tsv"
    conda:
        "../../envs/report.yaml"
    params:
        allow_cross_host=config.get("allow_cross_host", False),
    script:
        "../scripts/compare_baseline.py"
