"""What the jobs after the measurements cost: summarise, fit_scaling, render_findings and the charts.

Runs each job's script in a fresh process, as Snakemake does, on a finished run's tables (the
measurement table, hosts, profiles), once for each source tree given, and prints the seconds per
job beside the issue's target (summarise + fit_scaling + render_findings <= 10 s). Nothing is
written into the results folder read: every output goes to a temporary folder.

    python benchmarks/downstream_cost.py --results /path/to/finished/results
    python benchmarks/downstream_cost.py --results R --rev 144d3de --rev HEAD   # before/after

A `--rev` is exported from this checkout's git history (git archive), so before and after are
timed in the same session on the same table. Wall seconds on a possibly shared machine are an
upper bound (the load average is printed); CPU seconds (user + system of the job's process) are
steadier under load. Printed, never asserted.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOWNSTREAM = ("summarise", "fit_scaling", "render_findings")

# Runs one job script with a stand-in for Snakemake's `snakemake` object (input, output, log,
# params as named lists), in the tree whose workflow/scripts is first on sys.path.
RUNNER = r"""
import json, runpy, sys
class Named(list):
    def __init__(self, d):
        super().__init__(d.values())
        self.__dict__.update(d)
        self.items = d.items
spec = json.loads(sys.argv[1])
sys.path.insert(0, spec["scripts"])
sm = type("Snakemake", (), {})()
for k in ("input", "output", "log", "params", "wildcards"):
    setattr(sm, k, Named(spec.get(k, {})))
sm.threads = 1
runpy.run_path(spec["script"], init_globals={"snakemake": sm}, run_name="__main__")
"""


def config_of(tree: Path, preset: str) -> dict:
    """config.yaml with the preset applied, as the Snakefile reads it."""
    sys.path.insert(0, str(tree / "workflow" / "scripts"))
    try:
        from ddxspike.settings import apply_presets
    finally:
        sys.path.pop(0)
    from snakemake.utils import update_config, validate

    config = yaml.safe_load((tree / "config.yaml").read_text())
    update_config(config, yaml.safe_load((tree / preset).read_text()))  # Snakemake's deep merge
    apply_presets(config, [str(tree / preset)])
    validate(config, str(tree / "workflow" / "schemas" / "config.schema.yaml"))  # fills defaults
    sys.modules.pop("ddxspike.settings", None)
    sys.modules.pop("ddxspike", None)
    return config


def jobs(config: dict, results: Path, out: Path) -> dict:
    """Each downstream job's input, output, log and params (as workflow/rules/*.smk give them)."""
    exclude = list(config["report"].get("fit_exclude", [])) + sorted(
        {*(config.get("existing_repos") or {}), *((config.get("subtree") or {}).get("upstreams") or {})})
    tables = {"measurements": str(results / "measurements.parquet"),
              "hosts": str(results / "hosts.parquet")}
    (out / "report").mkdir(parents=True, exist_ok=True)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    return {
        "summarise": {"input": {"measurements": tables["measurements"]},
                      "output": {"table": str(out / "summary.parquet"), "html": str(out / "summary.html")}},
        "fit_scaling": {"input": tables, "output": {"fits": str(out / "fits.parquet")},
                        "params": {"exclude": exclude}},
        "render_findings": {
            "input": {**tables, "fits": str(out / "fits.parquet"),
                      "profiles": str(results / "profiles" / "bottlenecks.parquet")},
            "output": {k: str(out / "report" / f) for k, f in (
                ("findings", "findings.html"), ("tables", "tables.html"),
                ("environment", "environment.html"), ("targets", "targets.parquet"),
                ("summary_text", "executive_summary.txt"), ("results_md", "TS-001-results.md"))},
            "params": {"targets": config["targets"], "report": config["report"], "exclude": exclude,
                       "ddx_note": ""}},
    }


