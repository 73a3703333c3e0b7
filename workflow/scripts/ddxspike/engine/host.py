"""Host fingerprint: the facts that make two measurements comparable, and a stable id for them.

`host_id` hashes the machine only (CPU model, cores, memory, kernel, architecture, filesystem of
scratch_dir): two runs with the same id ran on the same kind of machine and may be compared.
Software versions (Python, git, find, fdfind, snakemake and key packages, DDX's own binary:
`ddx version` and its sha256), the clock, the pipeline's own commit and dirty flag are recorded
beside the id, so a comparison can show what
changed, but a package upgrade does not make a host a different host.

The machine and software facts do not change within a pipeline run: the first job of a run on a
host measures them (tool versions, `ddx version` and its sha256, package metadata: 50-165 ms a
job) and leaves them in scratch_dir/.host-facts for the run's other jobs there, keyed by run id,
host name, interpreter, scratch_dir and the DDX binary's identity; a file is replaced whole, so
parallel jobs and jobs on other hosts of a cluster read either nothing or a whole file. The
pipeline checkout's commit and dirty flag stay per job: they describe the code the job ran.
"""

import hashlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from ddxspike import ddxcli, gitrun

PACKAGES = ["snakemake", "pandas", "pyarrow", "numpy", "scipy", "altair", "psutil", "GitPython",
            "PyYAML"]
# External tools the strategies run: their versions change what a command strategy measures.
TOOLS = {"git": ["git", "--version"], "find": ["find", "--version"],
         "fdfind": ["fdfind", "--version"], "hyperfine": ["hyperfine", "--version"]}
MACHINE_KEYS = ["cpu_model", "cores", "memory_bytes", "kernel", "machine", "scratch_fs"]
CACHE_DIR = ".host-facts"  # in scratch_dir


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _run(cmd, cwd=None, env=None) -> str:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=10,
                              env=env).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _first_line(cmd) -> str:
    out = _run(cmd)
    return out.splitlines()[0] if out else ""


def _filesystem(path) -> str:
    import psutil

    path = os.path.realpath(path)
    best = ("", "")
    for part in psutil.disk_partitions(all=True):
        mount = part.mountpoint
        inside = path == mount or path.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) > len(best[0]):
            best = (mount, part.fstype)
    return best[1]


def _version(pkg) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return ""


def config_hash(config) -> str:
    """A short stable hash of the configuration that shaped a row (key order does not matter)."""
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def fingerprint(scratch_dir: str, pipeline_dir: str = ".", ddx_binary: str | None = None) -> dict:
    """Facts about this host; `host_id` hashes the machine facts (MACHINE_KEYS). `ddx_binary`:
    the DDX binary the job measured (ddx_version and ddx_sha256 are "" without one)."""
    facts = dict(_run_facts(scratch_dir, ddx_binary))
    # Through the one git runner's rule: read-only (a job never refreshes the checkout's index).
    env = gitrun.environment(read_only=True)
    facts["pipeline_commit"] = _run(["git", "rev-parse", "--short=12", "HEAD"], pipeline_dir, env)
    facts["pipeline_dirty"] = bool(_run(["git", "status", "--porcelain"], pipeline_dir, env))
    return facts


def _run_facts(scratch_dir: str, ddx_binary: str | None) -> dict:
    """The machine and software facts, measured once per run on this host (module docstring)."""
    from ddxspike.experiment import run_id  # experiment imports this module

    # One file per host and setting; a new run or a rebuilt binary replaces it.
    slot = {"host": socket.gethostname(), "python": os.path.realpath(sys.executable),
            "scratch_dir": os.path.realpath(scratch_dir),
            "ddx": os.path.realpath(ddx_binary) if ddx_binary else None}
    binary = os.stat(ddx_binary) if ddx_binary else None
    key = {**slot, "run_id": run_id(),
           "ddx_file": [binary.st_size, binary.st_mtime_ns, binary.st_ino] if binary else None}
    name = hashlib.sha256(json.dumps(slot, sort_keys=True).encode()).hexdigest()[:12]
    path = Path(scratch_dir) / CACHE_DIR / f"{slot['host']}-{name}.json"
    try:
        kept = json.loads(path.read_text())
        if kept["key"] == key:
            return kept["facts"]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, another run's or another setting's: measure
    facts = measure(scratch_dir, ddx_binary)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps({"key": key, "facts": facts}, indent=1, sort_keys=True))
    os.replace(tmp, path)
    return facts


def measure(scratch_dir: str, ddx_binary: str | None = None) -> dict:
    """The machine and software facts, measured now."""
    import psutil  # here only: a job that reads the facts kept skips its import (60 ms of CPU)

    with tempfile.TemporaryDirectory(prefix="ddxspike-host-") as home:
        ddx = ddxcli.identify(ddx_binary, Path(home))
    os.makedirs(scratch_dir, exist_ok=True)
    freq = psutil.cpu_freq()
    facts = {
        "cpu_model": _cpu_model(),
        "cores": psutil.cpu_count(logical=True),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_bytes": psutil.virtual_memory().total,
        "kernel": platform.release(),
        "machine": platform.machine(),
        "scratch_fs": _filesystem(scratch_dir),
        "cpu_max_mhz": float(freq.max) if freq and freq.max else None,
        "clock_resolution_ns": int(time.get_clock_info("perf_counter").resolution * 1e9),
        "python": platform.python_version(),
        **{f"tool_{name}": _first_line(cmd) for name, cmd in TOOLS.items()},
        **{f"pkg_{p.lower()}": _version(p) for p in PACKAGES},
        **ddx,
    }
    machine = {k: facts[k] for k in MACHINE_KEYS}
    facts["host_id"] = hashlib.sha256(json.dumps(machine, sort_keys=True).encode()).hexdigest()[:12]
    return facts
