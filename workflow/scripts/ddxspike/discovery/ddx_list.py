"""A Python model of DDX's `ddx list` at c208478 (cli/cmd/list.go), held to the binary itself
(ddx_binary.py; the parity check in every ddx-binary job): it must list exactly what the binary
lists, field by field.

What `ddx list` does: for each of 9 resource types in a fixed order, os.ReadDir of the type
folder (immediate children only, byte-sorted, dotfiles included; a folder it cannot read is
skipped), os.Stat of each child (following symlinks; a child whose stat fails is skipped), then
- a folder's description: the first line of its README.md (read whole) that is not blank and
  does not start with "#" after trimming white space, cut at 60 BYTES + "..." (even inside a
  multi-byte character); without one, "N items" from another ReadDir (nothing if that fails);
- a file's description: its kind from the extension (Go's filepath.Ext: ".md" alone is one),
  else its size ("N bytes", "N.N KB", "N.N MB");
- tags guessed from substrings of the lower-cased name.
A missing library (ENOENT) answers `"resources": []`; a library where nothing is found `null`.

Go strings are bytes: names, paths and descriptions are kept as bytes here, and turned into the
text Go's JSON encoder prints (go_text: every byte that is not part of valid UTF-8 becomes
U+FFFD) only when compared with the binary.

It lists assets, not files: "<type>/<child>" for every child of a type folder. Depths:
names = the ReadDir calls alone; stat = + the Stat of each child; meta = the whole `ddx list`
(descriptions and tags). hash has no meaning here: ddx list never reads an asset's content.
"""

import codecs
import os
import posixpath
import stat

from ddxspike.engine import Outcome

LISTS = "assets"
DEPTHS = ("names", "stat", "meta")
# The resource types `ddx list` walks, in its order (c208478). `patterns` is not among them.
RESOURCE_TYPES = ("templates", "workflows", "mcp-servers", "prompts", "personas", "configs",
                  "scripts", "tools", "environments")
DESCRIPTION_BYTES = 60

FILE_KINDS = {b".md": "Markdown document", b".yml": "Configuration file",
              b".yaml": "Configuration file", b".sh": "Shell script", b".py": "Python script",
              b".js": "JavaScript file", b".go": "Go source"}
# Name substrings -> tag, in DDX's order.
TAG_HINTS = (
    (("react", "jsx"), "react"), (("vue",), "vue"), (("angular",), "angular"),
    (("nextjs", "next"), "nextjs"), (("python", "py"), "python"), (("go", "golang"), "go"),
    (("javascript", "js"), "javascript"), (("typescript", "ts"), "typescript"),
    (("docker",), "docker"), (("api", "rest"), "api"), (("auth",), "authentication"),
    (("test",), "testing"), (("claude", "ai"), "ai"),
)
# Go's unicode.IsSpace (Python's isspace() also counts \x1c-\x1f, Go does not).
GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                     + "".join(map(chr, range(0x2000, 0x200B))))


def _one_replacement_per_byte(exc):
    # Go decodes invalid UTF-8 one byte at a time (utf8.DecodeRune returns size 1), so every
    # such byte is its own U+FFFD; Python's "replace" would merge a truncated sequence into one.
    return "\ufffd", exc.start + 1


codecs.register_error("ddxspike-go", _one_replacement_per_byte)


def go_text(raw: bytes) -> str:
    """The text Go's encoding/json prints for a Go string holding these bytes."""
    return raw.decode("utf-8", errors="ddxspike-go")


def _rune_at(s: bytes, i: int) -> tuple[str | None, int]:
    """utf8.DecodeRune(s[i:]): (the character, its size), or (None, 1) for an invalid byte."""
    for size in (1, 2, 3, 4):
        try:
            return s[i:i + size].decode("utf-8"), size
        except UnicodeDecodeError as exc:
            if exc.reason != "unexpected end of data" or i + size >= len(s):
                return None, 1
    return None, 1


def _rune_before(s: bytes, end: int) -> tuple[str | None, int]:
    """utf8.DecodeLastRune(s[:end])."""
    if s[end - 1] < 0x80:
        return chr(s[end - 1]), 1
    start = end - 1
    while start > max(0, end - 4) and (s[start] & 0xC0) == 0x80:
        start -= 1
    ch, size = _rune_at(s, start)
    return (ch, size) if ch is not None and start + size == end else (None, 1)