def chart_jobs(tree: Path, config: dict, results: Path, out: Path) -> dict:
    """The chart jobs of this tree's rules: one per family (render_charts.py) or, before, one per
    chart (render_chart.py)."""
    tables = {"measurements": str(results / "measurements.parquet"),
              "hosts": str(results / "hosts.parquet")}
    scripts = tree / "workflow" / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        from ddxspike.charts import CHARTS
    finally:
        sys.path.pop(0)
        for m in [m for m in sys.modules if m == "ddxspike" or m.startswith("ddxspike.")]:
            sys.modules.pop(m)
    svg = {name: str(out / "charts" / f"{name}.svg") for name in CHARTS}
    params = {"targets": config["targets"]}
    if (scripts / "render_charts.py").exists():
        families = sorted({name.split("_")[0] for name in CHARTS})
        return {f"charts {f}": {"script": "render_charts.py", "input": tables, "params": params,
                                "output": {n: p for n, p in svg.items() if n.split("_")[0] == f}}
                for f in families}
    return {f"chart {name}": {"script": "render_chart.py", "input": tables, "params": params,
                              "output": {"svg": path}, "wildcards": {"chart": name}}
            for name, path in svg.items()}


def run(tree: Path, name: str, job: dict, logs: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one job in a fresh process."""
    script = job.get("script", f"{name}.py")
    spec = {"scripts": str(tree / "workflow" / "scripts"),
            "script": str(tree / "workflow" / "scripts" / script),
            "log": {"log": str(logs / f"{name.replace(' ', '_')}.log")},
            **{k: v for k, v in job.items() if k != "script"}}
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    proc = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(spec)], cwd=tree,
                          capture_output=True, text=True)
    took, after = time.monotonic() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{name} failed in {tree}:\n{proc.stderr[-3000:]}")
    return took, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def export(rev: str, where: Path) -> Path:
    """This checkout's tree at `rev`, unpacked into `where`."""
    data = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(where, filter="data")
    return where


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", type=Path, required=True, help="a finished run's results folder")
    ap.add_argument("--preset", default="presets/quick.yaml", help="the config the run used")
    ap.add_argument("--rev", action="append", help="git revisions to time (default: the working tree)")
    ap.add_argument("--no-charts", action="store_true", help="time only the three table jobs")
    a = ap.parse_args()
    results = a.results.resolve()
    with tempfile.TemporaryDirectory(prefix="ddxspike-downstream-") as tmp:
        trees = ({rev: export(rev, Path(tmp) / f"tree-{i}") for i, rev in enumerate(a.rev)}
                 if a.rev else {"working tree": ROOT})
        print(f"{len(__import__('pandas').read_parquet(results / 'measurements.parquet'))} rows "
              f"from {results}; load {os.getloadavg()[0]:.2f} at start")
        for label, tree in trees.items():
            out = Path(tmp) / f"out-{label.replace(' ', '_')}"
            logs = out / "logs"
            logs.mkdir(parents=True)
            config = config_of(tree, a.preset)
            todo = jobs(config, results, out)
            if not a.no_charts:
                todo |= chart_jobs(tree, config, results, out)
            took = {name: run(tree, name, job, logs) for name, job in todo.items()}
            three = [sum(took[n][i] for n in DOWNSTREAM) for i in (0, 1)]
            charts = [sum(s[i] for n, s in took.items() if n not in DOWNSTREAM) for i in (0, 1)]
            print(f"\n{label}:{'wall':>19}{'CPU':>9}")
            for name in DOWNSTREAM:
                print(f"  {name:<22}{took[name][0]:7.1f} s{took[name][1]:7.1f} s")
            print(f"  {'the three together':<22}{three[0]:7.1f} s{three[1]:7.1f} s   (target <= 10 s)")
            if not a.no_charts:
                n = len(took) - len(DOWNSTREAM)
                print(f"  {'charts':<22}{charts[0]:7.1f} s{charts[1]:7.1f} s   ({n} job{'s' * (n != 1)})")
        print(f"\nload {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
