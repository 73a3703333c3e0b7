"""What the engine does when things go wrong: the job is interrupted (Ctrl-C, SIGTERM) while a
trial runs, a strategy's child leaves the process group, a worker is killed by a signal, a
variant answers wrongly in its warm-up or first trial, two instances measure at once."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import SCRIPTS
from ddxspike.engine import TrialSpec, plan, run_cell
from ddxspike.groundtruth import digest_paths

PROBES = "ddxspike.engine.probes"
RIGHT = ["a.md", "b/c.yml", "b/d.png"]


def quiet(_msg):
    pass


def alive(pid: int) -> bool:
    """Running (a zombie is dead: it only waits for its parent to read its status)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def gone(pid: int) -> bool:
    """Not alive, and reaped if it came to this process (a subreaper) when its parent died."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    return not alive(pid)


def servers_of(pid: int) -> set[int]:
    """Fork servers whose parent is pid."""
    found = set()
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        state, ppid = stat[stat.rindex(b")") + 2:].split()[:2]
        if int(ppid) == pid and state != b"Z" and b"ddxspike.engine.forkserver" in cmdline:
            found.add(int(name))
    return found


def detached_spec(pid_file):
    return TrialSpec(dims={"strategy": "hangs-detached"}, target=f"{PROBES}:hang_detached",
                     kwargs={"pid_file": str(pid_file)})


def test_timeout_kills_a_grandchild_that_left_the_process_group(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    (row,) = run_cell(plan.cell([detached_spec(pid_file)], warmups=0, trials=1, timeout_s=3.0), log=quiet)
    assert row["status"] == "timeout" and "process tree was killed" in row["error"]
    grandchild = int(pid_file.read_text())
    worker = int((tmp_path / "grandchild.pid.worker").read_text())
    assert not alive(worker)
    assert wait_for(lambda: not alive(grandchild), 5), f"setsid grandchild {grandchild} survived"


MEASURING = textwrap.dedent("""
    import sys
    sys.path.insert(0, {scripts!r})
    from ddxspike.engine import TrialSpec, plan, run_cell
    spec = TrialSpec(dims={{"strategy": "hangs-detached"}},
                     target="ddxspike.engine.probes:hang_detached", kwargs={{"pid_file": {pid!r}}})
    run_cell(plan.cell([spec], warmups=0, trials=3, timeout_s=600), log=lambda m: print(m, flush=True))
    print("run_cell returned", flush=True)
