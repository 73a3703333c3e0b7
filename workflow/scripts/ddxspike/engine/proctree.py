"""A trial's whole process tree, found and killed, including descendants that left its process
group or session (`setsid`) or whose parent died.

The job process makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER): an orphan of the
trial's tree is re-parented to it instead of to init, so every descendant stays findable as a
descendant of the worker or as a new child of the job; a fork server's trial child (launch.py)
comes to the job the same way. /proc/<pid>/stat gives the parent links
(this kernel has no /proc/<pid>/task/<tid>/children).
"""

import ctypes
import os
import signal
import time

PR_SET_CHILD_SUBREAPER = 36
_subreaper: bool | None = None


def become_subreaper() -> bool:
    """Make this process the reaper of its descendants' orphans (once); False where unsupported."""
    global _subreaper
    if _subreaper is None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):
            _subreaper = False
    return _subreaper


def processes() -> dict[int, tuple[int, bool]]:
    """pid -> (parent pid, is a zombie) of every process in /proc."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue  # exited while we looked
        state, ppid = data[data.rindex(b")") + 2:].split()[:2]
        table[int(name)] = (int(ppid), state == b"Z")
    return table


def own_children() -> set[int]:
    me = os.getpid()
    return {pid for pid, (ppid, _) in processes().items() if ppid == me}


def _descendants(roots: set[int], table: dict) -> set[int]:
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    found, todo = set(roots), list(roots)
    while todo:
        for k in kids.get(todo.pop(), ()):
            if k not in found:
                found.add(k)
                todo.append(k)
    return found


def kill_tree(root: int, keep: set[int] = frozenset()) -> int:
    """SIGKILL `root` (the worker), its descendants and every child of this process that is
    not in `keep` (children it had before the trial): those are the tree's re-parented orphans,
    which are also reaped here. `root` itself is left for its caller to reap. Returns the number
    of live processes killed."""
    try:
        os.killpg(root, signal.SIGKILL)  # its group, even where /proc shows no parent links
    except (ProcessLookupError, PermissionError):
        pass
    me, killed = os.getpid(), set()
    for rnd in range(1000):  # each round kills a generation; a fork bomb cannot keep us here
        if rnd:
            time.sleep(0.001 * min(rnd, 20))  # a dying process (e.g. in disk I/O) takes a moment
        table = processes()
        strays = {p for p, (pp, _) in table.items() if pp == me and p != root and p not in keep}
        live = {p for p in _descendants({root} | strays, table) if p in table and not table[p][1]}
        for pid in live:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed |= live
        for pid in strays:  # blocks only until the SIGKILL lands; their orphans come to us
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        if not live and not strays:
            break
    return len(killed)
