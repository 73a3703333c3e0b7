"""The seeded vocabulary catalogues are drawn from: the words of real workflow names, tags,
descriptions and HELIX phases/roles.

Words are drawn with Zipf-like weights (the k-th word about 1/k as often as the first), so a
query for a common word answers hundreds of workflows and one for a rare word a handful: queries
have answers of varied size, as in a real catalogue.
"""

import random

DOMAINS = [
    "api", "web", "mobile", "data", "platform", "security", "infra", "payments", "search", "docs",
    "ml", "analytics", "identity", "billing", "checkout", "storage", "network", "devops", "cli",
    "frontend", "backend", "database", "messaging", "observability", "compliance", "onboarding",
    "content", "marketing", "support", "partner", "cloud", "edge", "iot", "gaming", "health",
    "finance", "logistics", "research", "legal", "hr",
]
ACTIVITIES = [
    "release", "review", "migration", "incident", "design", "testing", "audit", "rollout",
    "refactor", "launch", "hardening", "discovery", "triage", "upgrade", "deprecation", "spike",
    "planning", "retrospective", "postmortem", "handover", "integration", "evaluation",
    "benchmark", "cleanup", "modernization", "certification", "experiment", "backlog",
    "prototype", "documentation",
]
QUALIFIERS = [
    "lite", "full", "fast", "guided", "strict", "agile", "lean", "quarterly", "weekly", "helix",
    "v2", "team", "solo", "enterprise", "startup", "regulated", "remote", "async", "daily",
    "minimal",
]
NOUNS = [
    "requirements", "architecture", "tests", "deployment", "metrics", "stakeholders", "risks",
    "dependencies", "contracts", "schemas", "prompts", "agents", "templates", "patterns",
    "personas", "checklists", "dashboards", "alerts", "runbooks", "budgets", "milestones",
    "interfaces", "pipelines", "datasets", "models", "policies", "secrets", "permissions",
    "latency", "throughput", "accessibility", "localization", "telemetry", "feedback",
    "estimates", "roadmaps", "incidents", "vendors", "licenses", "migrations", "backups",
    "caching", "indexing", "pagination", "versioning", "changelogs", "reviews", "approvals",
    "experiments", "hypotheses", "invariants", "fixtures", "mocks", "benchmarks", "profiles",
    "quotas", "tenants", "regions", "certificates", "tokens",
]
VERBS = [
    "captures", "validates", "aligns", "tracks", "documents", "automates", "coordinates",
    "reviews", "prioritises", "hardens", "measures", "verifies", "drafts", "publishes",
]
TAGS = [
    "helix", "agile", "tdd", "bdd", "security", "compliance", "api", "frontend", "backend",
    "data", "ml", "devops", "docs", "release", "incident", "design", "architecture", "testing",
    "performance", "accessibility", "mobile", "cloud", "startup", "enterprise", "ai-assisted",
    "lightweight", "regulated", "open-source", "internal", "experimental", "stable", "deprecated",
    "team", "solo", "async", "remote", "quarterly", "weekly", "migration", "onboarding",
]
ROLES = [
    "product-owner", "architect", "developer", "tester", "reviewer", "release-manager",
    "security-engineer", "data-scientist", "technical-writer", "designer", "sre", "analyst",
]
# HELIX phases in their order, each with the artifacts it produces.
PHASES = [
    ("frame", "Frame", ["prd", "user-stories", "feature-spec", "risk-register"]),
    ("design", "Design", ["architecture", "adr", "api-contract", "data-design"]),
    ("test", "Test", ["test-plan", "test-cases", "test-procedures"]),
    ("build", "Build", ["implementation-plan", "code-review", "build-log"]),
    ("deploy", "Deploy", ["release-notes", "runbook", "deployment-checklist"]),
    ("iterate", "Iterate", ["retrospective", "metrics-report", "lessons-learned"]),
]
AUTHORS = ["DDX Team", "HELIX maintainers", "Platform Guild", "Quality Chapter", "Community"]
# Words a keyword query may ask for that no generated workflow contains (answers of size 0).
ABSENT_WORDS = ["quantum", "blockchain", "zeppelin", "mainframe"]


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (k + 1) ** s for k in range(n)]


class Vocabulary:
    """Seeded draws from the word lists, Zipf-weighted by list position."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._weights: dict[int, list[float]] = {}

    def pick(self, words: list[str]) -> str:
        w = self._weights.setdefault(len(words), zipf_weights(len(words)))
        return self.rng.choices(words, weights=w)[0]

    def some(self, words: list[str], lo: int, hi: int) -> list[str]:
        """lo..hi distinct words, in first-drawn order."""
        want = self.rng.randint(lo, hi)
        out: list[str] = []
        while len(out) < want:
            w = self.pick(words)
            if w not in out:
                out.append(w)
        return out
