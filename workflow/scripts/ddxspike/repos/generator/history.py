"""The commit history: early commits add slices of the library, later ones revise a few texts.

Half the commits (at most one per file) add files in sorted-path slices, so an asset usually
arrives whole; the rest each revise 1-3 text files. A file's last touch writes its final content,
so HEAD's tree is exactly the library whatever the commit count.
"""

import math
import random
from dataclasses import dataclass, field


@dataclass
class Commit:
    message: str
    touched: list = field(default_factory=list)  # slot indices, in path order


def plan_history(slots: list, commits: int, seed: int) -> tuple:
    """(commits, last_touch): last_touch[i] is the commit index where slot i gets its final
    content. With no files every commit is empty (the empty-library edge case)."""
    rng = random.Random(f"{seed}:history")
    n = len(slots)
    adds = min(n, max(1, math.ceil(commits / 2))) if n else 0
    order = sorted(range(n), key=lambda i: slots[i].path.encode())
    out, last = [], {}
    for k in range(adds):
        part = order[k * n // adds:(k + 1) * n // adds]
        first, final = slots[part[0]], slots[part[-1]]
        out.append(Commit(f"Add {len(part)} library files ({first.asset_type}/{first.asset} .. "
                          f"{final.asset_type}/{final.asset})", part))
        last.update(dict.fromkeys(part, k))
    texts = [i for i in order if slots[i].role != "binary"]
    for k in range(adds, commits):
        picked = sorted(rng.sample(texts, min(len(texts), rng.randint(1, 3))),
                        key=lambda i: slots[i].path.encode())
        what = ", ".join(slots[i].path for i in picked) or "library metadata"
        out.append(Commit(f"Revise {what}", picked))
        last.update(dict.fromkeys(picked, k))
    return out, last