def go_trim_space(s: bytes) -> bytes:
    """strings.TrimSpace on bytes: Go's white space, invalid UTF-8 is never space."""
    s = s.strip(b" \t\n\v\f\r")  # Go's ASCII fast path, the same six bytes
    if not s or (s[0] < 0x80 and s[-1] < 0x80):
        return s
    start, end = 0, len(s)
    while start < end:
        ch, size = _rune_at(s, start)
        if ch is None or ch not in GO_SPACE:
            break
        start += size
    while end > start:
        ch, size = _rune_before(s, end)
        if ch is None or ch not in GO_SPACE:
            break
        end -= size
    return s[start:end]


def go_lower(name: bytes) -> str:
    """strings.ToLower of a name, as text for substring tests: one character at a time as Go
    maps runes (Python lower-cases U+0130 to two characters, Go to "i")."""
    text = go_text(name)
    if text.isascii():
        return text.lower()
    return "".join(c.lower()[0] for c in text)


def guess_tags(name) -> list[str]:
    low = go_lower(os.fsencode(name))
    return [tag for hints, tag in TAG_HINTS if any(h in low for h in hints)]


def go_ext(name: bytes) -> bytes:
    """filepath.Ext: from the last dot of the name (".md" alone is an extension), else b""."""
    dot = name.rfind(b".")
    return name[dot:] if dot >= 0 else b""


def readme_line(folder: bytes) -> bytes | None:
    """The first non-blank line of folder/README.md that does not start with "#", cut like DDX
    (60 bytes + "..."); None without README.md or without such a line."""
    try:
        with open(os.path.join(folder, b"README.md"), "rb") as f:
            content = f.read()
    except OSError:
        return None
    for line in content.split(b"\n"):
        line = go_trim_space(line)
        if line and not line.startswith(b"#"):
            return line[:DESCRIPTION_BYTES] + b"..." if len(line) > DESCRIPTION_BYTES else line
    return None


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def describe(path, name, is_dir: bool, size: int) -> bytes:
    """A resource's description as DDX's getResourceInfo gives it (bytes; b"" for none)."""
    path, name = os.fsencode(path), os.fsencode(name)
    if is_dir:
        line = readme_line(path)
        if line is not None:
            return line
        try:
            return f"{len(os.listdir(path))} items".encode()
        except OSError:
            return b""
    kind = FILE_KINDS.get(go_ext(name).lower())
    return (kind or size_text(size)).encode()


def go_clean(path: bytes) -> bytes:
    """filepath.Clean of an absolute path (normpath keeps a leading "//", Go does not)."""
    clean = posixpath.normpath(path)
    return b"/" + clean.lstrip(b"/") if clean.startswith(b"//") else clean


def list_resources(library, depth: str = "meta") -> list[dict] | None:
    """DDX's resources in its order, fields as Go holds them (bytes); None where DDX answers
    `null` (nothing found), [] for a missing library."""
    if depth not in DEPTHS:
        raise ValueError(f"ddx-list has no depth {depth!r} (it supports {', '.join(DEPTHS)})")
    lib = go_clean(os.path.abspath(os.fsencode(library)))
    try:
        os.stat(lib)
    except FileNotFoundError:
        return []  # DDX: os.IsNotExist -> an empty list, not null
    except OSError:
        pass  # any other error: DDX goes on, and finds nothing
    resources = []
    for rtype in RESOURCE_TYPES:
        folder = os.path.join(lib, rtype.encode())
        try:
            names = sorted(os.listdir(folder))  # os.ReadDir: every child, byte-sorted
        except OSError:
            continue  # a missing or unreadable type folder is skipped
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
    return resources or None


def as_json(resources: list[dict] | None) -> list[dict] | None:
    """Meta-depth records as `ddx list --json` prints them: text as Go's encoder gives it, size
    omitted when 0 (folders, empty files), tags when empty."""
    if resources is None:
        return None
    out = []
    for r in resources:
        rec = {"name": go_text(r["name"]), "type": r["type"],
               "description": go_text(r["description"]), "path": go_text(r["path"]),
               "is_directory": r["is_directory"]}
        if r["size"]:
            rec["size"] = r["size"]
        if r["tags"]:
            rec["tags"] = list(r["tags"])
        out.append(rec)
    return out


def discover(repo: str, depth: str) -> Outcome:
    """`repo` is the library's folder (the repository root, or where the library sits in it)."""
    resources = list_resources(repo, depth) or []
    return Outcome(paths=[r["type"].encode() + b"/" + r["name"] for r in resources])
