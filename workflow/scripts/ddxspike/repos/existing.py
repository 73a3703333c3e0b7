"""Real repositories measured in place (config `existing_repos: {name: path}` or
`{name: {path: ..., library: .ddx/library}}`).

Two things live here: the load-time check that every configured path is the root of a git
working tree of a kind that can be measured (so a bad entry stops the run before any job, saying
why and what to do), and the ground truth of such a repository, written in the generator's
manifest (repos/manifest.py) so every experiment checks its answers the same way. Ground truth comes from
git's own listing (`git ls-files`: the tracked files present on disk) and lstat, never from the
walkers being measured, so the working tree must hold exactly what git tracks: untracked or
ignored files, files missing from disk, sparse checkouts, submodules and unfinished merges are
refused; a linked worktree (.git is a file) is measured like any other.

Nothing here writes inside the repository: git runs read-only commands (gitrun, read_only:
GIT_OPTIONAL_LOCKS=0, no opportunistic index refresh), files are only opened for reading, and a
split index (which git touches on every read) is refused after reading it in Python only.
"""

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ddxspike import gitrun
from ddxspike.discovery.indexfile import IndexFormatError, SplitIndexError, read_index
from ddxspike.groundtruth import digest_paths
from ddxspike.repos import manifest

# DDX's top-level asset folders (`ddx list` reads their immediate children).
ASSET_TYPES = ("templates", "patterns", "prompts", "personas", "workflows", "mcp-servers",
               "environments", "tools", "configs")
# git's own text/binary heuristic: a NUL byte within the first 8000 bytes means binary.
SNIFF_BYTES = 8000


class ExistingRepoError(ValueError):
    """A configured existing repository cannot be measured; the message names key and path."""


@dataclass(frozen=True)
class ExistingRepo:
    path: str  # absolute root of the git working tree
    library: str = ""  # DDX's library folder relative to the root ("" = the root itself)


def git(repo, *args, check=True) -> bytes:
    """A read-only git command in the user's repository; stdout as bytes."""
    return gitrun.git_bytes(repo, *args, check=check, read_only=True)


def check_existing_repos(existing: dict | None, sizes: dict, base=".") -> dict[str, ExistingRepo]:
    """Every configured repository as name -> ExistingRepo (absolute root, library folder).

    An entry is a path, or {path, library} when DDX's library sits in a folder of the repository
    (.ddx/library in a DDX project). Raises ExistingRepoError naming the config key and path when
    a path is missing, is not a git working tree, is a folder inside one rather than its root,
    when the library folder is not a folder of it, when the working tree is of a kind that
    cannot be measured read-only against one ground truth (check_working_tree), or when a name
    is also a synthetic size (both would write results/manifests/<name>.parquet)."""
    resolved = {}
    for name, entry in (existing or {}).items():
        key = f"config existing_repos.{name}"
        if name in sizes:
            raise ExistingRepoError(f"{key}: the name {name!r} is also a key of sizes; "
                                    "give the repository another name")
        raw, library = (entry.get("path"), entry.get("library") or "") if isinstance(entry, dict) \
            else (entry, "")
        path = Path(os.path.expanduser(str(raw)))
        if not path.is_absolute():
            path = Path(base) / path
        path = Path(os.path.realpath(path))
        if not path.exists():
            raise ExistingRepoError(f"{key}: {raw!r} does not exist (resolved to {path})")
        if not path.is_dir():
            raise ExistingRepoError(f"{key}: {raw!r} is not a folder (resolved to {path})")
        proc = gitrun.run(["git", "rev-parse", "--show-toplevel"], path, check=False,
                          read_only=True)
        if proc.returncode != 0:
            why = proc.stderr.decode(errors="replace").strip().splitlines()
            raise ExistingRepoError(f"{key}: {raw!r} is not a git repository with a working "
                                    f"tree ({why[-1] if why else 'git rev-parse failed'})")
        top = Path(os.path.realpath(os.fsdecode(proc.stdout.strip())))
        if top != path:
            raise ExistingRepoError(f"{key}: {raw!r} is a folder inside the git repository "
                                    f"{top}; give the repository's root")
        library = _check_library(key, path, library)
        check_working_tree(key, path)
        resolved[name] = ExistingRepo(str(path), library)
    return resolved


