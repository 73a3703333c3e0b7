"""What one trial is (TrialSpec) and what a strategy hands back (Outcome).

A strategy function is called as fn(**spec.kwargs) and returns an Outcome. Only the call itself
is timed; checking the answer against ground truth happens after the clock stops.
"""

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Optional


def load_function(target: str):
    """The function a "module:function" name designates (a strategy, a setup, a parser)."""
    module_name, _, fn_name = target.partition(":")
    return getattr(importlib.import_module(module_name), fn_name)


@dataclass
class Outcome:
    # The listing the strategy produced; the engine digests it and checks it against ground truth.
    paths: Optional[list] = None
    # When a strategy answers with a count and digest of its own (e.g. queries), give them here.
    items: Optional[int] = None
    digest: Optional[str] = None
    bytes_read: Optional[int] = None
    cache_hits: Optional[int] = None
    cache_misses: Optional[int] = None
    # Experiment-specific measures; each key must be a column of the measurement schema.
    extra: dict = field(default_factory=dict)
    # Harness work that turns a raw answer into `paths` (an external tool's stdout split into
    # paths), run by finish() after the clock stops: it is this Python harness's cost, not the
    # tool's, and a caller in Go would pay a different one. The tool is timed as hyperfine
    # times it: from spawn until it has exited and its output has been read.
    parse: Optional[Callable[[], list]] = None
    # A strategy that streams its answer (digest on the fly, no list kept) lists it again with
    # this, only when the answer is wrong, so that the mismatch names the paths that differ.
    relist: Optional[Callable[[], list]] = None

    def finish(self) -> "Outcome":
        """Run the deferred parse (once) so that `paths` holds the answer; returns self."""
        if self.parse is not None:
            parse, self.parse = self.parse, None
            self.paths = list(parse())
        return self


@dataclass
class TrialSpec:
    """One measured thing, repeated across trials: dimensions + how to run + what is right."""

    dims: dict  # the row's dimension columns: experiment, size, strategy, depth, cache_state, ...
    target: str  # "package.module:function"
    kwargs: dict = field(default_factory=dict)
    expected_items: Optional[int] = None
    expected_digest: Optional[str] = None
    # A file (Parquet manifest column `path`, or a text file of paths) used to name differing
    # paths when the digest does not match; read only on mismatch.
    expected_paths_file: Optional[str] = None
    expected_paths_column: str = "path"
    # Optional "module:function" run untimed in the worker before the timed call, with the same
    # kwargs; its return value is passed to the strategy as `state` (e.g. an in-memory cache).
    setup: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)
