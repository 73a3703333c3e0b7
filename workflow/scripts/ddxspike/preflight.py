"""Disk preflight: refuse a run whose generated repositories would not fit on scratch_dir.

A size's disk need is estimated from its configured files and bytes with a footprint model
(bytes on disk per configured byte and per file) measured on generated repositories by
`python -m ddxspike.preflight measure <scratch_dir>` (see FOOTPRINT), so the check is fast and
happens before anything is written. It covers the working tree, git's objects and the copies the
experiments keep under scratch_dir/<size>/.
"""

import math
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Footprint:
    """Disk used under scratch_dir/<size>/ = per_byte x configured bytes + per_file x files."""

    per_byte: float
    per_file: float


# Measured here (ext4, 4 KiB blocks) with `python -m ddxspike.preflight measure` on generated
# libraries of 100 files / 10 MB, 1,000 / 100 MB and 5,000 / 5 MB, fitted by least squares
# (residuals under 1.5%): the working tree plus a packed .git of about the same size, and one
# block of slack per file.
FOOTPRINT = Footprint(per_byte=1.97, per_file=4096.0)
# Head-room for what the model cannot see (logs, filesystem metadata, other users of the disk).
MARGIN = 1.10


class PreflightError(RuntimeError):
    """The planned repositories do not fit; the message names sizes and shortfall."""


def estimate(spec: dict, footprint: Footprint = FOOTPRINT) -> int:
    """Bytes one size needs under scratch_dir/<size>/, from its config entry."""
    return math.ceil(footprint.per_byte * spec["bytes"] + footprint.per_file * spec["files"])


def free_bytes(path) -> int:
    """Free space on the filesystem that holds (or will hold) path."""
    p = Path(os.path.abspath(path))
    while not p.exists():
        p = p.parent
    return shutil.disk_usage(p).free


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1000
    return f"{n:.1f} TB"


def check(plan: dict, scratch_dir, free: int | None = None, footprint: Footprint = FOOTPRINT,
          margin: float = MARGIN) -> dict:
    """plan: size name -> config entry of every size this run will generate. Returns the
    estimate per size; raises PreflightError when their sum (x margin) exceeds free space."""
    needs = {name: estimate(spec, footprint) for name, spec in sorted(plan.items())}
    if not needs:
        return needs
    free = free_bytes(scratch_dir) if free is None else free
    total = math.ceil(sum(needs.values()) * margin)
    if total > free:
        listed = ", ".join(f"{n} ({human(b)})" for n, b in needs.items())
        raise PreflightError(
            f"disk preflight: generating {listed} needs {human(total)} on scratch_dir="
            f"{scratch_dir} (with {margin:.0%} head-room) but only {human(free)} is free: "
            f"short by {human(total - free)}. Free space, point scratch_dir at a larger disk, "
            "drop sizes, or set `preflight: false` to run anyway."
        )
    return needs


def before_run(config: dict, jobs, scratch_dir, free: int | None = None) -> str:
    """The onstart hook's work: check the sizes the run's jobs will generate, unless the
    config says `preflight: false`. Returns a log line; raises PreflightError."""
    if not config.get("preflight", True):
        return "disk preflight: skipped (preflight: false)"
    needs = check(planned_sizes(jobs, config["sizes"]), scratch_dir, free=free)
    return fits_message(needs, scratch_dir) if needs else "disk preflight: nothing to generate"


def fits_message(needs: dict, scratch_dir) -> str:
    listed = ", ".join(f"{n} ({human(b)})" for n, b in needs.items())
    return (f"disk preflight: {listed} fit on scratch_dir={scratch_dir} "
            f"({human(free_bytes(scratch_dir))} free)")


def planned_sizes(jobs, sizes: dict, rule: str = "generate_library") -> dict:
    """The sizes this run will generate: config entries of the needed `rule` jobs, given as
    (rule name, wildcards mapping) pairs (Snakemake's needrun jobs, read at start-up)."""
    return {wc["size"]: sizes[wc["size"]] for name, wc in jobs
            if name == rule and wc.get("size") in sizes}


def disk_usage(path) -> int:
    """Bytes allocated below path (st_blocks, like du), hard links counted once."""
    seen, total = set(), 0
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            st = os.lstat(os.path.join(root, name))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total


def measure(scratch_dir, manifests="results/manifests") -> list[dict]:
    """Disk used per generated size (scratch_dir/<size>/) against its configured shape."""
    import json

    rows = []
    for size_dir in sorted(Path(scratch_dir).iterdir()):
        summary = Path(manifests) / f"{size_dir.name}.json"
        if not summary.exists() or not (size_dir / "repo").exists():
            continue
        s = json.loads(summary.read_text())
        used = disk_usage(size_dir)
        rows.append({"size": size_dir.name, "files": s["files"], "bytes": s["bytes"],
                     "disk": used, "repo": disk_usage(size_dir / "repo"),
                     "git": disk_usage(size_dir / "repo" / ".git"),
                     "estimate": estimate(s)})
    return rows


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "measure":
        sys.exit("usage: python -m ddxspike.preflight measure <scratch_dir> [manifests_dir]")
    for r in measure(*sys.argv[2:]):
        print(f"{r['size']}: {r['files']} files, {human(r['bytes'])} configured -> "
              f"{human(r['disk'])} on disk (repo {human(r['repo'])}, .git {human(r['git'])}; "
              f"ratio {r['disk'] / r['bytes']:.2f}); estimate {human(r['estimate'])}")
