"""How big each file is: a lognormal text body, a Pareto tail of binaries, the budget to the byte.

Text follows the real library (median ~5.9 KB, largest ~22 KB over 209 files); the spike's
100 KB-a-file averages then need binary assets (images, PDFs, archives) to carry the rest, and
those follow a Pareto law (Downey 2001; Agrawal et al. 2009) so a few files hold most bytes.
"""

import math
import random

TEXT_MEDIAN = 5900
TEXT_SIGMA = 0.55
TEXT_MIN, TEXT_MAX = 200, 64 * 1024
BINARY_MEAN = 1 << 20  # aim: binaries average ~1 MiB ...
BINARY_SHARE = 0.25  # ... but never more than a quarter of the files
BINARY_MIN = 4096
BINARY_CAP = 50 << 20  # FEAT-001's per-file limit; exceeded only when the budget forces it
PARETO_ALPHA = 1.16  # the 80/20 shape
ALL_TEXT_SLACK = 0.05  # if text alone comes within 5% of the budget, stretch text instead


def text_targets(n: int, rng: random.Random) -> list:
    return [min(TEXT_MAX, max(TEXT_MIN, round(rng.lognormvariate(math.log(TEXT_MEDIAN),
                                                                 TEXT_SIGMA))))
            for _ in range(n)]


def binary_count(files: int, budget: int, text_total: int) -> int:
    """How many files become binaries, given what all-text files would weigh."""
    excess = budget - text_total
    if files == 0 or excess <= ALL_TEXT_SLACK * budget:
        return 0
    return max(1, min(math.ceil(excess / BINARY_MEAN), int(files * BINARY_SHARE)))


def apportion(total: int, weights: list, minimum: int = 0) -> list:
    """Integers >= minimum summing exactly to total, the excess proportional to weights."""
    n = len(weights)
    if n == 0:
        return []
    spare = total - minimum * n
    assert spare >= 0, (total, n, minimum)
    wsum = float(sum(weights))
    if wsum <= 0:
        weights, wsum = [1.0] * n, float(n)
    exact = [spare * w / wsum for w in weights]
    out = [math.floor(x) for x in exact]
    # Largest remainder, ties by index: deterministic.
    rest = spare - sum(out)
    for i in sorted(range(n), key=lambda i: (out[i] - exact[i], i))[:rest]:
        out[i] += 1
    return [minimum + x for x in out]


def fit_text(targets: list, floors: list, total: int) -> list:
    """Text sizes summing to total: keep each file's floor (its valid minimum) when possible,
    scaling only the part above it; below the floors, shrink everything (content is cut)."""
    if total >= sum(floors):
        slack = [max(0, t - f) for t, f in zip(targets, floors)]
        extra = apportion(total - sum(floors), slack)
        return [f + e for f, e in zip(floors, extra)]
    return apportion(total, [f - 1 for f in floors], minimum=1)


def binary_sizes(n: int, budget: int, rng: random.Random) -> list:
    """n sizes summing to budget, Pareto-weighted, each at most the cap when that is possible."""
    if n == 0:
        return []
    floor = min(BINARY_MIN, budget // n)
    cap = max(BINARY_CAP, -(-budget // n)) - floor
    weights = [rng.paretovariate(PARETO_ALPHA) for _ in range(n)]
    spare = budget - floor * n
    # Water-filling: pin the files over the cap, share the rest among the others.
    pinned = {}
    while True:
        free = [i for i in range(n) if i not in pinned]
        left = spare - cap * len(pinned)
        wsum = sum(weights[i] for i in free)
        over = [i for i in free if left * weights[i] / wsum > cap]
        if not over:
            break
        pinned.update(dict.fromkeys(over, True))
    shares = [0.0 if i in pinned else weights[i] for i in range(n)]
    free_sizes = apportion(left, shares)
    return [floor + (cap if i in pinned else free_sizes[i]) for i in range(n)]
