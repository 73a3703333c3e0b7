"""The variants of one asset-discovery job: a strategy's config entry -> TrialSpecs for every
depth it supports x cache state, with the right ground truth (their trials: budgets.discovery).

A config entry is {python: module} (module has discover(repo, depth, ...), LISTS, optional
DEPTHS, optional prime() run untimed before each trial), {command: argv, output, lists}
(an external tool: names depth only) or {ddx: args, parser, lists, depth} (DDX's own binary,
ddx_binary.py: run isolated, its output read from stderr; one depth, the one it does).
Asset listings (lists: assets) start at the library, which may sit below the repository root.
"""

import importlib
import inspect
import os
from dataclasses import dataclass
from pathlib import Path

from ddxspike.discovery import ddx_binary
from ddxspike.discovery.assets import expected_assets
from ddxspike.discovery.depth import DEPTHS
from ddxspike.engine import TrialSpec
from ddxspike.engine.external import command_kwargs
from ddxspike.groundtruth import digest_paths

COMMAND_DEPTHS = ("names",)  # a tool's listing says nothing about sizes or content


@dataclass
class Strategy:
    name: str
    target: str
    lists: str  # files | assets
    depths: tuple
    setup: str | None = None
    accepts: tuple = ()  # optional keyword arguments discover() takes: page_size, cache_file
    command: dict | None = None
    ddx: dict | None = None  # DDX's own binary: {ddx: args, parser, ...}


def resolve(name: str, entry: dict) -> Strategy:
    """What a config entry names, checked: a clear error names the key and the value."""
    if "ddx" in entry:
        return Strategy(name, "ddxspike.engine.external:run_command", entry.get("lists", "assets"),
                        (entry.get("depth", "names"),), ddx=entry)
    if "command" in entry:
        lists = entry.get("lists", "files")
        return Strategy(name, "ddxspike.engine.external:run_command", lists, COMMAND_DEPTHS,
                        command=entry)
    try:
        module = importlib.import_module(entry["python"])
    except ImportError as exc:
        raise ValueError(f"discovery.strategies.{name}.python: cannot import "
                         f"{entry['python']!r}: {exc}") from exc
    if not hasattr(module, "discover"):
        raise ValueError(f"discovery.strategies.{name}: {module.__name__} has no discover()")
    params = inspect.signature(module.discover).parameters
    return Strategy(
        name=name, target=f"{module.__name__}:discover", lists=getattr(module, "LISTS", "files"),
        depths=tuple(getattr(module, "DEPTHS", DEPTHS)),
        setup=f"{module.__name__}:prime" if hasattr(module, "prime") else None,
        accepts=tuple(k for k in ("page_size", "cache_file") if k in params),
    )


def ground_truth(strategy: Strategy, manifest: str, summary: dict, workdir: Path,
                 library_subdir: str = "") -> dict:
    """expected_items / expected_digest / expected_paths_file for the strategy's kind of list."""
    if strategy.lists == "files":
        return {"expected_items": summary["files"], "expected_digest": summary["digest"],
                "expected_paths_file": str(manifest)}
    if strategy.lists == "assets":
        assets = expected_assets(manifest, library_subdir)
        if strategy.ddx is not None:  # the binary's JSON shows invalid UTF-8 as U+FFFD
            assets = ddx_binary.truth_as_printed(assets)
        listing = workdir / f"{strategy.name}.expected-assets"
        listing.write_bytes(b"\0".join(assets))
        return {"expected_items": len(assets), "expected_digest": digest_paths(assets),
                "expected_paths_file": str(listing)}
    if strategy.lists == "nothing":  # spawn overhead: lists nothing, and must say so
        return {"expected_items": 0, "expected_digest": digest_paths([])}
    raise ValueError(f"discovery.strategies.{strategy.name}: lists={strategy.lists!r} "
                     "(expected files, assets or nothing)")


def build_specs(strategy: Strategy, *, repo: str, manifest: str, summary: dict, size: str,
                depths, cache_states, page_size: int, cache_dir: str, workdir: Path,
                library: str | None = None, ddx: str | None = None) -> list[TrialSpec]:
    """A TrialSpec for every depth the strategy supports x cache state (their trials: budgets.py).
    `library`: where the library sits (default the repository); `ddx`: DDX's binary, for `ddx:`
    strategies."""
    library = library or repo
    subdir = os.path.relpath(library, repo)
    truth = ground_truth(strategy, manifest, summary, workdir, "" if subdir == "." else subdir)
    if strategy.ddx is not None and not ddx:
        raise ValueError(f"discovery.strategies.{strategy.name}: no DDX binary (ddx.binary)")
    shape = {"files": summary["files"], "bytes": summary["bytes"], "commits": summary["commits"]}
    out = []
    for state in cache_states:
        for depth in depths:
            if depth not in strategy.depths:
                continue  # documented: the strategy has no such depth (README table)
            if strategy.ddx is not None:  # HOME and project of the job's own, under workdir
                kwargs = ddx_binary.run_kwargs(strategy.ddx, ddx, library, workdir / "ddx")
            elif strategy.command is not None:
                kwargs = command_kwargs(strategy.command, repo)
            else:
                kwargs = {"repo": library if strategy.lists == "assets" else repo, "depth": depth}
                if "page_size" in strategy.accepts:
                    kwargs["page_size"] = page_size
                if "cache_file" in strategy.accepts:
                    kwargs["cache_file"] = os.path.join(cache_dir, f"{strategy.name}-{depth}.pickle")
            out.append(TrialSpec(
                dims={"experiment": "discovery", "size": size, "strategy": strategy.name,
                      "depth": depth, "cache_state": state, **shape},
                target=strategy.target, kwargs=kwargs, setup=strategy.setup, **truth))
    return out
