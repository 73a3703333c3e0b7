"""Generates a workflow catalogue: a library whose workflows/ folder holds N HELIX-shaped
workflows (plus, on request, a few broken ones), and its ground truth.

The ground truth (JSON) lists every valid workflow, every invalid one with the kind of damage,
and a fixed seeded query set with the expected answer to each query, computed from the plan in
memory (never by parsing the files the strategies parse). Generation is atomic: the library is
built in a temporary sibling folder and renamed into place, then the ground truth is written
(temporary file + os.replace), so a half-written catalogue never looks complete.
"""

import datetime
import json
import os
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ddxspike.catalogue import query
from ddxspike.repos.catalogue import helix, vocabulary as V
from ddxspike.outputs import replace_atomically

# Ways a workflow.yml is broken in a bad-input catalogue, and a word its reason must contain.
DAMAGE = {
    "yaml-syntax": "YAML syntax error",
    "missing-name": "'name'",
    "missing-version": "'version'",
    "tags-not-list": "'tags'",
    "name-not-string": "'name'",
    "phases-not-list": "'phases'",
    "role-not-string": "required_role",
    "not-a-mapping": "not a mapping",
    "empty-file": "empty",
}
ABSENT_TAG = "no-such-tag"
ABSENT_ROLE = "astronaut"


@dataclass
class CatalogueSpec:
    workflows: int  # valid workflows
    seed: int
    invalid: int = 0  # broken workflow.yml files beside the valid ones
    queries_per_kind: int = 50


def plan_workflow(v: V.Vocabulary, name: str, start: datetime.date) -> dict:
    rng = v.rng
    domain, activity = name.split("-")[:2]
    nouns = v.some(V.NOUNS, 3, 3)
    phase_ids = sorted(rng.sample(range(len(V.PHASES)), rng.randint(2, 3)))
    phases = []
    for order, k in enumerate(phase_ids, 1):
        pid, title, artifacts = V.PHASES[k]
        phases.append({
            "id": pid, "order": order, "title": title,
            "description": f"{title} the {domain} {activity}: {v.pick(V.VERBS)} {v.pick(V.NOUNS)}",
            "required_role": v.pick(V.ROLES),
            "exit_criteria": [f"{a} approved" for a in artifacts[:2]],
            "estimated_duration": f"{rng.randint(1, 10)}d",
            "artifacts": rng.sample(artifacts, rng.randint(1, 2)),
        })
    return {
        "name": name,
        "dir": name,
        "version": f"{rng.randint(0, 3)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
        "description": (f"{activity.capitalize()} workflow for {domain} teams that "
                        f"{v.pick(V.VERBS)} {nouns[0]} and {nouns[1]}, with {nouns[2]} kept in view"),
        "author": v.pick(V.AUTHORS),
        "created": (start + datetime.timedelta(days=rng.randint(0, 900))).isoformat(),
        "tags": v.some(V.TAGS, 2, 5),
        "variables": [
            {"name": "project_name", "description": "Name of the project",
             "prompt": "What is the project called?", "required": True},
            {"name": "owner", "description": f"Owner of the {activity}",
             "prompt": "Who owns this?", "required": rng.random() < 0.5},
        ],
        "phases": phases,
        "agent_commands": {"keywords": [activity, domain], "patterns": [f"start {activity}"],
                           "action": "start-workflow",
                           "description": f"Starts the {name} workflow"},
    }


def plan_names(v: V.Vocabulary, n: int) -> list[str]:
    """n unique names domain-activity[-qualifier], Zipf-drawn; collisions get a number."""
    seen: dict[str, int] = {}
    names = []
    for _ in range(n):
        base = f"{v.pick(V.DOMAINS)}-{v.pick(V.ACTIVITIES)}"
        if v.rng.random() < 0.5:
            base += f"-{v.pick(V.QUALIFIERS)}"
        k = seen.get(base, 0)
        seen[base] = k + 1
        names.append(base if k == 0 else f"{base}-{k + 1}")
    return names


def damage(wf: dict, kind: str) -> str:
    """workflow.yml text of a planned workflow, broken in the given way."""
    text = helix.workflow_yml(wf)
    lines = text.splitlines(keepends=True)
    if kind == "yaml-syntax":
        return text.replace("tags: [", "tags: [unclosed, ", 1).replace("]\n", "\n", 1)
    if kind == "missing-name":
        return "".join(line for line in lines if not line.startswith("name:"))
    if kind == "missing-version":
        return "".join(line for line in lines if not line.startswith("version:"))
    if kind == "tags-not-list":
        return "".join("tags: security\n" if line.startswith("tags:") else line for line in lines)
    if kind == "name-not-string":
        return text.replace(f"name: {wf['name']}\n", f"name: [{wf['name']}, copy]\n", 1)
    if kind == "phases-not-list":
        return helix.workflow_yml({**wf, "phases": []}).replace("phases:\n", "phases: {frame: 1}\n")
    if kind == "role-not-string":
        return text.replace("required_role: ", "required_role: [architect, ", 1).replace(
            "\n    exit_criteria:", "]\n    exit_criteria:", 1)
    if kind == "not-a-mapping":
        return "- just\n- a list\n"
    if kind == "empty-file":
        return ""
    raise ValueError(f"unknown damage {kind!r}")


