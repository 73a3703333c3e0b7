"""Real repositories measured in place (config `existing_repos: {name: path}`).

Two things live here: the load-time check that every configured path is the root of a git
working tree (so a bad path stops the run before any job), and the ground truth of such a
repository, written in the generator's manifest format so every experiment checks its answers
the same way. Ground truth comes from git's own listing (`git ls-files`: the tracked files
present on disk) and lstat, never from the walkers being measured. A real repository should
therefore be a clean checkout: untracked or ignored files and nested repositories are on disk
but not tracked, so strategies that walk the disk report them (a mismatch naming them).

Nothing here writes inside the repository: git runs read-only commands with
GIT_OPTIONAL_LOCKS=0 (no opportunistic index refresh), and files are only opened for reading.
"""

import hashlib
import json
import os
import stat
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ddxspike.groundtruth import digest_paths

# DDX's top-level asset folders (`ddx list` reads their immediate children).
ASSET_TYPES = ("templates", "patterns", "prompts", "personas", "workflows", "mcp-servers",
               "environments", "tools", "configs")
# git's own text/binary heuristic: a NUL byte within the first 8000 bytes means binary.
SNIFF_BYTES = 8000

MANIFEST_SCHEMA = pa.schema([
    ("path", pa.binary()),
    ("size", pa.int64()),
    ("blob", pa.string()),
    ("kind", pa.string()),
    ("asset_type", pa.string()),
    ("asset", pa.string()),
])


class ExistingRepoError(ValueError):
    """A configured existing repository cannot be measured; the message names key and path."""


def _git_env() -> dict:
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    # A repository given by path must not be redirected by the caller's environment.
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        env.pop(var, None)
    return env


def git(repo, *args, check=True) -> bytes:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, env=_git_env())
    if check and proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, proc.args, proc.stdout, proc.stderr)
    return proc.stdout


def check_existing_repos(existing: dict | None, sizes: dict, base=".") -> dict[str, str]:
    """Every configured repository as name -> absolute path of its working-tree root.

    Raises ExistingRepoError naming the config key and path when a path is missing, is not a
    git working tree, is a folder inside one rather than its root, or when a name is also a
    synthetic size (both would write results/manifests/<name>.parquet)."""
    resolved = {}
    for name, raw in (existing or {}).items():
        key = f"config existing_repos.{name}"
        if name in sizes:
            raise ExistingRepoError(f"{key}: the name {name!r} is also a key of sizes; "
                                    "give the repository another name")
        path = Path(os.path.expanduser(str(raw)))
        if not path.is_absolute():
            path = Path(base) / path
        path = Path(os.path.realpath(path))
        if not path.exists():
            raise ExistingRepoError(f"{key}: {raw!r} does not exist (resolved to {path})")
        if not path.is_dir():
            raise ExistingRepoError(f"{key}: {raw!r} is not a folder (resolved to {path})")
        proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel"],
                              capture_output=True, text=True, env=_git_env())
        if proc.returncode != 0:
            why = proc.stderr.strip().splitlines()
            raise ExistingRepoError(f"{key}: {raw!r} is not a git repository with a working "
                                    f"tree ({why[-1] if why else 'git rev-parse failed'})")
        top = Path(os.path.realpath(proc.stdout.strip()))
        if top != path:
            raise ExistingRepoError(f"{key}: {raw!r} is a folder inside the git repository "
                                    f"{top}; give the repository's root")
        resolved[name] = str(path)
    return resolved


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


def _asset(path: bytes) -> tuple[str | None, str | None]:
    parts = path.decode("utf-8", "surrogateescape").split("/")
    if len(parts) >= 2 and parts[0] in ASSET_TYPES:
        return parts[0], parts[1]  # like the generator: the type folder's child that `ddx list` shows
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


def build_manifest(repo) -> tuple[pa.Table, dict]:
    """The repository's ground truth: manifest table and summary, like the generator's."""
    repo = str(repo)
    root = os.fsencode(repo)
    blobs = tracked(repo)
    rows = {name: [] for name in MANIFEST_SCHEMA.names}
    total = 0
    for rel, st in worktree_entries(repo, blobs):
        atype, asset = _asset(rel)
        rows["path"].append(rel)
        rows["size"].append(st.st_size)
        rows["blob"].append(blobs.get(rel))
        rows["kind"].append(_kind(os.path.join(root, rel), st))
        rows["asset_type"].append(atype)
        rows["asset"].append(asset)
        total += st.st_size
    table = pa.Table.from_pydict(rows, schema=MANIFEST_SCHEMA)
    head = git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).decode().strip()
    summary = {
        "source": "existing",
        "repo": repo,
        "files": table.num_rows,
        "bytes": total,
        "commits": int(git(repo, "rev-list", "--count", "HEAD")) if head else 0,
        "tree": git(repo, "rev-parse", "HEAD^{tree}").decode().strip() if head else None,
        "head": head or None,
        "digest": digest_paths(rows["path"]),
        "text_files": rows["kind"].count("text"),
        "binary_files": rows["kind"].count("binary"),
        "untracked_on_disk": untracked_count(repo),
        "asset_types": sorted({t for t in rows["asset_type"] if t}),
        "workflows": len({a for t, a in zip(rows["asset_type"], rows["asset"])
                          if t == "workflows"}),
    }
    return table, summary


def write_manifest(repo, manifest_path, log=lambda msg: None) -> dict:
    """Write <manifest>.parquet and its summary <manifest>.json atomically (temp + replace)."""
    out = Path(manifest_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    log(f"listing {repo} with git ls-files + lstat")
    table, summary = build_manifest(repo)
    tmp = out.with_name(out.name + f".tmp-{os.getpid()}")
    pq.write_table(table, tmp)
    js = out.with_suffix(".json")
    js_tmp = js.with_name(js.name + f".tmp-{os.getpid()}")
    js_tmp.write_text(json.dumps(summary, indent=1))
    os.replace(tmp, out)
    os.replace(js_tmp, js)
    log(f"{summary['files']} tracked files, {summary['bytes']} bytes, {summary['commits']} "
        f"commits, head {summary['head']}")
    if summary["untracked_on_disk"]:
        log(f"warning: {summary['untracked_on_disk']} untracked or ignored files on disk are not "
            "in the ground truth; strategies that walk the disk will report them (mismatch). "
            "Measure a clean checkout (git clean -ndx lists them).")
    return summary
