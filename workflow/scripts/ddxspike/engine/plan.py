"""A cell's plan as data: what the engine runs, in which order, and when a variant stops.

A plan is groups of variants. The engine (runner.run_cell) runs the groups one after another;
inside a group, its warm-ups and then its counted trials round by round across the variants
(A B C, A B C, ...), then the group's untimed heap trials. A variant stops when it has had its
trials, or earlier by one of the plan's rules, and its time rows say which (`stop_reason`):

- planned: it ran its planned trials;
- slow: its first counted trial took longer than `slow.after_s`, so it ran `slow.trials`;
- narrow / cap: adaptive trials (`adaptive`): the interval of its median became narrow, or it
  reached the cap while still noisy;
- gave-up-timeouts / mismatch: the give-up rule stopped it; its remaining trials are rows that
  say they were not run.

The engine knows no experiment: ddxspike/budgets.py builds each experiment's plan from config.
"""

from dataclasses import dataclass, field
from typing import Callable, Optional

from .trial import TrialSpec

STOP_REASONS = ("planned", "slow", "narrow", "cap", "gave-up-timeouts", "mismatch")


@dataclass(frozen=True)
class Attempt:
    """One run of a variant, as its hooks see it."""

    mode: str  # time | heap
    trial: int  # the row's trial number; warm-ups count up to -1 (-2, -1, then 0, 1, ...)
    run: int  # 0, 1, 2, ... over every run of the variant in this mode, warm-ups included

    @property
    def warmup(self) -> bool:
        return self.trial < 0


class Hooks:
    """Untimed work around each run of a variant (the default: none). `before` may hand back
    another spec for this run (a fresh workspace's paths) and facts for its row; `after` gets
    the measured row and returns fields to add or override (a verified answer's status)."""

    def before(self, spec: TrialSpec, attempt: Attempt) -> tuple[TrialSpec, dict]:
        return spec, {}

    def after(self, spec: TrialSpec, attempt: Attempt, row: dict) -> dict:
        return {}


class Prepare(Hooks):
    """`prepare(spec)` before each timed run (a cold start's cache eviction); its facts go on
    the row (residency_before, caches_dropped)."""

    def __init__(self, prepare: Callable[[TrialSpec], dict]):
        self.prepare = prepare

    def before(self, spec, attempt):
        return spec, (self.prepare(spec) if attempt.mode == "time" else {})


@dataclass
class Variant:
    spec: TrialSpec  # its dims go on every row
    trials: int  # planned counted trials
    heap_trials: int = 0  # untimed tracemalloc trials, after its group's timed ones
    heap_spec: Optional[TrialSpec] = None  # what a heap trial runs, when not `spec`
    hooks: Hooks = field(default_factory=Hooks)

    @property
    def name(self) -> str:
        return " ".join(str(self.spec.dims[k]) for k in ("strategy", "depth", "cache_state")
                        if self.spec.dims.get(k))


@dataclass
class Group:
    variants: list[Variant]
    warmups: int = 0  # runs of every variant before its counted trials (no rows)


@dataclass(frozen=True)
class GiveUp:
    """When a variant is not run again in this cell. One rule for every experiment; each plan
    sets its numbers (budgets.py says why where they differ)."""

    timeouts_in_a_row: int = 2  # warm-ups count; 0: never give up on timeouts
    wrong_first_answer: bool = True  # a wrong warm-up or first trial: a wrong answer repeats


@dataclass(frozen=True)
class SlowStop:
    """A variant whose first counted trial took longer than after_s (a timeout or a failure
    without a time counts as slow) runs at most `trials` (fewer trials for slow operations,
    chosen by a measured time, not guessed)."""

    after_s: float
    trials: int


@dataclass(frozen=True)
class Adaptive:
    """Trials chosen by the interval of the median (stats.summary.median_interval, the one the
    report prints): a variant planned with at least min_trials stops once the interval's
    half-width is below `half_width` x its median, and runs past its planned count up to
    max_trials while it is wider. A variant cut below min_trials keeps its cut."""

    min_trials: int
    max_trials: int
    half_width: float = 0.05
    metric: str = "wall_s"

    @classmethod
    def from_config(cls, section: Optional[dict]) -> Optional["Adaptive"]:
        """None when the experiment's `adaptive` section is absent, null or enabled: false."""
        if not section or not section.get("enabled", True):
            return None
        if section["max_trials"] < section["min_trials"]:
            raise ValueError(f"adaptive: max_trials {section['max_trials']} is below min_trials "
                             f"{section['min_trials']}")
        return cls(min_trials=section["min_trials"], max_trials=section["max_trials"],
                   half_width=section.get("half_width", 0.05))


@dataclass
class Plan:
    groups: list[Group]
    timeout_s: float
    give_up: GiveUp = field(default_factory=GiveUp)
    slow: Optional[SlowStop] = None
    adaptive: Optional[Adaptive] = None
    # Progress in the job's log: a line per round (many short trials) or per trial (long ones).
    progress: str = "rounds"

    @property
    def variants(self) -> list[Variant]:
        return [v for g in self.groups for v in g.variants]


def cell(specs: list[TrialSpec], *, trials: int, timeout_s: float, warmups: int = 0,
         heap_trials: int = 0, prepare: Optional[Callable[[TrialSpec], dict]] = None,
         **rules) -> Plan:
    """The plain plan: every spec `trials` times with one budget, warm specs first, then cold
    ones (a cold trial never leaves a warm one half-cold), each group with `warmups`;
    `prepare(spec)` runs before each timed cold run."""
    warm = [s for s in specs if s.dims.get("cache_state", "warm") != "cold"]
    cold = [s for s in specs if s.dims.get("cache_state") == "cold"]
    cold_hooks = Prepare(prepare) if prepare else Hooks()
    groups = [Group([Variant(s, trials, heap_trials, hooks=h) for s in g], warmups)
              for g, h in ((warm, Hooks()), (cold, cold_hooks)) if g]
    return Plan(groups, timeout_s, **rules)
