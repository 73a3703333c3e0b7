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


def test_a_fit_with_one_trial_per_size_imports_no_scipy_stats():
    # Its t quantile comes from scipy.special: scipy.stats cost a second of each report job.
    code = ("import sys\nimport numpy as np\nfrom ddxspike.report import fits\n"
            "x = np.log([1.0, 2, 4, 8, 16]); y = 0.9 * x + np.array([0.01, -0.02, 0.0, 0.02, -0.01])\n"
            "r = fits.regress(x[:, None], y, np.arange(5))\n"
            "assert r['ci_method'].startswith('t-interval') and r['lo'][0] < 0.9 < r['hi'][0], r\n"
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=SCRIPTS, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(SCRIPTS), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "False", out.stdout
