"""Numbers as a reader wants them: seconds, bytes and counts with sensible units."""

import functools
import math


def _bad(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _guarded(fn):
    """Missing values print as '–' and infinite ones as '∞', whatever the unit."""

    @functools.wraps(fn)
    def wrapper(x) -> str:
        if _bad(x):
            return "–"
        if math.isinf(x):
            return "∞"
        return fn(x)

    return wrapper


@_guarded
def seconds(x) -> str:
    if x < 1e-3:
        return f"{x * 1e6:.0f} µs"
    if x < 1:
        return f"{x * 1e3:.3g} ms"
    return f"{x:.3g} s"


@_guarded
def nbytes(x) -> str:
    if abs(x) >= 1e15:
        return f"{x:.2g} B"
    for unit, f in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if abs(x) >= f:
            return f"{x / f:.3g} {unit}"
    return f"{x:.0f} B"


@_guarded
def count(x) -> str:
    if x >= 1e12:
        return "> 10¹²"
    if x >= 1e9:
        return f"{x:.2g}"
    if x >= 1e6:
        return f"{x / 1e6:.3g} M"
    return f"{x:,.0f}"


def by_axis(axis: str, x) -> str:
    return nbytes(x) if axis == "bytes" else count(x)


def by_metric(metric: str, x) -> str:
    return seconds(x) if metric.endswith("_s") else nbytes(x) if metric.endswith("bytes") else f"{x:.3g}"


def interval(metric: str, med, lo, hi) -> str:
    """'1.2 s [1.1 s, 1.3 s]', or without brackets when there is no interval."""
    if _bad(med):
        return "–"
    if _bad(lo) or _bad(hi):
        return f"{by_metric(metric, med)} (no interval)"
    return f"{by_metric(metric, med)} [{by_metric(metric, lo)}, {by_metric(metric, hi)}]"


def ratio(r, lo, hi) -> str:
    if _bad(r):
        return "–"
    if _bad(lo) or _bad(hi):
        return f"{r:.2f}× (no interval)"
    return f"{r:.2f}× [{lo:.2f}, {hi:.2f}]"
