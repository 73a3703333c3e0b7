"""What to generate: file count, byte budget, commit count, seed and the asset-type split."""

from dataclasses import dataclass, field
from typing import Mapping

# TS-001's split; personas/ and mcp-servers/ are carved out of it proportionally (layout.py).
DEFAULT_SPLIT = {"templates": 0.30, "patterns": 0.30, "prompts": 0.30, "workflows": 0.10}
SPLIT_TYPES = tuple(DEFAULT_SPLIT)  # canonical order: ties in rounding go to the earlier type


@dataclass(frozen=True)
class LibrarySpec:
    files: int
    bytes: int
    commits: int = 1
    seed: int = 20261127
    split: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SPLIT))

    def validate(self) -> None:
        """Raise ValueError naming the offending value when the spec cannot be built."""
        for name in ("files", "bytes", "commits", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"LibrarySpec.{name}={value!r} must be an integer")
            if value < 0:
                raise ValueError(f"LibrarySpec.{name}={value} must not be negative")
        if self.bytes < self.files:
            raise ValueError(f"LibrarySpec.bytes={self.bytes} cannot fit files={self.files}: "
                             "every file needs at least one byte")
        if self.files == 0 and self.bytes:
            raise ValueError(f"LibrarySpec.bytes={self.bytes} cannot be stored in files=0")
        if self.files and not self.commits:
            raise ValueError(f"LibrarySpec.commits=0 cannot hold files={self.files}: "
                             "the final tree needs at least one commit")
        unknown = sorted(set(self.split) - set(SPLIT_TYPES))
        if unknown:
            raise ValueError(f"LibrarySpec.split has unknown asset types {unknown}; "
                             f"allowed: {list(SPLIT_TYPES)}")
        bad = {k: v for k, v in self.split.items() if not isinstance(v, (int, float)) or v < 0}
        if bad or not sum(self.split.values()) > 0:
            raise ValueError(f"LibrarySpec.split={dict(self.split)!r} needs non-negative "
                             "fractions with a positive sum")

    def fractions(self) -> dict:
        """The split normalised to sum 1, in canonical type order."""
        total = float(sum(self.split.values()))
        return {t: self.split.get(t, 0) / total for t in SPLIT_TYPES}
