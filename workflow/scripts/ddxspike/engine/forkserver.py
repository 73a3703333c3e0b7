"""A fork server: a fresh interpreter that has made the imports a worker makes before its clock
starts (the worker's own, then the spec's strategy and setup modules), then forks one new child
per trial, which runs it as `python -m ddxspike.engine.worker SPEC RESULT` would. It saves each
trial the interpreter's start-up and those imports, and nothing else: the server never runs a
strategy or a setup, and no child runs two trials.

    python -m ddxspike.engine.forkserver MODULE [MODULE ...]    (launch.py starts it)

It says "ready" on stdout, then reads requests on stdin, one JSON line each:
{"argv": [SPEC, RESULT], "stderr": PATH}, and answers each with the child's pid (0: none).
End of stdin ends it: the job's end, however it ends, closes that pipe.

The child is the job's, not the server's: the server forks an intermediate that forks the child
and exits, so the orphan goes to the job, a child subreaper (proctree.py), which waits for it
and kills its tree exactly as it does a spawned worker's. The child starts a session of its own,
has stdin and stdout on /dev/null, stderr on the trial's file and no other descriptor, and
inherits the rest from the server, started by the job as a worker would be: working directory
and environment (launch.py keys servers on both), signal mask, limits, niceness.

Memory and time. A child shares the server's pages until it writes them, and Linux copies no
page-table entries of file mappings (the interpreter's and libraries' code) at fork. As is, a
child would start ~6 MB below the resident set a fresh worker had after the same imports
(peak_rss_bytes and rss_before_bytes would change meaning), and its timed call would pay a
copy-on-write fault for each page it first writes (measured: a no-op call 50 instead of 9 µs,
a walk of 100 files +0.24 ms). So the server notes which of its pages are resident once its
imports are done, and each child, before its trial, maps those file pages again and makes those
anonymous pages its own (madvise MADV_POPULATE_READ and _WRITE; it copies ~10 MB, a few ms):
it then holds what a fresh worker held at that point, privately, plus ctypes (~0.3 MB, needed
for the madvise). A fresh worker's peak includes its start-up; a child's includes the server's
high-water mark at that point (worker.main's startup_peak).

Cold trials: the server reads no repository (no strategy module reads anything when imported)
and a spec's setup runs in the child, after the runner's prepare (cache eviction), as in a
fresh worker. One difference remains: the children of a server share its address-space layout,
where every new interpreter drew its own (ASLR), so layout effects no longer vary trial by trial.
"""

import json
import os
import sys

from ddxspike.engine import worker

MADV_POPULATE_READ, MADV_POPULATE_WRITE = 22, 23  # Linux 5.14
PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_pages() -> tuple[list, list]:
    """(file, anon): (address, length) of each run of this process's pages that are mapped and
    resident (/proc/self/pagemap: bit 63 present, bit 61 a file page), the file pages of file
    mappings and the anonymous pages of private writable mappings."""
    runs: tuple[list, list] = ([], [])
    with open("/proc/self/maps") as maps, open("/proc/self/pagemap", "rb", buffering=0) as pagemap:
        for line in maps:
            fields = line.split()
            mapped_file = len(fields) >= 6 and fields[5].startswith("/")
            writable = fields[1][1] == "w" and fields[1][3] == "p"
            if not (mapped_file or writable):
                continue
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            pagemap.seek(lo // PAGE * 8)
            entries = memoryview(pagemap.read((hi - lo) // PAGE * 8)).cast("Q")
            for kind, wanted, out in ((0b101, mapped_file, runs[0]), (0b100, writable, runs[1])):
                start = None
                for i, entry in enumerate(entries):
                    if wanted and entry >> 61 & 0b101 == kind:
                        start = i if start is None else start
                    elif start is not None:
                        out.append((lo + start * PAGE, (i - start) * PAGE))
                        start = None
                if start is not None:
                    out.append((lo + start * PAGE, (len(entries) - start) * PAGE))
    return runs


def _madvise():
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    return libc.madvise


def high_water_mark() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _read_line(fd: int, buf: bytearray) -> bytes | None:
    """The next line from fd (unbuffered reads, so that no child inherits a request), or None
    at end of input."""
    while b"\n" not in buf:
        data = os.read(fd, 65536)
        if not data:
            return None
        buf += data
    line, _, rest = bytes(buf).partition(b"\n")
    buf[:] = rest
    return line


def _become_trial(request: dict, pid_w: int) -> None:
    """In the new child: a session of its own, its descriptors, then its pages mapped again."""
    os.setsid()
    err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    os.dup2(err, 2)  # stdin and stdout are /dev/null already
    os.write(pid_w, b"%d" % os.getpid())
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the pipes and anything else: as close_fds
    for runs, advice in zip(RESIDENT, (MADV_POPULATE_READ, MADV_POPULATE_WRITE)):
        for address, length in runs:
            MADVISE(address, length, advice)
    sys.argv = [worker.__file__, *request["argv"]]


def serve(requests: int, replies: int) -> list[str] | None:
    """Answers requests until end of input (returns None); returns the worker's argv only in a
    new child, which then runs the trial."""
    buf = bytearray()
    while True:
        line = _read_line(requests, buf)
        if line is None:
            return None
        request = json.loads(line)
        pid_r, pid_w = os.pipe()
        middle = os.fork()
        if middle == 0:
            try:
                if os.fork() == 0:
                    _become_trial(request, pid_w)
                    return request["argv"]
            except BaseException:  # nothing of the server may run on in a child
                import traceback

                traceback.print_exc()
            os._exit(0)
        os.close(pid_w)
        answer = b""
        while data := os.read(pid_r, 64):  # to its end: the child has closed its descriptors
            answer += data
        os.close(pid_r)
        os.waitpid(middle, 0)  # reaped: the orphan is the job's now
        os.write(replies, (answer or b"0") + b"\n")  # 0: no child


if __name__ == "__main__":
    import importlib

    # The pipes move off stdin and stdout, which are /dev/null as a worker's are: what an import
    # prints goes where it would in a worker, not into the answers.
    requests, replies = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    for name in sys.argv[1:]:
        try:
            importlib.import_module(name)
        except Exception:  # left to the child, whose worker fails on it as a fresh one would
            pass
    json.loads(json.dumps({"argv": ["spec", "result"], "stderr": "stderr"}))  # a request's work
    MADVISE = _madvise()
    RESIDENT = resident_pages()
    if not all(RESIDENT) or any(MADVISE(*runs[0], advice) for runs, advice in
                                zip(RESIDENT, (MADV_POPULATE_READ, MADV_POPULATE_WRITE))):
        os.write(replies, b"madvise MADV_POPULATE_READ/WRITE failed (Linux 5.14 has them)\n")
        sys.exit(1)
    STARTUP_PEAK = high_water_mark()
    os.write(replies, b"ready\n")
    argv = serve(requests, replies)
    if argv is None:
        sys.exit(0)
    sys.exit(worker.main(*argv, startup_peak=STARTUP_PEAK))
