"""What each file contains: role-shaped text of an exact size, and seeded incompressible binaries.

A text file is a "core" (the part that makes it valid: YAML document, front matter, README
heading + description) followed by role-appropriate filler (Markdown sections, or comment lines
for YAML/scripts) up to its size. A size below the core cuts the core; that happens only when
the budget is under ~1 KB a file, where valid YAML cannot fit anyway.
"""

import hashlib
import random

import numpy as np
import yaml

from . import vocabulary as V

MARKDOWN_ROLES = {"readme", "markdown", "persona"}
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
         "zip": b"PK\x03\x04", "tar.gz": b"\x1f\x8b\x08\x00"}
CHUNK = 8 << 20  # large writes: fewer syscalls, and numpy fills 8 MiB at a time


def _dump(doc) -> str:
    # Pure-Python SafeDumper on purpose: its output does not depend on libyaml being present.
    return yaml.dump(doc, Dumper=yaml.SafeDumper, sort_keys=False, width=100)


class Renderer:
    def __init__(self, seed: int):
        self.seed = seed
        self.src = V.TextSource(seed)
        self._cores = {}

    def rng(self, slot, salt: str = "") -> random.Random:
        # Keyed by path, never by position: content is independent of generation order.
        return random.Random(f"{self.seed}:{slot.path}{salt}")

    def core(self, slot) -> str:
        if slot.path not in self._cores:
            self._cores[slot.path] = getattr(self, "_" + slot.role)(slot, self.rng(slot, ":core"))
        return self._cores[slot.path]

    def natural(self, slot) -> int:
        """The smallest size at which the file is still valid for its role."""
        return len(self.core(slot))

    def render(self, slot, size: int) -> bytes:
        core = self.core(slot)
        if size <= len(core):
            return core[:size].encode()
        rng = self.rng(slot)
        if slot.role in MARKDOWN_ROLES:
            fill = self.src.markdown(rng, size - len(core))
        else:
            fill = self.src.comments(rng, size - len(core))
        return (core + fill).encode()

    def revision(self, slot, final: bytes, k: int) -> bytes:
        """An earlier version of a text file for commit k: the final text plus a review note."""
        note = V.sentence(self.rng(slot, f":rev{k}"), 4, 10)
        mark = "> " if slot.role in MARKDOWN_ROLES else "# "
        return final + f"\n{mark}Revision {k}: {note}\n".encode()

    # --- cores, one per role -------------------------------------------------------------
    def _readme(self, slot, rng):
        return f"# {slot.ctx['title']}\n\n{slot.ctx['desc']}\n"

    def _markdown(self, slot, rng):
        stem = slot.path.rsplit("/", 1)[1].rsplit(".", 1)[0].replace("-", " ").title()
        head = slot.ctx["title"]
        if "phase" in slot.ctx:
            head += f" - {slot.ctx['phase']['name']} Phase"
        if "artifact" in slot.ctx:
            head += f" - {slot.ctx['artifact'].replace('-', ' ').title()}"
        return f"# {head}: {stem}\n\n{V.sentence(rng)}\n"

    def _yaml_config(self, slot, rng):
        return _dump({"name": slot.ctx["name"], "description": slot.ctx["desc"],
                      "version": "1.0.0",
                      "variables": [{"name": f"{w}_{i}", "description": V.sentence(rng, 4, 8),
                                     "default": rng.choice(V.TECH), "required": rng.random() < .5}
                                    for i, w in enumerate(rng.sample(V.NOUNS, 3))]})

    def _script(self, slot, rng):
        return ("#!/usr/bin/env bash\n# " + slot.ctx["desc"] + "\nset -euo pipefail\n\n"
                f"echo \"Setting up {slot.ctx['name']}\"\n")

    def _dockerfile(self, slot, rng):
        base = rng.choice(("golang:1.23-alpine", "python:3.12-slim", "node:22-alpine"))
        return f"FROM {base}\nWORKDIR /app\nCOPY . .\n# {slot.ctx['desc']}\n"

    def _workflow_yml(self, slot, rng):
        p = slot.ctx
        return _dump({
            "name": p["name"], "version": p["version"], "description": p["desc"],
            "author": "DDX Library", "created": p["created"], "tags": p["tags"],
            "coordinator": "coordinator.md",
            "variables": [{"name": f"{w}_name", "description": V.sentence(rng, 4, 8),
                           "prompt": f"What is the {w} name?", "required": i == 0}
                          for i, w in enumerate(rng.sample(V.NOUNS, rng.randint(1, 4)))],
            "phases": [{"id": ph["id"], "order": ph["order"], "name": ph["name"],
                        "description": ph["desc"], "required_role": ph["role"],
                        "exit_criteria": [V.sentence(rng, 4, 9) for _ in range(rng.randint(2, 4))],
                        "estimated_duration": f"{rng.randint(1, 10)}d"} for ph in p["phases"]],
        })

    def _gates(self, slot, rng):
        ph = slot.ctx["phase"]
        return _dump({"phase": ph["id"], "gates": [
            {"id": f"{ph['id']}-{i}", "description": V.sentence(rng, 4, 10),
             "required": rng.random() < 0.7,
             "check": rng.choice(("artifact_exists", "review_approved", "tests_pass"))}
            for i in range(1, rng.randint(2, 5))]})

    def _artifact_meta(self, slot, rng):
        ph, art = slot.ctx["phase"], slot.ctx["artifact"]
        others = [a for a in ph["artifacts"] if a != art]
        return _dump({
            "artifact": {"name": art.replace("-", " ").title(), "id": art, "type": "document",
                         "phase": ph["id"], "optional": rng.random() < 0.3},
            "description": V.sentence(rng, 6, 12),
            "dependencies": {"requires": others[:1], "enables": others[1:]},
            "output": {"location": f"docs/{ph['order']:02d}-{ph['id']}/{art}", "format": "markdown",
                       "naming": f"{art}.md"},
            "validation": {"required_sections": rng.sample(V.HEADINGS, 3),
                           "min_words": rng.choice((200, 500, 1000))},
            "tags": [ph["id"], art], "version": "1.0.0"})

    def _state_rules(self, slot, rng):
        ids = [ph["id"] for ph in slot.ctx["phases"]]
        return _dump({"states": ids, "initial": ids[0],
                      "transitions": [{"from": a, "to": b, "requires": "exit-gates"}
                                      for a, b in zip(ids, ids[1:])]})

    def _persona(self, slot, rng):
        c = slot.ctx
        front = _dump({"name": c["name"], "roles": c["roles"], "description": c["desc"],
                       "tags": c["tags"]})
        return f"---\n{front}---\n\n# {c['title']}\n\n{c['desc']}\n"

    def _mcp_registry(self, slot, rng):
        return _dump({"servers": slot.ctx["servers"]})

    def _mcp_server(self, slot, rng):
        s = slot.ctx["server"]
        return _dump({"name": s["name"], "description": s["description"],
                      "category": s["category"], "author": "DDX Library", "version": "1.0.0",
                      "tags": s["name"].split("-"),
                      "command": {"executable": "npx", "args": ["-y", f"@ddx/mcp-{s['name']}"]},
                      # Not *_TOKEN: `ddx contribute` refuses a library whose text holds
                      # "token", "secret", ... (subtree experiment, ddx-contribute).
                      "environment": [{"name": f"{s['name'].upper().replace('-', '_')}_URL",
                                       "description": V.sentence(rng, 4, 8), "required": True}]})


def binary_chunks(slot, seed: int):
    """The binary's bytes, CHUNK at a time: a format magic number, then PCG64 output.

    random_raw (the bit generator's own stream) is what numpy keeps stable across versions;
    Generator.bytes is not promised to be. Little-endian explicitly, for other machines."""
    entropy = int.from_bytes(hashlib.sha256(f"{seed}:{slot.path}".encode()).digest()[:16], "big")
    bitgen = np.random.PCG64(entropy)
    magic = MAGIC[slot.ext][: slot.size]
    if magic:
        yield magic
    left = slot.size - len(magic)
    while left > 0:
        n = min(CHUNK, left)
        words = bitgen.random_raw(-(-n // 8)).astype("<u8", copy=False)
        yield memoryview(words).cast("B")[:n]
        left -= n
