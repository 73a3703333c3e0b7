"""Measurement rows to Arrow without pandas (ddxspike/arrowcols.py): the table
pa.Table.from_pydict makes, and a value of the wrong kind refused rather than converted."""

import math

import numpy as np
import pyarrow as pa
import pytest

from ddxspike import arrowcols, table

SCHEMA = pa.schema([("s", pa.string()), ("i", pa.int64()), ("j", pa.int32()), ("f", pa.float64())])


def plain(t: pa.Table) -> list[dict]:
    """The table's rows, NaN as text: NaN equals nothing, itself included."""
    return [{k: "nan" if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
            for r in t.to_pylist()]


def test_the_same_table_as_pyarrows_own_conversion():
    columns = {"s": ["a", None, "é\u0000x", ""],
               "i": [1, None, np.int64(2**40), 3.0],
               "j": [None, -7, np.int32(5), 0],
               "f": [1.5, math.nan, None, 2]}
    ours = arrowcols.table(columns, SCHEMA)
    ours.validate(full=True)
    theirs = pa.Table.from_pydict(columns, schema=SCHEMA)
    assert ours.schema == theirs.schema and plain(ours) == plain(theirs)
    assert ours["f"].null_count == 1 and plain(ours)[1]["f"] == "nan"
    assert arrowcols.table({n: [] for n in SCHEMA.names}, SCHEMA).equals(SCHEMA.empty_table())


def test_measurement_rows_keep_their_values():
    rows = [{"experiment": "discovery", "trial": 0, "wall_s": 0.25, "items": 3, "host_id": "h"},
            {"experiment": "discovery", "trial": 1, "status": "error", "error": "boom"}]
    t = table.to_table(rows)
    assert t.schema == table.SCHEMA
    assert t.to_pylist() == [{c: r.get(c) for c in table.COLUMNS} for r in rows]


@pytest.mark.parametrize("column, value", [("i", 3.5), ("i", True), ("i", "3"), ("f", "x"),
                                           ("s", 3), ("s", b"bytes"), ("j", 2**40)])
def test_a_value_of_the_wrong_kind_is_refused(column, value):
    columns = {n: [None] for n in SCHEMA.names} | {column: [value]}
    with pytest.raises((TypeError, OverflowError)):
        arrowcols.table(columns, SCHEMA)
