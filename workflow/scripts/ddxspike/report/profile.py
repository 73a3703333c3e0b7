"""Bottleneck profiles: a strategy run once under cProfile in a fresh process (untimed), its
functions grouped by what they spend time on (stat, readdir, read, YAML, git, ...), and for git
work the time of each git subprocess from its trace2 events (GIT_TRACE2_EVENT).

Usage as a worker: python -m ddxspike.report.profile SPEC.json OUT.pstats
"""

import cProfile
import importlib
import json
import os
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

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


def run(target: str, kwargs: dict, timeout_s: float = 600, prime: bool = False,
        warmup: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Profile target(**kwargs) in a fresh process; (functions, git subprocesses). With prime, the
    module's prime(**kwargs) runs first, unprofiled, and its result is passed as `state`; with
    warmup, one unprofiled call precedes the profiled one."""
    with tempfile.TemporaryDirectory(prefix="ddxspike-profile-") as tmp:
        spec, out, trace = Path(tmp, "spec.json"), Path(tmp, "out.pstats"), Path(tmp, "trace2.json")
        spec.write_text(json.dumps({"target": target, "kwargs": kwargs, "prime": prime, "warmup": warmup}))
        env = dict(os.environ, GIT_TRACE2_EVENT=str(trace),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(SCRIPTS_DIR), os.environ.get("PYTHONPATH")])))
        proc = subprocess.run([sys.executable, "-m", "ddxspike.report.profile", str(spec), str(out)],
                              env=env, capture_output=True, text=True, timeout=timeout_s)
        if proc.returncode != 0:
            raise RuntimeError(f"profiling {target} failed ({proc.returncode}): {proc.stderr[-800:]}")
        return functions(pstats.Stats(str(out))), git_processes(trace)


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


def main(spec_file: str, out_file: str) -> int:
    spec = json.loads(Path(spec_file).read_text())
    module, _, fn = spec["target"].partition(":")
    mod = importlib.import_module(module)
    kwargs = dict(spec["kwargs"])
    if spec.get("prime") and hasattr(mod, "prime"):
        # A cached strategy is measured after its untimed set-up (e.g. the first listing).
        kwargs["state"] = mod.prime(**kwargs)
    if spec.get("warmup"):
        getattr(mod, fn)(**kwargs)  # unprofiled: warm page cache, and a persistent cache filled
    prof = cProfile.Profile()
    prof.runcall(getattr(mod, fn), **kwargs)
    prof.dump_stats(out_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
