"""Host fingerprint: the facts that make two measurements comparable, and a stable id for them.

Only stable facts go into the id (CPU, cores, memory, kernel, filesystem, tool versions); the
pipeline's commit and dirty flag are recorded beside it but do not change which host it is.
"""

import hashlib
import json
import os
import platform
import subprocess
from importlib import metadata

import psutil

PACKAGES = ["snakemake", "pandas", "pyarrow", "altair", "psutil", "GitPython", "PyYAML", "scipy"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _run(cmd, cwd=None) -> str:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _filesystem(path) -> str:
    path = os.path.realpath(path)
    best = ("", "")
    for part in psutil.disk_partitions(all=True):
        if path.startswith(part.mountpoint) and len(part.mountpoint) > len(best[0]):
            best = (part.mountpoint, part.fstype)
    return best[1]


def _version(pkg) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return ""


def fingerprint(scratch_dir: str, pipeline_dir: str = ".") -> dict:
    """Facts about this host; `host_id` hashes the comparable ones."""
    os.makedirs(scratch_dir, exist_ok=True)
    facts = {
        "cpu_model": _cpu_model(),
        "cores": psutil.cpu_count(logical=True),
        "memory_bytes": psutil.virtual_memory().total,
        "kernel": platform.release(),
        "machine": platform.machine(),
        "scratch_fs": _filesystem(scratch_dir),
        "python": platform.python_version(),
        "git": _run(["git", "--version"]).removeprefix("git version "),
        **{f"pkg_{p.lower()}": _version(p) for p in PACKAGES},
    }
    facts["host_id"] = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:12]
    facts["pipeline_commit"] = _run(["git", "rev-parse", "--short=12", "HEAD"], cwd=pipeline_dir)
    facts["pipeline_dirty"] = bool(_run(["git", "status", "--porcelain"], cwd=pipeline_dir))
    return facts
