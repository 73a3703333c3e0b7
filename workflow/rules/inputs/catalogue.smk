# Input functions of the workflow catalogue rules: which catalogues exist and what shapes them.

import os

# edge-*: a bad-input case, no point on the count axis.
CATALOGUE_BAD_INPUT = "edge-bad-workflows"


def real_catalogues():
    """name -> library folder of every real repository whose library has a workflows/ folder:
    its catalogue is measured in place under the repository's name."""
    found = {}
    for name, root in EXISTING.items():
        library = os.path.join(root, library_subdir(name))
        if os.path.isdir(os.path.join(library, "workflows")):
            found[name] = os.path.normpath(library)
    return found


def catalogue_names():
    """w<N> for every workflow count, the bad-input catalogue if configured, then the real
    libraries' catalogues."""
    cat = config.get("catalogue")
    if not cat:
        return []
    names = [f"w{n}" for n in cat["workflow_counts"]]
    names += [CATALOGUE_BAD_INPUT] if cat.get("bad_input") else []
    clash = sorted(set(names) & set(real_catalogues()))
    if clash:
        raise ValueError(
            f"config existing_repos: {clash} also name generated catalogues "
            "(w<N> of catalogue.workflow_counts); give the repositories other names"
        )
    return names + list(real_catalogues())


def catalogue_library(wc):
    """A generated catalogue's library under scratch_dir, or a real library in place."""
    return real_catalogues().get(
        wc.catalogue, f"{SCRATCH}/catalogue/{wc.catalogue}/library"
    )


def catalogue_spec(wc):
    """CatalogueSpec fields (generator) of one catalogue name."""
    cat = config["catalogue"]
    if wc.catalogue == CATALOGUE_BAD_INPUT:
        shape = dict(cat["bad_input"])
    elif wc.catalogue[1:].isdigit() and int(wc.catalogue[1:]) in cat["workflow_counts"]:
        shape = {"workflows": int(wc.catalogue[1:]), "invalid": 0}
    else:
        raise ValueError(
            f"catalogue {wc.catalogue!r}: not w<N> for N in catalogue.workflow_counts "
            f"{cat['workflow_counts']} nor {CATALOGUE_BAD_INPUT!r}"
        )
    return {**shape, "queries_per_kind": cat["queries_per_kind"]}


def catalogue_outputs():
    if not config.get("catalogue"):
        return []
    return expand(
        "results/catalogue/{catalogue}/{strategy}.parquet",
        catalogue=catalogue_names(),
        strategy=config["catalogue"]["strategies"],
    )


def catalogue_module_sources(*names):
    return [module_source(f"ddxspike.catalogue.{n}") for n in names]


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
