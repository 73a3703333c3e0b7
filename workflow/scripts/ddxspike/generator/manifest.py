"""The manifest: one Parquet row per file, plus the summary as a JSON sidecar."""

import json

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema([("path", pa.binary()), ("size", pa.int64()), ("blob", pa.string()),
                    ("kind", pa.string()), ("asset_type", pa.string()), ("asset", pa.string())])


def manifest_table(slots: list, blobs: dict) -> pa.Table:
    rows = sorted(slots, key=lambda s: s.path.encode())
    cols = {"path": [s.path.encode() for s in rows], "size": [s.size for s in rows],
            "blob": [blobs[s.path.encode()] for s in rows], "kind": [s.kind for s in rows],
            "asset_type": [s.asset_type for s in rows], "asset": [s.asset for s in rows]}
    return pa.table(cols, schema=SCHEMA)


def sidecar_path(manifest_path):
    return manifest_path.with_suffix(".json")


def write_manifest(table: pa.Table, summary: dict, parquet_tmp, json_tmp) -> None:
    pq.write_table(table, parquet_tmp)
    json_tmp.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
