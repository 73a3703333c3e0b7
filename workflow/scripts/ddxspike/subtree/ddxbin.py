"""DDX's own binary in the subtree experiment (`ddx init`, `ddx update`, `ddx contribute`, c208478),
and the route DDX took later (release tarballs). What ../shared/ddx/README.md says they do:

- `ddx init` adds the library with DDX's subtree plumbing (fetch, read-tree, commit-tree with the
  upstream tip as second parent, reset --hard), then commits .ddx/config.yaml;
- `ddx update` runs no git command (it only reads the library's text for conflict markers);
- `ddx contribute` refuses a library whose text holds words such as "token" or "secret", then
  runs `git subtree split --rejoin` and pushes the split to the configured URL.

Every ddx process runs isolated (ddxcli.environment: a HOME inside the trial's workspace, no
update check, stdin /dev/null, a timeout). DDX hard-codes the prefix .ddx/library.
"""

import os
import subprocess
from pathlib import Path

from ddxspike import ddxcli
from ddxspike.gitrun import git, run

PREFIX = ".ddx/library"  # DDX's own, not configurable in c208478
# DDX's successor (DocumentDrivenDX/ddx, 2026-04) copies a release tarball here instead.
TARBALL_PREFIX = ".ddx/plugins/ddx"
CONTRIBUTE_BRANCH = "spike-contribution"
# Conventional-commit form and 10-72 characters, so DDX's message check only passes.
CONTRIBUTE_MESSAGE = "docs: contribution measured by the DDX spike"
# The committed change a contribution needs (untimed set-up); a test puts a sensitive word here.
CONTRIBUTION_TEXT = "# Contributed\n\nA change made in the project, sent back upstream.\n"
CONTRIBUTION_PATH = "contributed.md"


def home(ws) -> Path:
    """The ddx process's HOME and XDG folders: inside the trial's own workspace."""
    return Path(ws) / "home"


def url_in_tmp(ws, name: str, target) -> str:
    """A file:// URL DDX accepts. DDX's validateRepoURL (cli/internal/git) allows the file
    scheme only when the URL contains "/tmp/" (or $TMPDIR): its test-suite escape hatch. So the
    upstreams are reached through ws/tmp/<name>, a symlink to the pristine repository (or the
    repository itself when `target` is None: a fresh push remote)."""
    link = Path(ws).resolve() / "tmp" / name
    link.parent.mkdir(parents=True, exist_ok=True)
    if target is not None and not link.exists():
        os.symlink(Path(target).resolve(), link)
    url = link.as_uri()
    assert "/tmp/" in url
    return url


def ddx(binary, args, ws, timeout_s, trace=None) -> subprocess.CompletedProcess:
    """One isolated ddx run in ws/host; trace: a file for git's trace2 events (the variable
    reaches every git process ddx starts)."""
    extra = {"GIT_TRACE2_EVENT": str(trace)} if trace else None
    return ddxcli.run(binary, args, cwd=Path(ws) / "host", home=home(ws), timeout_s=timeout_s,
                      extra_env=extra)


def said(proc_or_text) -> str:
    """DDX's own words, short: its "Error: ..." line, else its first line that ends a step."""
    text = proc_or_text if isinstance(proc_or_text, str) else proc_or_text.stdout
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith("Error:"):
            return ln
    for ln in lines:
        if ln.startswith(("✅", "❌")):
            return ln
    return lines[-1] if lines else ""


def init(binary, ws, url, timeout_s, trace=None):
    return ddx(binary, ["init", "--repository", url, "--branch", "main",
                        "--skip-claude-injection"], ws, timeout_s, trace)


def commit_contribution(ws):
    """Untimed: what `ddx contribute` needs besides a DDX project: a committed change under the
    prefix (else the split has nothing new) and a non-empty `git status --porcelain` (DDX's
    "No changes detected" check looks at the whole repository: an untracked file will do)."""
    host = Path(ws) / "host"
    (host / PREFIX / CONTRIBUTION_PATH).write_text(CONTRIBUTION_TEXT)
    git(host, "add", "--", f"{PREFIX}/{CONTRIBUTION_PATH}")
    git(host, "commit", "-q", "-m", "Library: a change to contribute")
    (host / "notes-untracked.txt").write_text("work in progress\n")


def prefix_files(repo, prefix) -> dict:
    """path -> (inode, size, mtime) of every file under the prefix: a write, a replacement or a
    removal shows as a difference."""
    root = Path(repo) / prefix
    out = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return out


def files_changed(before: dict, after: dict) -> int:
    return sum(1 for p in before.keys() | after.keys() if before.get(p) != after.get(p))


# --- the release-tarball route ------------------------------------------------------------

def build_tarball(repo, rev, dest) -> Path:
    """A release tarball of `rev` (git archive, gzip), built untimed: a release is downloaded,
    not built, and the download here would only be a file copy."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    git(repo, "archive", "--format=tar.gz", "-o", str(dest.resolve()), rev)
    return dest


def extract_and_commit(host, tarball, prefix, message):
    dest = Path(host) / prefix
    dest.mkdir(parents=True)
    run(["tar", "-xzf", Path(tarball).resolve(), "-C", dest], host)
    git(host, "add", "-A", "--", prefix)
    git(host, "commit", "-q", "-m", message)
    return git(host, "rev-parse", "HEAD")
