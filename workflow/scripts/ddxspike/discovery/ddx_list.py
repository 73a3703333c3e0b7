"""A re-implementation of what DDX's `ddx list` does today (ddx-facts.md, "How DDX finds assets
today"): for each resource-type folder, read its immediate children only (Go's os.ReadDir, sorted
by name), stat each (os.Stat, following symlinks; an entry whose stat fails is skipped, as DDX
does), describe it, and guess tags from its name. No recursion, no cache, no pagination.

It lists assets, not files: "<type>/<child>" for every child of a type folder.
Depths: names = the ReadDir calls alone; stat = + the Stat of each child; meta = the whole
`ddx list` (+ a folder's README.md first non-heading line, else "N items" from another ReadDir;
a file's kind from its extension or its size; tags). hash has no meaning here: ddx list never
reads an asset's content.
"""

import os
import stat

from ddxspike.discovery.depth import DESCRIPTION_CHARS
from ddxspike.engine import Outcome

LISTS = "assets"
DEPTHS = ("names", "stat", "meta")
# The resource types `ddx list` walks, in its order (workflows and personas are not among them).
RESOURCE_TYPES = ("templates", "patterns", "configs", "prompts", "scripts")

FILE_KINDS = {".md": "Markdown document", ".yml": "Configuration file",
              ".yaml": "Configuration file", ".sh": "Shell script", ".py": "Python script",
              ".js": "JavaScript file", ".go": "Go source"}
# Name substrings -> tag, as ddx list guesses them.
TAG_HINTS = (
    (("react", "jsx"), "react"), (("vue",), "vue"), (("angular",), "angular"),
    (("nextjs", "next"), "nextjs"), (("python", "py"), "python"), (("go", "golang"), "go"),
    (("javascript", "js"), "javascript"), (("typescript", "ts"), "typescript"),
    (("docker",), "docker"), (("api", "rest"), "api"), (("auth",), "authentication"),
    (("test",), "testing"), (("claude", "ai"), "ai"),
)


def guess_tags(name: str) -> list[str]:
    low = name.lower()
    return [tag for hints, tag in TAG_HINTS if any(h in low for h in hints)]


def readme_line(folder: str) -> str:
    """First non-empty, non-heading line of folder/README.md, cut like DDX does ("" if none)."""
    try:
        with open(os.path.join(folder, "README.md"), "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    for line in text.split("\n"):
        line = line.strip()
        if line and not line.startswith("#"):
            return line[:DESCRIPTION_CHARS] + "..." if len(line) > DESCRIPTION_CHARS else line
    return ""


def describe(path: str, name: str, is_dir: bool, size: int) -> str:
    if is_dir:
        line = readme_line(path)
        if line:
            return line
        try:
            return f"{len(os.listdir(path))} items"
        except OSError:
            return ""
    kind = FILE_KINDS.get(os.path.splitext(name)[1].lower())
    if kind:
        return kind
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def discover(repo: str, depth: str) -> Outcome:
    if depth not in DEPTHS:
        raise ValueError(f"ddx-list has no depth {depth!r} (it supports {', '.join(DEPTHS)})")
    resources = []
    for rtype in RESOURCE_TYPES:
        folder = os.path.join(repo, rtype)
        try:
            names = sorted(os.listdir(folder))  # os.ReadDir: every child, sorted by name
        except OSError:
            continue  # DDX: a missing or unreadable type folder is skipped
        for name in names:
            if depth == "names":
                resources.append({"name": name, "type": rtype})
                continue
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue  # DDX skips an entry it cannot stat (broken or looping symlink)
            is_dir = stat.S_ISDIR(info.st_mode)
            res = {"name": name, "type": rtype, "path": path, "is_directory": is_dir,
                   "size": 0 if is_dir else info.st_size}
            if depth == "meta":
                res["description"] = describe(path, name, is_dir, info.st_size)
                res["tags"] = guess_tags(name)
            resources.append(res)
    return Outcome(paths=[f"{r['type']}/{r['name']}" for r in resources])
