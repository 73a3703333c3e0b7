"""Writes one HELIX-shaped workflow folder (ddx-facts.md, "A workflow is a folder tree").

    workflows/<name>/workflow.yml, coordinator.md
    workflows/<name>/phases/0N-<phase>/README.md
    workflows/<name>/phases/0N-<phase>/artifacts/<artifact>/meta.yml, template.md

The tree is kept modest (2-3 phases of 1-2 artifacts: about 12 files a workflow) so that a
10,000-workflow catalogue is generated in seconds; the real HELIX has 6 phases and more files per
artifact, which only a recursive walk would pay for (the catalogue reads workflow.yml only).
YAML is rendered by hand, strings JSON-quoted (valid YAML double-quoted scalars): yaml.dump would
cost more than the rest of generation.
"""

import json
import os


def q(s: str) -> str:
    return json.dumps(s)


def workflow_yml(wf: dict) -> str:
    """workflow.yml text with the real fields: name, version, description, author, created,
    tags, coordinator, variables, phases, agent_commands."""
    out = [
        f"name: {wf['name']}",
        f"version: {wf['version']}",
        f"description: {q(wf['description'])}",
        f"author: {q(wf['author'])}",
        f"created: {wf['created']}",
        "tags: [" + ", ".join(wf["tags"]) + "]",
        "coordinator: coordinator.md",
        "variables:",
    ]
    for v in wf["variables"]:
        out += [
            f"  - name: {v['name']}",
            f"    description: {q(v['description'])}",
            f"    prompt: {q(v['prompt'])}",
            f"    required: {'true' if v['required'] else 'false'}",
        ]
    out.append("phases:")
    for p in wf["phases"]:
        out += [
            f"  - id: {p['id']}",
            f"    order: {p['order']}",
            f"    name: {p['title']}",
            f"    description: {q(p['description'])}",
            f"    required_role: {p['required_role']}",
            "    exit_criteria:",
            *[f"      - {q(c)}" for c in p["exit_criteria"]],
            f"    estimated_duration: {p['estimated_duration']}",
        ]
    ac = wf["agent_commands"]
    # DDX's AgentCommands is a map from the agent subcommand to its definition (DDX's own tests
    # name it `request`); a definition at the top level fails DDX's loader.
    out += [
        "agent_commands:",
        "  request:",
        "    enabled: true",
        "    triggers:",
        "      keywords: [" + ", ".join(ac["keywords"]) + "]",
        "      patterns: [" + ", ".join(q(p) for p in ac["patterns"]) + "]",
        f"    action: {ac['action']}",
        f"    description: {q(ac['description'])}",
    ]
    return "\n".join(out) + "\n"


def meta_yml(wf: dict, phase: dict, artifact: str) -> str:
    about = f"The {artifact} of the {phase['id']} phase of {wf['name']}"
    return (
        "artifact:\n"
        f"  name: {q(artifact.replace('-', ' ').title())}\n"
        f"  id: {artifact}\n"
        "  type: document\n"
        f"  phase: {phase['id']}\n"
        "  optional: false\n"
        f"description: {q(about)}\n"
        "dependencies:\n"
        "  requires: []\n"
        "  enables: []\n"
        "output:\n"
        f"  location: docs/{phase['id']}/\n"
        "  format: markdown\n"
        f"  naming: {artifact}.md\n"
        "validation:\n"
        "  required_sections: [Summary, Details]\n"
        f"tags: [{phase['id']}, {artifact}]\n"
        "version: 1.0.0\n"
    )


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_workflow(workflows_dir: str, wf: dict) -> int:
    """Write the folder tree of one planned workflow; returns the number of files written."""
    root = os.path.join(workflows_dir, wf["dir"])
    os.makedirs(root)
    _write(os.path.join(root, "workflow.yml"), wf["yml"] if "yml" in wf else workflow_yml(wf))
    _write(os.path.join(root, "coordinator.md"),
           f"# {wf['name']} coordinator\n\n{wf['description']}\n")
    files = 2
    for p in wf.get("phases", []):
        phase_dir = os.path.join(root, "phases", f"{p['order']:02d}-{p['id']}")
        os.makedirs(phase_dir)
        _write(os.path.join(phase_dir, "README.md"), f"# {p['title']}\n\n{p['description']}\n")
        files += 1
        for a in p["artifacts"]:
            art_dir = os.path.join(phase_dir, "artifacts", a)
            os.makedirs(art_dir)
            _write(os.path.join(art_dir, "meta.yml"), meta_yml(wf, p, a))
            _write(os.path.join(art_dir, "template.md"),
                   f"# {a.replace('-', ' ').title()}\n\n## Summary\n\n## Details\n")
            files += 2
    return files
