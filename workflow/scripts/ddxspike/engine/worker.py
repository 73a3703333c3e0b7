"""Runs one trial in this fresh process and writes its result as JSON.

Usage: python -m ddxspike.engine.worker SPEC.json RESULT.json
(or a child of a fork server, forkserver.py, that has made the same imports).
Mode "time" times the strategy call; mode "heap" runs it under tracemalloc instead (its own
untimed trial, because tracing slows allocation several-fold).
"""

import json
import os
import resource
import sys
import time
import traceback
import tracemalloc

from ddxspike.engine.trial import Outcome, load_function
from ddxspike.groundtruth import diff_paths, digest_paths


def expected_paths(spec: dict) -> list:
    path = spec["expected_paths_file"]
    if path.endswith(".parquet"):
        from ddxspike.repos import manifest

        return manifest.read_paths(path, spec["expected_paths_column"])
    with open(path, "rb") as f:
        return [line for line in f.read().split(b"\0") if line]


def check(spec: dict, outcome, result: dict) -> None:
    """Fill items/digest and decide ok or mismatch against the spec's ground truth."""
    if outcome.paths is not None:
        result["items"] = len(outcome.paths)
        result["digest"] = digest_paths(outcome.paths)
    else:
        result["items"] = outcome.items
        result["digest"] = outcome.digest
    wrong = []
    if spec.get("expected_items") is not None and result["items"] != spec["expected_items"]:
        wrong.append(f"{result['items']} items, expected {spec['expected_items']}")
    if spec.get("expected_digest") and result["digest"] != spec["expected_digest"]:
        wrong.append("digest differs from ground truth")
    if wrong:
        result["status"] = "mismatch"
        detail = ""
        paths = outcome.paths
        if paths is None and outcome.relist is not None:
            paths = list(outcome.relist())
        if paths is not None and spec.get("expected_paths_file"):
            detail = ": " + diff_paths(paths, expected_paths(spec))
        result["error"] = "; ".join(wrong) + detail


def storage_read_bytes() -> int | None:
    """Bytes this process and its reaped children fetched from storage (/proc/self/io
    read_bytes): page-cache hits do not count, so it shows what a cold trial really read."""
    try:
        with open("/proc/self/io") as f:
            for line in f:
                if line.startswith("read_bytes:"):
                    return int(line.split(":")[1])
    except OSError:
        pass
    return None


def resident_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def peak_rss_bytes(startup_peak: int = 0) -> int:
    """Largest resident set of this process tree: this process's own high-water mark (VmHWM of
    its current memory map), that of any child it reaped (git, find, ...) and, in a fork
    server's child, the server's at the fork (`startup_peak`: the start-up a fresh worker's
    own mark includes).

    Not the runner's wait4 ru_maxrss: Linux carries the parent's memory map high-water mark
    into a child across fork/vfork + exec, so a worker started by a 300 MB Snakemake job would
    report 300 MB whatever the strategy did.
    """
    own = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) * 1024
                break
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return max(own, children, startup_peak)


def cpu_times() -> tuple[float, float]:
    """(user, system) seconds of this process plus its reaped children (git, find, ...);
    getrusage has microsecond resolution where os.times() has clock ticks (10 ms)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + kids.ru_utime, me.ru_stime + kids.ru_stime


def main(spec_file: str, result_file: str, startup_peak: int = 0) -> int:
    with open(spec_file) as f:
        spec = json.load(f)
    result = {"status": "ok", "error": None}
    try:
        fn = load_function(spec["target"])
        kwargs = spec.get("kwargs") or {}
        if spec.get("setup"):  # untimed preparation in this process; its result is `state`
            kwargs = {**kwargs, "state": load_function(spec["setup"])(**kwargs)}
        if spec.get("mode") == "heap":
            tracemalloc.start()
            outcome = fn(**kwargs)
            if isinstance(outcome, Outcome):  # an untimed trial: the parsed listing counts, as
                outcome.finish()              # a Python strategy's list does
            result["py_heap_peak_bytes"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        else:
            result["rss_before_bytes"] = resident_bytes()
            io0 = storage_read_bytes()
            u0, s0 = cpu_times()
            t0 = time.perf_counter_ns()
            outcome = fn(**kwargs)
            t1 = time.perf_counter_ns()
            u1, s1 = cpu_times()
            io1 = storage_read_bytes()
            result["wall_s"] = (t1 - t0) / 1e9
            result["user_s"] = u1 - u0
            result["sys_s"] = s1 - s0
            if io0 is not None and io1 is not None:
                result["storage_read_bytes"] = io1 - io0
        result["peak_rss_bytes"] = peak_rss_bytes(startup_peak)
        if not isinstance(outcome, Outcome):
            raise TypeError(f"{spec['target']} returned {type(outcome).__name__}, not an Outcome")
        outcome.finish()  # deferred parsing of raw output: after the clock, before the check
        for key in ("bytes_read", "cache_hits", "cache_misses"):
            result[key] = getattr(outcome, key)
        result.update(outcome.extra or {})
        check(spec, outcome, result)
    except Exception as exc:  # a failing strategy is a finding, recorded as an error row
        result["status"] = "error"
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc(limit=5)
    with open(result_file + ".tmp", "w") as f:
        json.dump(result, f)
    os.replace(result_file + ".tmp", result_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
