# Charts of the tidy table: one job per sub-question family (charts_<family>.py), rendering all of
# that family's SVGs in one process, so Altair's and vl-convert's start-up is paid once per family
# rather than once per chart. Each SVG is marked for the report under its sub-question; editing a
# family's module (or the shared chart code) reruns that family's job.

for family in CHART_FAMILIES:

    rule:
        name:
            f"render_{family}_charts"
        input:
            measurements="results/measurements.parquet",
            hosts="results/hosts.parquet",
            code=chart_code(family),
        output:
            **chart_reports(family),
        log:
            f"results/logs/charts/{family}.log",
        benchmark:
            f"results/benchmarks/render_charts/{family}.tsv"
        conda:
            "../../envs/report.yaml"
        params:
            targets=config["targets"],
        script:
            "../scripts/render_charts.py"
