"""Runs a cell's plan (plan.py), each trial in a fresh process (launch.py): the one loop that decides
what runs next. Every counted or heap trial becomes one row; failures are rows too.
`load_1m` is the 1-minute load average just before the trial started.
"""

import contextlib
import itertools
import os
import signal
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Optional

from . import calibrate
from .launch import run_trial
from .plan import Attempt, Plan, Variant

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


def run_cell(plan: Plan, log: Callable[[str], None] = print) -> list[dict]:
    """Every run the plan asks for, in its order (plan.py); one row per counted or heap trial,
    numbered by `order` across the whole cell.

    SIGINT or SIGTERM during the cell kills the running trial's whole tree, logs one line and
    exits the process (status 128 + the signal's number).
    """
    try:
        with _interruptible():
            return _run_plan(plan, log)
    except Interrupted as exc:
        log(f"interrupted by {exc.name}: killed the running trial's {getattr(exc, 'killed', 0)} "
            "process(es); stopping without writing results")
        raise SystemExit(128 + exc.signum) from None


class _Progress:
    """Where one variant stands: how many trials it still wants, and why it stops."""

    def __init__(self, variant: Variant, plan: Plan):
        self.variant, self.plan = variant, plan
        self.target = variant.trials
        self.reason = "planned"
        # Adaptive trials only where the plan left room for an interval (plan.Adaptive).
        ad = plan.adaptive
        self.adaptive = ad if ad and variant.trials >= ad.min_trials else None
        self.cap = max(variant.trials, ad.max_trials) if self.adaptive else variant.trials
        self.given_up: Optional[dict] = None  # the row every remaining trial gets
        self.timeouts = 0
        self.values: list[float] = []
        self.rows: list[dict] = []

    def wants(self, trial: int) -> bool:
        return trial < self.target

    def judge(self, row: dict, trial: int, log) -> None:
        """The give-up rule (warm-ups too), then, for a counted trial, the slow stop and the
        adaptive stop."""
        rule, status = self.plan.give_up, row.get("status")
        if status == "timeout":
            self.timeouts += 1
            if 0 < rule.timeouts_in_a_row <= self.timeouts:
                times = "once" if rule.timeouts_in_a_row == 1 else f"{rule.timeouts_in_a_row} times"
                self.given_up = {"status": "timeout",
                                 "error": f"not run: timed out {times} in a row "
                                          f"(timeout {self.plan.timeout_s:g} s)"}
                self.reason = "gave-up-timeouts"
        else:
            self.timeouts = 0
        if status == "mismatch" and rule.wrong_first_answer and trial <= 0:
            which = "the first trial" if trial == 0 else "a warm-up"
            self.given_up = {"status": "mismatch",
                             "error": f"not run: {which} answered wrongly: {row.get('error')}"}
            self.reason = "mismatch"
            log(f"  {self.variant.name}: {which} answered wrongly, its remaining trials are not "
                f"run: {row.get('error')}")
        if self.given_up:  # its remaining planned trials become rows saying so
            self.target = max(trial + 1, min(self.target, self.variant.trials))
            return
        if trial < 0:
            return
        slow = self.plan.slow
        if (trial == 0 and slow and slow.trials < self.target
                and (row.get("wall_s") or self.plan.timeout_s) > slow.after_s):
            self.target, self.reason, self.adaptive = slow.trials, "slow", None
        if self.adaptive:
            self._adapt(row, trial + 1)

    def _adapt(self, row: dict, n: int) -> None:
        value = row.get(self.adaptive.metric)
        if row.get("status") == "ok" and value is not None:
            self.values.append(value)
        if n >= self.adaptive.min_trials and _narrow(self.values, self.adaptive.half_width):
            self.target, self.reason = n, "narrow"
        elif n >= self.target:
            if n < self.cap:
                self.target = n + 1  # still noisy: one more round
            else:
                self.reason = "cap"


def _narrow(values: list[float], half_width: float) -> bool:
    """The interval of the median (the report's own) is within half_width x the median."""
    from ddxspike.stats.summary import median_interval  # numpy: only when adaptive

    if len(values) < 2:
        return False
    lo, hi, _ = median_interval(values)
    median = statistics.median(values)
    return median > 0 and (hi - lo) / 2 < half_width * median


def _run_plan(plan: Plan, log) -> list[dict]:
    calib_before = calibrate.measure()  # contention: the same fixed work before and after
    rows: list[dict] = []
    order = itertools.count()
    started = time.monotonic()

    def run(p: _Progress, mode: str, trial: int, n_run: int) -> dict:
        v = p.variant
        spec = v.heap_spec if (mode == "heap" and v.heap_spec) else v.spec
        if p.given_up:
            return {**spec.dims, **p.given_up, "mode": mode, "trial": trial,
                    "load_1m": os.getloadavg()[0]}
        attempt = Attempt(mode, trial, n_run)
        spec, facts = v.hooks.before(spec, attempt)
        load = os.getloadavg()[0]
        row = {**spec.dims, **facts, **run_trial(spec, mode, plan.timeout_s, workdir)}
        row.update(v.hooks.after(spec, attempt, row))
        row.update(mode=mode, trial=trial, load_1m=load)
        return row

    def counted(row: dict) -> dict:
        row["order"] = next(order)
        rows.append(row)
        return row

    with tempfile.TemporaryDirectory(prefix="ddxspike-trial-") as tmp:
        workdir = Path(tmp)
        for group in plan.groups:
            progress = [_Progress(v, plan) for v in group.variants]
            trial = -group.warmups
            while trial < 0 or any(p.wants(trial) for p in progress):
                for p in progress:
                    if trial >= 0 and not p.wants(trial):
                        continue  # had its trials
                    ran = not p.given_up
                    if trial < 0 and not ran:
                        continue
                    row = run(p, "time", trial, trial + group.warmups)
                    if trial < 0:
                        # Never silently: say what went wrong (judge says it for a mismatch).
                        if row.get("status") not in ("ok", "mismatch"):
                            log(f"  warm-up of {p.variant.name}: {row.get('status')}: "
                                f"{row.get('error')}")
                    else:
                        p.rows.append(counted(row))
                        if plan.progress == "trials":
                            said = (f"{row['wall_s']:.2f} s" if row.get("status") == "ok"
                                    else row.get("status"))
                            log(f"  {p.variant.name} trial {trial + 1}: {said} "
                                f"({time.monotonic() - started:.0f} s elapsed)")
                    if ran:
                        p.judge(row, trial, log)
                if trial >= 0 and plan.progress == "rounds":
                    left = sum(p.wants(trial + 1) for p in progress)
                    log(f"  round {trial + 1} of {len(progress)} variant(s) done, {left} to go "
                        f"({time.monotonic() - started:.1f} s)")
                trial += 1
            for p in progress:
                for r in p.rows:
                    r["stop_reason"] = p.reason
            for h in range(max((v.heap_trials for v in group.variants), default=0)):
                for p in progress:
                    if h < p.variant.heap_trials:
                        counted(run(p, "heap", h, h))
    return calibrate.stamp(rows, calib_before)
