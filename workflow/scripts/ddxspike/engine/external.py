"""External-command strategies: a tool (find, fdfind, git ls-files, DDX's own `ddx list`, ...) run
as an argv list, never through a shell, with its stdout (or stderr, `stream="stderr"`) parsed
into repository-relative paths; `env` gives a command an environment of its own (DDX's
isolation, ddxcli.environment).

The command runs in `cwd` (the repository), so `find .` prints `./a/b`: the leading `./` is
stripped by default. A non-zero exit status or a missing program raises, which the worker turns
into an `error` row naming the command; its output is checked against the manifest like every
other strategy's. The timed call is what hyperfine times, plus reading the output through a
pipe: from spawning the command until it has exited and its whole output has been read.
Splitting the output into paths (or running `parser`) is deferred to `Outcome.finish()`, which
the worker runs after the clock stops: that is this Python harness's work, not the tool's.
In-process callers call `run_command(...).finish().paths`. `spawn_overhead` times the same
path for `true`, so a reader can see how much of an external tool's time is process start-up
rather than work.

A TrialSpec for a command strategy, from a config entry
`find: {command: [find, ., -path, ./.git, -prune, -o, -type, f, -print0], output: nul}`:

    from ddxspike.engine import TrialSpec
    from ddxspike.engine.external import command_kwargs

    TrialSpec(
        dims={"experiment": "discovery", "size": size, "strategy": "find", "depth": "names",
              "cache_state": "warm", **shape},
        target="ddxspike.engine.external:run_command",
        kwargs=command_kwargs(entry, repo),  # {"argv": [...], "cwd": repo, "output": "nul", ...}
        expected_items=summary["files"],
        expected_digest=summary["digest"],
        expected_paths_file=manifest_path,
    )

and its spawn overhead, measured the same way as a strategy of its own (it lists nothing):

    TrialSpec(dims={..., "strategy": "spawn-overhead"},
              target="ddxspike.engine.external:spawn_overhead", kwargs={"cwd": repo},
              expected_items=0)

`bytes_read` of a command trial is `rchar` of the command's process tree from /proc/<pid>/io
(bytes passed by read-like system calls, page cache hits included), read after it exits and
before it is reaped, so its own children (reaped by it) are counted too.
"""

import fcntl
import os
import select
import subprocess
from typing import Optional

from .trial import Outcome, load_function

# Where a missing program comes from, so the error row says how to get it.
INSTALL_HINTS = {
    "fdfind": "Debian package fd-find (.ci/apt-packages.txt)",
    "fd": "Debian package fd-find installs it as fdfind",
    "hyperfine": "Debian package hyperfine",
    "git": "Debian package git",
}


PIPE_BYTES = 1 << 20  # Linux's default pipe-max-size
# Reads below malloc's mmap threshold (128 KiB): 1 MiB reads cost find's listing ~4 ms more on
# a 10,000-file library (an mmap, page faults and a shrink per read), measured in a worker.
READ_BYTES = 1 << 16


class CommandNotFound(RuntimeError):
    pass


class CommandFailed(RuntimeError):
    pass


def command_kwargs(entry: dict, repo: str) -> dict:
    """run_command keyword arguments from a config entry {command, output, strip_prefix, parser,
    stream}."""
    kwargs = {"argv": list(entry["command"]), "cwd": str(repo), "output": entry.get("output", "lines")}
    for key in ("strip_prefix", "parser", "stream"):
        if entry.get(key) is not None:
            kwargs[key] = entry[key]
    return kwargs


def split_output(data: bytes, output: str, strip_prefix: Optional[str] = "./") -> list[bytes]:
    """NUL- or newline-separated output to a list of paths (bytes), empty entries dropped."""
    if output == "nul":
        items = data.split(b"\0")
    elif output == "lines":
        items = data.splitlines()
    else:
        raise ValueError(f"output={output!r}: expected 'nul' or 'lines'")
    prefix = os.fsencode(strip_prefix) if strip_prefix else b""
    return [i[len(prefix):] if prefix and i.startswith(prefix) else i for i in items if i]


