# Charts of the tidy table, one SVG each, marked for the report by sub-question.


rule render_chart:
    input:
        measurements="results/measurements.parquet",
        hosts="results/hosts.parquet",
    output:
        report(
            "results/charts/{chart}.svg",
            caption="../report/chart.rst",
            category=lambda wc: CHART_CATEGORIES[wc.chart],
        ),
    log:
        "results/logs/charts/{chart}.log",
    benchmark:
        "results/benchmarks/render_chart/{chart}.tsv"
    conda:
        "../../envs/report.yaml"
    params:
        targets=config["targets"],
    script:
        "../scripts/render_chart.py"
