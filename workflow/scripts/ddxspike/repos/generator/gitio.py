"""Git plumbing for the generator: fast-import streams and tree listing (through gitrun)."""

import subprocess
import tempfile

from ddxspike.gitrun import environment, git_bytes

# Fixed identity and dates: together with the content they make the commit ids deterministic.
IDENT = b"DDX Library <library@ddx.invalid>"
EPOCH = 1735689600  # 2025-01-01T00:00:00Z; commit k is dated one hour after commit k-1
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


class FastImportFailed(RuntimeError):
    """fast-import died while it was fed (e.g. of a full disk); the message is its stderr."""


class FastImport:
    """One `git fast-import` process fed through a pipe; `done` guards against cut streams."""

    def __init__(self, repo, *options, compression=None):
        conf = [] if compression is None else ["-c", f"core.compression={compression}",
                                               "-c", f"pack.compression={compression}"]
        self._err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(["git", "-C", str(repo), *conf, "fast-import", "--quiet",
                                      "--done", *options], stdin=subprocess.PIPE,
                                     stderr=self._err, env=environment(), bufsize=1 << 20)
        self._write = self.proc.stdin.write

    def write(self, data: bytes) -> None:
        try:
            self._write(data)
        except BrokenPipeError:  # it died: say why (a bare broken pipe names no cause)
            raise FastImportFailed(self._why()) from None

    def _why(self) -> str:
        self.proc.wait()
        self._err.seek(0)
        return (f"git fast-import failed ({self.proc.returncode}): "
                f"{self._err.read().decode(errors='replace').strip()}")

    def data(self, payload: bytes) -> None:
        self.write(b"data %d\n" % len(payload))
        self.write(payload)
        self.write(b"\n")

    def commit(self, k: int, message: str) -> None:
        stamp = b"%d +0000" % (EPOCH + 3600 * k)
        self.write(b"commit refs/heads/main\nauthor %s %s\ncommitter %s %s\n"
                   % (IDENT, stamp, IDENT, stamp))
        self.data(message.encode() + b"\n")

    def finish(self) -> None:
        try:
            self.write(b"done\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass  # the exit status and stderr below say why
        if self.proc.wait():
            raise FastImportFailed(self._why())
        self._err.close()

    def abort(self) -> None:
        """Stop without `done`: fast-import then refuses to update any ref."""
        self.proc.kill()
        self.proc.wait()
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass


def ls_tree(repo) -> dict:
    """{path bytes: blob id} of HEAD, recursively."""
    out = {}
    for rec in git_bytes(repo, "ls-tree", "-r", "-z", "--full-tree", "HEAD").split(b"\0"):
        if rec:
            meta, path = rec.split(b"\t", 1)
            out[path] = meta.split()[2].decode()
    return out
