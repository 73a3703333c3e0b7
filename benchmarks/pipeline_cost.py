"""What the pipeline costs beside what it measures.

Runs a preset (default: the quick one) from scratch in a temporary copy of this checkout and
prints: the run's wall time; the sum of its timed trials' wall time (mode "time" rows of
results/measurements.parquet) and the ratio of the jobs' wall time to it (the overhead ratio);
per-rule job totals (from the `benchmark:` files); then the wall time of an incremental rerun
after one strategy module is edited, and of a dry run of the finished pipeline.

    python benchmarks/pipeline_cost.py                   # quick preset, 2 cores
    python benchmarks/pipeline_cost.py --cores 2 --preset presets/quick.yaml --keep DIR
    python benchmarks/pipeline_cost.py --config 'ddx={binary: /path/to/ddx}'

Targets (issue "one trial planner"): quick preset <= 3 min, overhead ratio <= 3,
summarise + fit_scaling + render_findings <= 10 s, dry run of a finished run <= 3 s. They are
printed beside the figures, never asserted: this is a benchmark, not a test. The load average
is printed too: on a shared machine every figure is an upper bound.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns("results", ".snakemake", ".git", "__pycache__", ".pytest_cache",
                              "report.html")
# The module edited for the incremental rerun: one strategy, so only its jobs should rerun.
EDITED_MODULE = "workflow/scripts/ddxspike/discovery/walk.py"
DOWNSTREAM = ("summarise", "fit_scaling", "render_findings")


def snakemake(where: Path, args: list[str]) -> float:
    """Run snakemake in `where`; returns its wall time, stops the benchmark if it fails."""
    cmd = [sys.executable, "-m", "snakemake", *args]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=where, capture_output=True, text=True)
    took = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return took


def jobs_table(where: Path) -> pd.DataFrame:
    sys.path.insert(0, str(where / "workflow" / "scripts"))
    from ddxspike import cost

    return cost.read_benchmarks(where / "results" / "benchmarks")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="presets/quick.yaml")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--config", nargs="*", default=[], help="extra --config KEY=VALUE items")
    ap.add_argument("--keep", type=Path, help="run in this folder and keep it (default: a temp one)")
    a = ap.parse_args()

    tmp = None if a.keep else tempfile.TemporaryDirectory(prefix="ddxspike-cost-")
    where = a.keep or Path(tmp.name) / "pipeline"
    if where.exists():
        shutil.rmtree(where)
    shutil.copytree(ROOT, where, ignore=SKIP, symlinks=True)
    common = ["--cores", str(a.cores), "--configfile", a.preset]
    if a.config:
        common += ["--config", *a.config]
    load_before = os.getloadavg()[0]

    print(f"from scratch: {a.preset}, {a.cores} cores, in {where}", flush=True)
    scratch_s = snakemake(where, common)
    jobs = jobs_table(where)
    rows = pd.read_parquet(where / "results" / "measurements.parquet")
    timed = rows.loc[rows["mode"] == "time", "wall_s"].sum()
    job_s = jobs["wall_s"].sum()
    print(f"  wall time            {scratch_s:8.1f} s   (target <= 180 s)")
    print(f"  jobs' wall time      {job_s:8.1f} s   over {len(jobs)} jobs")
    print(f"  timed trials' wall   {timed:8.1f} s   over {int((rows['mode'] == 'time').sum())} trials")
    print(f"  overhead ratio       {job_s / timed if timed else float('nan'):8.2f}     (target <= 3)")
    per_rule = jobs.groupby("rule")["wall_s"].agg(["count", "sum"]).sort_values("sum", ascending=False)
    print("  per rule (jobs, total s):")
    for rule, r in per_rule.iterrows():
        print(f"    {rule:28s} {int(r['count']):4d} {r['sum']:8.1f}")
    down = per_rule.loc[per_rule.index.intersection(DOWNSTREAM), "sum"].sum()
    print(f"  {' + '.join(DOWNSTREAM)}: {down:.1f} s (target <= 10 s)")

    module = where / EDITED_MODULE
    module.write_text(module.read_text() + "\n# edited by benchmarks/pipeline_cost.py\n")
    rerun_s = snakemake(where, common)
    rerun = jobs_table(where)
    changed = rerun[rerun["recorded"] > jobs["recorded"].max()]
    print(f"incremental rerun after editing {EDITED_MODULE}: {rerun_s:.1f} s, "
          f"{len(changed)} job(s) reran: {', '.join(sorted(changed['rule'].unique()))}")

    dry_s = snakemake(where, [*common, "-n"])
    print(f"dry run of the finished run: {dry_s:.2f} s (target <= 3 s)")
    print(f"load average (1 min): {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
