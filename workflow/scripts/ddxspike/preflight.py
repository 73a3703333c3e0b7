"""Disk preflight: refuse a run whose generated repositories would not fit on scratch_dir.

What a run will generate is read from its jobs once the DAG is known (the onstart hook in
common.smk), before any job runs. Each repository's disk need comes from a footprint model
(bytes on disk per configured byte and per file) measured on repositories the pipeline
generated, so the check is fast and happens before anything is written. It covers working
trees, git's objects, and the copies the experiments keep or make under scratch_dir.
"""

import json
import math
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Footprint:
    """Disk a repository uses = per_byte x configured bytes + per_file x files."""

    per_byte: float
    per_file: float

    def estimate(self, files: int, nbytes: int) -> int:
        return math.ceil(self.per_byte * nbytes + self.per_file * files)


# All measured here (ext4, 4 KiB blocks) with disk_usage() (st_blocks, hard links once).
# generate_library, `python -m ddxspike.preflight measure` on libraries of 100 files / 10 MB,
# 1,000 / 100 MB and 5,000 / 5 MB, least squares (residuals < 1.5%): the working tree, a packed
# .git about as big, and one block of slack per file. Checked at xlarge (20,000 files, 2 GB,
# 200 commits): 4.00 GB used, 4.02 GB estimated.
LIBRARY = Footprint(per_byte=1.97, per_file=4096.0)
# subtree_fixtures (upstream, upstream-next.git, host, hostlib, hostlib-rejoined) at 100 commits:
# 43.5 MB for 10 MB / 100 files, 405.5 MB for 100 MB / 1,000 files; three working trees' slack.
SUBTREE = Footprint(per_byte=4.02, per_file=3 * 4096.0)
# ... and each commit more or fewer than 100 (history_size at commit_counts): 10 MB / 100 files at
# 100, 500 and 2,000 commits used 43.5, 48.1 and 67.7 MB, 13.8 KB a commit above the model's
# 41.4 MB (upstream, its advanced copy and the host carry the history: blobs, trees, commits).
SUBTREE_COMMITS = 100
SUBTREE_PER_COMMIT = 13_800
# measure_subtree's work space (one trial's copy at a time, deleted after): peak 34.2 MB sampled
# every 0.2 s on 10 MB; timed jobs never overlap, so it is needed once, for the largest cell.
SUBTREE_WORK_PER_BYTE = 3.4
# The release-tarball route's inputs beside it (two tar.gz of incompressible assets and a host
# with the first installed), built once per cell: 7.4 GB at xlarge (2 GB), measured with du.
SUBTREE_TARBALLS_PER_BYTE = 3.7
# A real upstream's cell (subtree.upstreams) scales with its history as stored (the bundle, or the
# source's git folder): DDX's ddx-library, 7.4 MB bundle, used 30.6 MB at 20 host commits. Its
# work space is taken as the synthetic one's with those bytes for the library's (4.5 MB there).
SUBTREE_REAL_PER_HISTORY_BYTE = 4.2
# generate_edgecase: wide-folder 20,000 files = 168.6 MB (a block of text and a loose object per
# file); one-big-file is sparse: 1 GB apparent = 4.6 MB.
EDGE = Footprint(per_byte=0.005, per_file=8430.0)
# Every edge case is a repository with one commit: 0.17 MB (empty) to 0.27 MB (symlink-loop,
# unreadable-folder, non-utf8-names) measured.
EDGE_BASE = 270_000
# deep-nesting: a folder, a file and two loose objects (blob, tree) per level; 64, 200, 400 and 700
# levels used 1.68, 4.41, 8.15 and 13.95 MB: 0.44 MB + 19.3 KB a level (within 2.5%).
DEEP = Footprint(per_byte=0.0, per_file=19_300.0)
DEEP_BASE = 440_000
# generate_catalogue: a catalogue of N HELIX workflows (plain files, no .git): w10 0.84 MB,
# w100 9.24 MB, the 30-workflow bad-input catalogue 2.72 MB; the largest per-workflow figure.
CATALOGUE_PER_WORKFLOW = 92_500
# Head-room for what the model cannot see (logs, filesystem metadata, other users of the disk).
MARGIN = 1.10


class PreflightError(RuntimeError):
    """The planned repositories do not fit; the message names them and the shortfall."""


def estimate(spec: dict, footprint: Footprint = LIBRARY) -> int:
    """Bytes a size's repository needs under scratch_dir, from its config entry."""
    return footprint.estimate(spec["files"], spec["bytes"])


