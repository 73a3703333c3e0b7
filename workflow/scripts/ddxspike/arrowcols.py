"""Arrow columns from Python values without importing pandas.

pa.array() and pa.Table.from_pydict/from_pylist ask pyarrow's pandas shim whether their input is
a pandas object, and that question imports pandas: 0.3 s of CPU in every measure job that writes
its rows. The columns are built here from buffers instead (string: pyarrow's StringBuilder), for
the types the measurement tables hold. A value of the wrong kind raises (pa.array would have
converted a float like 3.5 in an integer column to 3).
"""

import numbers

import numpy as np
import pyarrow as pa

NUMERIC = {pa.int64(): np.int64, pa.int32(): np.int32, pa.float64(): np.float64}


def _checked(value, type_: pa.DataType):
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if ok and pa.types.is_integer(type_):
        ok = isinstance(value, numbers.Integral) or float(value).is_integer()
    if not ok:
        raise TypeError(f"{value!r} ({type(value).__name__}) in a {type_} column")
    return value


def array(values: list, type_: pa.DataType) -> pa.Array:
    """values (None: null) as an Arrow array of type_ (string, int32, int64 or float64)."""
    if type_ == pa.string():
        builder = pa.lib.StringBuilder()
        for v in values:
            if v is not None and not isinstance(v, str):
                raise TypeError(f"{v!r} ({type(v).__name__}) in a string column")
            builder.append(v)
        return builder.finish()
    if type_ not in NUMERIC:
        raise TypeError(f"no pandas-free conversion for {type_} columns (ddxspike/arrowcols.py)")
    valid = np.array([v is not None for v in values], dtype=bool)
    data = np.array([0 if v is None else _checked(v, type_) for v in values], dtype=NUMERIC[type_])
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(type_, len(values), [bitmap, pa.py_buffer(data)],
                                 null_count=len(values) - int(valid.sum()))


def table(columns: dict, schema: pa.Schema) -> pa.Table:
    """{name: values} as a table of exactly `schema`."""
    return pa.Table.from_arrays([array(columns[f.name], f.type) for f in schema], schema=schema)