def _io_counters(pid: int) -> dict:
    """/proc/<pid>/io as a dict; empty if the kernel does not offer it."""
    try:
        with open(f"/proc/{pid}/io") as f:
            return {k: int(v) for k, v in (line.split(":") for line in f if ":" in line)}
    except (OSError, ValueError):
        return {}


def _not_found(program: str) -> CommandNotFound:
    hint = INSTALL_HINTS.get(os.path.basename(program))
    return CommandNotFound(f"{program}: not found on PATH" + (f" (install: {hint})" if hint else ""))


def _drain(out_fd: int, err_fd: int) -> tuple[bytes, bytes]:
    """Read both pipes to their ends together (either may fill first), without waiting for the
    process: it stays unreaped so that its I/O counters can still be read."""
    chunks: dict[int, list] = {out_fd: [], err_fd: []}
    poller = select.poll()
    for fd in chunks:
        poller.register(fd, select.POLLIN)
    still_open = set(chunks)
    while still_open:
        for fd, _ in poller.poll():
            data = os.read(fd, READ_BYTES)
            if data:
                chunks[fd].append(data)
            else:
                poller.unregister(fd)
                still_open.discard(fd)
    return b"".join(chunks[out_fd]), b"".join(chunks[err_fd])


def run_command(argv: list, cwd: Optional[str] = None, output: str = "lines",
                strip_prefix: Optional[str] = "./", parser: Optional[str] = None,
                env: Optional[dict] = None, stream: str = "stdout") -> Outcome:
    """Run argv in cwd (with `env`, else this process's environment) and collect its stdout, or
    its stderr with stream="stderr" (DDX's `ddx list` prints there); the Outcome's finish()
    parses it into paths (NUL- or newline-separated, or with `parser`, "module:function" taking
    the output bytes and returning paths). A non-zero exit status raises CommandFailed."""
    if not argv:
        raise ValueError("run_command: empty argv")
    if stream not in ("stdout", "stderr"):
        raise ValueError(f"stream={stream!r}: expected 'stdout' or 'stderr'")
    if not parser and output not in ("nul", "lines"):  # before spawning, not after the work
        raise ValueError(f"output={output!r}: expected 'nul' or 'lines'")
    argv = [str(a) for a in argv]
    # Our own stdout pipe, enlarged before the tool starts: with the default 64 KiB a tool
    # listing 10,000 paths blocks on every few hundred of them until this process is scheduled
    # to read, which on a loaded machine charges it for our scheduling, not its work.
    out_r, out_w = os.pipe()
    try:
        fcntl.fcntl(out_w, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:
        pass  # above /proc/sys/fs/pipe-max-size for an unprivileged user: keep the default
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out_w,
                                stderr=subprocess.PIPE)
    except FileNotFoundError as exc:
        os.close(out_r)
        if cwd is not None and not os.path.isdir(cwd):
            raise FileNotFoundError(f"run_command: cwd {cwd} does not exist") from exc
        raise _not_found(argv[0]) from None
    finally:
        os.close(out_w)
    with open(out_r, "rb", buffering=0), proc.stderr:
        data, err = _drain(out_r, proc.stderr.fileno())
    # Exited but not reaped: its tree's I/O counters are still readable.
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    io = _io_counters(proc.pid)
    rc = proc.wait()
    if rc != 0:
        tail = err[-400:].decode(errors="replace").strip()
        raise CommandFailed(f"{' '.join(argv)} exited {rc}" + (f": {tail}" if tail else ""))
    if stream == "stderr":
        data = err
    if parser:  # imported after the clock too: loading the parser is not the tool's cost
        return Outcome(parse=lambda: load_function(parser)(data), bytes_read=io.get("rchar"))
    return Outcome(parse=lambda: split_output(data, output, strip_prefix), bytes_read=io.get("rchar"))


def spawn_overhead(cwd: Optional[str] = None) -> Outcome:
    """The cost of starting, waiting for and reading an empty command: `true`, same code path."""
    return run_command(["true"], cwd=cwd, output="lines")
