"""Bottleneck profiles: a strategy run once under cProfile in a fresh process (untimed), its
functions grouped by what they spend time on (stat, readdir, read, YAML, git, ...), and for git
work the time of each git subprocess from its trace2 events (GIT_TRACE2_EVENT).

Each profiled call runs in the engine's fresh worker as the strategy profiled(); the plan of
which calls is budgets.profile.
"""

import cProfile
import importlib
import json
import os
import pstats
from pathlib import Path
from typing import Callable, Optional

import pandas as pd

from ddxspike.engine.plan import Hooks
from ddxspike.engine.trial import Outcome, TrialSpec

# First match wins: (category, substrings of "file:function").
CATEGORIES = [
    ("yaml", ("yaml/", "_yaml", "yaml.")),
    ("git subprocess", ("subprocess.py", "_posixsubprocess", "posix.waitpid", "select.poll", "wait4")),
    ("stat", ("posix.stat", "posix.lstat", "posix.fstat", "'stat' of 'posix.DirEntry", "genericpath.py:getsize",
              "genericpath.py:isfile", "genericpath.py:isdir", "posixpath.py:islink", "posix.DirEntry' objects>:stat",
              "is_symlink")),
    ("readdir", ("posix.scandir", "posix.listdir", "os.py:walk", "os.py:_walk", "os>:walk", "os>:_walk", "'is_dir' of", "'is_file' of",
                 "DirEntry")),
    ("read", ("'read' of '_io", "io.open", "posix.read", "posix.close", "posix.pread", "'readline'", "'readinto'", "posix.open", "_io.open", "'close' of '_io",
              "hashlib", "blake2b", "update' of")),
    ("sort / digest", ("sorted", "'sort'", "sha256", "'join' of")),
]
SCRIPTS_DIR = Path(__file__).resolve().parents[2]


def category(key: str) -> str:
    for name, needles in CATEGORIES:
        if any(n in key for n in needles):
            return name
    return "python (other)"


def _key(func) -> str:
    filename, line, name = func
    return f"{filename}:{name}" if filename != "~" else name


class Profiled(Hooks):
    """One profiled call as an engine variant: `prepare()` (untimed) before it runs; after it,
    its functions (from the stats file) and its git subprocesses (from `trace`: GIT_TRACE2_EVENT
    of the whole run, or the file an operation traces itself to)."""

    def __init__(self, out: Path, trace: Path, prepare: Optional[Callable[[], None]] = None):
        self.out, self.trace, self.prepare = out, trace, prepare
        self.functions: Optional[pd.DataFrame] = None
        self.git: Optional[pd.DataFrame] = None

    def before(self, spec, attempt):
        if self.prepare:
            self.prepare()
        return spec, {}

    def after(self, spec, attempt, row):
        if row.get("status") == "ok":
            self.functions = functions(pstats.Stats(str(self.out)))
            self.git = git_processes(self.trace)
        return {}


def variant(name: str, target: str, kwargs: dict, out_dir: Path, *, prime: bool = False,
            warmup: bool = False, trace: Optional[Path] = None,
            prepare: Optional[Callable[[], None]] = None) -> tuple[TrialSpec, Profiled]:
    """target(**kwargs) profiled in the engine's fresh worker (profiled()). With prime, the
    module's prime(**kwargs) runs first, unprofiled, and its result is passed as `state`; with
    warmup, one unprofiled call precedes the profiled one. Without `trace`, git's trace2 events
    of the whole run are recorded."""
    out = out_dir / f"{name}.pstats"
    own_trace = trace is None
    trace = trace or out_dir / f"{name}.trace2.json"
    spec = TrialSpec(dims={"strategy": name}, target="ddxspike.report.profile:profiled",
                     kwargs={"target": target, "kwargs": kwargs, "out": str(out), "prime": prime,
                             "warmup": warmup, "git_trace": str(trace) if own_trace else None})
    return spec, Profiled(out, trace, prepare)


def functions(st: pstats.Stats) -> pd.DataFrame:
    rows = []
    for func, (cc, nc, tt, ct, _callers) in st.stats.items():
        key = _key(func)
        rows.append({"function": key.replace(str(SCRIPTS_DIR) + "/", ""), "calls": nc, "tottime_s": tt,
                     "cumtime_s": ct, "category": category(key)})
    return pd.DataFrame(rows).sort_values("tottime_s", ascending=False, ignore_index=True)


def shares(fn: pd.DataFrame) -> pd.DataFrame:
    """Seconds and share of own (tottime) time per category."""
    s = fn.groupby("category")["tottime_s"].sum().sort_values(ascending=False)
    total = s.sum()
    return pd.DataFrame({"category": s.index, "seconds": s.values,
                         "share": [f"{v / total:.0%}" if total else "–" for v in s.values]})


def _subcommand(argv: list) -> str:
    """'subtree split', 'fetch', 'receive-pack' ...: the command, without options or paths."""
    prog = os.path.basename(argv[0]) if argv else "git"
    if prog.startswith("git-"):
        return prog[4:]
    words = [a for a in argv[1:] if not a.startswith("-") and "=" not in a]
    if not words:
        return "?"
    return " ".join(words[:2]) if words[0] == "subtree" and len(words) > 1 else words[0]


def git_processes(trace: Path) -> pd.DataFrame:
    """Wall time per git subcommand from trace2 events: each process's 'exit' t_abs, by argv."""
    if not trace.exists():
        return pd.DataFrame(columns=["git command", "processes", "seconds"])
    argv, took = {}, {}
    for line in trace.read_text(errors="replace").splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        sid = ev.get("sid")
        if ev.get("event") == "start":
            argv[sid] = _subcommand(ev.get("argv", []))
        elif ev.get("event") == "exit":
            took[sid] = ev.get("t_abs", 0.0)
    rows = pd.DataFrame([{"git command": "git " + argv.get(s, "?"), "seconds": t} for s, t in took.items()])
    if rows.empty:
        return pd.DataFrame(columns=["git command", "processes", "seconds"])
    return (rows.groupby("git command").agg(processes=("seconds", "size"), seconds=("seconds", "sum"))
            .sort_values("seconds", ascending=False).reset_index())


def profiled(target: str, kwargs: dict, out: str, prime: bool = False, warmup: bool = False,
             git_trace: Optional[str] = None) -> Outcome:
    """A strategy for the engine's worker: target(**kwargs) once under cProfile, its stats
    written to `out` (the worker's own clock around this means nothing and is not used)."""
    if git_trace:  # every git process this run starts writes its trace2 events there
        os.environ["GIT_TRACE2_EVENT"] = git_trace
    module, _, fn = target.partition(":")
    mod = importlib.import_module(module)
    kwargs = dict(kwargs)
    if prime and hasattr(mod, "prime"):
        # A cached strategy is measured after its untimed set-up (e.g. the first listing).
        kwargs["state"] = mod.prime(**kwargs)
    if warmup:
        getattr(mod, fn)(**kwargs)  # unprofiled: warm page cache, and a persistent cache filled
    prof = cProfile.Profile()
    prof.runcall(getattr(mod, fn), **kwargs)
    prof.dump_stats(out)
    return Outcome()
