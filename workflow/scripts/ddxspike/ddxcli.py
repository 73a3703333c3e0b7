"""DDX's own CLI (`ddx`), the measured subject: where the binary is, and how to run it so that it
stays offline and writes nothing outside the folder it is given (../shared/ddx/README.md).

One place decides both, for every experiment:
- `locate(config)`: the configured `ddx.binary` (a path, or a command name looked up on PATH) as
  an absolute path, or None when there is none: the run then goes on without DDX's own rows and
  the report says once that DDX was not measured and how to configure it.
- `environment(home)`: the isolation every `ddx` process gets. DDX_DISABLE_UPDATE_CHECK stops the
  GitHub releases call (and its cache file) before every command; HOME and XDG_* point at a
  folder of the job's own (viper probes `$HOME/.ddx.*`); a git identity, because with an empty
  HOME `ddx init` cannot commit; no user or system git config, no terminal prompt.
- `identify(binary)`: what the hosts table records: `ddx version` and the binary's sha256.
Processes get stdin from /dev/null (`ddx contribute` without -m prompts) and a timeout.
"""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional

from ddxspike import gitrun

DEFAULT_TIMEOUT_S = 120.0
HOW_TO_GET = ("build one with `go build -o ddx .` in the cli/ folder of a DDX checkout, or "
              "offline with ../shared/ddx/build.sh, then set `ddx: {binary: PATH}` in config.yaml "
              "(or put `ddx` on PATH)")


class DdxFailed(RuntimeError):
    """`ddx` exited non-zero or timed out; the message carries DDX's own words."""

    def __init__(self, argv, returncode, stdout: str, stderr: str):
        self.argv, self.returncode = list(argv), returncode
        self.stdout, self.stderr = stdout, stderr
        said = (stderr.strip() or stdout.strip())[-400:]
        super().__init__(f"`ddx {' '.join(map(str, argv[1:]))}` exited {returncode}"
                         + (f": {said}" if said else ""))


def settings(config: dict) -> dict:
    """The `ddx` section with its defaults filled in."""
    section = dict(config.get("ddx") or {})
    section.setdefault("binary", "ddx")
    section.setdefault("timeout_s", DEFAULT_TIMEOUT_S)
    return section


def locate(config: dict, base: Path = Path(".")) -> Optional[str]:
    """The configured binary as an absolute path, or None if it is not there (nor on PATH).
    A value with a slash is a path (relative to `base`, the project folder); a bare name is
    looked up on PATH, as a shell would."""
    binary = str(settings(config)["binary"])
    if os.sep in binary:
        path = (base / binary).resolve()
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    found = shutil.which(binary)
    return str(Path(found).resolve()) if found else None


def not_measured_note(config: dict) -> str:
    """The one line the report prints when no binary was found."""
    return (f"DDX's own binary was not measured: `ddx.binary` = "
            f"{settings(config)['binary']!r} was not found; {HOW_TO_GET}.")


def environment(home: Path, extra: Optional[dict] = None) -> dict:
    """The environment of every `ddx` process: offline, and writing only under `home`."""
    home = Path(home)
    for sub in ("", ".cache", ".config"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "DDX_", "XDG_"))}  # the caller's git/DDX state stays out
    env.update(gitrun.IDENTITY)  # the one identity every git the spike runs has
    env.update({
        "DDX_DISABLE_UPDATE_CHECK": "1",
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
    })
    env.update(extra or {})
    return env


def run(binary: str, args, cwd, home: Path, timeout_s: float = DEFAULT_TIMEOUT_S,
        extra_env: Optional[dict] = None, check: bool = True) -> subprocess.CompletedProcess:
    """One isolated `ddx` run, untimed (the engine times what it measures); text output."""
    argv = [binary, *map(str, args)]
    try:
        proc = subprocess.run(argv, cwd=cwd, env=environment(home, extra_env),
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        raise DdxFailed(argv, "timeout", "", f"no answer within {timeout_s:g} s") from exc
    out, err = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    if check and proc.returncode != 0:
        raise DdxFailed(argv, proc.returncode, out, err)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def identify(binary: Optional[str], home: Path) -> dict:
    """`ddx version`'s first line and the binary's sha256 (empty strings without a binary)."""
    if not binary:
        return {"ddx_version": "", "ddx_sha256": ""}
    try:
        proc = run(binary, ["version"], cwd=home, home=home, timeout_s=30)
        version = (proc.stdout.strip() or proc.stderr.strip()).splitlines()[0]
    except (DdxFailed, OSError, IndexError) as exc:
        version = f"unknown ({exc})"
    return {"ddx_version": version, "ddx_sha256": sha256(binary)}
