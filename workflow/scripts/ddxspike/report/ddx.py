"""DDX itself: its own binary against the Python models that explain it, per operation and size
(ratio of medians with its interval), the model/binary parity check, and what DDX's commands did
(git processes spawned, files changed, refusals), stated from the rows. Every figure names the
version measured (hosts.parquet `ddx_version`, e.g. "DDX c208478").

Config `report.ddx_itself`: `pairs` maps each of DDX's own strategies to the model of it;
`startup` is the start-up strategy (no model). Without a binary there are no own rows: the
section is one line saying so and how to configure one.
"""

import re

import pandas as pd

from ddxspike.report import fmt, stats, tidy

PARITY = "parity"  # the `mode` of a model/binary parity row (status ok | mismatch)
DEFAULT = {"pairs": {"ddx-binary": "ddx-list", "ddx-init": "model-add", "ddx-update": "internal-pull",
                     "ddx-contribute": "model-push"}, "startup": "ddx-startup"}
# Behaviour columns a DDX operation records, and how a sentence names them.
BEHAVIOURS = {"git_processes": "spawned {} git processes", "files_changed": "changed {} files"}


def settings(cfg: dict) -> dict:
    return {**DEFAULT, **(cfg.get("ddx_itself") or {})}


def own_strategies(cfg: dict) -> list:
    """DDX's own binary's strategies (discovery and subtree), in config order."""
    s = settings(cfg)
    return list(s["pairs"]) + ([s["startup"]] if s.get("startup") else [])


def model_strategies(cfg: dict) -> list:
    """The Python models of DDX's own strategies, in config order."""
    return list(dict.fromkeys(settings(cfg)["pairs"].values()))


def version_label(hosts: pd.DataFrame | None) -> str:
    """'DDX c208478' from `ddx version`'s first line (e.g. 'DDx v0.1.6-14-gc208478'); '' when no
    host recorded a version (no binary)."""
    if hosts is None or hosts.empty or "ddx_version" not in hosts:
        return ""
    versions = sorted({str(v) for v in hosts["ddx_version"].dropna() if str(v).strip()})
    if not versions:
        return ""
    labels = []
    for v in versions:
        m = re.search(r"-g([0-9a-f]{7,})\b", v) or re.search(r"\b([0-9a-f]{7,40})\b", v)
        labels.append(f"DDX {m.group(1)[:7]}" if m else f"DDX {v}")
    return " / ".join(dict.fromkeys(labels))


def _ratio_rows(df: pd.DataFrame, own: str, model: str) -> list[dict]:
    """Per size and cell (depth, cache state): binary and model medians and their ratio."""
    v = tidy.valid(df)
    b, m = v[v["strategy"] == own], v[v["strategy"] == model]
    out = []
    if not b.empty and m.empty:
        timed = df[(df["strategy"] == model) & (df["mode"] == "time")] if "mode" in df else df.iloc[0:0]
        if not timed.empty:  # the model never gave a figure (e.g. DDX's internal pull): say so
            kinds = ", ".join(f"{c} {st}" for st, c in timed["status"].value_counts().items())
            out.append({"operation": own, "model": model, "size": "every size", "files": "",
                        "binary median": fmt.interval("wall_s", *stats.median_ci(b["wall_s"])),
                        "model median": f"no valid trial ({kinds})", "binary / model": "–", "ratio": float("nan"),
                        "n_files": float("nan")})
        return out
    if b.empty or m.empty:
        return out
    keys = [k for k in ("size", "cache_state", "depth") if k in v and b[k].notna().any()]
    # Commits are a cell's own axis only where one size was measured at several (subtree history).
    keys += ["commits"] if "commits" in b and b.groupby("size")["commits"].nunique().max() > 1 else []
    for key, g in b.groupby(keys, dropna=False, sort=False):
        cell = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        mm = m
        for k, x in cell.items():
            if k == "depth" and not (mm["depth"] == x).any():
                # The binary reads what `ddx list` reads; the model is compared at its stat depth.
                x = "stat"
            mm = mm[mm[k] == x]
        if mm.empty:
            continue
        r = stats.ratio_ci(g["wall_s"], mm["wall_s"])
        cell = {k: (fmt.count(x) if k == "commits" else x) for k, x in cell.items()}
        out.append({"operation": own, "model": model, **cell, "files": fmt.count(g["files"].iloc[0]),
                    "binary median": fmt.interval("wall_s", *stats.median_ci(g["wall_s"])),
                    "model median": fmt.interval("wall_s", *stats.median_ci(mm["wall_s"])),
                    "binary / model": fmt.ratio(*r), "ratio": r[0], "n_files": g["files"].iloc[0]})
    return sorted(out, key=lambda x: x["n_files"])


