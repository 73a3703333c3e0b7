"""Checks of each operation's result against the ground truth, after the clock has stopped.
Returns None when right, else a message (the row becomes `mismatch`)."""

import os
from pathlib import Path

from ddxspike.groundtruth import digest_paths

from ddxspike.gitrun import GitError, git, git_bytes

from . import ddxbin


def _objects_at(repo, revs) -> list:
    """The object id each name in `revs` (HEAD:path, X^{tree}) resolves to, as rev-parse would,
    all from one git process; "<missing: NAME>" where it names nothing."""
    revs = list(revs)
    if any("\n" in r for r in revs):  # cat-file reads one name a line
        raise ValueError(f"a name with a newline cannot be looked up: {revs!r}")
    try:
        out = git_bytes(repo, "cat-file", "--batch-check=%(objectname)",
                        input=b"".join(os.fsencode(r) + b"\n" for r in revs))
    except GitError as exc:  # no repository there
        return [f"<missing: {exc.stderr_tail[:80]}>"] * len(revs)
    # One line per name: its id, or "NAME missing" (or "NAME ambiguous").
    lines = os.fsdecode(out).split("\n")[:-1]
    if len(lines) != len(revs):
        raise RuntimeError(f"cat-file answered {len(lines)} of {len(revs)} names in {repo}")
    return [line if " " not in line else f"<{line.rsplit(' ', 1)[1]}: {r}>"
            for r, line in zip(revs, lines)]


def _tree_at(repo, rev_path):
    return _objects_at(repo, [rev_path])[0]


def _files_below(root, skip=(".git",)):
    out = []
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        out += [os.path.relpath(os.path.join(dirpath, n), root) for n in names if n not in skip]
    return out


def verify(op: str, ws: Path, answer, info: dict, manifest_paths=None, sparse_dirs=()):
    host = ws / "host"
    prefix = info["prefix"]
    up = info["upstream"]

    def prefix_tree_is(expected, what):
        got = _tree_at(host, f"HEAD:{prefix}")
        return None if got == expected else f"{prefix} tree {got[:12]} != {what} tree {expected[:12]}"

    if op in ("model-add", "subtree-add-squash", "subtree-add", "ddx-init"):
        return prefix_tree_is(up["tree"], "upstream")
    if op == "ddx-update":
        # Checked for what it did (facts(): files changed, upstream changes arrived, and the
        # git processes in every trial), not as a pull: DDX c208478's update runs no git.
        return None
    if op == "ddx-contribute":
        want = _tree_at(host, f"HEAD:{prefix}")
        got = _tree_at(ws / "tmp" / "remote.git", f"refs/heads/{ddxbin.CONTRIBUTE_BRANCH}^{{tree}}")
        return None if got == want else f"pushed split has tree {got[:12]}, {prefix} has {want[:12]}"
    if op in ("tarball-install", "tarball-update"):
        want = up["tree"] if op == "tarball-install" else info["upstream_next"]["tree"]
        got = _tree_at(host, f"HEAD:{ddxbin.TARBALL_PREFIX}")
        return None if got == want else f"{ddxbin.TARBALL_PREFIX} tree {got[:12]} != release tree {want[:12]}"
    if op in ("internal-pull", "internal-pull-rm", "subtree-pull-squash"):
        # Local edits under the prefix may survive a merge, so check what the pull must bring:
        # every path the upstream changed, with the upstream's new content.
        stale = [p for p, blob, got in _at_prefix(host, prefix, info["advance_blobs"])
                 if got != blob]
        return f"{len(stale)} upstream changes missing, e.g. {stale[0]}" if stale else None
    if op in ("split", "split-rejoin-squash", "split-after-rejoin", "model-push"):
        want, got = _objects_at(host, [f"HEAD:{prefix}", f"{answer}^{{tree}}"])
        if got != want:
            return f"split commit {str(answer)[:12]} has tree {got[:12]}, {prefix} has {want[:12]}"
        if op == "model-push":
            pushed = _tree_at(ws / "remote.git", "refs/heads/main")
            if pushed != answer:
                return f"remote main is {pushed[:12]}, pushed split {str(answer)[:12]}"
        return None
    if op == "model-has-subtree":
        return None if answer is True else f"answered {answer!r}, the subtree is there"
    if op in ("internal-check-behind", "internal-check-behind-nopath"):
        want = info["advance"]
        return None if answer == want else f"answered {answer} commits behind; upstream is {want} ahead"
    if op in ("status", "status-manyfiles"):
        return None if answer == 0 else f"{answer} changed paths reported in a clean checkout"
    if op == "submodule-add":
        got = _tree_at(host / prefix, "HEAD^{tree}")
        return None if got == up["tree"] else f"submodule tree {got[:12]} != upstream {up['tree'][:12]}"
    if op == "init-fallback":
        got = digest_paths(_files_below(host / prefix))
        return None if got == info["upstream_digest"] else "copied files differ from the manifest"
    if op == "partial-clone":
        dirs = tuple(d.rstrip("/") + "/" for d in sparse_dirs)
        want = [p for p in manifest_paths if "/" not in p or p.startswith(dirs)]
        got = _files_below(ws / "clone")
        if digest_paths(got) != digest_paths(want):
            return f"sparse checkout has {len(got)} files, expected {len(want)}"
        # Blob-less means the blobs outside the sparse folders were never fetched.
        listing = git(ws / "clone", "rev-list", "--objects", "--all", "--missing=print")
        missing = sum(1 for line in listing.splitlines() if line.startswith("?"))
        outside = len(manifest_paths) - len(want)
        if missing < outside:
            return f"only {missing} blobs missing, {outside} files lie outside {list(sparse_dirs)}"
        return None
    raise KeyError(f"no verification for operation {op!r}")


def upstream_changes_present(ws: Path, info: dict) -> set:
    """The advanced upstream's changed paths whose new content HEAD already has (the host's own
    library edits can match one by chance)."""
    prefix = info["prefix"]
    return {p for p, blob, got in _at_prefix(ws / "host", prefix, info["advance_blobs"])
            if got == blob}


def _at_prefix(host, prefix, blobs: dict):
    """(path, expected blob, HEAD's blob at prefix/path) for each of `blobs`, one git process."""
    got = _objects_at(host, [f"HEAD:{prefix}/{p}" for p in blobs])
    return [(p, blob, g) for (p, blob), g in zip(blobs.items(), got)]


def facts(op: str, ws: Path, info: dict, before: dict | None = None) -> dict:
    """What DDX's commands did beyond their answer, for the row's `answer` (after the clock)."""
    host, prefix = ws / "host", info["prefix"]
    if op == "ddx-init":
        # The "Squashed" commit is a merge: the upstream's tip is its second parent, so the
        # project's history gains every upstream commit.
        squash = git(host, "log", "-1", "--format=%H %P", f"--grep=git-subtree-dir: {prefix}")
        parents = squash.split()[1:]
        upstream = int(git(host, "rev-list", "--count", info["upstream"]["head"]))
        merged = info["upstream"]["head"] in parents
        return {"squash_parents": len(parents), "upstream_commits_gained": upstream if merged else 0}
    if op == "ddx-update":
        # Arrived during the trial: present now, not before it.
        had = (before or {}).get("upstream_present", set())
        arrived = len(upstream_changes_present(ws, info) - had)
        return {"upstream_changes": len(info["advance_blobs"]), "arrived": arrived}
    return {}
