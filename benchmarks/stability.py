"""Do the verdicts and headline figures hold on a busy machine?

Runs a reduced configuration of the pipeline (up to results/measurements.parquet) twice, each in
a temporary copy of the checkout: once as the machine is, once beside a fixed synthetic load this
script starts and stops (two CPU-bound processes and a sequential reader of a file it writes,
on this machine only; killed at the end, also on Ctrl-C). Then judges each run's table, as
measured and after the calibration correction (engine/calibrate.py: every time divided by its
job's slowdown against the host's best calibration in both runs), and prints every verdict and
headline figure side by side with their ratio, plus the verdicts of both runs together (two runs
of one host: the between-run spread enters the borderline rule).

Targets, printed (not asserted): identical verdicts quiet vs loaded (borderline in both counts as
equal); headline figures within 10% after the correction, or flagged as contention-affected.

    python benchmarks/stability.py                  # 18 + 36 minutes on a busy shared 2-core machine
    python benchmarks/stability.py --ops model-add,internal-pull-rm,model-push   # subtree operations to judge
    python benchmarks/stability.py --keep DIR       # keep both copies (and their tables) in DIR

The "quiet" run is only as quiet as the machine: on a shared host other work runs during both.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow" / "scripts"))

from ddxspike.stats import contention  # noqa: E402
from ddxspike.report import fits, tidy, verdicts  # noqa: E402
from ddxspike.report.verdicts import median  # noqa: E402

SKIP = shutil.ignore_patterns("results", ".snakemake", ".git", "__pycache__", ".pytest_cache", "report.html")
DDX_BINARY = ROOT.parent / "shared" / "ddx" / "ddx"
LOAD_READ_BYTES = 256 << 20  # the sequential reader's file
WITHIN = 0.10  # target: figures within 10% after the correction


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def reduced_config(ops: list[str] | None) -> dict:
    """config.yaml cut to minutes: four sizes either side of a scaled-down H3 threshold (8 MB, as
    500 MB is to the spike's sizes), warm cache only, the strategies the verdicts judge."""
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg["sizes"] = {"s1": {"files": 500, "bytes": 2_000_000, "commits": 10},
                    "s2": {"files": 1_000, "bytes": 4_000_000, "commits": 10},
                    "s3": {"files": 4_000, "bytes": 16_000_000, "commits": 10},
                    "s4": {"files": 8_000, "bytes": 32_000_000, "commits": 10}}
    cfg["edge_cases"] = {}
    cfg["existing_repos"] = None
    cfg["import_measurements"] = None
    if DDX_BINARY.exists():
        cfg["ddx"] = {"binary": str(DDX_BINARY), "timeout_s": 60}
    cfg["measurement"].update(warmups=1, trials=5, heap_trials=1, trial_timeout_s=120, cache_states=["warm"])
    rc = cfg["report"]
    keep = set(rc["h1"]["strategies"]) | set(rc["h4"]["cached"]) | set(rc["h4"]["uncached"])
    cfg["discovery"]["strategies"] = {k: v for k, v in cfg["discovery"]["strategies"].items() if k in keep}
    cfg["discovery"]["depths"] = ["names", "stat"]
    cfg["discovery"]["budget"].update(trials=5, big_repo_trials=5)
    h3 = rc["h3"]
    wanted = list(h3["strategies"]) + list(h3.get("models") or []) + list((h3.get("stand_ins") or {}).values())
    chosen = ops or [o for o in wanted if o in cfg["subtree"]["operations"]]
    if not chosen:
        sys.exit(f"none of H3's operations ({', '.join(wanted)}) is in subtree.operations: pass --ops")
    if ops:  # judged as the models when named here
        h3["models"] = [o for o in ops if o not in h3["strategies"]]
    h3["bytes_threshold"] = 8_000_000
    cfg["subtree"].update(sizes=["s1", "s2", "s3", "s4"], fixed_commits=10, history_size="s1",
                          commit_counts=[10, 40], operations=chosen, trials=3, slow_trials=3, trial_timeout_s=120)
    cat = cfg["catalogue"]
    cat.update(workflow_counts=[10, 100, 1000, 2000], trials=3, heap_trials=0)
    cat.pop("bad_input", None)
    keep = set(rc["h5"]["scan"]) | set(rc["h5"]["index"])
    cat["strategies"] = {k: v for k, v in cat["strategies"].items() if k in keep and k != "scan-parse"}
    return cfg


class Load:
    """Two CPU-bound processes and a sequential reader, each in its own process group."""

    def __init__(self, workdir: Path):
        self.workdir, self.procs = workdir, []

    def start(self):
        data = self.workdir / "load.bin"
        with open(data, "wb") as f:
            for _ in range(LOAD_READ_BYTES >> 20):
                f.write(os.urandom(1 << 20))
        spin = "while True: pass"
        # Drop the file's pages after every pass, so each pass reads the disk again.
        reader = (f"import os\nwhile True:\n    fd = os.open({str(data)!r}, os.O_RDONLY)\n"
                  "    while os.read(fd, 1 << 20): pass\n"
                  "    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)\n    os.close(fd)\n")
        for code in (spin, spin, reader):
            self.procs.append(subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL))
        log(f"load started: pids {[p.pid for p in self.procs]}")

    def stop(self):
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
        if self.procs:
            log(f"load stopped: pids {[p.pid for p in self.procs]}")
        self.procs = []