def _check_library(key: str, root: Path, library: str) -> str:
    """The library folder as a clean relative path ("" for the root), or ExistingRepoError."""
    rel = os.path.normpath(library) if library else ""
    if rel in ("", "."):
        return ""
    parts = Path(rel).parts
    if os.path.isabs(rel) or ".." in parts or parts[0] == ".git":
        raise ExistingRepoError(f"{key}.library: {library!r} must be a folder inside the "
                                "repository, relative to its root (e.g. .ddx/library)")
    full = root / rel
    if full.is_symlink() or not full.is_dir() or Path(os.path.realpath(full)) != full:
        raise ExistingRepoError(f"{key}.library: {library!r} is not a folder of {root} "
                                "(missing, a file or a symlink)")
    return Path(rel).as_posix()


def _examples(paths, n=3) -> str:
    shown = ", ".join(os.fsdecode(p) for p in paths[:n])
    return shown + (", ..." if len(paths) > n else "")


def check_working_tree(key: str, repo: Path) -> None:
    """Refuse, before any job, a working tree that cannot be measured read-only against one
    ground truth, saying why and what to do. The split index is checked first, by reading the
    index file in Python: every git command that reads a split index touches its
    .git/sharedindex.* file (git freshens its mtime), a write inside the user's repository."""
    try:
        read_index(str(repo))  # in Python; it follows a linked worktree's .git file
    except SplitIndexError:
        raise ExistingRepoError(
            f"{key}: {repo} has a split index (core.splitIndex): every git command that reads "
            "it touches .git/sharedindex.* (a write inside the repository), and the index alone "
            "does not hold the paths. Measure a clone (git clone <path> <dest>), or turn it off "
            "yourself (git update-index --no-split-index rewrites .git/index)") from None
    except IndexFormatError as exc:
        raise ExistingRepoError(f"{key}: cannot read the git index of {repo}: {exc}") from None
    skipped, submodules, unmerged, missing = [], [], set(), []
    root = os.fsencode(repo)
    for rec in git(repo, "ls-files", "-z", "-t", "--stage").split(b"\0"):
        if not rec:
            continue
        meta, path = rec.split(b"\t", 1)
        tag, mode = meta.split(b" ")[:2]
        if tag == b"S":
            skipped.append(path)
        elif mode == b"160000":
            submodules.append(path)
        elif tag == b"M":
            unmerged.add(path)
        else:
            try:
                if stat.S_ISDIR(os.lstat(os.path.join(root, path)).st_mode):
                    missing.append(path)  # a tracked file replaced by a folder
            except FileNotFoundError:
                missing.append(path)
    if skipped:
        raise ExistingRepoError(
            f"{key}: {repo} is a sparse checkout: {len(skipped)} tracked files are outside its "
            f"patterns and not on disk (e.g. {_examples(skipped)}). git's listings (gitindex, "
            "git ls-files) include them, a walk does not. Measure a full checkout: "
            "git clone <path> <dest> (without --sparse)")
    if submodules:
        raise ExistingRepoError(
            f"{key}: {repo} has {len(submodules)} submodule(s) ({_examples(submodules)}): a "
            "walk lists the files inside them, git's index one entry for each, so no one ground "
            "truth fits every strategy. Measure each submodule's repository as an entry of its "
            "own, or a copy of this one without them")
    if unmerged:
        raise ExistingRepoError(
            f"{key}: {repo} has {len(unmerged)} unmerged path(s) ({_examples(sorted(unmerged))}): "
            "a merge, rebase or cherry-pick is in progress and git lists each such path once per "
            "stage. Finish or abort it first (git merge --abort, git rebase --abort, ...)")
    if missing:
        raise ExistingRepoError(
            f"{key}: {repo}: {len(missing)} tracked file(s) are not in the working tree "
            f"({_examples(missing)}): git's listings include them, a walk does not. Restore them "
            "(git restore <path>) or commit their removal, or measure a clone")
    others = [p for p in git(repo, "ls-files", "-z", "--others").split(b"\0") if p]
    if others:
        raise ExistingRepoError(
            f"{key}: {repo} has {len(others)} untracked or ignored file(s) on disk "
            f"({_examples(others)}; nested repositories count as one): walks list them, git's "
            "listings do not. Measure a clean checkout: remove them (git clean -ndx lists them) "
            "or measure a clone (git clone <path> <dest>)")


