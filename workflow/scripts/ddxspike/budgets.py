"""Every experiment's trial budget, read from its config section here and nowhere else, as the
plan the engine runs (engine/plan.py): one function per experiment and one for the profiler.

A job declares its variants (what to run, with which untimed hooks around it); the function
here decides how often and in which groups, from config.
"""

from typing import Callable

from ddxspike.engine.plan import Adaptive, GiveUp, Group, Hooks, Plan, Prepare, SlowStop, Variant
from ddxspike.engine.trial import TrialSpec


def give_up(section: dict, default: int = 2) -> GiveUp:
    return GiveUp(timeouts_in_a_row=section.get("give_up_after_timeouts", default))


def discovery_trials(depth: str, summary: dict, edge_case: bool, trials: int, budget: dict,
                     state: str = "warm") -> int:
    """measurement.trials, cut where a cell is costly (README, "time budget")."""
    n = min(trials, budget.get("trials", trials))
    if state == "cold" and budget.get("cold_trials"):
        n = min(n, budget["cold_trials"])  # each cold trial pays an eviction + residency check
    if depth == "hash" and budget.get("hash_trials"):
        n = min(n, budget["hash_trials"])
    if budget.get("big_repo_bytes") and summary["bytes"] >= budget["big_repo_bytes"]:
        n = min(n, budget.get("big_repo_trials", n))
    if edge_case and budget.get("edge_case_trials"):
        n = min(n, budget["edge_case_trials"])
    return max(1, n)


def discovery(measurement: dict, budget: dict, specs: list[TrialSpec], summary: dict,
              edge_case: bool, prepare_cold: Callable[[TrialSpec], dict]) -> Plan:
    """Asset discovery: warm variants (measurement.warmups), then cold ones (budget.cold_warmups),
    each prepared by `prepare_cold`; every variant its own trials (discovery_trials). A heap
    trial is untimed and never cold: with the warm group, or the cold one when there is none."""
    warm = [s for s in specs if s.dims["cache_state"] != "cold"]
    cold = [s for s in specs if s.dims["cache_state"] == "cold"]
    heap = measurement.get("heap_trials", 0)

    def variants(group, hooks, heap_trials):
        return [Variant(s, discovery_trials(s.dims["depth"], summary, edge_case,
                                            measurement["trials"], budget, s.dims["cache_state"]),
                        heap_trials, hooks=hooks) for s in group]

    groups = [Group(variants(warm, Hooks(), heap), measurement["warmups"]),
              Group(variants(cold, Prepare(prepare_cold), 0 if warm else heap),
                    budget.get("cold_warmups", measurement["warmups"]))]
    return Plan([g for g in groups if g.variants], measurement["trial_timeout_s"],
                give_up=give_up(measurement), adaptive=Adaptive.from_config(budget.get("adaptive")))


def catalogue_view(section: dict, measurement: dict, strategy: str) -> dict:
    """The config as one catalogue strategy's job sees it (the rule's params): its own entry,
    not the others', so that editing another strategy's budget reruns nothing here."""
    keep = ("warmups", "trials", "heap_trials", "adaptive")
    return {**{k: section[k] for k in keep if k in section},
            "strategy": section["strategies"][strategy],
            "trial_timeout_s": measurement["trial_timeout_s"],
            "give_up_after_timeouts": measurement.get("give_up_after_timeouts", 2)}


def catalogue_queries(view: dict) -> int:
    """Queries answered per trial, the first one cold."""
    return view["strategy"].get("queries", 1)


def catalogue(view: dict, timed: TrialSpec, heap: TrialSpec) -> Plan:
    """A workflow catalogue job: one variant, its warm-ups, trials and heap trials the
    strategy's own, else the section's; heap trials answer `heap`'s (fewer) queries."""
    entry = view["strategy"]
    n = {k: entry.get(k, view.get(k, default))
         for k, default in (("warmups", 1), ("trials", 3), ("heap_trials", 1))}
    variant = Variant(timed, n["trials"], n["heap_trials"], heap_spec=heap)
    return Plan([Group([variant], n["warmups"])], view["trial_timeout_s"], give_up=give_up(view),
                adaptive=Adaptive.from_config(view.get("adaptive")))


def subtree(section: dict, variants: list[tuple[TrialSpec, Hooks]]) -> Plan:
    """A git subtree cell: every operation `trials` times after `warmups` (the first counts git
    processes), fewer for slow ones (slow_trials past slow_after_s), one trial each on a fresh
    workspace made by its hooks.

    Give-up rule: one timeout, not the others' two (subtree.give_up_after_timeouts): the
    subtree's timeout is DDX's own 300 s abort limit, so one run past it is the finding (DDX
    would have aborted) and a second costs another 5 minutes of a 30-minute run. A wrong answer
    does not stop an operation: its wrong answers are findings about DDX's commands
    (on_mismatch: record), timed like right ones.
    """
    return Plan([Group([Variant(spec, section["trials"], hooks=hooks) for spec, hooks in variants],
                       section["warmups"])],
                section["trial_timeout_s"],
                give_up=GiveUp(timeouts_in_a_row=section.get("give_up_after_timeouts", 1),
                               wrong_first_answer=False),
                slow=SlowStop(after_s=section["slow_after_s"], trials=section["slow_trials"]),
                adaptive=Adaptive.from_config(section.get("adaptive")), progress="trials")


def profile(section: dict, variants: list[tuple[TrialSpec, Hooks]]) -> Plan:
    """Bottleneck profiles (report.profile): each profiled call once, untimed, in a fresh
    process, one after another."""
    return Plan([Group([Variant(spec, 1, hooks=hooks) for spec, hooks in variants])],
                section.get("timeout_s", 600), progress="trials")
