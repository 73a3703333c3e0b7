"""Strategies with a known behaviour, for checking the engine itself (its tests and
benchmarks/engine_accuracy.py): one that does nothing, one that lists what it is told, one
that fails, one that kills its own worker, two that hang with a child process (one detached), and
one that describes the process it runs in."""

import json
import os
import subprocess
import time

from .trial import Outcome


def noop() -> Outcome:
    """No work at all: its wall time is the timer's own cost, its trial the engine's overhead."""
    return Outcome(paths=[])


def listing(paths: list, seconds: float = 0.0) -> Outcome:
    """Answers with the given paths (after `seconds`), right or wrong."""
    if seconds:
        time.sleep(seconds)
    return Outcome(paths=list(paths))


def fail(message: str = "deliberate failure") -> Outcome:
    raise RuntimeError(message)


def crash(code: int = 3) -> Outcome:
    """Ends the worker without a result, as a segfaulting extension would."""
    os._exit(code)


def die_by_signal(signum: int = 9) -> Outcome:
    """Ends the worker by a signal (SIGKILL: as the kernel's OOM killer would)."""
    os.kill(os.getpid(), signum)
    time.sleep(60)


def hang(pid_file: str = "") -> Outcome:
    """Starts a child that outlives any timeout, records its pid, then never answers."""
    child = subprocess.Popen(["sleep", "3600"])
    if pid_file:
        with open(pid_file, "w") as f:
            f.write(str(child.pid))
    while True:
        time.sleep(3600)


def read_files(root: str) -> Outcome:
    """Reads every file below root to the end: its bytes read are known exactly."""
    paths, read = [], 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            full = os.path.join(dirpath, name)
            with open(full, "rb") as f:
                read += len(f.read())
            paths.append(os.path.relpath(full, root))
    return Outcome(paths=paths, bytes_read=read)


def hang_detached(pid_file: str) -> Outcome:
    """Starts a grandchild that leaves the worker's process group and session (`setsid -f`: its
    parent exits at once, so it is an orphan too), records its pid and the worker's, and hangs."""
    with open(pid_file + ".worker", "w") as f:
        f.write(str(os.getpid()))
    subprocess.run(["setsid", "-f", "sh", "-c", 'echo $$ > "$1.tmp"; mv "$1.tmp" "$1"; exec sleep 3600',
                    "sh", pid_file], check=True)
    while True:
        time.sleep(3600)


_calls = 0  # this module's state: 1 in every trial of a fresh process


def whoami(out_file: str) -> Outcome:
    """Appends a JSON line describing this process (pid, session, group, parent, descriptors,
    calls of this function in this process) to out_file: what a fresh process for a trial is."""
    global _calls
    _calls += 1
    fds = {int(fd): os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
           if os.path.exists(f"/proc/self/fd/{fd}")}
    facts = {"pid": os.getpid(), "sid": os.getsid(0), "pgid": os.getpgid(0), "ppid": os.getppid(),
             "fds": fds, "calls": _calls, "cwd": os.getcwd()}
    with open(out_file, "a") as f:
        f.write(json.dumps(facts) + "\n")
    return Outcome(paths=[])
