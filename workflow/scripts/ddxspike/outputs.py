"""Results tables are replaced, never truncated: each is written to a temporary file in its own
folder and renamed over the old one (os.replace is atomic within a file system), so a job that
fails or is stopped half-way leaves the previous table whole."""

import os
from pathlib import Path
from typing import Callable


def replace_atomically(path, write: Callable[[Path], object]) -> None:
    """write(tmp) writes the new content to tmp, which then replaces path; on failure the
    temporary file is removed and path is untouched."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
