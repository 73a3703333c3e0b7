"""DDX's own `ddx list --json` and `ddx version` as discovery strategies (ddx-binary,
ddx-startup), and the parity check that holds the model (ddx_list.py) to the binary.

The binary runs through the engine like every external command (engine/external.py), isolated
by ddxcli.environment (HOME of the job's own, no update check): `ddx list` prints to STANDARD
ERROR, also with --json (cobra's cmd.Println), so ddx-binary reads stderr (`ddx version` prints
to stdout). Its library is
given by DDX_LIBRARY_BASE_PATH; the working directory is an empty project folder of the job's
own, so no `.ddx/config.yaml` of the measured repository can point elsewhere.

Go's JSON encoder prints every byte of a name that is not valid UTF-8 as U+FFFD, so a listing
of a library with such names can only be checked against the truth after the same change
(ddx_list.go_text): `truth_as_printed`.
"""

import json
import os
from pathlib import Path

from ddxspike import ddxcli
from ddxspike.discovery import ddx_list

# The config entries that run DDX's binary: targets and the report may name them even in a run
# whose config leaves them out (settings.known_strategies).
STRATEGY_NAMES = ("ddx-binary", "ddx-startup")
FIELDS = ("name", "type", "description", "path", "is_directory", "size", "tags")


def run_kwargs(entry: dict, binary: str, library: str, home: Path) -> dict:
    """engine.external.run_command keyword arguments for a `ddx:` strategy entry."""
    env = ddxcli.environment(Path(home) / "home",
                             {"DDX_LIBRARY_BASE_PATH": os.path.abspath(library)})
    return {"argv": [binary, *entry["ddx"]], "cwd": str(_project(home)), "env": env,
            "stream": entry.get("stream", "stderr"), "parser": entry["parser"]}


def parse_list(data: bytes) -> dict:
    """The `ddx list --json` document; a clear error when it is not one."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise ValueError(f"ddx list --json: not JSON ({exc}): {data[:200]!r}") from None
    if not isinstance(doc, dict) or "resources" not in doc:
        raise ValueError(f"ddx list --json: no 'resources' in {data[:200]!r}")
    return doc


def asset_paths(data: bytes) -> list[bytes]:
    """Parser of ddx-binary: "<type>/<name>" of every resource (`null` and [] list nothing)."""
    return [f"{r['type']}/{r['name']}".encode() for r in parse_list(data)["resources"] or []]


def version_seen(data: bytes) -> list:
    """Parser of ddx-startup: `ddx version` lists nothing, but must have said its version."""
    if not data.startswith(b"DDx v"):
        raise ValueError(f"ddx version: unexpected output {data[:200]!r}")
    return []


def truth_as_printed(assets: list[bytes]) -> list[bytes]:
    """The manifest's assets as the binary's JSON shows them (duplicates kept: two names that
    differ only in invalid bytes print alike, and the binary lists both)."""
    return sorted(ddx_list.go_text(a).encode() for a in assets)


def binary_listing(binary: str, library: str, home: Path, timeout_s: float) -> dict:
    """The binary's `ddx list --json` document for `library`, untimed (the parity check)."""
    proc = ddxcli.run(binary, ["list", "--json"], cwd=_project(home), home=Path(home) / "home",
                      timeout_s=timeout_s,
                      extra_env={"DDX_LIBRARY_BASE_PATH": os.path.abspath(library)})
    return parse_list(proc.stderr.encode())


def _project(home) -> Path:
    project = Path(home) / "project"
    project.mkdir(parents=True, exist_ok=True)
    return project


def _key(rec: dict) -> str:
    return f"{rec.get('type')}/{rec.get('name')}"


def differences(model: list | None, binary: list | None, limit: int = 10) -> list[str]:
    """Every asset whose record differs between model and binary, named with the fields that
    differ; the order of the listing and null-vs-[] count too. [] when they agree."""
    out = []
    if (model is None) != (binary is None):
        out.append(f"resources: model {'null' if model is None else '[]'}, "
                   f"ddx {'null' if binary is None else '[]'}")
    model, binary = model or [], binary or []
    by_model = {}
    for r in model:
        by_model.setdefault(_key(r), []).append(r)
    by_binary = {}
    for r in binary:
        by_binary.setdefault(_key(r), []).append(r)
    for key in sorted(set(by_model) | set(by_binary)):
        m, b = by_model.get(key, []), by_binary.get(key, [])
        if not m:
            out.append(f"{key}: only in ddx")
        elif not b:
            out.append(f"{key}: only in the model")
        elif len(m) != len(b):
            out.append(f"{key}: {len(m)} in the model, {len(b)} in ddx")
        else:
            for mr, br in zip(m, b):
                fields = [f"{f} model {mr.get(f)!r} / ddx {br.get(f)!r}" for f in FIELDS
                          if mr.get(f) != br.get(f)]
                if fields:
                    out.append(f"{key}: " + "; ".join(fields))
    if not out and [_key(r) for r in model] != [_key(r) for r in binary]:
        out.append("same records in another order")
    if len(out) > limit:
        out = out[:limit] + [f"(+{len(out) - limit} more)"]
    return out


def parity(library: str, binary: str, home: Path, timeout_s: float) -> tuple[str, str, int]:
    """(status, error, assets the binary listed): `ok` when the model's full records equal the
    binary's, `mismatch` naming the assets that differ, `error` when the binary failed."""
    try:
        doc = binary_listing(binary, library, home, timeout_s)
    except (ddxcli.DdxFailed, OSError, ValueError) as exc:
        return "error", f"ddx list --json failed: {exc}", 0
    theirs = doc["resources"]
    ours = ddx_list.as_json(ddx_list.list_resources(library, "meta"))
    diff = differences(ours, theirs)
    counts = {}
    for r in ours or []:
        counts[r["type"]] = counts.get(r["type"], 0) + 1
    if counts != doc.get("summary"):
        diff.append(f"summary: model {counts} / ddx {doc.get('summary')}")
    n = len(theirs or [])
    if diff:
        return "mismatch", f"model ddx-list differs from DDX's own ddx list: " + " | ".join(diff), n
    return "ok", None, n