def _behaviours(df: pd.DataFrame, own: list, version: str) -> list[str]:
    """Sentences from the rows: what each DDX operation did (git processes, files changed) and
    how its trials ended (refusals quoted, paths relative)."""
    out = []
    timed = df[df["mode"] == "time"] if "mode" in df else df
    for s in own:
        g = timed[timed["strategy"] == s]
        if g.empty:
            continue
        n = len(g)
        ok = g[g["status"] == "ok"]
        parts = []
        for col, words in BEHAVIOURS.items():
            if col in ok and ok[col].notna().any():
                counts = ok[col].dropna().astype(int).value_counts()
                parts.append(", ".join(f"{words.format(k)} in {c} of {n}" for k, c in counts.sort_index().items()))
        if parts:
            out.append(f"{version} `{s}` " + "; ".join(parts) + " trials.")
        bad = g[g["status"] != "ok"]
        if not bad.empty:
            first = fmt.no_paths(str(bad["error"].dropna().iloc[0]))[:200] if bad["error"].notna().any() else ""
            kinds = ", ".join(f"{c} {st}" for st, c in bad["status"].value_counts().items())
            out.append(f"{version} `{s}`: {kinds} of {n} trials" + (f" — {first}" if first else "") + ".")
        elif not parts:
            out.append(f"{version} `{s}`: {n} of {n} trials ok.")
    return out


def _parity(df: pd.DataFrame, version: str) -> dict:
    """The model/binary parity rows (mode `parity`): how many repositories agree, and the
    differences named by the mismatches."""
    p = df[df["mode"] == PARITY] if "mode" in df else df.iloc[0:0]
    if p.empty:
        return {"status": "not checked", "text": "No parity rows: the model was not compared with the binary "
                "in this run.", "mismatches": []}
    bad = p[p["status"] != "ok"]
    repos = p["size"].nunique()
    if bad.empty:
        return {"status": "holds", "text": f"The model `ddx-list` lists exactly what {version} `ddx list` lists on "
                f"all {repos} repositories compared ({len(p)} checks).", "mismatches": []}
    mism = [f"{r['size']}: {fmt.no_paths(str(r.get('error') or r['status']))[:240]}" for r in bad.to_dict("records")]
    return {"status": "differs", "text": f"The model differs from {version} `ddx list` on {bad['size'].nunique()} of "
            f"{repos} repositories ({len(bad)} of {len(p)} checks).", "mismatches": mism}


def analyse(df: pd.DataFrame, hosts: pd.DataFrame | None, cfg: dict, note: str = "") -> dict:
    """The DDX-itself section as data: version, measured, note, ratios, parity, behaviours."""
    s = settings(cfg)
    version = version_label(hosts)
    own = own_strategies(cfg)
    have = set(df["strategy"].dropna()) if not df.empty and "strategy" in df else set()
    out = {"version": version, "own": own, "measured": bool(version) and bool(have & set(own)), "note": "",
           "ratios": pd.DataFrame(), "parity": _parity(df, version or "DDX"), "behaviours": [], "summary": ""}
    if not version:
        out["note"] = note or ("DDX's own binary was not measured (the hosts table records no `ddx version`): "
                               "set `ddx.binary` to a DDX binary (README, \"DDX itself\").")
        return out
    rows = []
    for binary, model in s["pairs"].items():
        rows.extend(_ratio_rows(df, binary, model))
    out["ratios"] = pd.DataFrame(rows)
    out["behaviours"] = _behaviours(df, own, version)
    r = out["ratios"]
    if not r.empty and r["ratio"].notna().any():
        top = r[r["n_files"] == r["n_files"].max()]
        out["summary"] = (f"{version} measured: " + "; ".join(
            f"{x['operation']} / {x['model']} {x['binary / model']}" for x in
            top.drop_duplicates("operation").to_dict("records")) + f" at {top['size'].iloc[0]}")
    else:
        out["summary"] = f"{version} measured ({', '.join(sorted(have & set(own))) or 'no own strategy rows'})"
    return out

