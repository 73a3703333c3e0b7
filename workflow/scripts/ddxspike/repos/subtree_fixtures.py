"""The pristine repositories of one (size, commits) cell, built once and never modified:

- upstream:         the generated library (`commits` commits), reached as a file:// URL;
- upstream-next:    a bare hard-linked clone of it, advanced by `advance` commits (each edits one
                    library file and adds one), for pulls and behind-checks;
- host:             a project with its own history of `commits` // 2 commits, no library;
- hostlib:          host + the library added with DDX's sequence + `commits` - commits // 2 more
                    commits, every `touch_every`-th of them editing a file under the prefix;
- hostlib-rejoined: hostlib after `git subtree split --rejoin --squash`, then `advance` more
                    commits (half touching the prefix), for "a later split".
Histories are written with git fast-import (seconds for thousands of commits).

A real library can be the upstream instead (config subtree.upstreams: an existing_repos entry or
a git bundle): clone_upstream copies its HEAD's history into the cell's own folder, and everything
above is built from that private copy; the source is only read, by one `git clone`.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

from ddxspike.gitrun import GitError, git, run
from ddxspike.subtree import ddx
from ddxspike.subtree.workspace import fingerprint, fresh_copy

PROJECT_FILES = 40
EPOCH = 1_700_000_000


class UpstreamError(ValueError):
    """A configured real upstream cannot be used; the message names its config key."""


def _read(args, cwd=None):
    """git reading a user's repository or bundle (gitrun, read_only): returns the finished
    process, stdout and stderr as text."""
    return run(["git", *args], cwd, check=False, read_only=True, text=True)


def check_upstreams(upstreams: dict | None, sizes: dict, existing: dict, base=".") -> dict:
    """config subtree.upstreams as name -> source {kind, path, library, state}. An entry names an
    existing_repos entry (`existing`: name -> ddxspike.repos.existing.ExistingRepo, already checked),
    or is {bundle: PATH}. `state` (the source's HEAD, or the bundle's heads) reruns the cell
    when the history changes. Raises UpstreamError naming the key."""
    out = {}
    for name, entry in (upstreams or {}).items():
        key = f"config subtree.upstreams.{name}"
        if name in sizes:
            raise UpstreamError(f"{key}: the name {name!r} is also a key of sizes (both would "
                                f"write results/subtree/{name}/); give the upstream another name")
        if isinstance(entry, str):
            if entry not in existing:
                raise UpstreamError(f"{key}: {entry!r} is not one of existing_repos "
                                    f"({', '.join(sorted(existing)) or 'none configured'}); name "
                                    "an existing_repos entry, or give {bundle: PATH}")
            if name in existing and name != entry:
                raise UpstreamError(f"{key}: {name!r} is the existing_repos entry {name!r}, not "
                                    f"{entry!r}; give the upstream another name")
            repo = existing[entry]
            head = _read(["-C", repo.path, "rev-parse", "--verify", "-q", "HEAD^{commit}"])
            if head.returncode != 0:
                raise UpstreamError(f"{key}: existing_repos.{entry} ({repo.path}) has no commit "
                                    "to clone")
            out[name] = {"kind": "repo", "path": repo.path, "library": repo.library,
                         "state": head.stdout.strip()}
            continue
        raw = entry["bundle"]
        path = Path(os.path.expanduser(raw))
        path = Path(os.path.realpath(path if path.is_absolute() else Path(base) / path))
        if not path.is_file():
            raise UpstreamError(f"{key}.bundle: {raw!r} is not a file (resolved to {path})")
        heads = _read(["bundle", "list-heads", path])
        if heads.returncode != 0:
            why = heads.stderr.strip().splitlines()
            raise UpstreamError(f"{key}.bundle: {raw!r} is not a git bundle "
                                f"({why[-1] if why else 'git bundle list-heads failed'})")
        if not any(line.endswith(" HEAD") for line in heads.stdout.splitlines()):
            raise UpstreamError(f"{key}.bundle: {raw!r} has no HEAD (make it with "
                                "`git bundle create FILE HEAD main`)")
        out[name] = {"kind": "bundle", "path": str(path), "library": "",
                     "state": hashlib.sha256(heads.stdout.encode()).hexdigest()[:16]}
    return out


def history_bytes(entry, existing_repos: dict, base=".") -> int:
    """Bytes of a configured upstream's history as stored (the bundle, or the repository's git
    folder): what the disk preflight scales. `entry` and `existing_repos` as in the config."""
    from ddxspike.preflight import disk_usage

    if isinstance(entry, dict):
        return os.path.getsize(Path(base) / os.path.expanduser(entry["bundle"]))
    repo = existing_repos[entry]
    repo = Path(base) / os.path.expanduser(repo["path"] if isinstance(repo, dict) else repo)
    common = _read(["-C", repo, "rev-parse", "--path-format=absolute", "--git-common-dir"])
    return disk_usage(common.stdout.strip()) if common.returncode == 0 else 0


def clone_upstream(source: dict, dest: Path, log=print) -> None:
    """The real library's HEAD and its history, as branch main of a private repository at dest
    (no remote: nothing done later can reach the source). --no-local packs only what HEAD
    reaches, read through git's transport, and shares no file with the source. A library kept
    in a folder of the repository (existing_repos.<name>.library) becomes the root through
    `git subtree split`: the history of that folder."""
    dest = Path(dest)
    log(f"upstream: cloning {source['kind']} {source['path']} (HEAD's history only)")
    proc = _read(["clone", "-q", "--no-local", "--single-branch", "--no-tags", source["path"], dest])
    if proc.returncode != 0:
        raise GitError(["git", "clone", source["path"]], proc.returncode, proc.stderr)
    git(dest, "remote", "remove", "origin")
    head = git(dest, "rev-parse", "HEAD")
    if source["library"]:
        log(f"upstream: {source['library']} split out of the repository's history")
        head = git(dest, "subtree", "split", "-q", f"--prefix={source['library']}", head)
    git(dest, "checkout", "-q", "-B", "main", head)
    for ref in git(dest, "for-each-ref", "--format=%(refname)", "refs/heads").splitlines():
        if ref != "refs/heads/main":
            git(dest, "update-ref", "-d", ref)
    if source["library"]:  # the rest of the project is no part of the library
        shutil.rmtree(dest / ".git" / "subtree-cache", ignore_errors=True)
        git(dest, "reflog", "expire", "--expire=now", "--all")
        git(dest, "gc", "-q", "--prune=now")


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


def fast_import(repo, commits, parent=None, start=0, ref="refs/heads/main"):
    """Append commits to `ref`; each commit is (message, {path: text}). Returns the new head."""
    out = bytearray()
    for i, (message, changes) in enumerate(commits):
        out += b"commit %s\nmark :%d\n" % (ref.encode(), i + 1)
        out += b"committer DDX Spike <spike@example.com> %d +0000\n" % (EPOCH + 60 * (start + i))
        out += _data(message)
        if i == 0 and parent:
            out += b"from %s\n" % parent.encode()
        for path, text in changes.items():
            out += b"M 100644 inline %s\n" % path.encode() + _data(text)
        out += b"\n"
    run(["git", "fast-import", "--quiet", "--force"], repo, input=bytes(out))
    return git(repo, "rev-parse", ref)


def project_commit(i: int) -> tuple[str, dict]:
    """The host project's own i-th commit: edits one of its source files (all of them first)."""
    def source(j, rev):
        return f"package pkg{j % 8}\n\n// revision {rev}\nfunc F{j}() int {{ return {rev} }}\n"

    if i == 0:
        files = {f"src/pkg{j % 8}/file{j}.go": source(j, 0) for j in range(PROJECT_FILES)}
        files["README.md"] = "# Host project\n\nUses the DDX library under .ddx/library.\n"
        return "Project: initial import", files
    j = i % PROJECT_FILES
    return f"Project: change {i}", {f"src/pkg{j % 8}/file{j}.go": source(j, i)}


