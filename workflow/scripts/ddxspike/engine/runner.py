"""Runs the trials of one cell, each in a fresh process (launch.py), interleaved across its specs.

Order: warm specs first (warm-ups, then trials A B C A B C ...), then cold specs, each cold trial
preceded by `prepare` (cache eviction) — so a cold trial never leaves a warm one half-cold.
Then the untimed heap trials. Every trial becomes one row; failures are rows too.
`load_1m` is the 1-minute load average just before the trial started.
"""

import contextlib
import os
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Optional

from . import calibrate
from .launch import run_trial
from .trial import TrialSpec


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached the job during run_cell (Ctrl-C, or Snakemake stopping it)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


@contextlib.contextmanager
def _interruptible():
    """While run_cell runs: SIGINT and SIGTERM raise Interrupted (once; a second signal while the
    trial's tree is being killed is ignored), so the worker's tree is killed, not orphaned."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; the caller handles its own signals
        return
    raised = []

    def handler(signum, _frame):
        if not raised:
            raised.append(signum)
            raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


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
    strategy costs a few timeouts, not trials x timeout. A spec whose warm-up or first trial
    answered wrongly stops at once: a wrong answer repeats, so its remaining trials become
    `mismatch` rows saying they were not run, carrying the wrong answer's message.

    SIGINT or SIGTERM during the cell kills the running trial's whole tree, logs one line and
    exits the process (status 128 + the signal's number).
    """
    try:
        with _interruptible():
            return _run_cell(specs, warmups=warmups, trials=trials, timeout_s=timeout_s,
                             heap_trials=heap_trials, prepare=prepare, log=log,
                             give_up_after_timeouts=give_up_after_timeouts)
    except Interrupted as exc:
        log(f"interrupted by {exc.name}: killed the running trial's {getattr(exc, 'killed', 0)} "
            "process(es); stopping without writing results")
        raise SystemExit(128 + exc.signum) from None


def _run_cell(specs, *, warmups, trials, timeout_s, heap_trials, prepare, log,
              give_up_after_timeouts) -> list[dict]:
    calib_before = calibrate.measure()  # contention: the same fixed work before and after
    rows: list[dict] = []
    order = 0
    warm = [s for s in specs if s.dims.get("cache_state", "warm") != "cold"]
    cold = [s for s in specs if s.dims.get("cache_state") == "cold"]
    timeouts_in_a_row = [0] * len(specs)
    # The row every remaining trial of a spec gets once it is given up (None: still running).
    given_up: list[Optional[dict]] = [None] * len(specs)
    index = {id(s): i for i, s in enumerate(specs)}
    started = time.monotonic()

    def give_up(i: int, spec: TrialSpec, measured: dict, counted: bool, trial: int) -> None:
        if measured.get("status") == "timeout":
            timeouts_in_a_row[i] += 1
            if give_up_after_timeouts > 0 and timeouts_in_a_row[i] >= give_up_after_timeouts:
                given_up[i] = {"status": "timeout",
                               "error": f"not run: timed out {give_up_after_timeouts} times in "
                                        f"a row (timeout {timeout_s:g} s)"}
            return
        timeouts_in_a_row[i] = 0
        if measured.get("status") == "mismatch" and (not counted or trial == 0):
            which = "the first trial" if counted else "a warm-up"
            given_up[i] = {"status": "mismatch",
                           "error": f"not run: {which} answered wrongly: {measured.get('error')}"}
            log(f"  {_name(spec)}: {which} answered wrongly, its remaining trials are not run: "
                f"{measured.get('error')}")

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
                    if given_up[i]:
                        pre, load, measured = {}, os.getloadavg()[0], dict(given_up[i])
                    else:
                        pre = prepare(spec) if (prepare and group is cold) else {}
                        load = os.getloadavg()[0]
                        measured = run_trial(spec, "time", timeout_s, workdir)
                        give_up(i, spec, measured, counted, rnd - warmups)
                    if not counted:
                        # Never silently: say what went wrong (give_up has said it for a mismatch).
                        if measured.get("status") not in ("ok", "mismatch"):
                            log(f"  warm-up of {_name(spec)}: {measured.get('status')}: "
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
                measured = (dict(given_up[i]) if given_up[i]
                            else run_trial(spec, "heap", timeout_s, workdir))
                rows.append({**spec.dims, **measured, "mode": "heap", "trial": rnd,
                             "order": order, "load_1m": load})
                order += 1
    return calibrate.stamp(rows, calib_before)


def _name(spec: TrialSpec) -> str:
    return " ".join(str(spec.dims[k]) for k in ("strategy", "depth", "cache_state")
                    if spec.dims.get(k))
