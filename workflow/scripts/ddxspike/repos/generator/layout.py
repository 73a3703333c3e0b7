"""Where the files go: asset folders per type, laid out the way `ddx list` and DDX read them.

The plan is a list of Slots (one per file) in a fixed order; content and size come later
(sizes.py, content.py). Every asset folder starts with README.md, whose first non-heading line is
the description `ddx list` shows. Only the file counts and the seed decide the layout.
"""

import math
import random
from dataclasses import dataclass, field

from . import vocabulary as V
from .spec import SPLIT_TYPES, LibrarySpec

PROMPT_GROUPS = ("claude", "common", "ddx")
HELIX_PHASES = ("frame", "design", "test", "build", "deploy", "iterate")
ARTIFACTS = {
    "frame": ("prd", "user-stories", "feature-spec", "risk-register", "stakeholder-map"),
    "design": ("architecture", "adr", "api-contracts", "data-design", "security-design"),
    "test": ("test-plan", "test-procedures", "test-suites", "security-tests"),
    "build": ("implementation-plan", "build-procedures", "code-review-checklist"),
    "deploy": ("deployment-checklist", "runbook", "release-notes", "monitoring-setup"),
    "iterate": ("metrics-dashboard", "retrospective", "lessons-learned", "backlog-update"),
}
# Extra text files of an asset after README.md, by type: (relative name, role).
ASSET_FILES = {
    "templates": (("template.md", "markdown"), ("config.yml", "yaml_config"),
                  ("setup.sh", "script"), ("Dockerfile.template", "dockerfile")),
    "patterns": (("pattern.md", "markdown"), ("examples/basic.md", "markdown"),
                 ("checklist.md", "markdown")),
    "prompts": (("prompt.md", "markdown"), ("context.md", "markdown")),
}
EXTRA_DIRS = {"templates": "docs", "patterns": "examples", "prompts": "variants"}


@dataclass
class Slot:
    path: str
    role: str  # how content.py renders it; "binary" once sizes.py has chosen binaries
    ctx: dict = field(repr=False)  # shared description of the asset (title, workflow plan, ...)
    size: int = 0
    ext: str = ""  # binary kind (png, pdf, zip, tar.gz)

    @property
    def asset_type(self) -> str:
        return self.path.split("/", 1)[0]

    @property
    def asset(self) -> str:
        return self.path.split("/")[1]

    @property
    def kind(self) -> str:
        return "binary" if self.role == "binary" else "text"


