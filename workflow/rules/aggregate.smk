# All per-cell Parquet files into one tidy table (schema: workflow/scripts/ddxspike/table.py).
# update(): Snakemake neither deletes the previous tables before the job nor after a failure
# (it restores them); the script replaces each atomically.


rule aggregate_measurements:
    input:
        cells=measurement_cells(),
        imported=imported_measurements(),
    output:
        measurements=report(
            update("results/measurements.parquet"),
            caption="../report/measurements_parquet.rst",
            category="7. Data",
        ),
        hosts=report(
            update("results/hosts.parquet"),
            caption="../report/hosts_parquet.rst",
            category="7. Data",
        ),
    log:
        "results/logs/aggregate.log",
    benchmark:
        "results/benchmarks/aggregate_measurements.tsv"
    conda:
        "../../envs/report.yaml"
    script:
        "../scripts/aggregate.py"