def tracked(repo) -> dict[bytes, str]:
    """path -> blob id of every file git tracks (index stage 0, or the first stage of a
    conflicted path). Submodules (gitlinks) are left out: their content is another repository."""
    blobs = {}
    for rec in git(repo, "ls-files", "-z", "--stage").split(b"\0"):
        if not rec:
            continue
        meta, path = rec.split(b"\t", 1)
        mode, blob, _stage = meta.split(b" ")
        if mode != b"160000":
            blobs.setdefault(path, blob.decode())
    return blobs


def untracked_count(repo) -> int:
    """Files on disk git does not track (ignored ones too): strategies that walk the disk list
    them, git's listing does not, so they show up as unexpected paths (a mismatch)."""
    return sum(1 for p in git(repo, "ls-files", "-z", "--others").split(b"\0") if p)


def _kind(full: bytes, st) -> str:
    if stat.S_ISLNK(st.st_mode):
        return "symlink"
    try:
        with open(full, "rb") as f:
            return "binary" if b"\0" in f.read(SNIFF_BYTES) else "text"
    except OSError:
        return "unreadable"


def _asset(path: bytes, library: str = "") -> tuple[str | None, str | None]:
    """(asset type, asset) of a path, counted from the library folder: the type folder's child
    that `ddx list` shows, like the generator's columns; (None, None) outside the library."""
    text = path.decode("utf-8", "replace")
    if library:
        if not text.startswith(library + "/"):
            return None, None
        text = text[len(library) + 1:]
    parts = text.split("/")
    if len(parts) >= 2 and parts[0] in ASSET_TYPES:
        return parts[0], parts[1]
    return None, None


def worktree_entries(repo, blobs: dict) -> list[tuple[bytes, os.stat_result]]:
    """(relative path, lstat) of every tracked path present in the working tree."""
    root = os.fsencode(repo)
    entries = []
    for rel in sorted(blobs):
        try:
            st = os.lstat(os.path.join(root, rel))
        except FileNotFoundError:
            continue  # tracked but deleted in the working tree: nothing to discover
        if not stat.S_ISDIR(st.st_mode):
            entries.append((rel, st))
    return entries


def state(repo) -> str:
    """A cheap fingerprint of what the ground truth depends on (HEAD and the index listing), so
    that a commit or a staged change reruns the manifest while an unchanged repository does not."""
    head = git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).strip()
    h = hashlib.sha256(head + b"\0")
    h.update(git(repo, "ls-files", "-z", "--stage"))
    return h.hexdigest()[:16]


def build_manifest(repo, library: str = "") -> tuple:
    """The repository's ground truth: manifest table and summary, like the generator's. Paths are
    the repository's; asset_type/asset are counted from the library folder (`library`)."""
    repo = str(repo)
    root = os.fsencode(repo)
    blobs = tracked(repo)
    rows = []
    for rel, st in worktree_entries(repo, blobs):
        atype, asset = _asset(rel, library)
        rows.append({"path": rel, "size": st.st_size, "blob": blobs.get(rel),
                     "kind": _kind(os.path.join(root, rel), st), "asset_type": atype,
                     "asset": asset})
    table = manifest.table(rows)
    kinds = [r["kind"] for r in rows]
    head = git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).decode().strip()
    summary = {
        "source": "existing",
        "repo": repo,
        "library": library,
        "files": table.num_rows,
        "bytes": sum(r["size"] for r in rows),
        "commits": int(git(repo, "rev-list", "--count", "HEAD")) if head else 0,
        "tree": git(repo, "rev-parse", "HEAD^{tree}").decode().strip() if head else None,
        "head": head or None,
        "digest": digest_paths(r["path"] for r in rows),
        "text_files": kinds.count("text"),
        "binary_files": kinds.count("binary"),
        "untracked_on_disk": untracked_count(repo),
        "asset_types": sorted({r["asset_type"] for r in rows if r["asset_type"]}),
        "workflows": len({r["asset"] for r in rows if r["asset_type"] == "workflows"}),
    }
    return table, summary


def write_manifest(repo, manifest_path, library: str = "", log=lambda msg: None) -> dict:
    """Write the repository's manifest and summary (manifest.write: atomically)."""
    log(f"listing {repo} with git ls-files + lstat")
    table, summary = build_manifest(repo, library)
    manifest.write(manifest_path, table, summary)
    log(f"{summary['files']} tracked files, {summary['bytes']} bytes, {summary['commits']} "
        f"commits, head {summary['head']}")
    return summary
