# Input functions of the asset discovery rules.


def discovery_outputs():
    return expand(
        "results/discovery/{size}/{strategy}.parquet",
        size=library_names(),
        strategy=config["discovery"]["strategies"],
    )


def discovery_code(wc):
    spec = config["discovery"]["strategies"][wc.strategy]
    return [module_source(spec["python"]), module_source("ddxspike.discovery.depth")]
