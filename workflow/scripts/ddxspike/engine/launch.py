"""Starting a trial's fresh process and waiting for it: run_trial.

Every trial runs in a process of its own that ran nothing before it. By default it is forked
from a fork server (forkserver.py) that has made the imports a worker makes before its clock
starts, which saves each trial an interpreter start-up: one server per job and import set (a
spec's strategy and setup modules), started on first use and ended with the job (atexit; if
the job is killed, its end closes the server's stdin, which ends the server). A trial starts a
new interpreter, `python -m ddxspike.engine.worker SPEC RESULT`, instead: with METHOD "spawn",
where this process cannot be a child subreaper, and for an import set whose server could not
start or failed MAX_RESTARTS times (one line on stderr says so). Either way the strategy's own
commands (find, git, ddx, the `true` of spawn-overhead) are real processes it starts: what is
saved is the worker's interpreter start-up, which no strategy's clock ever included.
"""

import atexit
import json
import os
import select
import signal
import sys
import threading
import time
from pathlib import Path
from subprocess import DEVNULL, PIPE, Popen, TimeoutExpired

from . import proctree
from .trial import TrialSpec

SCRIPTS_DIR = Path(__file__).resolve().parents[2]  # workflow/scripts, so workers import ddxspike
METHOD = "fork"  # or "spawn": a new interpreter per trial (benchmarks/engine_accuracy.py compares)
SERVER = "ddxspike.engine.forkserver"
MAX_RESTARTS = 3
READY_TIMEOUT_S = 300.0  # a server's imports (pyarrow on a loaded machine: seconds)
REPLY_TIMEOUT_S = 30.0  # one fork and a pid
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _worker_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SCRIPTS_DIR), env.get("PYTHONPATH")]))
    env["PYTHONHASHSEED"] = "0"
    return env