def library_text_paths(repo, rev="HEAD") -> list[str]:
    names = git(repo, "ls-tree", "-r", "--name-only", rev).splitlines()
    return sorted(p for p in names if p.endswith((".md", ".yml", ".yaml")))


def library_edit(paths, i, prefix="") -> tuple[str, dict]:
    path = paths[(i * 7919) % len(paths)]
    return path, {f"{prefix}{path}": f"# Edited\n\nRevision {i} of {path}.\n"}


def build_upstream_next(upstream, dest, advance):
    run(["git", "clone", "-q", "--bare", "--local", upstream, dest], None)
    paths = library_text_paths(dest, "main")
    commits = []
    for i in range(advance):
        path, change = library_edit(paths, i)
        change[f"{os.path.dirname(path) or 'prompts'}/added-{i}.md"] = f"# Added upstream {i}\n"
        commits.append((f"Library: update {i} ({path})", change))
    return fast_import(dest, commits, parent=git(dest, "rev-parse", "main"), start=10_000)


def build_host(dest, commits):
    git(dest.parent, "init", "-q", "-b", "main", str(dest))
    fast_import(dest, [project_commit(i) for i in range(commits)])
    git(dest, "reset", "-q", "--hard", "main")


def build_hostlib(host, dest, upstream_url, upstream_dir, prefix, later, touch_every):
    fresh_copy(host, dest, refresh=False)
    ddx.add(str(dest), prefix, upstream_url)
    paths = library_text_paths(upstream_dir)
    commits = []
    for i in range(later):
        if touch_every and i % touch_every == touch_every - 1:
            commits.append((f"Library: local change {i}", library_edit(paths, i, f"{prefix}/")[1]))
        else:
            commits.append(project_commit(10_000 + i))
    fast_import(dest, commits, parent=git(dest, "rev-parse", "HEAD"), start=20_000)
    git(dest, "reset", "-q", "--hard", "main")


