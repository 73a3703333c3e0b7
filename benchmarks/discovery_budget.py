"""Estimate how long the asset discovery experiment takes for a configuration, from per-trial
costs measured on one repository (e.g. a run limited to `large`), and check the model against
that run's own job durations.

    python benchmarks/discovery_budget.py --measured RUN/results/discovery/large \
        --log RUN/.snakemake/log/<run>.log --prepare-s 1.8 [--config config.yaml]

Model per (repository, strategy) job: job start-up + for every run (warm-ups, trials, heap
trials) the median wall time of its spec + the engine's cost per trial, + a cold preparation
(eviction and residency check) before every cold run, + the untimed setup of strategies that
have one (memory-cache lists once first). Costs scale from the measured repository by files
(names, stat, meta; hash for caching strategies) or by bytes (hash), which is conservative for
small sizes.
"""

import argparse
import glob
import re
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow" / "scripts"))
from ddxspike.budgets import discovery_trials as trials_for  # noqa: E402
from ddxspike.discovery.cells import resolve  # noqa: E402

# A trial's engine cost outside its call, a fork server's child (engine_accuracy.py at load 9:
# 78 ms, against 236 ms for a new interpreter, which this was set to as 0.2).
SPAWN_S = 0.08
JOB_S = 3.0  # Snakemake job + script start-up + host fingerprint
BYTE_BOUND = {"walk", "scandir", "parallel", "lazy", "sorted-full"}  # hash reads every byte


def job_durations(log_text: str) -> dict:
    out = {}
    pat = (r"\[(\w{3} \w{3} +\d+ [\d:]+ \d+)\]\nlocalrule measure_discovery:.*?"
           r"wildcards: size=(\S+), strategy=(\S+).*?\[(\w{3} \w{3} +\d+ [\d:]+ \d+)\]\nFinished")
    for a, size, strategy, b in re.findall(pat, log_text, re.S):
        fmt = "%a %b %d %H:%M:%S %Y"
        out[(size, strategy)] = (datetime.strptime(b, fmt) - datetime.strptime(a, fmt)).seconds
    return out


def job_cost(strategy, entry, walls, shape, measured_shape, m, budget, prepare_s, edge, plan):
    """Seconds for one job. walls: (depth, state) -> median wall at the measured repository.
    plan: "old" (warm-ups and heap trials for both states) or "new" (measure_discovery now)."""
    s = resolve(strategy, entry)
    files_x = max(shape["files"], 1) / measured_shape["files"]
    bytes_x = max(shape["bytes"], 1) / measured_shape["bytes"]
    total = JOB_S
    for depth in s.depths:
        if depth not in budget.get("_depths", s.depths):
            continue
        scale = bytes_x if depth == "hash" and strategy in BYTE_BOUND else files_x
        setup = walls.get(("scandir", depth, "warm"), 0) * scale if s.setup else 0
        for state in m["cache_states"]:
            n = trials_for(depth, shape, edge, m["trials"], budget, state)
            wall = walls.get((strategy, depth, state), walls.get((strategy, depth, "warm"), 0.1)) * scale
            warmups = m["warmups"] if (plan == "old" or state == "warm") else budget.get("cold_warmups", m["warmups"])
            heap = m.get("heap_trials", 0) if (plan == "old" or state == "warm") else 0
            runs = warmups + n
            total += runs * (wall + SPAWN_S + setup) + heap * (1.5 * wall + SPAWN_S + setup)
            if state == "cold":
                total += runs * (0.1 + prepare_s * files_x)  # sync + walk of the tree
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--measured", required=True, help="folder of one repository's discovery Parquet files")
    ap.add_argument("--log", help="the Snakemake log of that run, to check the model")
    ap.add_argument("--prepare-s", type=float, required=True,
                    help="measured eviction + residency check on that repository (s)")
    ap.add_argument("--config", default=str(Path(__file__).resolve().parents[1] / "config.yaml"))
    args = ap.parse_args()
    df = pd.concat(pd.read_parquet(f) for f in glob.glob(f"{args.measured}/*.parquet"))
    t = df[(df["mode"] == "time") & (df["status"] == "ok")]
    walls = t.groupby(["strategy", "depth", "cache_state"])["wall_s"].median().to_dict()
    measured_shape = {"files": int(t["files"].iloc[0]), "bytes": int(t["bytes"].iloc[0])}
    cfg = yaml.safe_load(Path(args.config).read_text())
    m, disc = cfg["measurement"], cfg["discovery"]
    budget = dict(disc.get("budget") or {})
    budget["_depths"] = disc["depths"]
    size = str(t["size"].iloc[0])
    if args.log:
        print(f"model check on {size} (plan as run then: warm-ups and heap trials in both states):")
        old_budget = {k: v for k, v in budget.items()
                      if k not in ("trials", "big_repo_trials", "cold_warmups", "cold_trials")}
        old_budget["big_repo_trials"] = 3
        for (sz, st), seconds in sorted(job_durations(Path(args.log).read_text()).items()):
            if sz != size:
                continue
            est = job_cost(st, disc["strategies"][st], walls, measured_shape, measured_shape, m,
                           old_budget, args.prepare_s, False, "old")
            print(f"  {st:14s} measured {seconds:4d} s, model {est:6.1f} s")
    print(f"estimate for {args.config} (per-trial costs from {size}):")
    grand = 0.0
    repos = [(n, s, False) for n, s in cfg["sizes"].items()]
    for name, e in (cfg.get("edge_cases") or {}).items():
        shape = {"files": e.get("files", 70), "bytes": e.get("bytes", 100_000)}
        if e["kind"] == "wide_folder":
            shape["bytes"] = 35 * shape["files"]
        repos.append((f"edge-{name}", shape, True))
    for name, shape, edge in repos:
        cost = sum(job_cost(st, entry, walls, shape, measured_shape, m, budget, args.prepare_s, edge, "new")
                   for st, entry in disc["strategies"].items())
        grand += cost
        print(f"  {name:24s} {cost / 60:5.1f} min")
    print(f"  total discovery          {grand / 60:5.1f} min")


if __name__ == "__main__":
    main()
