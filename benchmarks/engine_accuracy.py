"""Does the engine time an external command as an established tool does?

Times `find` listing a generated DDX library with the measurement engine (fresh process per
trial, output read and checked against the manifest) and with `hyperfine -N` (no shell) on the
same tree in the same run, alternating blocks of both so that machine drift hits them alike, and
prints both medians and their ratio (the engine's claim: within 10%). The engine's clock runs
from spawning `find` until it has exited and its output has been read; splitting the output
into paths and checking it happen after the clock (Outcome.finish). The engine runs both ways
it can start a trial's process (launch.METHOD), alternating trial by trial: forked from a fork
server (the default) and as a new interpreter (spawn, what every trial did before), and prints
the same trials' times and memory figures and the engine's cost per trial of both side by side. Also measures the engine's
own cost per trial: what a trial costs outside the timed region (worker start, imports, result
file) and inside it (timer and call overhead of a strategy that does nothing), and the spawn
overhead of `true` (the `spawn-overhead` strategy) by both tools.

    python benchmarks/engine_accuracy.py                      # generates the large library (1 GB)
    python benchmarks/engine_accuracy.py --repo PATH [--manifest M.parquet]
    python benchmarks/engine_accuracy.py --files 1000 --bytes 100000000   # a smaller library

The library is generated under --scratch (default /tmp/ddxspike-accuracy) and kept for reruns.
Exit status 1 when the ratio (fork server) is outside 0.9-1.1 or a trial failed.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow" / "scripts"))

from ddxspike.engine import TrialSpec, launch, plan, run_cell  # noqa: E402
from ddxspike.repos.manifest import read_summary, summary_path  # noqa: E402

FIND = ["find", ".", "-path", "./.git", "-prune", "-o", "-type", "f", "-print0"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def library(args) -> tuple[Path, dict | None]:
    """(repository, manifest summary or None): the given repo, or a generated one (kept)."""
    if args.repo:
        summary = None
        if args.manifest:
            summary = read_summary(args.manifest)
        return Path(args.repo), summary
    try:
        from ddxspike.repos.generator import LibrarySpec, generate_library
    except ImportError as exc:
        sys.exit(f"the generator is not available ({exc}); point --repo at an existing tree")
    base = Path(args.scratch) / f"{args.files}-{args.bytes}"
    repo, manifest = base / "repo", base / "manifest.parquet"
    if not summary_path(manifest).exists():
        log(f"generating {args.files} files / {args.bytes / 1e6:.0f} MB under {base} ...")
        shutil.rmtree(base, ignore_errors=True)
        generate_library(LibrarySpec(files=args.files, bytes=args.bytes, commits=args.commits),
                         repo_dir=repo, manifest_path=manifest, log=log)
    return repo, read_summary(manifest)


def hyperfine_times(argv: list[str], cwd: Path, runs: int, warmups: int,
                    output: str = "null") -> list[float]:
    """hyperfine -N (no intermediate shell) times of argv run in cwd, in seconds; `output`
    null (hyperfine's default: stdout to /dev/null) or pipe (read and discarded, as the engine
    reads it)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "h.json"
        cmd = ["hyperfine", "-N", "--style", "none", "--warmup", str(warmups), "--runs", str(runs),
               "--output", output, "--export-json", str(out), " ".join(argv)]
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())["results"][0]["times"]


METHODS = ("fork", "spawn")


def engine_rows(spec: TrialSpec, trials: int, warmups: int, method: str) -> list[dict]:
    launch.METHOD = method
    try:
        rows = run_cell(plan.cell([spec], warmups=warmups, trials=trials, timeout_s=120), log=lambda m: None)
    finally:
        launch.METHOD = "fork"
    bad = [r for r in rows if r["status"] != "ok"]
    if bad:
        sys.exit(f"engine trial failed ({method}): {bad[0]['status']}: {bad[0]['error']}")
    return rows


