"""The decision document on constructed tables: one interval everywhere, the targets matrix
judging DDX's own binary when it has rows, the DDX-itself section (version, binary / model ratios,
parity, what the commands did), the five answers and TS-001-results.md, and no machine paths."""

import os

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import ROOT
from ddxspike.report import ddx, findings, fits, fmt, markdown, page, stats, targets, text
from ddxspike.stats import summary

CFG = yaml.safe_load((ROOT / "config.yaml").read_text())
RC = CFG["report"]
SIZES = {"s1": (100, 10_000_000), "s2": (1_000, 100_000_000), "s3": (10_000, 1_000_000_000)}
HOSTS = pd.DataFrame([{"host_id": "h", "ddx_version": "DDx v0.1.6-14-gc208478", "ddx_sha256": "ab"}])


def rows(experiment, strategy, seconds, trials=3, mode="time", status="ok", **dims):
    rng = np.random.default_rng(len(strategy))
    out = []
    for size, (f, b) in SIZES.items():
        for t in range(trials):
            out.append({"experiment": experiment, "size": size, "strategy": strategy, "files": f, "bytes": b,
                        "commits": 10, "mode": mode, "trial": t, "status": status, "host_id": "h",
                        "wall_s": seconds(f) * np.exp(rng.normal(0, 0.02)) if status == "ok" else np.nan,
                        "peak_rss_bytes": int(3e7), "rss_before_bytes": int(2e7), **dims})
    return out


def table():
    d = []
    for state in ("warm", "cold"):
        d += rows("discovery", "ddx-binary", lambda f: 2e-3 + 2e-6 * f, depth="stat", cache_state=state)
        d += rows("discovery", "ddx-list", lambda f: 1e-3 + 1e-6 * f, depth="stat", cache_state=state)
        d += rows("discovery", "walk", lambda f: 1e-5 * f, depth="stat", cache_state=state)
    d += rows("discovery", "ddx-startup", lambda f: 0.004, depth="names", cache_state="warm")
    d += rows("subtree", "ddx-update", lambda f: 0.02, cache_state="warm", git_processes=0, files_changed=0)
    d += rows("subtree", "internal-pull", lambda f: 0.5 + 1e-4 * f, cache_state="warm")
    d += rows("subtree", "ddx-contribute", lambda f: 0.0, status="error", cache_state="warm",
              error="Error: sensitive data found in /work/somewhere/run/results/repos/s1/.ddx/library/x.md")
    d += [{"experiment": "discovery", "size": s, "strategy": "ddx-list", "mode": ddx.PARITY, "trial": 0,
           "host_id": "h", "status": "ok" if s != "s3" else "mismatch",
           "error": None if s != "s3" else "differs: templates/a (size 10 vs 12)"} for s in SIZES]
    return pd.DataFrame(d)


def test_one_interval_of_the_median_everywhere():
    x = [1.0, 1.2, 1.1, 1.4, 1.3, 1.25, 1.15]
    med, lo, hi = stats.median_ci(x)
    assert (lo, hi, lo.level) == pytest.approx(summary.median_interval(x))
    assert fmt.interval("wall_s", *stats.median_ci([1.2, 1.3, 1.5])) == "1.3 s [1.2 s, 1.5 s; 75%]"
    assert fmt.interval("wall_s", *stats.median_ci([1.2])) == "1.2 s (1 trial: no interval)"
    assert "%" not in fmt.interval("wall_s", *stats.median_ci(x))  # 98% coverage: not printed
    r, rlo, rhi = stats.ratio_ci([1, 1.1, 1.2], [2, 2.2, 2.1])
    assert rlo == pytest.approx(1 / 2.2) and rhi == pytest.approx(1.2 / 2) and rlo.level == pytest.approx(0.75 ** 2)
    assert fmt.ratio(r, rlo, rhi).endswith("; ≥ 56%]")
    d = summary.describe([3.0])
    assert np.isnan(d["ci_low"]) and np.isnan(d["ci_level"])  # summary.parquet: no interval from one trial


def test_no_machine_paths():
    root = os.getcwd()
    text_ = f"fatal: {root}/results/repos/s1/x failed; /tmp/ddxspike-q1/w/upstream.git; /usr/bin/git; 2/3"
    out = fmt.no_paths(text_)
    assert "results/repos/s1/x" in out and root not in out and "/tmp/" not in out and "…/w/upstream.git" in out
    assert "/usr/bin/git" in out and "2/3" in out
    assert fmt.no_paths("error in /work/elsewhere/results/subtree/a.json") == "error in results/subtree/a.json"


def test_a_target_judges_its_prefer_strategies_when_they_have_rows_else_its_strategies():
    t = {"id": "t", "strategies": ["ddx-list", "lazy"], "prefer": ["ddx-binary"]}
    assert targets.judged_strategies(t, {"ddx-binary", "ddx-list"}, [], [], []) == (["ddx-binary"], "DDX's own (prefer)")
    assert targets.judged_strategies(t, {"ddx-list", "lazy"}, ["ddx-binary"], [], []) == \
        (["ddx-list", "lazy"], "the target's strategies")
    free = {"id": "u"}
    assert targets.judged_strategies(free, {"walk", "ddx-list"}, [], ["ddx-list"], ["walk"])[0] == ["ddx-list"]
    assert targets.judged_strategies(free, {"walk", "find"}, [], ["ddx-list"], ["walk"])[0] == ["walk"]
    assert targets.judged_strategies(free, {"walk", "find"}, [], [], [])[1].startswith("every strategy")