""")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_the_job_mid_trial_leaves_no_process_of_the_tree(tmp_path, signum):
    pid_file = tmp_path / "grandchild.pid"
    code = MEASURING.format(scripts=str(SCRIPTS), pid=str(pid_file))
    job = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for(pid_file.exists), "the trial never started its grandchild"
        grandchild = int(pid_file.read_text())
        worker = int((tmp_path / "grandchild.pid.worker").read_text())
        assert alive(grandchild) and alive(worker)
        servers = servers_of(job.pid)
        assert servers, "the job started no fork server"
        job.send_signal(signum)
        out, _ = job.communicate(timeout=20)  # promptly: not after the 600 s timeout
    finally:
        if job.poll() is None:
            job.kill()
    assert job.returncode == 128 + signum, out
    assert f"interrupted by {signal.Signals(signum).name}" in out, out
    assert "run_cell returned" not in out
    assert wait_for(lambda: not alive(worker) and not alive(grandchild), 5), (
        f"worker {worker} alive: {alive(worker)}, grandchild {grandchild} alive: {alive(grandchild)}")
    assert wait_for(lambda: all(gone(p) for p in servers), 5), f"fork servers {servers} outlived the job"


def test_a_worker_killed_by_a_signal_is_named():
    (row,) = run_cell(plan.cell([TrialSpec(dims={"strategy": "killed"}, target=f"{PROBES}:die_by_signal",
                                 kwargs={"signum": 9})], warmups=0, trials=1, timeout_s=30), log=quiet)
    assert row["status"] == "error"
    assert row["error"].startswith("worker killed by SIGKILL (signal 9)"), row["error"]


def listing(strategy, paths, truth=None):
    s = TrialSpec(dims={"strategy": strategy}, target=f"{PROBES}:listing", kwargs={"paths": paths},
                  expected_items=len(RIGHT), expected_digest=digest_paths(RIGHT))
    s.expected_paths_file = truth
    return s


@pytest.mark.parametrize("warmups", [1, 0])
def test_a_wrong_answer_in_the_warmup_or_first_trial_stops_the_variant(tmp_path, warmups):
    truth = tmp_path / "truth.txt"
    truth.write_bytes(b"\0".join(p.encode() for p in RIGHT))
    calls = tmp_path / "calls"
    wrong = listing("wrong", ["a.md", "b/c.yml", "b/extra.md"], str(truth))
    wrong.target = "tests_probe_counting:listing"
    wrong.kwargs = {"paths": ["a.md", "b/c.yml", "b/extra.md"], "calls": str(calls)}
    right = listing("right", RIGHT)
    logged = []
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env_path]))
    (tmp_path / "tests_probe_counting.py").write_text(textwrap.dedent("""
        from ddxspike.engine.probes import listing as plain
        def listing(paths, calls):
            with open(calls, "a") as f:
                f.write("x")
            return plain(paths)
    """))
    try:
        rows = run_cell(plan.cell([wrong, right], warmups=warmups, trials=4, heap_trials=1, timeout_s=30), log=logged.append)
    finally:
        if env_path is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = env_path
    assert calls.read_text() == "x", "the wrong variant ran again after its first wrong answer"
    mine = [r for r in rows if r["strategy"] == "wrong"]
    assert len(mine) == 5 and all(r["status"] == "mismatch" for r in mine)
    not_run = mine[1:] if warmups == 0 else mine
    assert all(r["error"].startswith("not run: ") for r in not_run)
    for r in mine:  # every message names the missing and the unexpected path
        assert "1 missing: b/d.png" in r["error"] and "1 unexpected: b/extra.md" in r["error"]
    assert [r["status"] for r in rows if r["strategy"] == "right"] == ["ok"] * 5
    assert any("answered wrongly" in m for m in logged)


def test_a_streamed_listing_that_is_wrong_names_the_paths_that_differ(tmp_path):
    """lazy keeps no list (its digest is taken on the fly): it lists again to name the paths."""
    repo = tmp_path / "repo"
    (repo / "b").mkdir(parents=True)
    (repo / "a.md").write_text("a")
    (repo / "b" / "c.yml").write_text("c")
    truth = ["a.md", "b/d.png"]
    truth_file = tmp_path / "truth.txt"
    truth_file.write_bytes(b"\0".join(p.encode() for p in truth))
    spec = TrialSpec(dims={"strategy": "lazy"}, target="ddxspike.discovery.lazy:discover",
                     kwargs={"repo": str(repo), "depth": "names"}, expected_items=2,
                     expected_digest=digest_paths(truth), expected_paths_file=str(truth_file))
    (row,) = run_cell(plan.cell([spec], warmups=0, trials=1, timeout_s=30), log=quiet)
    assert row["status"] == "mismatch"
    assert "1 missing: b/d.png" in row["error"] and "1 unexpected: b/c.yml" in row["error"]


TIMED_JOB = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {scripts!r})
    from ddxspike.engine import exclusive
    exclusive.hold({scratch!r}, {name!r}, log=lambda m: print(m, flush=True))
    print("start", time.monotonic(), flush=True)
    time.sleep(1.0)  # the job's trials
    print("end", time.monotonic(), flush=True)
""")


def test_timed_jobs_of_two_instances_never_overlap(tmp_path):
    scratch = tmp_path / "scratch"
    jobs = []
    for name in ("first", "second"):
        code = TIMED_JOB.format(scripts=str(SCRIPTS), scratch=str(scratch), name=name)
        jobs.append(subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                     text=True))
        if name == "first":  # the second starts once the first is measuring
            assert jobs[0].stdout.readline().startswith("start")
    outs = [j.communicate(timeout=60)[0] for j in jobs]
    assert [j.returncode for j in jobs] == [0, 0]
    first_end = float(outs[0].split("end ")[1])
    second_start = float(outs[1].split("start ")[1].split()[0])
    assert second_start >= first_end, "the second instance measured beside the first"
    assert "waiting for a timed job of another instance" in outs[1] and "first" in outs[1], outs[1]
