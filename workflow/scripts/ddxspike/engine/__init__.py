"""The measurement engine: runs each trial of a cell in a fresh process and returns tidy rows.

It knows nothing about particular strategies: a strategy is a Python function named by
"module:function" (see trial.py for its contract) or an external command.
"""

from .trial import Outcome, TrialSpec
from .runner import run_cell

__all__ = ["Outcome", "TrialSpec", "run_cell"]
