# Input functions of the workflow catalogue rules: which catalogues exist (REPOSITORIES in
# common.smk: the w<N> catalogues, the bad-input one, real libraries with a workflows/ folder)
# and what shapes them.


def catalogue_library(wc):
    """A generated catalogue's library under scratch_dir, or a real library in place."""
    return repository(wc.catalogue).library_path


def catalogue_spec(wc):
    """CatalogueSpec fields (generator) of one generated catalogue."""
    repo = repository(wc.catalogue)
    return {**repo.spec, "queries_per_kind": config["catalogue"]["queries_per_kind"]}


def catalogue_outputs():
    if not config.get("catalogue"):
        return []
    return expand(
        "results/catalogue/{catalogue}/{strategy}.parquet",
        catalogue=measured_by("catalogue"),
        strategy=config["catalogue"]["strategies"],
    )


def catalogue_module_sources(*names):
    return [module_source(f"ddxspike.catalogue.{n}") for n in names]


def catalogue_producer_sources(*names):
    """The catalogue producers (ddxspike/repos/catalogue), so editing one reruns its jobs."""
    return [module_source(f"ddxspike.repos.catalogue.{n}") for n in names]


def catalogue_code(wc):
    """The strategy's module and everything it shares, so editing either reruns its jobs."""
    spec = config["catalogue"]["strategies"][wc.strategy]
    shared = ["record", "query", "scan", "index", "trial", "strategies.rescan"]
    return [module_source(spec["python"])] + catalogue_module_sources(*shared)


def catalogue_budget(wc):
    """The config as this strategy's job sees it (ddxspike/budgets.py reads its budget)."""
    from ddxspike import budgets

    return budgets.catalogue_view(
        config["catalogue"], config["measurement"], wc.strategy
    )
