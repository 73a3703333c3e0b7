"""Edge-case repositories for asset discovery (TS-001 deliverable "edge cases"), each a small git
repository with its manifest (repos/manifest.py; the summary adds the case's kind and facts).

What a strategy must return (README, "Asset discovery experiment"):
- a file listing holds every non-folder entry outside the top-level .git, symlinks included as
  entries and never followed (what git tracks; a symlink loop therefore cannot hang anyone);
- an unreadable folder's files are in the manifest (git tracks them); a strategy that cannot read
  the folder must fail with an error naming it, never return a silently partial listing. As root
  chmod 000 does not stop reads (CAP_DAC_OVERRIDE): the summary then says `unreadable_effective:
  false` and the case measures an ordinary folder.
"""

import os
import shutil
from pathlib import Path

from ddxspike.gitrun import git, git_bytes
from ddxspike.groundtruth import digest_paths
from ddxspike.repos import manifest

KINDS = ("empty", "big_file", "wide_folder", "deep", "symlink_loop", "unreadable", "non_utf8")
# The parameters a kind takes and their defaults (the disk preflight models each of them).
DEFAULTS = {"big_file": {"bytes": 1_000_000_000}, "wide_folder": {"files": 20_000},
            "deep": {"levels": 64}}
# Fixed dates (gitrun fixes the identity): the same case gives the same commit on any machine.
DATES = {"GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _text(title: str, body: str) -> bytes:
    return f"# {title}\n\n{body}\n".encode()


# Each builder lays out files below repo and returns facts for the summary.

def _empty(repo: Path, spec: dict, log) -> dict:
    return {}


def _big_file(repo: Path, spec: dict, log) -> dict:
    # A sparse file: the apparent size is real for every strategy (stat, read, hash), but it costs
    # no disk space and its reads never touch the disk, so "cold" measures no real I/O here.
    n = int(spec.get("bytes", DEFAULTS["big_file"]["bytes"]))
    path = repo / "templates" / "big-asset" / "archive.bin"
    path.parent.mkdir(parents=True)
    with open(path, "wb") as f:
        f.truncate(n)
    return {"sparse": True}


def _wide_folder(repo: Path, spec: dict, log) -> dict:
    # Directly in a type folder, so `ddx list` sees every one of them as an asset.
    n = int(spec.get("files", DEFAULTS["wide_folder"]["files"]))
    folder = repo / "templates"
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"asset-{i:06d}.md").write_bytes(_text(f"Asset {i}", f"Template number {i}."))
    return {}


def _deep(repo: Path, spec: dict, log) -> dict:
    levels = int(spec.get("levels", DEFAULTS["deep"]["levels"]))
    folder = repo / "patterns" / "nested"
    _write(folder / "README.md", _text("Nested", f"A pattern {levels} folders deep."))
    for i in range(1, levels + 1):
        folder = folder / f"l{i:02d}"
        _write(folder / f"level-{i:02d}.md", _text(f"Level {i}", "One file per level."))
    return {"levels": levels}


def _symlink_loop(repo: Path, spec: dict, log) -> dict:
    # Loops sit inside an asset folder (not as type-folder children), where a walker that followed
    # symlinks would recurse forever (up -> ..) or fail with ELOOP (a <-> b).
    folder = repo / "patterns" / "looped"
    _write(folder / "README.md", _text("Looped", "A pattern whose folder links back to itself."))
    _write(folder / "pattern.md", _text("Pattern", "Body."))
    os.symlink("..", folder / "up")
    os.symlink("b", folder / "a")
    os.symlink("a", folder / "b")
    os.symlink("pattern.md", folder / "alias.md")
    return {}


def _unreadable(repo: Path, spec: dict, log) -> dict:
    folder = repo / "templates" / "locked"
    _write(folder / "README.md", _text("Locked", "A template nobody may read."))
    _write(folder / "secret.md", _text("Secret", "Hidden."))
    _write(folder / "inner" / "deeper.md", _text("Deeper", "Hidden too."))
    _write(repo / "templates" / "open" / "README.md", _text("Open", "A readable template."))
    return {}


