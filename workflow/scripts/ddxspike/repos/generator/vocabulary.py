"""Deterministic English-ish text about AI-assisted development, from a fixed vocabulary.

Text files are built from a per-generation corpus of paragraphs (drawn once from the seed) so
that 100+ MB of Markdown costs seconds, not minutes; each file picks its own paragraphs with its
own seeded random.Random, so content never depends on generation order. ASCII only, so a cut at
any byte offset stays valid UTF-8.
"""

import random

NOUNS = ("agent api architecture artifact assistant backlog branch build cache catalogue change "
         "checklist cli code commit component config context contract coverage dashboard "
         "database decision dependency deployment design developer diagram document "
         "environment error event feature feedback file gate guide handler index integration "
         "interface issue library lifecycle log metric migration model module monitor "
         "pattern phase pipeline plan policy process project prompt protocol prototype "
         "query queue release repository requirement review risk roadmap rule runbook schema "
         "script search server service session spec stakeholder story subtree system task "
         "team template test tool trace user validation version workflow").split()
ADJECTIVES = ("automated clear concise consistent critical current deterministic draft "
              "effective explicit external focused incremental initial internal large "
              "lightweight local maintainable measurable minimal modular new optional "
              "reliable repeatable required reusable robust scalable secure shared simple "
              "small stable structured testable traceable typed useful versioned").split()
VERBS = ("add align analyse build capture check clarify collect compare configure create "
         "define deliver describe design document enable ensure estimate evaluate extend "
         "generate guide identify implement improve include keep list maintain measure "
         "monitor outline plan prepare prioritise record reduce refine release review run "
         "share split summarise support track update use validate verify write").split()
LINKS = ("and the with for each before after so that when while across within from into "
         "through without by using against").split()
TECH = ("go python typescript react nextjs rust java kotlin swift node deno django fastapi "
        "rails spring postgres redis kafka grpc graphql rest docker kubernetes terraform "
        "aws gcp azure github gitlab slack stripe auth billing search analytics mobile web "
        "desktop embedded data ml llm claude openai mcp observability security").split()
HEADINGS = ("Overview", "Purpose", "When to Use", "Prerequisites", "Usage", "Structure",
            "Configuration", "Variables", "Examples", "Best Practices", "Anti-Patterns",
            "Checklist", "Validation", "Troubleshooting", "Related Assets", "References",
            "Inputs", "Outputs", "Steps", "Notes", "Quality Criteria", "Exit Criteria")
ROLES = ("product-owner", "architect", "developer", "tester", "reviewer", "security-analyst",
         "technical-writer", "release-manager", "data-engineer", "site-reliability-engineer")


def words(rng: random.Random, n: int) -> str:
    pool = (NOUNS, NOUNS, ADJECTIVES, VERBS, LINKS, LINKS, TECH)
    return " ".join(rng.choice(rng.choice(pool)) for _ in range(n))


def sentence(rng: random.Random, lo: int = 6, hi: int = 16) -> str:
    text = words(rng, rng.randint(lo, hi))
    return text[0].upper() + text[1:] + "."


def title(rng: random.Random) -> str:
    return " ".join(w.capitalize() for w in (rng.choice(ADJECTIVES), rng.choice(NOUNS),
                                             rng.choice(NOUNS)))


def slug(rng: random.Random, parts: int = 2) -> str:
    pools = (TECH, NOUNS, ADJECTIVES)
    return "-".join(rng.choice(pools[i % 3]) for i in range(parts))


def unique_slugs(rng: random.Random, n: int, parts: int = 2) -> list:
    """n distinct folder names; a numeric suffix only once the word combinations run short."""
    seen, out = set(), []
    while len(out) < n:
        name = slug(rng, parts)
        if name in seen:
            name = f"{name}-{len(out)}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


class TextSource:
    """A corpus of paragraphs and bullet items drawn once from the seed, sliced per file."""

    def __init__(self, seed: int, paragraphs: int = 1500):
        rng = random.Random(f"{seed}:corpus")
        self.paragraphs = [" ".join(sentence(rng) for _ in range(rng.randint(2, 6)))
                           for _ in range(paragraphs)]
        self.bullets = ["- " + sentence(rng, 4, 10) for _ in range(paragraphs)]

    def markdown(self, rng: random.Random, n: int) -> str:
        """Markdown sections of exactly n characters (ends with a newline when n > 0)."""
        parts, size = [], 0
        while size < n:
            block = [f"\n## {rng.choice(HEADINGS)}\n\n"]
            for _ in range(rng.randint(1, 3)):
                block.append(rng.choice(self.paragraphs) + "\n\n")
            if rng.random() < 0.4:
                block.append("\n".join(rng.choice(self.bullets) for _ in range(rng.randint(3, 6)))
                             + "\n")
            text = "".join(block)
            parts.append(text)
            size += len(text)
        return _cut("".join(parts), n)

    def comments(self, rng: random.Random, n: int, marker: str = "#") -> str:
        """Comment lines of exactly n characters: padding that keeps YAML and scripts valid."""
        parts, size = [], 0
        while size < n:
            line = f"{marker} {rng.choice(self.paragraphs)[:rng.randint(40, 100)]}\n"
            parts.append(line)
            size += len(line)
        return _cut("".join(parts), n)


def _cut(text: str, n: int) -> str:
    if n <= 0:
        return ""
    return text[: n - 1] + "\n"