def test_ddx_itself_names_the_version_ratios_parity_and_behaviours():
    df = table()
    d = ddx.analyse(df, HOSTS, RC)
    assert d["version"] == "DDX c208478" and d["measured"]
    r = d["ratios"].set_index(["operation", "size", "cache_state"])
    # ddx-binary is 2x its model at every size, ddx-update 1/25 .. 1/45 of internal-pull.
    assert r.loc[("ddx-binary", "s1", "warm"), "ratio"] == pytest.approx(2.0, rel=0.1)
    assert r.loc[("ddx-update", "s3", "warm"), "ratio"] == pytest.approx(0.02 / 1.5, rel=0.1)
    par = d["parity"]
    assert par["status"] == "differs" and "1 of 3 repositories" in par["text"]
    assert par["mismatches"] == ["s3: differs: templates/a (size 10 vs 12)"]
    said = " ".join(d["behaviours"])
    assert "DDX c208478 `ddx-update` spawned 0 git processes in 9 of 9" in said and "changed 0 files in 9 of 9" in said
    assert "`ddx-contribute`: 9 error of 9 trials — Error: sensitive data found in results/repos/s1" in said
    assert "/work/" not in said
    none = ddx.analyse(df, HOSTS.assign(ddx_version=""), RC, note="DDX's own binary was not measured: x")
    assert not none["measured"] and none["note"] == "DDX's own binary was not measured: x"


def test_findings_answer_five_questions_and_the_results_document_is_complete():
    df = table()
    ft = fits.fit_table(df[df["mode"] != ddx.PARITY], n_boot=50)
    doc = findings.analyse(df, ft, CFG["targets"], RC, hosts=HOSTS)
    assert [a.id for a in doc.answers.values()] == ["q1", "q2", "q3", "q4", "q5"]
    assert all(a.sentence and a.mark in (findings.MEETS, findings.MISSES, findings.NOT_MEASURED,
                                         findings.INCONCLUSIVE) for a in doc.answers.values())
    q1 = doc.answers[1]
    # DDX's own binary decides discovery-1gb, named with its version.
    assert q1.mark == findings.MEETS and "DDX c208478 ddx-binary" in q1.sentence, q1.sentence
    m = doc.matrix.set_index(["target", "size"])
    assert m.loc[("discovery-1gb", "s3"), "judged_as"] == "DDX's own"
    assert doc.answers[3].mark == findings.NOT_MEASURED  # no catalogue rows
    summ = text.executive_summary(doc)
    assert text.words(summ) <= text.MAX_WORDS and "DDX c208478" in summ
    md = markdown.results(doc, summ)
    for heading in ("## Executive summary", "## The five questions", "## Success criteria", "## Deliverables",
                    "## Hypotheses", "## DDX itself", "## Targets", "## Decision: repository size limits",
                    "## Recommendations", "## Future investigations"):
        assert heading in md, heading
    assert "- [x] **The current DDX implementation benchmarked" in md
    assert "/work/" not in md
    html_ = page.findings(doc, HOSTS, pd.DataFrame(), RC)
    first = html_[:html_.index('id="figures"')]
    assert all(f'id="q{k}-answer"' in first for k in range(1, 6)) and 'id="sc-answers"' in first


def test_a_target_missed_at_every_size_is_warned_from_the_smallest_size_measured():
    # DDX's binary over the memory target at every size, growing with files: its fit reaches
    # 100 MB below the smallest repository measured (100 files), so no "≥ 0" threshold.
    d = []
    for state in ("warm", "cold"):
        d += rows("discovery", "ddx-binary", lambda f: 2e-3 + 2e-6 * f, depth="stat", cache_state=state)
    df = pd.DataFrame(d)
    df["peak_rss_bytes"] = 2e8 * (df["files"] / 100) ** 0.3
    ft = fits.fit_table(df, n_boot=50)
    doc = findings.analyse(df, ft, CFG["targets"], RC, hosts=HOSTS)
    pol = doc.policy[doc.policy["axis"] == "files"].iloc[0]
    assert pol["threshold"] == "100" and pol["note"], pol.to_dict()
    summ = text.executive_summary(doc)
    md = markdown.results(doc, summ)
    html_ = page.findings(doc, HOSTS, pd.DataFrame(), RC)
    for out in (summ, md, html_):
        assert "≥ 0 " not in out and "≥ <b>0" not in out
    assert "at files ≥ 100 (the smallest size measured: the fit reaches the limit below it)" in summ
    assert "≥ **100** (the smallest size measured" in md and "(the smallest size measured" in html_
    row = doc.checks[(doc.checks["target"] == "memory-typical") & (doc.checks["cell"] == "ddx-binary / stat / cold")]
    assert row["predicted break"].iloc[0].startswith("files < 100 (the fit reaches the limit below the smallest")
