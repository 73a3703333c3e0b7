"""generate_library: plan, size, stream into git, match the working tree, publish atomically.

Everything is built in `<repo_dir>.tmp-<pid>` and the manifest under a temporary name; both are
renamed into place only at the very end (manifest last, it is what marks a finished run), so an
interrupted run never leaves anything that looks complete.

Edge cases (TS-001 asks for both): files=0 gives `commits` empty commits whose tree is git's
empty tree, so HEAD exists and fetch/subtree operations still run (commits=0 too: a repository
without commits, head None); one file of 1 GB is a single binary blob.
"""

import errno
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ddxspike.gitrun import git
from ddxspike.groundtruth import digest_paths
from ddxspike.repos import manifest

from . import gitio
from .budget import size_library
from .content import Renderer, binary_chunks
from .history import plan_history
from .layout import plan_library
from .progress import Progress
from .spec import LibrarySpec

# Binaries go through their own fast-import processes at zlib level 0: random bytes do not
# compress (level 6 would store the same bytes after trying), and deflate was the main cost.
# Two streams keep both cores busy hashing. Text and history use git's default compression.
BINARY_STREAMS = 2


class DiskFull(OSError):
    """Generation ran out of disk: names the cause and the folder."""


def _disk_full(exc: BaseException) -> bool:
    """A full disk (or quota) seen directly, or through git's message when git hit it."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(exc, RuntimeError) and any(
        s in str(exc) for s in ("No space left on device", "Out of diskspace", "Disk quota exceeded"))


def generate_library(spec: LibrarySpec, repo_dir, manifest_path, log=print,
                     overwrite: bool = False) -> dict:
    """Build the library repository at repo_dir and its manifest; return the summary dict."""
    spec.validate()
    started = time.monotonic()
    repo_dir, manifest_path = Path(repo_dir).absolute(), Path(manifest_path).absolute()
    if repo_dir.exists() and (not repo_dir.is_dir() or any(repo_dir.iterdir())) and not overwrite:
        raise FileExistsError(f"{repo_dir} exists and is not empty; pass overwrite=True to "
                              "replace it")
    _remove_stale(repo_dir)
    _remove_stale(manifest_path)
    _remove_stale(manifest.summary_path(manifest_path))
    tmp = repo_dir.with_name(f"{repo_dir.name}.tmp-{os.getpid()}")
    try:
        slots, summary = _build(spec, tmp, log)
        summary["seconds"] = round(time.monotonic() - started, 3)
        blobs = summary.pop("_blobs")
        rows = [{"path": s.path.encode(), "size": s.size, "blob": blobs[s.path.encode()],
                 "kind": s.kind, "asset_type": s.asset_type, "asset": s.asset} for s in slots]
        manifest.write(manifest_path, manifest.table(rows), summary,
                       before_publish=lambda: _install(tmp, repo_dir))
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if _disk_full(exc):
            raise DiskFull(
                f"no space left on device (ENOSPC) in {repo_dir.parent} while generating "
                f"{repo_dir.name} ({spec.files} files, {spec.bytes / 1e6:.1f} MB); "
                f"{shutil.disk_usage(repo_dir.parent).free / 1e6:.1f} MB free after removing "
                f"the partial repository. Free space or point scratch_dir at a larger disk "
                f"(cause: {exc})") from None
        raise
    if log:
        log(f"generator: done: {spec.files} files, {spec.bytes / 1e6:.1f} MB, "
            f"{spec.commits} commits, tree {summary['tree']}, {summary['seconds']:.1f} s")
    return summary


def _build(spec: LibrarySpec, tmp: Path, log) -> tuple:
    progress = Progress(log, spec.files, spec.bytes)
    progress.begin("plan")
    tmp.mkdir(parents=True)
    git(tmp, "init", "-q", "-b", "main")
    slots = plan_library(spec)
    renderer = Renderer(spec.seed)
    size_library(slots, spec, renderer)
    commits, last_touch = plan_history(slots, spec.commits, spec.seed)
    writer = _TreeWriter(tmp)
    progress.begin("binary assets")
    oids = _import_binaries(tmp, slots, spec.seed, writer, progress)
    progress.begin("text and history")
    _import_history(tmp, slots, commits, last_touch, renderer, oids, writer, progress)
    progress.begin("index")
    blobs, head, tree = {}, None, gitio.EMPTY_TREE
    if commits:
        # The files on disk already equal HEAD; read-tree + refresh only records their stat
        # data (one hashing read), much cheaper than a checkout rewriting them.
        git(tmp, "read-tree", "HEAD")
        git(tmp, "update-index", "-q", "--refresh")
        head = git(tmp, "rev-parse", "HEAD")
        tree = git(tmp, "rev-parse", "HEAD^{tree}")
        blobs = gitio.ls_tree(tmp)
    paths = [s.path.encode() for s in slots]
    assert sorted(blobs) == sorted(paths), "HEAD tree differs from the planned library"
    n_bin = sum(s.kind == "binary" for s in slots)
    summary = {"files": len(slots), "bytes": sum(s.size for s in slots), "commits": len(commits),
               "tree": tree, "head": head, "seed": spec.seed, "split": dict(spec.split),
               "text_files": len(slots) - n_bin, "binary_files": n_bin,
               "digest": digest_paths(paths), "_blobs": blobs}
    return slots, summary


def _import_binaries(tmp: Path, slots: list, seed: int, writer, progress) -> dict:
    """Write every binary to disk and into git; returns {slot index: blob id}."""
    todo = sorted((i for i, s in enumerate(slots) if s.kind == "binary"),
                  key=lambda i: (-slots[i].size, slots[i].path))
    if not todo:
        return {}
    groups = [[] for _ in range(min(BINARY_STREAMS, len(todo)))]
    loads = [0] * len(groups)
    for i in todo:  # largest first to the least loaded stream: balanced, deterministic
        g = loads.index(min(loads))
        groups[g].append(i)
        loads[g] += slots[i].size
    streams = [gitio.FastImport(tmp, "--big-file-threshold=1k",
                                f"--export-marks={tmp / '.git' / f'binary-marks-{g}'}",
                                compression=0) for g in range(len(groups))]

    def feed(g):
        fi = streams[g]
        for mark, i in enumerate(groups[g], start=1):
            s = slots[i]
            fi.write(b"blob\nmark :%d\ndata %d\n" % (mark, s.size))
            with writer.open(s.path) as f:
                for chunk in binary_chunks(s, seed):
                    f.write(chunk)
                    fi.write(chunk)
            fi.write(b"\n")
            progress.add(1, s.size)
        fi.finish()

    pool = ThreadPoolExecutor(len(groups))
    try:
        for fut in [pool.submit(feed, g) for g in range(len(groups))]:
            fut.result()
    except BaseException:
        for fi in streams:  # killing fast-import breaks the other feeders' pipes: they stop
            fi.abort()
        raise
    finally:
        pool.shutdown(wait=True)
    oids = {}
    for g, group in enumerate(groups):
        marks = tmp / ".git" / f"binary-marks-{g}"
        for line in marks.read_text().split("\n"):
            if line:
                mark, oid = line.split()
                oids[group[int(mark[1:]) - 1]] = oid
        marks.unlink()
    return oids


def _import_history(tmp, slots, commits, last_touch, renderer, oids, writer, progress) -> None:
    if not commits:
        return
    fi = gitio.FastImport(tmp)
    pending = {}  # final text of files that later commits touch again: rendered once
    try:
        for k, commit in enumerate(commits):
            fi.commit(k, commit.message)
            for i in commit.touched:
                s = slots[i]
                path = s.path.encode()
                if s.kind == "binary":
                    fi.write(b"M 100644 %s %s\n" % (oids[i].encode(), path))
                    continue
                final = pending.pop(i, None) or renderer.render(s, s.size)
                fi.write(b"M 100644 inline %s\n" % path)
                if last_touch[i] == k:
                    fi.data(final)
                    with writer.open(s.path) as f:
                        f.write(final)
                    progress.add(1, s.size)
                else:
                    pending[i] = final
                    fi.data(renderer.revision(s, final, k))
        fi.finish()
    except BaseException:
        fi.abort()
        raise


class _TreeWriter:
    """Opens files under the working tree, creating each folder once."""

    def __init__(self, root: Path):
        self.root, self.made = root, set()

    def open(self, rel: str):
        folder = rel.rpartition("/")[0]
        if folder and folder not in self.made:
            os.makedirs(self.root / folder, exist_ok=True)
            self.made.add(folder)
        return open(self.root / rel, "wb", buffering=0)


def _remove_stale(target: Path) -> None:
    """Delete `<target>.tmp-<pid>` left by a crashed run (never one whose process lives)."""
    for p in target.parent.glob(f"{target.name}.tmp-*"):
        pid = p.name.rsplit("-", 1)[1]
        if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _install(tmp: Path, repo_dir: Path) -> None:
    """Rename the finished build into place; an old repo_dir (empty, or overwrite=True) goes."""
    if repo_dir.exists():
        old = repo_dir.with_name(f"{repo_dir.name}.old-{os.getpid()}")
        os.rename(repo_dir, old)
        os.rename(tmp, repo_dir)
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    else:
        os.rename(tmp, repo_dir)
