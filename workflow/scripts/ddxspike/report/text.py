"""The executive summary (at most 250 words) as plain text, from the Findings object: what was
measured, the five answers, the size decision and the best measured gain. Layout only."""

from ddxspike.report import fmt, policy
from ddxspike.report.findings import Document

MAX_WORDS = 250


def words(text: str) -> int:
    return len(text.split())


def executive_summary(doc: Document) -> str:
    """What was measured and the five answers first (without their caveats when too long), then
    as many of the rest as fit in MAX_WORDS, most important first."""
    d = doc.ddx
    head = (f"TS-001 measured with {d['version']}." if d.get("version") else
            "DDX's own binary was not measured; figures are the Python models'.")
    full = [f"{k}. {a.sentence} ({a.mark}" + (f": {a.reason})" if a.reason else ")") for k, a in doc.answers.items()]
    short = [f"{k}. {a.sentence} ({a.mark})" for k, a in doc.answers.items()]
    text = "\n".join([head] + full)
    if words(text) > MAX_WORDS:
        text = "\n".join([head] + short)
    optional = [doc.hosts, doc.scale]
    if not doc.policy.empty:
        optional.append("Size policy: " + "; ".join(policy.rule(r) for r in doc.policy.to_dict("records")) + ".")
    if doc.gains:
        optional.append(f"Best measured gain: {doc.gains[0]['text']}.")
    if d.get("parity", {}).get("status") in ("holds", "differs"):
        optional.append(d["parity"]["text"])
    done = sum(c.status == "met" for c in doc.checklist)
    optional += [f"Checklist: {done} of {len(doc.checklist)} success criteria and deliverables met.", doc.exclusions]
    for o in optional:
        if o and words(text) + words(o) <= MAX_WORDS:
            text += "\n" + o
    return fmt.no_paths(text)
