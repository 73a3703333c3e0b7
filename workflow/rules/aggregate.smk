# All per-cell Parquet files into one tidy table (schema: workflow/scripts/ddxspike/table.py).


rule aggregate_measurements:
    input:
        cells=measurement_cells(),
        imported=imported_measurements(),
    output:
        measurements=report(
            "results/measurements.parquet",
            caption="../report/measurements_parquet.rst",
            category="7. Data",
        ),
        hosts=report(
            "results/hosts.parquet",
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