def engine_block(spec: TrialSpec, trials: int, warmups: int) -> dict[str, list[dict]]:
    """Rows of spec's trials by method, the methods alternating trial by trial (each after its
    warm-ups), so that the same trials of both meet the same machine."""
    got = {m: [] for m in METHODS}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(warmups + trials):
            for method in METHODS if i % 2 else METHODS[::-1]:
                launch.METHOD = method
                row = launch.run_trial(spec, "time", 120, Path(tmp))  # what run_cell runs
                if row["status"] != "ok":
                    sys.exit(f"engine trial failed ({method}): {row['status']}: {row['error']}")
                if i >= warmups:
                    got[method].append(row)
    launch.METHOD = "fork"
    return got


def engine_overhead(n: int) -> dict:
    """Per method: cost of one trial around the timed call (run_trial, and run_cell's wall per
    trial of n no-op trials), and the timed call of a no-op strategy; methods alternate."""
    spec = TrialSpec(dims={"strategy": "noop"}, target="ddxspike.engine.probes:noop",
                     expected_items=0)
    got = {m: {"totals": [], "inside": [], "cell": []} for m in METHODS}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            for method in METHODS if i % 2 else METHODS[::-1]:
                launch.METHOD = method
                t0 = time.perf_counter()
                row = launch.run_trial(spec, "time", 60, Path(tmp))
                got[method]["totals"].append(time.perf_counter() - t0)
                got[method]["inside"].append(row["wall_s"])
        launch.METHOD = "fork"
    for i in range(3):
        for method in METHODS if i % 2 else METHODS[::-1]:
            t0 = time.perf_counter()
            engine_rows(spec, n, 0, method)
            got[method]["cell"].append((time.perf_counter() - t0) / n)
    return {m: {"trial_total_s": statistics.median(g["totals"]),
                "timed_noop_s": statistics.median(g["inside"]),
                "cell_per_trial_s": statistics.median(g["cell"])} for m, g in got.items()}


