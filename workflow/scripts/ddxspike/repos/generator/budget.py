"""Turns a layout into sized files: which slots become binaries, and every file's exact size."""

import random

from . import sizes as S
from .layout import PROMPT_GROUPS

BINARY_KINDS = (  # (extension, folder, stems, weight)
    ("png", "images", ("diagram", "screenshot", "wireframe", "logo", "flow"), 0.45),
    ("pdf", "docs", ("guide", "spec", "handbook", "whitepaper"), 0.25),
    ("zip", "dist", ("starter-kit", "samples", "bundle"), 0.15),
    ("tar.gz", "dist", ("vendor", "fixtures", "snapshot"), 0.15),
)
ASSET_TYPES = ("templates", "patterns", "prompts")  # where binaries belong first


def size_library(slots: list, spec, renderer) -> None:
    """Sets slot.size (and turns some slots into binaries) so sizes sum exactly to spec.bytes."""
    if not slots:
        return
    rng = random.Random(f"{spec.seed}:sizes")
    naturals = [renderer.natural(s) for s in slots]
    targets = [max(t, n) for t, n in zip(S.text_targets(len(slots), rng), naturals)]
    n_bin = S.binary_count(spec.files, spec.bytes, sum(targets))
    binaries = _choose_binaries(slots, n_bin, random.Random(f"{spec.seed}:binaries"))
    text = [i for i in range(len(slots)) if i not in binaries]
    t_targets = [targets[i] for i in text]
    floors = [naturals[i] for i in text]
    room = spec.bytes - sum(t_targets)
    if n_bin and room >= n_bin * S.BINARY_MIN:
        text_sizes, bin_budget = t_targets, room
    elif n_bin:  # the binaries squeeze the text: give them a token size, fit the text around
        per = max(1, min(S.BINARY_MIN, (spec.bytes - sum(floors)) // n_bin))
        bin_budget = per * n_bin
        text_sizes = S.fit_text(t_targets, floors, spec.bytes - bin_budget)
    else:
        text_sizes, bin_budget = S.fit_text(t_targets, floors, spec.bytes), 0
    for i, size in zip(text, text_sizes):
        slots[i].size = size
    order = sorted(binaries)
    for i, size in zip(order, S.binary_sizes(len(order), bin_budget, rng)):
        slots[i].size = size
    assert sum(s.size for s in slots) == spec.bytes and min(s.size for s in slots) >= 1


def _choose_binaries(slots: list, n: int, rng: random.Random) -> set:
    """Binaries replace non-README files of templates/patterns/prompts assets first; only tiny
    libraries run out of those and fall back to READMEs, then to anything."""
    tiers = [[], [], []]
    for i, s in enumerate(slots):
        in_assets = s.asset_type in ASSET_TYPES and s.path.count("/") >= 2
        tiers[0 if in_assets and s.role != "readme" else 1 if in_assets else 2].append(i)
    chosen = []
    for tier in tiers:
        take = min(n - len(chosen), len(tier))
        chosen += rng.sample(tier, take)
    for k, i in enumerate(sorted(chosen)):
        ext, folder, stems, _ = rng.choices(BINARY_KINDS, weights=[b[3] for b in BINARY_KINDS])[0]
        s = slots[i]
        s.role, s.ext = "binary", ext
        s.path = f"{_asset_root(s.path)}/{folder}/{rng.choice(stems)}-{k}.{ext}"
    return set(chosen)


def _asset_root(path: str) -> str:
    parts = path.split("/")
    depth = 3 if parts[0] == "prompts" and len(parts) > 3 and parts[1] in PROMPT_GROUPS else 2
    return "/".join(parts[: min(depth, len(parts) - 1)])