def _non_utf8(repo: Path, spec: dict, log) -> dict:
    # Latin-1 bytes that are not valid UTF-8, in an asset folder name and in file names.
    root = os.fsencode(repo)
    names = [b"templates/caf\xe9/README.md", b"templates/caf\xe9/na\xefve-\xff.md",
             b"prompts/common/r\xe9sum\xe9.md", b"patterns/plain/README.md"]
    for name in names:
        full = os.path.join(root, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(b"# Name\n\nA file whose name is not UTF-8.\n")
    return {}


BUILDERS = {"empty": _empty, "big_file": _big_file, "wide_folder": _wide_folder, "deep": _deep,
            "symlink_loop": _symlink_loop, "unreadable": _unreadable, "non_utf8": _non_utf8}


def _lock(repo: Path) -> dict:
    """chmod 000 the locked folder and record whether that really stops reads (not as root)."""
    folder = repo / "templates" / "locked"
    os.chmod(folder, 0)
    try:
        os.listdir(folder)
        effective = False
    except PermissionError:
        effective = True
    note = ("folder is unreadable: strategies that read it must fail" if effective else
            f"running as uid {os.getuid()}: chmod 000 does not stop reads (CAP_DAC_OVERRIDE), "
            "so this case measures an ordinary folder")
    return {"unreadable_effective": effective, "note": note}


def _manifest_rows(repo: Path) -> list[dict]:
    """One row per tracked path, from git's own index (blob ids) and lstat (sizes)."""
    out = git_bytes(repo, "ls-files", "-z", "--stage")
    rows = []
    root = os.fsencode(repo)
    for rec in filter(None, out.split(b"\0")):
        meta, path = rec.split(b"\t", 1)
        mode, blob, _stage = meta.split(b" ")
        parts = path.split(b"/")
        size = os.lstat(os.path.join(root, path)).st_size
        rows.append({
            "path": path, "size": size, "blob": blob.decode(),
            "kind": "symlink" if mode == b"120000" else "text" if path.endswith(b".md") else "binary",
            "asset_type": os.fsdecode(parts[0]) if len(parts) > 1 else None,
            # Text columns cannot hold non-UTF-8 bytes: the binary path column stays exact.
            "asset": parts[1].decode("utf-8", errors="replace") if len(parts) > 1 else None,
        })
    return rows


def remove_case(repo_dir: Path) -> None:
    """Delete an edge case's repository, first making the locked folder removable again."""
    repo_dir = Path(repo_dir)
    if not repo_dir.exists():
        return
    for root, dirs, _ in os.walk(repo_dir):
        for d in dirs:
            path = os.path.join(root, d)
            if not os.path.islink(path):
                os.chmod(path, 0o755)
    shutil.rmtree(repo_dir)


def generate_edgecase(name: str, spec: dict, repo_dir: Path, manifest_path: Path,
                      log=print) -> dict:
    """Build the edge case `spec["kind"]` at repo_dir (must not exist yet) and write its manifest
    and summary. Returns the summary."""
    kind = spec.get("kind")
    if kind not in BUILDERS:
        raise ValueError(f"edge_cases.{name}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    repo_dir = Path(repo_dir)
    if repo_dir.exists() and any(repo_dir.iterdir()):
        raise FileExistsError(f"edge case {name}: {repo_dir} exists and is not empty")
    repo_dir.mkdir(parents=True, exist_ok=True)
    git(repo_dir, "init", "-q", "-b", "main")
    # Fast commits of big files: level-1 zlib; a 1 GB sparse file of zeros compresses quickly.
    git(repo_dir, "config", "core.compression", "1")
    log(f"edge case {name}: building {kind}")
    facts = BUILDERS[kind](repo_dir, spec, log)
    git(repo_dir, "add", "-A")
    git(repo_dir, "commit", "-q", "--allow-empty", "-m", f"Edge case {name} ({kind})", extra=DATES)
    rows = _manifest_rows(repo_dir)
    if kind == "unreadable":
        facts.update(_lock(repo_dir))
    summary = {
        "name": name, "edge_case": kind, "files": len(rows), "bytes": sum(r["size"] for r in rows),
        "commits": 1, "tree": git(repo_dir, "rev-parse", "HEAD^{tree}"),
        "head": git(repo_dir, "rev-parse", "HEAD"),
        "digest": digest_paths(r["path"] for r in rows), **facts,
    }
    manifest.write(manifest_path, manifest.table(rows), summary)
    log(f"edge case {name}: {summary['files']} files, {summary['bytes']} bytes"
        + (f" ({facts['note']})" if "note" in facts else ""))
    return summary
