"""A measuring job's start-up cost: the modules every measure job and every trial's worker import
must not pull in pandas (its import was ~1 s of each of ~150 jobs on the loaded 2-core machine;
a worker pays it per trial)."""

import subprocess
import sys

from conftest import ROOT

SCRIPTS = ROOT / "workflow" / "scripts"
JOB_MODULES = ["ddxspike.engine.runner", "ddxspike.engine.worker", "ddxspike.experiment",
               "ddxspike.engine.host", "ddxspike.ddxcli", "ddxspike.discovery.cells",
               "ddxspike.joblog", "ddxspike.engine.exclusive"]


def test_measuring_code_imports_no_pandas():
    code = ("import sys, importlib\n"
            f"for m in {JOB_MODULES!r}: importlib.import_module(m)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'altair', 'scipy'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=SCRIPTS, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(SCRIPTS), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "[]", out.stdout
