"""Rendering a listing as a CLI would print it: an aligned text table, or JSON (DDX's
`ddx list --json` prints an indented document). Returns the encoded bytes, so the cost of
building and encoding the output is paid, but nothing is written anywhere."""

import json
import os

COLUMNS = {"names": ("path",), "stat": ("path", "size", "mtime_ns"),
           "meta": ("path", "description"), "hash": ("path", "hash")}


def _cell(value) -> str:
    return os.fsdecode(value) if isinstance(value, bytes) else str(value)


def as_table(rows: list[dict], depth: str) -> bytes:
    """Columns padded to the widest cell of these rows (a pager page, or the whole listing)."""
    cols = COLUMNS[depth]
    cells = [[_cell(r.get(c, "")) for c in cols] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(cols, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")


def as_json(rows: list[dict]) -> bytes:
    doc = {"resources": [{k: _cell(v) if isinstance(v, bytes) else v for k, v in r.items()}
                         for r in rows], "summary": {"total": len(rows)}}
    return json.dumps(doc, indent=2).encode("utf-8")