def build_rejoined(hostlib, dest, upstream_dir, prefix, advance):
    fresh_copy(hostlib, dest, refresh=True)
    git(dest, "subtree", "split", f"--prefix={prefix}", "--rejoin", "--squash")
    shutil.rmtree(dest / ".git" / "subtree-cache", ignore_errors=True)
    paths = library_text_paths(upstream_dir)
    commits = [
        (f"Library: change after rejoin {i}", library_edit(paths, 5_000 + i, f"{prefix}/")[1])
        if i % 2 else project_commit(30_000 + i)
        for i in range(advance)
    ]
    fast_import(dest, commits, parent=git(dest, "rev-parse", "HEAD"), start=30_000)
    git(dest, "reset", "-q", "--hard", "main")


def build_fixtures(upstream: Path, out_dir: Path, info_path: Path, *, commits: int, prefix: str,
                   advance: int, touch_every: int, upstream_summary: dict, log=print) -> dict:
    """Everything but the upstream (generated beforehand); writes the cell's info JSON."""
    upstream, out_dir = Path(upstream).resolve(), Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("upstream-next.git", "host", "hostlib", "hostlib-rejoined"):
        shutil.rmtree(out_dir / name, ignore_errors=True)
    url = upstream.resolve().as_uri()
    before = max(1, commits // 2)
    later = max(1, commits - before)
    log(f"upstream-next: +{advance} commits")
    build_upstream_next(upstream, out_dir / "upstream-next.git", advance)
    log(f"host: {before} project commits")
    build_host(out_dir / "host", before)
    log(f"hostlib: DDX add + {later} commits (every {touch_every}th under {prefix})")
    build_hostlib(out_dir / "host", out_dir / "hostlib", url, upstream, prefix, later, touch_every)
    log("hostlib-rejoined: split --rejoin --squash + later commits")
    build_rejoined(out_dir / "hostlib", out_dir / "hostlib-rejoined", upstream, prefix, advance)
    nxt = out_dir / "upstream-next.git"
    info = {
        "prefix": prefix,
        "commits": commits,
        "advance": advance,
        "upstream_digest": upstream_summary["digest"],
        "upstream": {"path": str(upstream.resolve()), "url": url,
                     "head": git(upstream, "rev-parse", "HEAD"),
                     "tree": git(upstream, "rev-parse", "HEAD^{tree}")},
        "upstream_next": {"path": str(nxt.resolve()), "url": nxt.resolve().as_uri(),
                          "head": git(nxt, "rev-parse", "main"),
                          "tree": git(nxt, "rev-parse", "main^{tree}")},
        "repos": {name: str((out_dir / name).resolve())
                  for name in ("host", "hostlib", "hostlib-rejoined")},
        "host_commits": {name: int(git(out_dir / name, "rev-list", "--count", "HEAD"))
                         for name in ("host", "hostlib", "hostlib-rejoined")},
    }
    # What a pull must bring in: every path the advance changed, with its new blob.
    changed = git(nxt, "diff-tree", "-r", "--no-commit-id", info["upstream"]["head"], "main")
    info["advance_blobs"] = {line.split("\t", 1)[1]: line.split()[3] for line in changed.splitlines()}
    info["pristine"] = {name: fingerprint(path) for name, path in pristine_paths(info).items()}
    tmp = info_path.with_name(info_path.name + ".tmp")
    tmp.write_text(json.dumps(info, indent=1))
    os.replace(tmp, info_path)
    return info


def pristine_paths(info) -> dict:
    return {"upstream": info["upstream"]["path"], "upstream-next": info["upstream_next"]["path"],
            **info["repos"]}


def check_pristine(info):
    """The generated repositories must be exactly as built: refs, HEAD tree, every file's size
    and mtime (an in-place write through a hard link would change it)."""
    for name, path in pristine_paths(info).items():
        now = fingerprint(path)
        was = info["pristine"][name]
        if now != was:
            diff = [k for k in was if was[k] != now.get(k)]
            raise RuntimeError(f"pristine repository {name} ({path}) changed: {diff}")


__all__ = ["build_fixtures", "check_pristine", "check_upstreams", "clone_upstream"]