def describe_exit(returncode: int) -> str:
    """"exited 7", or the signal by name: "killed by SIGKILL (signal 9)"."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "an unknown signal"
        return f"killed by {name} (signal {-returncode})"
    return f"exited {returncode}"


def log(msg: str) -> None:
    print(f"[engine] {msg}", file=sys.stderr, flush=True)


class ServerFailed(RuntimeError):
    pass


class Server:
    """One fork server (forkserver.py) and its pipes: requests in, "ready" and pids out."""

    def __init__(self, modules: tuple, env: dict, cwd: str):
        self.modules, self.env, self.cwd = modules, env, cwd
        # A session of its own: a Ctrl-C at the terminal reaches the job, which ends the server.
        self.proc = Popen([sys.executable, "-m", SERVER, *modules], env=env,
                          cwd=cwd, stdin=PIPE, stdout=PIPE, start_new_session=True)
        self._buf = b""
        try:
            ready = self._line(READY_TIMEOUT_S)
            if ready != b"ready":
                raise ServerFailed(ready.decode(errors="replace"))
        except BaseException:
            self.close()
            raise

    @property
    def name(self) -> str:
        return ", ".join(self.modules)

    def _line(self, timeout_s: float) -> bytes:
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise ServerFailed(f"no answer within {timeout_s:g} s")
            data = os.read(fd, 4096)
            if not data:
                raise ServerFailed(self._ended())
            self._buf += data
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def _ended(self) -> str:
        try:
            return describe_exit(self.proc.wait(timeout=5))
        except TimeoutExpired:
            return "closed its pipe"

    def fork(self, argv: list[str], stderr_file: str) -> int:
        """The pid of a new child running the worker with argv (now a child of this process)."""
        request = json.dumps({"argv": argv, "stderr": stderr_file}).encode() + b"\n"
        try:
            while request:
                request = request[os.write(self.proc.stdin.fileno(), request):]
        except OSError:
            raise ServerFailed(self._ended()) from None
        answer = self._line(REPLY_TIMEOUT_S)
        if not answer.isdigit() or int(answer) <= 0:
            raise ServerFailed(f"could not start a trial's process ({answer!r})")
        return int(answer)

    def close(self, kill: bool = False) -> None:
        """End of input ends the server; `kill` ends it and the group of an unfinished fork."""
        if kill:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_servers: dict[tuple, Server] = {}
_failures: dict[tuple, int] = {}
_spawning: set[tuple] = set()  # import sets whose servers failed: new interpreters from now on


def close_servers() -> None:
    """End every fork server of this job (at exit; tests call it too)."""
    while _servers:
        _servers.popitem()[1].close()


atexit.register(close_servers)


def server_pids() -> set[int]:
    return {s.proc.pid for s in _servers.values()}


def _import_set(spec: TrialSpec) -> tuple:
    return tuple(dict.fromkeys(t.partition(":")[0] for t in (spec.target, spec.setup) if t))


def _server_for(spec: TrialSpec) -> Server | None:
    """The running server for spec's imports, this job's environment and directory (started,
    or started anew, here); None: spawn a new interpreter."""
    if METHOD != "fork" or not proctree.become_subreaper():
        return None
    modules = _import_set(spec)
    if modules in _spawning:
        return None
    env, cwd = _worker_env(), os.getcwd()
    server = _servers.get(modules)
    if server is not None and (server.env, server.cwd) == (env, cwd):
        return server
    if server is not None:  # the job changed its environment or directory since
        _servers.pop(modules).close()
    try:
        _servers[modules] = Server(modules, env, cwd)
    except (ServerFailed, OSError) as exc:
        _spawning.add(modules)
        log(f"fork server for {', '.join(modules)} did not start ({exc}): its trials start new "
            "interpreters (python -m ddxspike.engine.worker) instead")
        return None
    return _servers[modules]


def _failed(server: Server, exc: BaseException, keep: set[int]) -> None:
    """Drop a server that failed a request, with any child it started; say what happens next."""
    _servers.pop(server.modules, None)
    server.close(kill=True)
    proctree.kill_tree(server.proc.pid, keep)  # a child it forked is ours, not in `keep`
    if not isinstance(exc, ServerFailed):
        return  # interrupted (or worse): the caller raises it
    n = _failures[server.modules] = _failures.get(server.modules, 0) + 1
    if n >= MAX_RESTARTS:
        _spawning.add(server.modules)
        log(f"fork server for {server.name} failed {n} times (last: {exc}): its trials start "
            "new interpreters (python -m ddxspike.engine.worker) from now on")
    else:
        log(f"fork server for {server.name} failed ({exc}): starting a new one")


def _start(spec: TrialSpec, argv: list[str], stderr_file: Path):
    """The trial's process: (pid, its Popen or None, the children of this process to keep, the
    signal mask run_trial restores or None)."""
    while True:
        server = _server_for(spec)  # outside the held signals: a server inherits the job's mask
        keep = proctree.own_children()  # the servers among them
        if server is None:
            # A session of its own: the terminal's Ctrl-C reaches the job, which kills the tree.
            with open(stderr_file, "wb") as err:
                proc = Popen([sys.executable, "-m", "ddxspike.engine.worker", *argv],
                             env=_worker_env(), stdin=DEVNULL, stdout=DEVNULL, stderr=err,
                             start_new_session=True)
            return proc.pid, proc, keep, None
        # SIGINT and SIGTERM wait while the server forks (a trial nobody knows of would run on);
        # run_trial restores the mask once the pid is known, and their Interrupted is raised there.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            pid = server.fork(argv, str(stderr_file))
        except BaseException as exc:
            _failed(server, exc, keep)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            if not isinstance(exc, ServerFailed):
                raise
            continue
        return pid, None, keep, held


def run_trial(spec: TrialSpec, mode: str, timeout_s: float, workdir: Path) -> dict:
    """One fresh process, one value. Returns the measured fields (no dimensions).

    On a timeout, an Interrupted or any other exception while it runs, and after it exits, the
    worker's whole tree is killed (proctree.kill_tree): nothing a strategy started outlives it.
    """
    spec_file = workdir / "spec.json"
    result_file = workdir / "result.json"
    stderr_file = workdir / "stderr.txt"
    result_file.unlink(missing_ok=True)
    spec_file.write_text(json.dumps({**spec.to_json(), "mode": mode}))
    proctree.become_subreaper()  # the tree's orphans, and a fork server's children, come to us
    pid, proc, keep, held = _start(spec, [str(spec_file), str(result_file)], stderr_file)
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        proctree.kill_tree(pid, keep)

    timer = threading.Timer(timeout_s, kill)
    try:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # raises a signal that came meanwhile
        timer.start()
        # Exited but not yet reaped: the zombie keeps its pid and group id ours while we clean up.
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    except BaseException as exc:
        timer.cancel()
        if timer.ident is not None:
            timer.join()
        killed = proctree.kill_tree(pid, keep)
        os.waitpid(pid, 0)
        exc.killed = killed  # for the caller's message (runner.Interrupted)
        raise
    timer.cancel()
    timer.join()
    # Anything the strategy left running (timeout or not) must not run on into the next trial.
    proctree.kill_tree(pid, keep)
    # The worker reports its tree's peak resident set itself (worker.peak_rss_bytes): wait4's
    # ru_maxrss would include this process's own size, inherited across fork and exec.
    _, status = os.waitpid(pid, 0)
    returncode = os.waitstatus_to_exitcode(status)
    if proc is not None:
        proc.returncode = returncode  # reaped here, not by Popen
    row = {}
    if timed_out.is_set():
        row.update(status="timeout",
                   error=f"no answer within {timeout_s:g} s; its process tree was killed")
    elif result_file.exists():
        row.update(json.loads(result_file.read_text()))
        row.pop("traceback", None)
    else:
        tail = stderr_file.read_bytes()[-600:].decode(errors="replace").strip()
        row.update(status="error", error=f"worker {describe_exit(returncode)}: {tail}")
    if row.get("user_s") is not None:
        row["cpu_s"] = row["user_s"] + row["sys_s"]
    return row