def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", help="an existing tree to list (default: generate a library)")
    ap.add_argument("--manifest", help="its manifest .parquet (with .json beside): checks output")
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--bytes", type=int, default=1_000_000_000)
    ap.add_argument("--commits", type=int, default=1)
    ap.add_argument("--scratch", default="/tmp/ddxspike-accuracy")
    ap.add_argument("--blocks", type=int, default=15, help="alternating engine/hyperfine blocks")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per block and tool")
    ap.add_argument("--warmups", type=int, default=1)
    ap.add_argument("--generate-only", action="store_true", help="make the library, time nothing")
    args = ap.parse_args()
    if args.generate_only:
        print(library(args)[0])
        return 0
    if shutil.which("hyperfine") is None:
        sys.exit("hyperfine not found on PATH (Debian package hyperfine, .ci/apt-packages.txt)")

    repo, summary = library(args)
    spec = TrialSpec(dims={"strategy": "find"}, target="ddxspike.engine.external:run_command",
                     kwargs={"argv": FIND, "cwd": str(repo), "output": "nul"},
                     expected_items=summary["files"] if summary else None,
                     expected_digest=summary["digest"] if summary else None)
    spawn = TrialSpec(dims={"strategy": "spawn"}, target="ddxspike.engine.external:spawn_overhead",
                      kwargs={"cwd": str(repo)}, expected_items=0)

    eng = {m: [] for m in METHODS}  # rows of find, per method
    eng_true = {m: [] for m in METHODS}  # rows of spawn-overhead (`true`), per method
    hyp, hyp_pipe, hyp_true = [], [], []
    load, block_ratios, block_agree = [], [], []
    for b in range(args.blocks):
        load.append(os.getloadavg()[0])
        # The three timings rotate within blocks (E H P, H P E, P E H, ...): none always runs
        # first or right after another's work. E runs the engine both ways, alternating.
        timed = {}
        runs = {"E": lambda: engine_block(spec, args.runs, args.warmups),
                "H": lambda: hyperfine_times(FIND, repo, args.runs, args.warmups),
                "P": lambda: hyperfine_times(FIND, repo, args.runs, args.warmups, output="pipe")}
        order = "EHP"[b % 3:] + "EHP"[:b % 3]
        for k in order:
            timed[k] = runs[k]()
        for m in METHODS:
            eng[m] += timed["E"][m]
        hyp += timed["H"]
        hyp_pipe += timed["P"]
        block_ratios.append(med(timed["E"]["fork"], "wall_s") / statistics.median(timed["H"]))
        block_agree.append(med(timed["E"]["fork"], "wall_s") / med(timed["E"]["spawn"], "wall_s"))
        for m, rows in engine_block(spawn, args.runs, 1).items():
            eng_true[m] += rows
        hyp_true += hyperfine_times(["true"], repo, args.runs, 1)
        log(f"block {b + 1}/{args.blocks}: engine {med(eng['fork'], 'wall_s') * 1e3:.2f} ms "
            f"(spawned {med(eng['spawn'], 'wall_s') * 1e3:.2f}), hyperfine "
            f"{statistics.median(hyp) * 1e3:.2f} ms (load {load[-1]:.2f})")
    over = engine_overhead(20)

    e, es, h = med(eng["fork"], "wall_s"), med(eng["spawn"], "wall_s"), statistics.median(hyp)
    ratio = e / h
    walls = [r["wall_s"] for r in eng["fork"]]
    shape = (f"{summary['files']} files, {summary['bytes'] / 1e6:.0f} MB; output checked "
             "against the manifest") if summary else "output not checked (no --manifest)"
    print(f"tree: {repo} ({shape})")
    print(f"find, warm cache, {len(walls)} trials each, load {min(load):.2f}-{max(load):.2f}:")
    print(f"  engine median     {e * 1e3:9.3f} ms  (min {min(walls) * 1e3:.3f}, max {max(walls) * 1e3:.3f})")
    print(f"  hyperfine -N med. {h * 1e3:9.3f} ms  (min {min(hyp) * 1e3:.3f}, max {max(hyp) * 1e3:.3f})")
    print(f"  ratio engine/hyperfine {ratio:.3f}  -> {'within' if 0.9 <= ratio <= 1.1 else 'OUTSIDE'} 10%")
    hp = statistics.median(hyp_pipe)
    print(f"  hyperfine -N --output=pipe {hp * 1e3:.3f} ms: ratio engine/that {e / hp:.3f} (the engine "
          "reads the output through a pipe too; pipe writes cost find "
          f"{(hp - h) * 1e3:+.3f} ms against /dev/null)")
    print(f"  median of the {len(block_ratios)} per-block ratios {statistics.median(block_ratios):.3f} "
          "(each block times both tools back to back: robust to drift)")
    print(f"  the same trials in new interpreters (spawn, alternating with the fork server's): "
          f"{es * 1e3:.3f} ms, ratio to hyperfine {es / h:.3f}; fork/spawn {e / es:.3f} (median "
          f"of per-block ratios {statistics.median(block_agree):.3f})")
    print("spawn overhead (`true`, the spawn-overhead strategy): engine "
          + ", ".join(f"{m} {med(eng_true[m], 'wall_s') * 1e3:.3f} ms" for m in METHODS)
          + f"; hyperfine -N {statistics.median(hyp_true) * 1e3:.3f} ms")
    print("memory, medians (fork / spawn): "
          + "; ".join(f"{what} {key} {med(rows['fork'], key) / 2**20:.2f} / "
                      f"{med(rows['spawn'], key) / 2**20:.2f} MiB"
                      for what, rows in (("find", eng), ("true", eng_true))
                      for key in ("rss_before_bytes", "peak_rss_bytes")))
    for m in METHODS:
        o = over[m]
        how = "fork server child" if m == "fork" else "new interpreter"
        print(f"engine overhead per trial ({m}): {o['trial_total_s'] * 1e3:.1f} ms outside the "
              f"timed region ({how}, imports, result file; {o['cell_per_trial_s'] * 1e3:.1f} ms "
              "per trial of a 20-trial cell); "
              f"{o['timed_noop_s'] * 1e6:.2f} µs inside it (timer + call of a no-op strategy)")
    return 0 if 0.9 <= ratio <= 1.1 else 1


if __name__ == "__main__":
    sys.exit(main())
