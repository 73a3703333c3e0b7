"""Runs the trials of one cell, each in a fresh worker process, interleaved across its specs.

Order: warm specs first (warm-ups, then trials A B C A B C ...), then cold specs, each cold trial
preceded by `prepare` (cache eviction) — so a cold trial never leaves a warm one half-cold.
Then the untimed heap trials. Every trial becomes one row; failures are rows too.
`load_1m` is the 1-minute load average just before the trial started.
"""

import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from subprocess import DEVNULL, Popen
from typing import Callable, Optional

from . import calibrate
from .trial import TrialSpec

SCRIPTS_DIR = Path(__file__).resolve().parents[2]  # workflow/scripts, so workers import ddxspike


def _worker_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SCRIPTS_DIR), env.get("PYTHONPATH")]))
    env["PYTHONHASHSEED"] = "0"
    return env


def run_trial(spec: TrialSpec, mode: str, timeout_s: float, workdir: Path) -> dict:
    """One fresh process, one value. Returns the measured fields (no dimensions)."""
    spec_file = workdir / "spec.json"
    result_file = workdir / "result.json"
    stderr_file = workdir / "stderr.txt"
    result_file.unlink(missing_ok=True)
    spec_file.write_text(json.dumps({**spec.to_json(), "mode": mode}))
    cmd = [sys.executable, "-m", "ddxspike.engine.worker", str(spec_file), str(result_file)]
    with open(stderr_file, "wb") as err:
        # A session of its own, so a timeout can kill the worker and everything it spawned.
        proc = Popen(cmd, env=_worker_env(), stdin=DEVNULL, stdout=DEVNULL, stderr=err,
                     start_new_session=True)
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout_s, kill)
    timer.start()
    try:
        # Exited but not yet reaped: the zombie keeps the group id ours while we clean up.
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    finally:
        timer.cancel()
        timer.join()
    try:
        # Anything the strategy left running in its group (timeout or not) must not run on
        # into the next trial.
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    # The worker reports its tree's peak resident set itself (worker.peak_rss_bytes): wait4's
    # ru_maxrss would include this process's own size, inherited across fork and exec.
    _, status = os.waitpid(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    row = {}
    if timed_out.is_set():
        row.update(status="timeout", error=f"no answer within {timeout_s:g} s; process group killed")
    elif result_file.exists():
        row.update(json.loads(result_file.read_text()))
        row.pop("traceback", None)
    else:
        tail = stderr_file.read_bytes()[-600:].decode(errors="replace").strip()
        row.update(status="error", error=f"worker exited {proc.returncode}: {tail}")
    if row.get("user_s") is not None:
        row["cpu_s"] = row["user_s"] + row["sys_s"]
    return row


def run_cell(
    specs: list[TrialSpec],
    *,
    warmups: int,
    trials: int,
    timeout_s: float,
    heap_trials: int = 0,
    prepare: Optional[Callable[[TrialSpec], dict]] = None,
    log: Callable[[str], None] = print,
    give_up_after_timeouts: int = 2,
) -> list[dict]:
    """All trials of the given specs; `prepare(spec)` runs before each cold trial. A spec
    with its own `trials` (at most `trials`) drops out of the rounds after that many.

    A spec that timed out `give_up_after_timeouts` times in a row is not run again in this
    cell: its remaining trials become `timeout` rows saying they were not run, so one hanging
    strategy costs a few timeouts, not trials x timeout.
    """
    calib_before = calibrate.measure()  # contention: the same fixed work before and after
    rows: list[dict] = []
    order = 0
    warm = [s for s in specs if s.dims.get("cache_state", "warm") != "cold"]
    cold = [s for s in specs if s.dims.get("cache_state") == "cold"]
    timeouts_in_a_row = [0] * len(specs)
    index = {id(s): i for i, s in enumerate(specs)}
    started = time.monotonic()

    def hopeless(i: int) -> bool:
        return give_up_after_timeouts > 0 and timeouts_in_a_row[i] >= give_up_after_timeouts

    def skipped(timeout_s: float) -> dict:
        return {"status": "timeout",
                "error": f"not run: timed out {give_up_after_timeouts} times in a row "
                         f"(timeout {timeout_s:g} s)"}

    def wanted(spec: TrialSpec) -> int:
        return trials if spec.trials is None else min(spec.trials, trials)

    with tempfile.TemporaryDirectory(prefix="ddxspike-trial-") as tmp:
        workdir = Path(tmp)
        for group in (warm, cold):
            rounds = max((wanted(s) for s in group), default=0)
            for rnd in range(warmups + rounds):
                counted = rnd >= warmups
                for spec in group:
                    if rnd >= warmups + wanted(spec):
                        continue  # had its own, smaller number of trials
                    i = index[id(spec)]
                    if hopeless(i):
                        pre, load, measured = {}, os.getloadavg()[0], skipped(timeout_s)
                    else:
                        pre = prepare(spec) if (prepare and group is cold) else {}
                        load = os.getloadavg()[0]
                        measured = run_trial(spec, "time", timeout_s, workdir)
                        timed_out = measured.get("status") == "timeout"
                        timeouts_in_a_row[i] = timeouts_in_a_row[i] + 1 if timed_out else 0
                    if not counted:
                        if measured.get("status") != "ok":  # never silently: say what went wrong
                            log(f"  warm-up of {spec.dims.get('strategy')} "
                                f"{spec.dims.get('depth') or ''}: {measured.get('status')}: "
                                f"{measured.get('error')}")
                        continue
                    rows.append({**spec.dims, **pre, **measured, "mode": "time",
                                 "trial": rnd - warmups, "order": order, "load_1m": load})
                    order += 1
                if counted:
                    log(f"  round {rnd - warmups + 1}/{rounds} of {len(group)} spec(s) done "
                        f"({time.monotonic() - started:.1f} s)")
        for rnd in range(heap_trials):
            for i, spec in enumerate(specs):
                load = os.getloadavg()[0]
                measured = skipped(timeout_s) if hopeless(i) else run_trial(spec, "heap", timeout_s, workdir)
                rows.append({**spec.dims, **measured, "mode": "heap", "trial": rnd,
                             "order": order, "load_1m": load})
                order += 1
    return calibrate.stamp(rows, calib_before)
