"""How a trial's fresh process is started (engine/launch.py, engine/forkserver.py): forked from a
fork server by default, it is a new process of its own for every trial, with a fresh worker's
memory figures; a server that dies or cannot start is replaced or spawned around, saying so; no
server outlives its job."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import SCRIPTS
from ddxspike.engine import TrialSpec, launch, plan, run_cell
from test_engine_faults import gone, servers_of, wait_for

PROBES = "ddxspike.engine.probes"


def quiet(_msg):
    pass


def whoami(out_file):
    return TrialSpec(dims={"strategy": "whoami"}, target=f"{PROBES}:whoami",
                     kwargs={"out_file": str(out_file)}, expected_items=0)


def test_every_trial_is_a_new_process_of_its_own(tmp_path):
    out = tmp_path / "who.jsonl"
    rows = run_cell(plan.cell([whoami(out)], warmups=1, trials=3, heap_trials=1, timeout_s=30), log=quiet)
    assert [r["status"] for r in rows] == ["ok"] * 4
    servers = launch.server_pids()
    assert servers, "no fork server: the trials were spawned"
    facts = [json.loads(line) for line in out.read_text().splitlines()]
    assert len({f["pid"] for f in facts}) == 5  # the warm-up, 3 timed trials, the heap trial
    for f in facts:
        assert f["calls"] == 1, "module state of an earlier trial reached this one"
        assert f["sid"] == f["pgid"] == f["pid"], "not in a session and group of its own"
        assert f["ppid"] == os.getpid(), "the trial is not the job's child"
        assert f["pid"] not in servers
        assert f["cwd"] == os.getcwd()
        fds = {int(k): v for k, v in f["fds"].items() if not v.startswith("/proc/")}
        assert fds[0] == fds[1] == os.devnull
        assert fds[2].endswith("stderr.txt")
        assert set(fds) - {0, 1, 2} <= {k for k, v in fds.items() if v == str(out)}, fds


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def test_memory_figures_are_those_of_a_new_interpreter(tmp_path, monkeypatch):
    """A forked child maps the server's pages again: without that its resident set would be
    ~6 MB below a fresh worker's (fork copies no page-table entries of file mappings)."""
    spec = TrialSpec(dims={"strategy": "noop"}, target=f"{PROBES}:noop", expected_items=0)
    rows = {"fork": [], "spawn": []}
    for method in ["fork", "spawn"] * 3:
        monkeypatch.setattr(launch, "METHOD", method)
        rows[method].append(launch.run_trial(spec, "time", 30, tmp_path))
    for key in ("rss_before_bytes", "peak_rss_bytes"):
        fork, spawn = (median(r[key] for r in rows[m]) for m in ("fork", "spawn"))
        assert abs(fork - spawn) < 1.5 * 2**20, (key, fork, spawn)


def test_a_server_that_dies_is_replaced_and_says_so(tmp_path, capfd):
    spec = TrialSpec(dims={"strategy": "noop"}, target=f"{PROBES}:noop", expected_items=0)
    assert launch.run_trial(spec, "time", 30, tmp_path)["status"] == "ok"
    (server,) = [s for s in launch._servers.values() if s.modules == (PROBES,)]
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait()
    capfd.readouterr()
    assert launch.run_trial(spec, "time", 30, tmp_path)["status"] == "ok"
    err = capfd.readouterr().err
    assert err.count("fork server for ddxspike.engine.probes failed") == 1, err
    assert "killed by SIGKILL" in err and "starting a new one" in err, err
    assert launch._servers[(PROBES,)].proc.pid != server.proc.pid
    launch._failures.clear()


def test_a_server_that_cannot_start_leaves_its_trials_to_new_interpreters(tmp_path, monkeypatch,
                                                                           capfd):
    monkeypatch.setattr(launch, "SERVER", "ddxspike.engine.no_such_server")
    monkeypatch.setattr(launch, "_spawning", set())
    launch.close_servers()
    out = tmp_path / "who.jsonl"
    rows = run_cell(plan.cell([whoami(out)], warmups=0, trials=2, timeout_s=30), log=quiet)
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert not launch.server_pids()
    err = capfd.readouterr().err
    assert err.count("did not start") == 1 and "new interpreters" in err, err
    facts = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(f["sid"] == f["pid"] and f["ppid"] == os.getpid() for f in facts)


def test_what_a_strategy_module_prints_when_imported_does_not_confuse_the_server(
        tmp_path, monkeypatch, capfd):
    (tmp_path / "loud_probe.py").write_text(textwrap.dedent("""
        import sys
        print("ready")  # a worker's stdout is /dev/null: so is the server's
        print("0", file=sys.stderr)
        from ddxspike.engine.probes import noop
    """))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    spec = TrialSpec(dims={"strategy": "loud"}, target="loud_probe:noop", expected_items=0)
    rows = run_cell(plan.cell([spec], warmups=0, trials=2, timeout_s=30), log=quiet)
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert ("loud_probe",) in launch._servers
    assert "fork server" not in capfd.readouterr().err


JOB = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {scripts!r})
    from ddxspike.engine import TrialSpec, launch, plan, run_cell
    spec = TrialSpec(dims={{"strategy": "noop"}}, target="ddxspike.engine.probes:noop")
    run_cell(plan.cell([spec], warmups=0, trials=1, timeout_s=60), log=print)
    print("servers", *launch.server_pids(), flush=True)
    if {then!r} == "sleep":
        time.sleep(600)
    sys.stdin.readline()  # "exit": only once the test has seen the servers (else a race)
""")


@pytest.mark.parametrize("ending", ["exit", signal.SIGTERM, signal.SIGKILL])
def test_no_fork_server_outlives_its_job(ending):
    then = "exit" if ending == "exit" else "sleep"
    job = subprocess.Popen([sys.executable, "-c", JOB.format(scripts=str(SCRIPTS), then=then)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = job.stdout.readline()
        while line and not line.startswith("servers"):
            line = job.stdout.readline()
        servers = {int(p) for p in line.split()[1:]}
        assert servers and servers <= servers_of(job.pid), line
        if ending == "exit":
            job.stdin.write("\n")
            job.stdin.flush()
        else:
            job.send_signal(ending)
        job.wait(timeout=30)
    finally:
        if job.poll() is None:
            job.kill()
    assert wait_for(lambda: all(gone(p) for p in servers), 10), servers
