"""The manifest, every repository's ground truth, written and read here only: one Parquet row
per file (path as bytes, so non-UTF-8 names survive; size; blob id; kind text | binary |
symlink | unreadable; asset_type and asset counted from the library folder, null outside it),
and the summary as a JSON sidecar beside it (<manifest>.json: files, bytes, commits, tree, head,
digest, plus what the producer knows of its repository)."""

import json
import os
from pathlib import Path
from typing import Callable, Optional

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema([("path", pa.binary()), ("size", pa.int64()), ("blob", pa.string()),
                    ("kind", pa.string()), ("asset_type", pa.string()), ("asset", pa.string())])


def table(rows: list[dict]) -> pa.Table:
    """Rows ({column: value}) as a manifest table, sorted bytewise by path."""
    return pa.Table.from_pylist(sorted(rows, key=lambda r: r["path"]), schema=SCHEMA)


def summary_path(manifest_path) -> Path:
    return Path(manifest_path).with_suffix(".json")


def write(manifest_path, manifest: pa.Table, summary: dict,
          before_publish: Optional[Callable[[], None]] = None) -> None:
    """Write the manifest and its summary to temporary files, run before_publish() (the
    generator installs its repository there), then rename both into place, the manifest last:
    it marks a finished run. On failure nothing is renamed and the temporary files go."""
    out = Path(manifest_path)
    side = summary_path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq_tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    js_tmp = side.with_name(f"{side.name}.tmp-{os.getpid()}")
    try:
        pq.write_table(manifest, pq_tmp)
        js_tmp.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
        if before_publish:
            before_publish()
        os.replace(js_tmp, side)
        os.replace(pq_tmp, out)
    finally:
        pq_tmp.unlink(missing_ok=True)
        js_tmp.unlink(missing_ok=True)


def read_summary(manifest_path) -> dict:
    return json.loads(summary_path(manifest_path).read_text())


def read_paths(manifest_path, column: str = "path") -> list[bytes]:
    """Every path of the manifest (bytes, relative to the repository's root). One file, so
    ParquetFile: pq.read_table goes through pyarrow.dataset, which imports pandas (0.3 s of a
    measure job's CPU)."""
    with pq.ParquetFile(manifest_path) as f:
        return f.read(columns=[column]).column(column).to_pylist()
