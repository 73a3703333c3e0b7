# Input functions of the asset discovery rules: which repositories (sizes, real repositories,
# edge cases: REPOSITORIES in common.smk) and strategies make a job, and where each repository
# and manifest lives.

import re


def is_ddx_strategy(strategy):
    return "ddx" in config["discovery"]["strategies"][strategy]


def discovery_strategies():
    """The configured strategies; DDX's own (`ddx:` entries) only when its binary was found
    (common.smk says once when it was not)."""
    return [
        s
        for s in config["discovery"]["strategies"]
        if DDX_BINARY or not is_ddx_strategy(s)
    ]


def discovery_outputs():
    return expand(
        "results/discovery/{size}/{strategy}.parquet",
        size=measured_by("discovery"),
        strategy=discovery_strategies(),
    )


def discovery_library(wc):
    """Where asset listings (ddx-list, DDX's own ddx list) start: the library inside the repository."""
    return repository(wc.size).library_path


def discovery_ddx(wc):
    """DDX's binary and its sha256 for a ddx-binary/ddx-startup job ("" for the others, which a
    new binary must not rerun)."""
    if not is_ddx_strategy(wc.strategy):
        return {"binary": "", "sha256": ""}
    return {"binary": DDX_CONFIGURED, "sha256": DDX_SHA256}


def discovery_repo(wc):
    """The job's repository input: the producing rule's folder (an edge case's holds repo/), or
    the repository itself."""
    repo = repository(wc.size)
    return repo.folder or repo.path


def discovery_repo_path(wc):
    return repository(wc.size).path


def discovery_manifest(wc):
    return repository(wc.size).manifest


def _discovery_helpers(module):
    """The ddxspike.discovery modules a strategy module imports, directly or through each other,
    so that editing a helper (depth, dircache, ...) reruns the strategies that use it.
    """
    seen, todo = set(), [module]
    while todo:
        text = Path(module_source(todo.pop())).read_text()
        found = re.findall(r"ddxspike\.discovery(?:\.(\w+))? import (\w+)", text)
        for sub, name in found:
            helper = f"ddxspike.discovery.{sub or name}"
            if helper not in seen and helper != module:
                seen.add(helper)
                todo.append(helper)
    return [module_source(m) for m in sorted(seen)]


def discovery_code(wc):
    spec = config["discovery"]["strategies"][wc.strategy]
    shared = [module_source("ddxspike.discovery.cells")]
    # DDX's own binary: the parity check runs the model too, so editing it reruns the check.
    if "ddx" in spec:
        return shared + [
            module_source(m)
            for m in (
                "ddxspike.engine.external",
                "ddxspike.ddxcli",
                "ddxspike.discovery.ddx_binary",
                "ddxspike.discovery.ddx_list",
            )
        ]
    if "command" in spec:
        return shared + [module_source("ddxspike.engine.external")]
    return shared + [module_source(spec["python"])] + _discovery_helpers(spec["python"])