def type_counts(spec: LibrarySpec) -> dict:
    """Files per top-level folder: personas/ and mcp-servers/ first, the rest by the split."""
    n = spec.files
    extras = {}
    if n >= 40:  # below that, the few files are better spent on the spike's four types
        extras = {"personas": min(40, max(2, n // 200)), "mcp-servers": min(41, max(3, n // 200))}
    rest = n - sum(extras.values())
    frac = spec.fractions()
    exact = {t: rest * frac[t] for t in SPLIT_TYPES}
    counts = {t: math.floor(v) for t, v in exact.items()}
    # Largest remainder; ties go to the earlier type in canonical order.
    order = sorted(SPLIT_TYPES, key=lambda t: (-(exact[t] - counts[t]), SPLIT_TYPES.index(t)))
    for t in order[: rest - sum(counts.values())]:
        counts[t] += 1
    counts.update(extras)
    return counts


def plan_library(spec: LibrarySpec) -> list:
    slots = []
    for t, n in type_counts(spec).items():
        rng = random.Random(f"{spec.seed}:layout:{t}")
        planner = {"prompts": _prompts, "workflows": _workflows, "personas": _personas,
                   "mcp-servers": _mcp}.get(t, _assets)
        if n:
            slots.extend(planner(t, n, rng))
    assert len(slots) == spec.files and len({s.path for s in slots}) == spec.files
    return slots


def _asset_sizes(n: int, rng: random.Random, median: float, smallest: int) -> list:
    """Split n files into asset folders of heavy-ish tailed size (2..~40 files)."""
    out = []
    while n > 0:
        k = max(smallest, min(40, round(rng.lognormvariate(math.log(median), 0.5))))
        if n - k < smallest:
            k = n  # the last folder absorbs the remainder
        out.append(k)
        n -= k
    return out


def _asset(base: str, name: str, k: int, t: str, rng: random.Random) -> list:
    ctx = {"name": name, "title": name.replace("-", " ").title(), "type": t,
           "desc": _description(t, name, rng)}
    files = [("README.md", "readme")] + list(ASSET_FILES[t])
    for i in range(len(files), k):
        files.append((f"{EXTRA_DIRS[t]}/{rng.choice(V.NOUNS)}-{i}.md", "markdown"))
    return [Slot(f"{base}/{name}/{rel}", role, ctx) for rel, role in files[:k]]


def _description(t: str, name: str, rng: random.Random) -> str:
    what = {"templates": "Project template", "patterns": "Reusable pattern",
            "prompts": "Prompt", "workflows": "Workflow"}.get(t, "Asset")
    return f"{what} for {name.replace('-', ' ')}: {V.sentence(rng, 5, 10).lower()}"


def _assets(t: str, n: int, rng: random.Random) -> list:
    sizes = _asset_sizes(n, rng, 6, 2)
    names = V.unique_slugs(rng, len(sizes), 3)
    return [s for name, k in zip(names, sizes) for s in _asset(t, name, k, t, rng)]


def _prompts(t: str, n: int, rng: random.Random) -> list:
    """prompts/{claude,common,ddx}/ each with a README.md, prompt folders below them."""
    groups = PROMPT_GROUPS[: min(n, 3)]
    slots = [Slot(f"prompts/{g}/README.md", "readme",
                  {"name": g, "title": f"{g.title()} Prompts", "type": t,
                   "desc": f"Prompts for {g} sessions: {V.sentence(rng, 5, 9).lower()}"})
             for g in groups]
    sizes = _asset_sizes(n - len(groups), rng, 4, 2) if n > len(groups) else []
    names = V.unique_slugs(rng, len(sizes), 2)
    for i, (name, k) in enumerate(zip(names, sizes)):
        slots += _asset(f"prompts/{PROMPT_GROUPS[i % 3]}", name, k, t, rng)
    return slots


def _personas(t: str, n: int, rng: random.Random) -> list:
    names = V.unique_slugs(rng, n, 2)
    return [Slot(f"personas/{name}.md", "persona",
                 {"name": name, "title": name.replace("-", " ").title(), "type": t,
                  "roles": sorted(rng.sample(V.ROLES, rng.randint(1, 3))),
                  "desc": f"Persona for {name.replace('-', ' ')}: {V.sentence(rng, 5, 9).lower()}",
                  "tags": sorted(set(name.split("-")))})
            for name in names]


def _mcp(t: str, n: int, rng: random.Random) -> list:
    names = V.unique_slugs(rng, n - 1, 2)
    servers = [{"name": name, "file": f"servers/{name}.yml",
                "category": rng.choice(("development", "data", "productivity", "search", "cloud")),
                "description": f"MCP server for {name.replace('-', ' ')}"} for name in names]
    ctx = {"servers": servers, "type": t}
    return [Slot("mcp-servers/registry.yml", "mcp_registry", ctx)] + [
        Slot(f"mcp-servers/{s['file']}", "mcp_server", {**ctx, "server": s}) for s in servers]


def _workflows(t: str, n: int, rng: random.Random) -> list:
    """HELIX-shaped workflow trees; the last one is cut or padded with actions/ to fit n."""
    slots, names, remaining, i = [], set(), n, 0
    while remaining > 0:
        name = "helix" if i == 0 else V.slug(rng, 2)
        name = name if name not in names else f"{name}-{i}"
        names.add(name)
        plan = _workflow_plan(name, rng)
        files = _workflow_files(plan, rng, extra_actions=0)
        if remaining - len(files) < 7:  # too few left for another workflow: absorb them here
            files = _workflow_files(plan, rng, extra_actions=max(0, remaining - len(files)))
        files = files[:remaining]
        slots += [Slot(f"workflows/{name}/{rel}", role, ctx) for rel, role, ctx in files]
        remaining -= len(files)
        i += 1
    return slots


def _workflow_plan(name: str, rng: random.Random) -> dict:
    count = rng.randint(3, 6)
    phases = []
    for order, ph in enumerate(HELIX_PHASES[:count], start=1):
        arts = rng.sample(ARTIFACTS[ph], rng.randint(0, min(3, len(ARTIFACTS[ph]))))
        phases.append({"id": ph, "order": order, "dir": f"phases/{order:02d}-{ph}",
                       "name": ph.title(), "role": rng.choice(V.ROLES),
                       "desc": V.sentence(rng, 6, 12), "artifacts": sorted(arts)})
    return {"name": name, "title": name.replace("-", " ").title(), "type": "workflows",
            "desc": _description("workflows", name, rng), "phases": phases,
            "version": f"1.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
            "created": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "tags": sorted(set(rng.sample(V.TECH, 2) + ["workflow"]))}


def _workflow_files(plan: dict, rng: random.Random, extra_actions: int) -> list:
    """(relative path, role, ctx) in priority order, so a cut keeps the essentials."""
    out = [("README.md", "readme", plan), ("workflow.yml", "workflow_yml", plan),
           ("coordinator.md", "markdown", plan)]
    for ph in plan["phases"]:
        pctx = {**plan, "phase": ph}
        out += [(f"{ph['dir']}/README.md", "markdown", pctx),
                (f"{ph['dir']}/enforcer.md", "markdown", pctx),
                (f"{ph['dir']}/input-gates.yml", "gates", pctx),
                (f"{ph['dir']}/exit-gates.yml", "gates", pctx)]
        for art in ph["artifacts"]:
            actx = {**pctx, "artifact": art}
            base = f"{ph['dir']}/artifacts/{art}"
            out += [(f"{base}/meta.yml", "artifact_meta", actx),
                    (f"{base}/template.md", "markdown", actx),
                    (f"{base}/prompt.md", "markdown", actx),
                    (f"{base}/example.md", "markdown", actx)]
    out.append(("state-rules.yml", "state_rules", plan))
    out += [(f"actions/{a}-{k}.md", "markdown", plan)
            for k, a in enumerate(rng.choice(V.VERBS) for _ in range(extra_actions))]
    return out
