# Input functions of the pipeline-cost rule.


def cost_inputs():
    """Everything `all` builds, so that the cost table is made after every other job."""
    return [
        "results/measurements.parquet",
        *chart_outputs(),
        *summary_outputs(),
        *report_outputs(),
    ]
