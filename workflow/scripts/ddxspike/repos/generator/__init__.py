"""DDX-shaped test-repository generator for TS-001.

`generate_library(LibrarySpec(...), repo_dir, manifest_path)` builds a git repository laid out like
a DDX library (templates/, patterns/, prompts/, workflows/, personas/, mcp-servers/) with an exact
file count, a byte budget met to the byte, heavy-tailed sizes and a deterministic history, plus a
Parquet manifest of every file. Same spec -> same HEAD tree and commit ids on any machine with the
same Python and numpy major versions.
"""

from .build import generate_library
from .spec import LibrarySpec

__all__ = ["generate_library", "LibrarySpec"]
