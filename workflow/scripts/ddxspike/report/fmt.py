"""Numbers as a reader wants them: seconds, bytes and counts with sensible units."""

import functools
import math
import os
import re


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


def _no_interval(lo) -> str:
    return "1 trial: no interval" if getattr(lo, "n", 0) == 1 else "no interval"


def _coverage(lo) -> str:
    from ddxspike.report.stats import coverage_text  # fmt stays importable without numpy users

    c = coverage_text(lo)
    return f"; {c}" if c else ""


def interval(metric: str, med, lo, hi) -> str:
    """'1.2 s [1.1 s, 1.3 s]' (the order-statistics interval of the median), its coverage added
    when below 95% ('[1.1 s, 1.5 s; 75%]'), '(1 trial: no interval)' when so."""
    if _bad(med):
        return "–"
    if _bad(lo) or _bad(hi):
        return f"{by_metric(metric, med)} ({_no_interval(lo)})"
    return f"{by_metric(metric, med)} [{by_metric(metric, lo)}, {by_metric(metric, hi)}{_coverage(lo)}]"


def ratio(r, lo, hi) -> str:
    """'0.42× [0.30, 0.61]', with the interval's (least) coverage when below 95%."""
    if _bad(r):
        return "–"
    if _bad(lo) or _bad(hi):
        return f"{_r(r)}× ({_no_interval(lo)})"
    return f"{_r(r)}× [{_r(lo)}, {_r(hi)}{_coverage(lo)}]"


def _r(x) -> str:
    """Two decimals; three significant digits from 10 (201, not 201.31), two below 0.1 (0.013)."""
    return f"{x:.3g}" if abs(x) >= 10 else f"{x:.2f}" if abs(x) >= 0.1 or x == 0 else f"{x:.2g}"


def speedup(r, lo, hi) -> str:
    """A ratio after/before read as a gain: '2.4× [1.6, 3.3] faster' (1 / ratio, ends swapped),
    or as a loss when above 1: '1.3× [1.1, 1.6] slower'."""
    if _bad(r) or r <= 0:
        return "–"
    slower = r > 1
    x = r if slower else 1 / r
    word = "slower" if slower else "faster"
    if _bad(lo) or _bad(hi) or lo <= 0:
        return f"{x:.3g}× {word} ({_no_interval(lo)})"
    a, b = (lo, hi) if slower else (1 / hi, 1 / lo)
    return f"{x:.3g}× [{a:.3g}, {b:.3g}{_coverage(lo)}] {word}"


# An absolute path: a slash-led run of path characters (stops at spaces, quotes, colons, commas).
_ABS = re.compile(r"(?<![\w.~])/[^\s'\"`:,;()<>]+")
_KEEP = ("/usr/", "/bin/", "/sbin/", "/etc/", "/dev/", "/proc/", "/sys/")


def no_paths(text, root: str | None = None) -> str:
    """Text with no machine paths: paths under the project (root, default the working folder)
    relative to it; a path into a results/ folder from results/ on; another absolute path (a
    job's temporary folder, a home) as …/ and its last two parts. System paths (/usr/bin/git) stay."""
    if not isinstance(text, str) or "/" not in text:
        return text
    root = (root or os.getcwd()).rstrip("/") + "/"

    def sub(m):
        p = m.group(0)
        if p.startswith(root):
            return p[len(root):] or "."
        if p.startswith(_KEEP) or p.count("/") < 2:
            return p
        if "/results/" in p:
            return p[p.index("/results/") + 1:]
        parts = [x for x in p.split("/") if x]
        return "…/" + "/".join(parts[-2:])

    return _ABS.sub(sub, text)
