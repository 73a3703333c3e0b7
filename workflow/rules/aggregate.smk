# All per-cell Parquet files into one tidy table (schema: workflow/scripts/ddxspike/table.py).


rule aggregate_measurements:
    input:
        cells=measurement_cells(),
        imported=imported_measurements(),
    output:
        measurements="results/measurements.parquet",
        hosts="results/hosts.parquet",
    log:
        "results/logs/aggregate.log",
    conda:
        "../../envs/report.yaml"
    script:
        "../scripts/aggregate.py"
