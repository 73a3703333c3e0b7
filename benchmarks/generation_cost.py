"""What generating a library costs, against the cheapest way to get the same files into git.

Generates a library with the generator, then times the baseline on the very files it produced:
`cp -r` of the working tree (without .git) into a fresh folder, `git init`, `git add -A`,
`git commit`. Prints both wall times and generator/baseline (target for xlarge: <= 2).

    python benchmarks/generation_cost.py --files 20000 --bytes 2000000000 --commits 200 \
        --workdir /tmp/gencost
"""

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow" / "scripts"))

from ddxspike.repos.generator import LibrarySpec, generate_library  # noqa: E402
from ddxspike.gitrun import environment  # noqa: E402


def baseline(src: Path, dest: Path) -> float:
    env = environment()
    start = time.perf_counter()
    dest.mkdir(parents=True)
    entries = sorted(str(p) for p in src.iterdir() if p.name != ".git")
    subprocess.run(["cp", "-r", *entries, str(dest)], check=True)
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                ["git", "-c", "user.name=Baseline", "-c", "user.email=b@example.invalid",
                 "commit", "-q", "-m", "baseline"]):
        subprocess.run(cmd, cwd=dest, check=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--bytes", type=int, default=2_000_000_000)
    ap.add_argument("--commits", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--keep", action="store_true", help="leave the repositories behind")
    a = ap.parse_args()
    repo, base = a.workdir / "repo", a.workdir / "baseline"
    for p in (repo, base):
        shutil.rmtree(p, ignore_errors=True)
    spec = LibrarySpec(files=a.files, bytes=a.bytes, commits=a.commits, seed=a.seed)
    start = time.perf_counter()
    summary = generate_library(spec, repo, a.workdir / "manifest.parquet", log=print)
    gen_s = time.perf_counter() - start
    base_s = baseline(repo, base)
    print(f"files={summary['files']} bytes={summary['bytes']} commits={summary['commits']} "
          f"binary_files={summary['binary_files']} tree={summary['tree']}")
    print(f"generator {gen_s:.1f} s; baseline (cp -r + git init/add/commit) {base_s:.1f} s; "
          f"ratio {gen_s / base_s:.2f}")
    if not a.keep:
        start = time.perf_counter()
        shutil.rmtree(a.workdir, ignore_errors=True)
        print(f"cleanup {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
