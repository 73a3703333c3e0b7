# Inputs and outputs of the statistics rules: the per-cell summary always, the baseline
# comparison only when config `baseline:` names an earlier measurements.parquet.


def summary_outputs():
    outputs = ["results/summary.parquet", "results/summary.html"]
    if config.get("baseline"):
        outputs += ["results/comparison.parquet", "results/comparison.html"]
    return outputs


def baseline_measurements():
    return config.get("baseline") or []
