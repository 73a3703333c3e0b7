# Input functions of the asset discovery rules: which repositories (sizes, real repositories,
# edge cases) and strategies make a job, and where each repository and manifest lives.

import re

from ddxspike.settings import EDGE_PREFIX


def edge_case_of(size):
    """The edge case a discovery `size` names ("edge-<case>"), or None for a library size."""
    case = size[len(EDGE_PREFIX) :] if size.startswith(EDGE_PREFIX) else None
    return case if case in (config.get("edge_cases") or {}) else None


def discovery_repos():
    """Every repository discovery measures: library sizes, real repositories, edge cases
    (settings.check_config refuses a size or real repository named like an edge case).
    """
    return library_names() + [EDGE_PREFIX + c for c in config.get("edge_cases") or {}]


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
        size=discovery_repos(),
        strategy=discovery_strategies(),
    )


def discovery_library(wc):
    """Where asset listings (ddx-list, DDX's own ddx list) start: the library inside the repository."""
    sub = "" if edge_case_of(wc.size) else library_subdir(wc.size)
    repo = discovery_repo_path(wc)
    return f"{repo}/{sub.strip('/')}" if sub.strip("/") else repo


def discovery_ddx(wc):
    """DDX's binary and its sha256 for a ddx-binary/ddx-startup job ("" for the others, which a
    new binary must not rerun)."""
    if not is_ddx_strategy(wc.strategy):
        return {"binary": "", "sha256": ""}
    return {"binary": DDX_CONFIGURED, "sha256": DDX_SHA256}


def discovery_repo(wc):
    """The job's repository input: an edge case's folder (holding repo/), or the size's repo."""
    case = edge_case_of(wc.size)
    return f"{SCRATCH}/edge/{case}" if case else repo_dir(wc.size)


def discovery_repo_path(wc):
    case = edge_case_of(wc.size)
    return f"{SCRATCH}/edge/{case}/repo" if case else repo_dir(wc.size)


def discovery_manifest(wc):
    case = edge_case_of(wc.size)
    return f"results/manifests/edge/{case}.parquet" if case else manifest(wc.size)


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
