"""Several hosts: an earlier or foreign measurements.parquet merges into this run's table,
keyed by host fingerprint; the summary and the fits keep hosts apart, and the findings are
judged on the host that measured this run."""

import pandas as pd
import pyarrow.parquet as pq

from ddxspike import imports, table
from ddxspike.stats.summary import summarise


def rows(host, walls, size="small", strategy="walk"):
    return [{"experiment": "discovery", "size": size, "strategy": strategy, "depth": "names",
             "cache_state": "warm", "files": 100, "bytes": 10**7, "commits": 20, "mode": "time",
             "trial": i, "status": "ok", "wall_s": w, "host_id": host}
            for i, w in enumerate(walls)]


def test_foreign_rows_merge_by_host_and_stay_apart(tmp_path):
    current = table.to_table(rows("aaaa", [1.0, 1.1, 0.9]))
    foreign = tmp_path / "other" / "measurements.parquet"
    foreign.parent.mkdir()
    # The foreign file repeats this host's cell (dropped: this run's rows win) and brings
    # host bbbb's; it lacks a column this version has (read as null).
    old = table.to_table(rows("aaaa", [9.0]) + rows("bbbb", [2.0, 2.2, 1.8])).drop(["bytes_read"])
    pq.write_table(old, foreign)
    pd.DataFrame([{"host_id": "bbbb", "cpu_model": "Other CPU", "cores": 64}]).to_parquet(
        foreign.with_name("hosts.parquet"))
    merged, hosts = imports.merge(current, {"aaaa": {"host_id": "aaaa"}}, [str(foreign)],
                                  log=lambda m: None)
    df = merged.to_pandas()
    assert merged.schema == table.SCHEMA
    assert sorted(df.groupby("host_id")["wall_s"].count().items()) == [("aaaa", 3), ("bbbb", 3)]
    assert 9.0 not in set(df["wall_s"])
    assert hosts["bbbb"]["cpu_model"] == "Other CPU"
    summary = summarise(df)
    walls = summary[summary["metric"] == "wall_s"].set_index("host_id")["median"]
    assert walls.to_dict() == {"aaaa": 1.0, "bbbb": 2.0}


def test_rows_without_host_are_refused(tmp_path):
    path = tmp_path / "m.parquet"
    pq.write_table(table.to_table(rows(None, [1.0])), path)
    try:
        imports.read_imported(path)
    except imports.ImportedTableError as err:
        assert str(path) in str(err)
    else:
        raise AssertionError("a table without host_id was accepted")


def test_the_findings_page_names_the_judged_host_and_the_others():
    from ddxspike.report import findings

    df = pd.DataFrame(rows("aaaa", [1.0, 1.1]) + rows("bbbb", [5.0, 5.1, 5.2]))
    note = findings.hosts_note(df, ["aaaa"])
    assert "Judged on host aaaa (2 rows)" in note and "bbbb (3 rows)" in note
    assert findings.hosts_note(pd.DataFrame(rows("aaaa", [1.0])), ["aaaa"]) == ""  # one host: nothing to say
    cluster = findings.hosts_note(df, ["aaaa", "bbbb"])
    assert "5 rows come from 2 host fingerprints" in cluster and "Not pooled" not in cluster


def test_a_table_from_an_earlier_version_is_conformed_to_todays_schema():
    """A cell written before a column was added (and not rerun) or an import: new columns are
    null, unknown ones dropped, so aggregation never fails on an older cell."""
    import pyarrow as pa

    old = table.to_table(rows("aaaa", [1.0, 2.0])).drop_columns(["query_tag_p95_s"])
    old = old.append_column("retired_column", pa.array([1, 2]))
    t = table.conform(old)
    assert t.schema == table.SCHEMA
    assert t.column("query_tag_p95_s").null_count == 2 and t.column("wall_s").to_pylist() == [1.0, 2.0]