def run_pipeline(dest: Path, cfg: dict, cores: int) -> Path:
    """The pipeline up to the measurement table in a copy at dest (an existing copy, kept with
    --keep, is resumed: Snakemake reruns only what is missing)."""
    if not dest.exists():
        shutil.copytree(ROOT, dest, ignore=SKIP)
        (dest / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores), "results/measurements.parquet"]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=dest, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed in {dest}:\n{proc.stderr[-3000:]}")
    log(f"  pipeline finished in {time.monotonic() - started:.0f} s")
    return dest / "results" / "measurements.parquet"


def judge(df: pd.DataFrame, rc: dict) -> list:
    sp = fits.scaling_points(df, rc.get("fit_exclude", []))
    ft = fits.fit_table(sp, n_boot=300)
    return verdicts.judge_all(sp, ft, rc)


def largest_medians(df: pd.DataFrame, rc: dict) -> dict:
    """Headline times beside the verdicts' figures: the median at the largest size of each judged
    strategy (discovery at depth stat, subtree operations; H5's figures are catalogue medians)."""
    out = {}
    v = tidy.valid(df)
    for exp, strategies, metric, where in (
            (rc["h1"]["experiment"], rc["h1"]["strategies"], "wall_s", {"depth": "stat"}),
            (rc["h3"]["experiment"], list(rc["h3"]["strategies"]) + list(rc["h3"].get("models") or [])
             + list((rc["h3"].get("stand_ins") or {}).values()), "wall_s", {})):
        d = v[v["experiment"] == exp]
        for k, x in where.items():
            d = d[d[k] == x]
        for s in strategies:
            g = d[d["strategy"] == s]
            if exp == rc["h3"]["experiment"] and not g.empty:
                g = g[g["commits"] == g["commits"].min()]
            if g.empty or metric not in g or g[metric].isna().all():
                continue
            top = tidy.largest(g)
            med, lo, hi = median(top[metric])
            out[f"{s} {metric} at {top['size'].iloc[0]}"] = (med, lo, hi)
    return out


def figures(vs: list) -> dict:
    return {f.name: f for v in vs for f in v.figures}


