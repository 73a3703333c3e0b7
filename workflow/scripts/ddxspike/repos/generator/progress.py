"""Throttled progress lines, so a 2 GB generation shows life without flooding the log."""

import time


class Progress:
    def __init__(self, log, files: int, nbytes: int, every: float = 3.0):
        self.log, self.files, self.bytes, self.every = log, files, nbytes, every
        self.start = time.monotonic()
        self.last = -every
        self.phase = ""
        self.done_files = self.done_bytes = 0

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def begin(self, phase: str) -> None:
        self.phase = phase
        self._emit()

    def add(self, files: int, nbytes: int) -> None:
        self.done_files += files
        self.done_bytes += nbytes
        if time.monotonic() - self.last >= self.every:
            self._emit()

    def _emit(self) -> None:
        self.last = time.monotonic()
        if self.log:
            self.log(f"generator: {self.phase}: {self.done_files}/{self.files} files, "
                     f"{self.done_bytes / 1e6:.1f}/{self.bytes / 1e6:.1f} MB, "
                     f"{self.elapsed():.1f} s")