def subtree_estimate(spec: dict, commits: int) -> int:
    """Bytes of a subtree cell's pristine repositories: a size's shape at `commits` commits."""
    history = SUBTREE_PER_COMMIT * (commits - SUBTREE_COMMITS)
    return max(estimate(spec, SUBTREE) + history, estimate(spec, SUBTREE) // 2)


def edge_estimate(spec: dict) -> int:
    """Bytes of an edge case from every parameter of its kind (defaults: edgecases.DEFAULTS)."""
    from ddxspike.repos.edgecases import DEFAULTS

    kind = spec.get("kind")
    p = {**DEFAULTS.get(kind, {}), **spec}
    if kind == "deep":
        return DEEP_BASE + DEEP.estimate(p["levels"], 0)
    return EDGE_BASE + EDGE.estimate(p.get("files", 0), p.get("bytes", 0))


def catalogue_workflows(name: str, config: dict) -> int:
    """Workflows in a generate_catalogue job, from its record (repos/model.py)."""
    from ddxspike.repos.model import generated_catalogues

    repo = generated_catalogues(config).get(name)
    return int(repo.spec["workflows"]) if repo else 0


def subtree_work_per_byte(config: dict) -> float:
    """measure_subtree's work space per library byte (+ the release-tarball route's inputs)."""
    ops = (config.get("subtree") or {}).get("operations", [])
    tarballs = any(op.startswith("tarball-") for op in ops)
    return SUBTREE_WORK_PER_BYTE + (SUBTREE_TARBALLS_PER_BYTE if tarballs else 0)


def planned_needs(jobs, config: dict) -> dict:
    """label -> bytes for everything the run's jobs will generate under scratch_dir; jobs are
    (rule name, wildcards) pairs (Snakemake's needrun jobs, read at start-up)."""
    sizes, edges = config["sizes"], config.get("edge_cases") or {}
    upstreams = (config.get("subtree") or {}).get("upstreams") or {}
    needs, work = {}, 0
    for name, wc in jobs:
        if name == "generate_library" and wc.get("size") in sizes:
            needs[wc["size"]] = estimate(sizes[wc["size"]])
        elif name == "subtree_fixtures" and wc.get("size") in sizes:
            needs[f"subtree {wc['size']} c{wc['commits']}"] = subtree_estimate(
                sizes[wc["size"]], int(wc["commits"]))
        elif name in ("subtree_fixtures", "measure_subtree") and wc.get("size") in upstreams:
            from ddxspike.repos.subtree_fixtures import history_bytes

            nbytes = history_bytes(upstreams[wc["size"]], config.get("existing_repos") or {})
            if name == "subtree_fixtures":
                needs[f"subtree {wc['size']} c{wc['commits']}"] = math.ceil(
                    SUBTREE_REAL_PER_HISTORY_BYTE * nbytes)
            else:
                work = max(work, math.ceil(subtree_work_per_byte(config) * nbytes))
        elif name == "generate_edgecase" and wc.get("case") in edges:
            needs[f"edge {wc['case']}"] = edge_estimate(edges[wc["case"]])
        elif name == "generate_catalogue" and config.get("catalogue"):
            n = catalogue_workflows(wc.get("catalogue", ""), config)
            if n:
                needs[f"catalogue {wc['catalogue']}"] = n * CATALOGUE_PER_WORKFLOW
        elif name == "measure_subtree" and wc.get("size") in sizes:
            work = max(work, math.ceil(subtree_work_per_byte(config) * sizes[wc["size"]]["bytes"]))
    if work:
        needs["subtree work space"] = work
    return dict(sorted(needs.items()))


def free_bytes(path) -> int:
    """Free space on the filesystem that holds (or will hold) path."""
    p = Path(os.path.abspath(path))
    while not p.exists():
        p = p.parent
    return shutil.disk_usage(p).free


def human(n: float) -> str:
    if abs(n) < 1000:
        return f"{int(n)} B"
    for unit in ("KB", "MB", "GB", "TB", "PB"):
        n /= 1000
        if abs(n) < 1000 or unit == "PB":
            return f"{n:.1f} {unit}"


def check(needs: dict, scratch_dir, free: int | None = None, margin: float = MARGIN) -> dict:
    """needs: label -> bytes the run will write under scratch_dir. Raises PreflightError when
    their sum (x margin) exceeds the free space there."""
    if not needs:
        return needs
    free = free_bytes(scratch_dir) if free is None else free
    total = math.ceil(sum(needs.values()) * margin)
    if total > free:
        listed = ", ".join(f"{n} ({human(b)})" for n, b in needs.items())
        raise PreflightError(
            f"disk preflight: generating {listed} needs {human(total)} on scratch_dir="
            f"{scratch_dir} (with {margin - 1:.0%} head-room) but only {human(free)} is free: "
            f"short by {human(total - free)}. Free space, point scratch_dir at a larger disk, "
            "drop sizes, or set `preflight: false` (--config preflight=False) to run anyway."
        )
    return needs


def fits_message(needs: dict, scratch_dir) -> str:
    listed = ", ".join(f"{n} ({human(b)})" for n, b in needs.items())
    return (f"disk preflight: {listed} fit on scratch_dir={scratch_dir} "
            f"({human(free_bytes(scratch_dir))} free)")


def before_run(config: dict, jobs, scratch_dir, free: int | None = None) -> str:
    """The onstart hook's work: check what the run's jobs will generate, unless the config
    says `preflight: false`. Returns a log line; raises PreflightError."""
    if not config.get("preflight", True):
        return "disk preflight: skipped (preflight: false)"
    needs = check(planned_needs(jobs, config), scratch_dir, free=free)
    return fits_message(needs, scratch_dir) if needs else "disk preflight: nothing to generate"


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
    rows = []
    for size_dir in sorted(Path(scratch_dir).iterdir()):
        summary = Path(manifests) / f"{size_dir.name}.json"
        if not summary.exists() or not (size_dir / "repo").exists():
            continue
        s = json.loads(summary.read_text())
        rows.append({"size": size_dir.name, "files": s["files"], "bytes": s["bytes"],
                     "disk": disk_usage(size_dir), "repo": disk_usage(size_dir / "repo"),
                     "git": disk_usage(size_dir / "repo" / ".git"), "estimate": estimate(s)})
    return rows


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "measure":
        sys.exit("usage: python -m ddxspike.preflight measure <scratch_dir> [manifests_dir]")
    for r in measure(*sys.argv[2:]):
        print(f"{r['size']}: {r['files']} files, {human(r['bytes'])} configured -> "
              f"{human(r['disk'])} on disk (repo {human(r['repo'])}, .git {human(r['git'])}; "
              f"ratio {r['disk'] / r['bytes']:.2f}); estimate {human(r['estimate'])}")
