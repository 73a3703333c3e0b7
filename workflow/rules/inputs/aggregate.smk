# Input functions of the aggregation rules: every experiment cell feeds the tidy table.


def measurement_cells():
    return discovery_outputs() + subtree_outputs() + catalogue_outputs()


def imported_measurements():
    """Earlier or other hosts' measurements.parquet merged in (ddxspike/imports.py)."""
    paths = list(config.get("import_measurements") or [])
    if "results/measurements.parquet" in [str(Path(p)) for p in paths]:
        raise ValueError(
            "config import_measurements: results/measurements.parquet is this run's own "
            "output; copy it elsewhere (e.g. imports/<host>.parquet) and import the copy"
        )
    return paths