def vocabulary_pools() -> dict[str, list[str]]:
    """The values a generated catalogue's keyword, tag and role queries are drawn from."""
    keywords = sorted(set(V.DOMAINS + V.ACTIVITIES + V.QUALIFIERS + V.NOUNS + V.VERBS
                          + ["workflow"]))
    return {"keyword": keywords, "tag": V.TAGS, "role": V.ROLES}


def plan_queries(rng: random.Random, names: list[str], broken_names: list[str],
                 per_kind: int, pools: dict | None = None) -> list[tuple[str, str]]:
    """A fixed query set: per_kind queries of each kind, in kind order. Values cover common and
    rare words; every tenth query asks for something absent (a name, word, tag or role no valid
    workflow has) and, for names, every tenth a broken workflow's name: both must answer nothing.
    `pools` (keyword, tag, role -> values) default to the generator's vocabulary; a kind with
    no values at all (a real library whose phases name no role) asks only for absent ones."""
    pools = vocabulary_pools() if pools is None else pools
    absent = {"keyword": V.ABSENT_WORDS, "tag": [ABSENT_TAG], "role": [ABSENT_ROLE]}
    out = []
    for i in range(per_kind):
        if i % 10 == 9 or not names:
            value = f"missing-workflow-{i}"
        elif i % 10 == 4 and broken_names:
            value = broken_names[(i // 10) % len(broken_names)]
        else:
            value = rng.choice(names)
        out.append(("name", value))
    for kind in ("keyword", "tag", "role"):
        pool, absent_values = pools[kind] or absent[kind], absent[kind]
        order: list[str] = []
        while len(order) < per_kind:  # every value once before any repeats
            order += rng.sample(pool, len(pool))
        for i in range(per_kind):
            out.append((kind, absent_values[(i // 10) % len(absent_values)] if i % 10 == 9
                        else order[i]))
    return out


def _truth_record(wf: dict) -> dict:
    roles = []
    for p in wf["phases"]:
        if p["required_role"] not in roles:
            roles.append(p["required_role"])
    return {"name": wf["name"], "description": wf["description"], "tags": wf["tags"],
            "roles": roles, "path": f"workflows/{wf['dir']}/workflow.yml"}


def generate_catalogue(spec: CatalogueSpec, library_dir: Path, truth_path: Path, log=print) -> dict:
    """Write the catalogue library (library_dir/workflows/...) and its ground truth JSON."""
    started = time.monotonic()
    rng = random.Random(spec.seed)
    v = V.Vocabulary(rng)
    start = datetime.date(2023, 1, 1)
    plans = [plan_workflow(v, n, start) for n in plan_names(v, spec.workflows)]
    kinds = list(DAMAGE)
    broken = []
    for k in range(spec.invalid):
        kind = kinds[k % len(kinds)]
        wf = plan_workflow(v, f"{v.pick(V.DOMAINS)}-{v.pick(V.ACTIVITIES)}-broken-{k + 1}", start)
        wf["dir"] = f"broken-{k + 1:02d}-{kind}"
        wf["yml"] = damage(wf, kind)
        wf["phases"] = []  # a broken workflow is just its workflow.yml and coordinator
        broken.append((wf, kind))

    library_dir = Path(library_dir)
    library_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = library_dir.with_name(f".{library_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    workflows_dir = tmp / "workflows"
    workflows_dir.mkdir(parents=True)
    files = 0
    for i, wf in enumerate(plans + [b for b, _ in broken], 1):
        files += helix.write_workflow(str(workflows_dir), wf)
        if i % 1000 == 0:
            log(f"  {i}/{len(plans) + len(broken)} workflows written "
                f"({time.monotonic() - started:.1f} s)")
    if library_dir.exists():
        shutil.rmtree(library_dir)
    os.replace(tmp, library_dir)

    records = [_truth_record(wf) for wf in plans]
    queries = plan_queries(rng, [wf["name"] for wf in plans],
                           [wf["name"] for wf, _ in broken], spec.queries_per_kind)
    truth = {
        "workflows": len(plans),
        "invalid_count": len(broken),
        "files": files,
        "seed": spec.seed,
        "valid": sorted(({"name": r["name"], "path": r["path"]} for r in records),
                        key=lambda r: r["path"]),
        "invalid": [{"path": f"workflows/{wf['dir']}/workflow.yml", "damage": kind,
                     "reason_contains": DAMAGE[kind]} for wf, kind in broken],
        "queries": [{"kind": k, "value": val, "answer": query.answer(records, k, val)}
                    for k, val in queries],
    }
    truth_path = Path(truth_path)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(truth_path, lambda tmp: tmp.write_text(json.dumps(truth, indent=0)))
    log(f"catalogue: {len(plans)} valid + {len(broken)} invalid workflows, {files} files "
        f"in {time.monotonic() - started:.1f} s")
    return {k: truth[k] for k in ("workflows", "invalid_count", "files", "seed")}
