"""The executive summary (at most 250 words) as plain text, from the Findings object: what was
measured, the five answers, the size decision and the best measured gain. Layout only."""

from ddxspike.report import fmt
from ddxspike.report.findings import Document

MAX_WORDS = 250


def words(text: str) -> int:
    return len(text.split())


def executive_summary(doc: Document) -> str:
    """Lines in order of importance; the least important are dropped until it fits MAX_WORDS."""
    d = doc.ddx
    head = (f"TS-001 measured with {d['version']}." if d.get("version") else
            "DDX's own binary was not measured; figures are the Python models'.")
    lines = [head]
    lines += [f"{k}. {a.sentence}" + (f" ({a.mark}: {a.reason})" if a.reason else f" ({a.mark})")
              for k, a in doc.answers.items()]
    optional = []
    if not doc.policy.empty:
        optional.append("Size policy: " + "; ".join(f"{r['level']} at {r['axis']} ≥ {r['threshold']}"
                                                    for r in doc.policy.to_dict("records")) + ".")
    if doc.gains:
        optional.append(f"Best measured gain: {doc.gains[0]['text']}.")
    if d.get("parity", {}).get("status") in ("holds", "differs"):
        optional.append(d["parity"]["text"])
    done = sum(c.status == "met" for c in doc.checklist)
    optional.append(f"Checklist: {done} of {len(doc.checklist)} success criteria and deliverables met.")
    if doc.scale:
        optional.append(doc.scale)
    for extra in (doc.hosts, doc.exclusions):
        if extra:
            optional.append(extra)
    text = "\n".join(lines)
    for o in optional:
        if words(text) + words(o) <= MAX_WORDS:
            text += "\n" + o
    while words(text) > MAX_WORDS and "\n" in text:  # the answers alone are too long: cut the last
        text = text.rsplit("\n", 1)[0]
    return fmt.no_paths(text)
