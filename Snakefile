# DDX TS-001 "Large Repository Performance Investigation" as a reproducible pipeline.
# Table of contents: config and helpers, test repositories, experiments, aggregation, report.

from snakemake.utils import min_version

min_version("9.0")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/inputs/discovery.smk"
include: "workflow/rules/inputs/aggregate.smk"
include: "workflow/rules/inputs/charts.smk"
include: "workflow/rules/inputs/summary.smk"
include: "workflow/rules/inputs/existing.smk"
include: "workflow/rules/inputs/subtree.smk"
include: "workflow/rules/inputs/catalogue.smk"
include: "workflow/rules/inputs/report.smk"
include: "workflow/rules/inputs/cost.smk"
include: "workflow/rules/generate.smk"
include: "workflow/rules/existing.smk"
include: "workflow/rules/discovery.smk"
include: "workflow/rules/subtree.smk"
include: "workflow/rules/catalogue.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/charts.smk"
include: "workflow/rules/summary.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/cost.smk"


rule all:
    input:
        "results/measurements.parquet",
        chart_outputs(),
        summary_outputs(),
        report_outputs(),
        "results/pipeline_cost.html",