def report(tables: dict, rc: dict) -> str:
    both = pd.concat(tables.values(), ignore_index=True)
    both["slowdown"] = contention.slowdown(both)  # quiet speed: the best calibration of both runs
    runs = {name: both[both["run_id"] == t["run_id"].iloc[0]] for name, t in tables.items()}
    lines = []
    for name, t in runs.items():
        lines.append(f"{name}: {len(t)} rows, run {t['run_id'].iloc[0]}, load_1m median {t['load_1m'].median():.2f} "
                     f"(p90 {t['load_1m'].quantile(0.9):.2f}), slowdown median {t['slowdown'].median():.2f}× "
                     f"(p90 {t['slowdown'].quantile(0.9):.2f}×, max {t['slowdown'].max():.2f}×)")
    judged = {}
    for name, t in runs.items():
        judged[(name, "raw")] = judge(t, rc)
        judged[(name, "corrected")] = judge(contention.corrected(t), rc)
    together = judge(both, rc)
    lines.append("")
    lines.append("Verdicts (as measured | after the calibration correction); 'both runs' judges the two tables "
                 "together (between-run spread in the borderline rule)")
    head = f"{'':4} {'quiet':32} {'loaded':32} {'same':5} | {'quiet corr.':32} {'loaded corr.':32} {'same':5} | both runs"
    lines.append(head)
    agree = {"raw": 0, "corrected": 0}
    for i, v in enumerate(judged[("quiet", "raw")]):
        cells = []
        for kind in ("raw", "corrected"):
            a, b = judged[("quiet", kind)][i], judged[("loaded", kind)][i]
            eq = a.verdict == b.verdict  # borderline in both counts as equal
            agree[kind] += eq
            flag = lambda x: x.verdict + (" [busy]" if x.contended else "")  # noqa: E731
            cells.append(f"{flag(a):32} {flag(b):32} {'yes' if eq else 'NO':5}")
        lines.append(f"{v.id:4} {cells[0]} | {cells[1]} | {together[i].verdict}")
    n = len(judged[("quiet", "raw")])
    lines.append(f"target 'identical verdicts': {agree['raw']} of {n} as measured, {agree['corrected']} of {n} "
                 f"after the correction")
    lines.append("")
    lines.append("Headline figures: quiet, loaded, loaded/quiet as measured and after the correction; "
                 "'busy' = its verdict rests on cells measured > "
                 f"{(rc.get('contention') or {}).get('slowdown_cut', 1.25):g}× slower in the loaded run")
    fq, fl = figures(judged[("quiet", "raw")]), figures(judged[("loaded", "raw")])
    cq, cl = figures(judged[("quiet", "corrected")]), figures(judged[("loaded", "corrected")])
    busy = {f.name for v in judged[("loaded", "raw")] if v.contended for f in v.figures}
    rows = [(k, fq[k].value, fl[k].value, cq[k].value if k in cq else np.nan, cl[k].value if k in cl else np.nan,
             k in busy, fq[k].unit) for k in fq if k in fl]
    mq, ml = largest_medians(runs["quiet"], rc), largest_medians(runs["loaded"], rc)
    mcq, mcl = largest_medians(contention.corrected(runs["quiet"]), rc), largest_medians(contention.corrected(runs["loaded"]), rc)
    loaded_busy = runs["loaded"]["slowdown"].median() > (rc.get("contention") or {}).get("slowdown_cut", 1.25)
    rows += [(k, mq[k][0], ml[k][0], mcq[k][0], mcl[k][0], loaded_busy, "s") for k in mq if k in ml]
    ok = 0
    for k, a, b, ca, cb, is_busy, unit in rows:
        r, rc_ = b / a if a else np.nan, cb / ca if ca else np.nan
        within = np.isfinite(rc_) and abs(rc_ - 1) <= WITHIN
        ok += within or is_busy
        show = (lambda x: f"{x * 1e3:.4g} ms") if unit == "s" else (lambda x: f"{x:.3g}")
        lines.append(f"  {k[:70]:70} {show(a):>11} {show(b):>11} {r:6.2f}× | corr. {show(ca):>11} {show(cb):>11} "
                     f"{rc_:6.2f}× {'within 10%' if within else 'busy' if is_busy else 'OFF'}")
    lines.append(f"target 'within 10% after the correction, or flagged': {ok} of {len(rows)} figures")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ops", help="comma-separated subtree operations to time and judge for H3")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--keep", help="keep both pipeline copies in this folder")
    args = ap.parse_args()
    cfg = reduced_config(args.ops.split(",") if args.ops else None)
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ddxspike-stability-"))
    base.mkdir(parents=True, exist_ok=True)
    load = Load(base)

    def stop(signum, frame):
        load.stop()
        sys.exit(128 + signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    tables = {}
    try:
        for name in ("quiet", "loaded"):
            log(f"{name} run in {base / name} ...")
            if name == "loaded":
                load.start()
            try:
                tables[name] = pd.read_parquet(run_pipeline(base / name, cfg, args.cores))
            finally:
                load.stop()
    finally:
        load.stop()
        (base / "load.bin").unlink(missing_ok=True)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print(report(tables, cfg["report"]))


if __name__ == "__main__":
    main()
