"""Config validation stops a bad run before any job, naming the key and the value; the quick
preset replaces the size set instead of merging into it."""

import copy

import pytest
import yaml

from conftest import ROOT


def dry_run(pipeline, cfg):
    pipeline.write_config(cfg, "bad.yaml")
    return pipeline.snakemake("-n", "--configfile", "bad.yaml", check=False)


def base():
    return yaml.safe_load((ROOT / "config.yaml").read_text())


BAD = {
    "wrong type": (lambda c: c["sizes"]["small"].update(files="many"), ["sizes.small.files", "'many'"]),
    "unknown key": (lambda c: c.update(colour="blue"), ["colour"]),
    "zero size": (lambda c: c["sizes"]["small"].update(bytes=0), ["sizes.small.bytes", "0"]),
    "negative size": (lambda c: c["sizes"]["small"].update(files=-3), ["sizes.small.files", "-3"]),
    "files over bytes": (
        lambda c: c["sizes"]["small"].update(files=500, bytes=100),
        ["sizes.small", "files=500", "bytes=100"],
    ),
    "unsafe size name": (
        lambda c: c["sizes"].update({"../evil": {"files": 1, "bytes": 10, "commits": 1}}),
        ["sizes", "../evil"],
    ),
    "split not summing to one": (
        lambda c: c["library_split"].update(templates=0.9),
        ["library_split", "sum"],
    ),
    # Every key of report is checked, in every section.
    "unknown key in report.h1": (lambda c: c["report"]["h1"].update(colour="blue"), ["report.h1", "colour"]),
    "unknown key in report.listing": (
        lambda c: c["report"]["listing"].update(depht=["stat"]), ["report.listing", "depht"]),
    "unknown strategy in targets": (
        lambda c: c["targets"][0].update(strategies=["ddx-lsit"]),
        ["targets[0]", "'ddx-lsit'", "known: ", "ddx-list"],
    ),
    "unknown strategy in report": (
        lambda c: c["report"]["h4"].update(cached=["memory-cahce"]),
        ["report.h4.cached", "'memory-cahce'", "memory-cache"],
    ),
    "unknown question target": (
        lambda c: c["report"]["questions"].update({"1": ["discovery-5gb"]}),
        ["report.questions.1", "discovery-5gb"],
    ),
    "missing strategy module": (
        lambda c: c["discovery"]["strategies"]["walk"].update(python="ddxspike.discovery.nowhere"),
        ["discovery.strategies.walk.python", "ddxspike.discovery.nowhere"],
    ),
    "strategy module without discover()": (
        lambda c: c["discovery"]["strategies"]["walk"].update(python="ddxspike.discovery.depth"),
        ["discovery.strategies.walk.python", "no discover()"],
    ),
    "two repositories with one name": (
        lambda c: c["sizes"].update({"edge-empty": {"files": 10, "bytes": 1000, "commits": 1}}),
        ["config edge_cases.empty", "'edge-empty'", "sizes.edge-empty"],
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_config_stops_with_key_and_value(pipeline, case):
    mutate, expected = BAD[case]
    cfg = copy.deepcopy(base())
    mutate(cfg)
    proc = dry_run(pipeline, cfg)
    assert proc.returncode != 0, f"{case}: the run was not stopped"
    out = proc.stderr + proc.stdout
    for text in expected:
        assert text in out, f"{case}: message lacks {text!r}:\n{out[-1500:]}"
    assert len(out) < 4000, "the error should name the culprit, not dump the whole config"
    assert not (pipeline.root / "results" / "manifests").exists()


def test_quick_preset_replaces_the_size_set(pipeline):
    (pipeline.root / "config.yaml").write_text((ROOT / "config.yaml").read_text())
    preset = yaml.safe_load((ROOT / "presets" / "quick.yaml").read_text())
    dry = pipeline.snakemake("-n", "--configfile", "presets/quick.yaml", "-p")
    text = dry.stdout + dry.stderr
    for size in preset["sizes"]:
        assert f"manifests/{size}.parquet" in text
    for size in set(base()["sizes"]) - set(preset["sizes"]):
        assert f"manifests/{size}.parquet" not in text, f"default size {size} leaked into the preset"


def test_a_yaml_syntax_error_names_line_and_column(pipeline):
    text = (pipeline.root / "config.yaml").read_text().splitlines()
    text.insert(2, "sizes_extra: [1, 2")  # an unclosed flow sequence on line 3
    (pipeline.root / "config.yaml").write_text("\n".join(text) + "\n")
    proc = pipeline.snakemake("-n", check=False)
    out = proc.stderr + proc.stdout
    assert proc.returncode != 0
    assert "config.yaml: line " in out and ", column " in out, out[-1500:]
