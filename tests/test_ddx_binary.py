"""DDX's own `ddx list --json` / `ddx version` as discovery strategies (ddx-binary, ddx-startup):
stderr JSON parsing, the engine's stream/env, isolation (no HOME of the caller, no network), and
the parity of the model ddx_list.py with the binary on generated libraries and edge cases."""

import json
import os
import socket
import threading
from pathlib import Path

import pandas as pd
import pytest

from conftest import DDX_BINARY, tiny_config
from ddxspike import ddxcli
from ddxspike.discovery import ddx_binary, ddx_list
from ddxspike.discovery.assets import expected_assets
from ddxspike.discovery.cells import build_specs, resolve
from ddxspike.engine import plan, run_cell
from ddxspike.engine.external import run_command
from ddxspike.repos.generator import LibrarySpec, generate_library

needs_ddx = pytest.mark.skipif(not DDX_BINARY.is_file(), reason=f"no DDX binary at {DDX_BINARY}")
BINARY = str(DDX_BINARY)
ENTRY = {"ddx": ["list", "--json"], "stream": "stderr", "lists": "assets", "depth": "meta",
         "parser": "ddxspike.discovery.ddx_binary:asset_paths"}
STARTUP = {"ddx": ["version"], "stream": "stdout", "lists": "nothing",
           "parser": "ddxspike.discovery.ddx_binary:version_seen"}
SPLIT = {"templates": 0.3, "patterns": 0.3, "prompts": 0.3, "workflows": 0.1}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    summary = generate_library(LibrarySpec(files=120, bytes=600_000, commits=3, seed=11, split=SPLIT),
                               repo_dir=root / "repo", manifest_path=root / "m.parquet",
                               log=lambda m: None)
    return root / "repo", root / "m.parquet", summary


# --- parsing what the binary prints on stderr ------------------------------------------------

def test_list_json_parsing_null_empty_and_escapes():
    assert ddx_binary.asset_paths(b'{"resources": null, "summary": {}}\n') == []
    assert ddx_binary.asset_paths(b'{\n  "resources": [],\n  "summary": {}\n}\n') == []
    doc = (b'{"resources": [{"name": "a\\u003cb\\u003e\\u0026c", "type": "templates", '
           b'"description": "x", "path": "/l/templates/a", "is_directory": true}], '
           b'"summary": {"templates": 1}}')
    assert ddx_binary.asset_paths(doc) == ["templates/a<b>&c".encode()]
    with pytest.raises(ValueError, match="not JSON"):
        ddx_binary.asset_paths(b"Error: failed to load config\n")
    with pytest.raises(ValueError, match="no 'resources'"):
        ddx_binary.asset_paths(b'{"summary": {}}')
    assert ddx_binary.version_seen(b"DDx v0.1.6-14-gc208478\nCommit: c208\n") == []
    with pytest.raises(ValueError):
        ddx_binary.version_seen(b"")


def test_invalid_utf8_as_go_prints_it():
    # Go's encoder: every byte outside valid UTF-8 is one U+FFFD (Python's "replace" merges
    # a truncated sequence into one).
    assert ddx_list.go_text(b"caf\xe9") == "caf\ufffd"
    assert ddx_list.go_text(b"a\xe2\x82b") == "a\ufffd\ufffdb"
    assert ddx_list.go_text(b"\xed\xa0\x80") == "\ufffd" * 3  # an encoded surrogate
    assert ddx_binary.truth_as_printed([b"t/\xe9", b"t/a"]) == [b"t/a", "t/\ufffd".encode()]


def test_go_string_rules():
    assert ddx_list.go_trim_space("\u00a0 x \u3000".encode()) == b"x"
    assert ddx_list.go_trim_space(b"\x1c x") == b"\x1c x"  # not space in Go (Python says it is)
    assert ddx_list.go_trim_space(b"\xe3\x80 x") == b"\xe3\x80 x"  # invalid bytes stop the trim
    assert ddx_list.go_ext(b".md") == b".md" and ddx_list.go_ext(b"a.b.YML") == b".YML"
    assert ddx_list.guess_tags("İjs-react") == ["react", "javascript"]
    assert ddx_list.guess_tags("tests") == ["typescript", "testing"]  # substring "ts"
    assert ddx_list.size_text(1536) == "1.5 KB" and ddx_list.size_text(3 << 20) == "3.0 MB"


# --- the engine: stream and env ----------------------------------------------------------------

def test_run_command_reads_stderr_with_an_env_of_its_own(tmp_path):
    argv = ["sh", "-c", 'echo on-stdout; echo "$ONLY_HERE" >&2']
    out = run_command(argv, cwd=str(tmp_path), stream="stderr",
                      env={"PATH": os.environ["PATH"], "ONLY_HERE": "from-env"}).finish()
    assert out.paths == [b"from-env"]
    assert run_command(argv, cwd=str(tmp_path)).finish().paths == [b"on-stdout"]
    with pytest.raises(ValueError, match="stream"):
        run_command(argv, stream="both")


# --- parity: the model lists exactly what the binary lists --------------------------------------

def _wide(lib: Path):
    folder = lib / "templates"
    folder.mkdir(parents=True)
    for i in range(20_000):
        (folder / f"asset-{i:05d}.md").write_bytes(b"")
    (folder / "z-dir").mkdir()
    (folder / "z-dir" / "README.md").write_text("# Title\n\nA folder among 20,000 files.\n")


def _non_utf8(lib: Path):
    root = os.fsencode(lib)
    for rel in (b"templates/caf\xe9/README.md", b"templates/na\xefve-\xff.md",
                b"prompts/r\xe9sum\xe9-\xe2\x82", b"configs/ok.yml"):
        full = os.path.join(root, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(b"# H\n\ndescribed \xe9t\xe9\n")


def _symlink_loop(lib: Path):
    folder = lib / "templates"
    folder.mkdir(parents=True)
    os.symlink("loop", folder / "loop")  # stat fails (ELOOP): DDX skips it
    os.symlink("b", folder / "a")
    os.symlink("a", folder / "b")
    os.symlink("..", folder / "up")  # a folder: the library itself
    os.symlink("missing", folder / "dangling")
    (folder / "real.md").write_text("text")
    os.symlink("real.md", folder / "alias.md")


def _readme_split(lib: Path):
    # The 60th byte is the first of "é" (2 bytes): DDX cuts inside the character.
    for name, line in (("split", "a" * 59 + "é" + "rest"), ("exact", "b" * 60),
                       ("long-cjk", "漢" * 30), ("spaces", "\u00a0\u3000 padded \u2003")):
        folder = lib / "prompts" / name
        folder.mkdir(parents=True)
        (folder / "README.md").write_text(f"# Heading\n\n   \n{line}\nsecond line\n")
    (lib / "prompts" / "headings-only").mkdir()
    (lib / "prompts" / "headings-only" / "README.md").write_text("# a\n## b\n\n")
    (lib / "prompts" / "readme-is-a-folder" / "README.md").mkdir(parents=True)


def _every_type(lib: Path):
    for t in ddx_list.RESOURCE_TYPES + ("patterns",):
        (lib / t / f"{t}-one").mkdir(parents=True)
        (lib / t / f".{t}-hidden").write_bytes(b"x" * 2048)
        (lib / t / "empty-file").write_bytes(b"")
        (lib / t / "react-go-api.sh").write_text("echo\n")


CASES = {"wide-folder": _wide, "non-utf8-names": _non_utf8, "symlink-loop": _symlink_loop,
         "readme-60th-byte": _readme_split, "every-type": _every_type,
         "empty-library": lambda lib: lib.mkdir(), "missing-library": lambda lib: None}


@needs_ddx
@pytest.mark.parametrize("case", CASES)
def test_parity_on_edge_cases(case, tmp_path):
    lib = tmp_path / "lib"
    CASES[case](lib)
    status, error, items = ddx_binary.parity(str(lib), BINARY, tmp_path / "ddx", 60)
    assert (status, error) == ("ok", None)
    model = ddx_list.as_json(ddx_list.list_resources(str(lib)))
    assert items == len(model or [])
    if case == "wide-folder":
        assert items == 20_001
    if case == "missing-library":
        assert model == []  # DDX: "resources": [] for a missing library, null for an empty one
    if case == "empty-library":
        assert model is None
    if case == "readme-60th-byte":
        by = {r["name"]: r["description"] for r in model}
        assert by["split"] == "a" * 59 + "\ufffd..." and by["exact"] == "b" * 60
        assert by["headings-only"] == "1 items" and by["readme-is-a-folder"] == "1 items"


@needs_ddx
def test_parity_on_a_generated_library(library, tmp_path):
    repo, manifest, _ = library
    assert ddx_binary.parity(str(repo), BINARY, tmp_path, 60) == (
        "ok", None, len(expected_assets(manifest)))


@needs_ddx
def test_a_difference_is_named(library, tmp_path, monkeypatch):
    repo, _, _ = library
    # The model of an older DDX (5 types) against the binary: the assets it misses are named.
    monkeypatch.setattr(ddx_list, "RESOURCE_TYPES",
                        ("templates", "patterns", "configs", "prompts", "scripts"))
    status, error, _ = ddx_binary.parity(str(repo), BINARY, tmp_path, 60)
    assert status == "mismatch"
    assert "only in ddx" in error and "only in the model" in error and "patterns/" in error
    assert "summary: model" in error and "'workflows'" in error


def test_differences_name_fields_order_and_null():
    a = [{"name": "x", "type": "templates", "description": "d", "path": "/l/templates/x",
          "is_directory": True}, {"name": "y", "type": "templates", "description": "e",
                                  "path": "/l/templates/y", "is_directory": False, "size": 3}]
    assert ddx_binary.differences(a, [dict(r) for r in a]) == []
    b = [dict(a[0], description="other"), a[1]]
    assert ddx_binary.differences(a, b) == ["templates/x: description model 'd' / ddx 'other'"]
    assert ddx_binary.differences(a, a[::-1]) == ["same records in another order"]
    assert ddx_binary.differences(None, []) == ["resources: model null, ddx []"]
    assert ddx_binary.differences(a[:1], a) == ["templates/y: only in ddx"]


# --- through the engine, cold and warm; isolation -----------------------------------------------

def _specs(entry, name, repo, manifest, summary, workdir, **kw):
    return build_specs(resolve(name, entry), repo=str(repo), manifest=str(manifest),
                       summary=summary, size="t", depths=["names", "stat", "meta", "hash"],
                       cache_states=["warm", "cold"], page_size=50, cache_dir=str(workdir / "c"),
                       workdir=workdir, ddx=BINARY, **kw)


class Proxy:
    """A local HTTP(S) proxy that only records who connects: any network attempt of a Go
    program that honours HTTPS_PROXY shows up here."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.hits, self.stop = [], False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits.append(conn.recv(200))
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture
def sentinel_env(tmp_path, monkeypatch):
    """The caller's HOME/XDG folders (which ddx must never touch) and a proxy that would see a
    network attempt."""
    home = tmp_path / "real-home"
    home.mkdir()
    (home / "sentinel").write_text("untouched")
    proxy = Proxy()
    for k, v in {"HOME": home, "XDG_CACHE_HOME": home / ".cache", "XDG_CONFIG_HOME": home / ".config",
                 "HTTPS_PROXY": proxy.url, "HTTP_PROXY": proxy.url, "https_proxy": proxy.url}.items():
        monkeypatch.setenv(k, str(v))
    monkeypatch.delenv("DDX_DISABLE_UPDATE_CHECK", raising=False)
    yield home, proxy
    proxy.close()


def _tree(root: Path) -> dict:
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*")}


@needs_ddx
def test_ddx_binary_through_the_engine_is_isolated(library, tmp_path, sentinel_env):
    repo, manifest, summary = library
    home, proxy = sentinel_env
    before = _tree(repo)
    job = tmp_path / "job"  # the job's temporary folder
    job.mkdir()
    planned = _specs(ENTRY, "ddx-binary", repo, manifest, summary, job)
    assert [(s.dims["depth"], s.dims["cache_state"]) for s in planned] == [
        ("meta", "warm"), ("meta", "cold")]
    env = planned[0].kwargs["env"]
    assert env["DDX_DISABLE_UPDATE_CHECK"] == "1"
    assert env["DDX_LIBRARY_BASE_PATH"] == str(repo)
    for key in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        assert Path(env[key]).is_relative_to(job), key
    assert Path(planned[0].kwargs["cwd"]).is_relative_to(job)
    rows = run_cell(plan.cell(planned, warmups=1, trials=2, timeout_s=60, heap_trials=1))
    assert {r["status"] for r in rows} == {"ok"}, [r.get("error") for r in rows]
    assert {r["items"] for r in rows} == {len(expected_assets(manifest))}
    # Nothing written to the caller's HOME, the library, or anywhere but the job's folder;
    # no network attempt, no update-check file.
    assert sorted(p.name for p in home.rglob("*")) == ["sentinel"]
    assert _tree(repo) == before
    assert proxy.hits == []
    assert not list(tmp_path.rglob("last-update-check.json"))
    assert not list(home.rglob("last-update-check.json"))


@needs_ddx
def test_the_proxy_would_see_an_update_check(tmp_path, sentinel_env):
    # Control for the isolation test: without DDX_DISABLE_UPDATE_CHECK the binary does call out.
    home, proxy = sentinel_env
    env = ddxcli.environment(tmp_path / "h")
    env.pop("DDX_DISABLE_UPDATE_CHECK")
    run_command([BINARY, "version"], cwd=str(tmp_path), env=env, stream="stderr").finish()
    assert proxy.hits and b"api.github.com" in proxy.hits[0]
    assert list((tmp_path / "h").rglob("last-update-check.json"))


@needs_ddx
def test_ddx_binary_on_non_utf8_names_matches_the_truth_as_printed(tmp_path):
    from ddxspike.repos.edgecases import generate_edgecase

    repo = tmp_path / "case" / "repo"
    summary = generate_edgecase("non-utf8-names", {"kind": "non_utf8"}, repo,
                                tmp_path / "m.parquet", log=lambda m: None)
    (tmp_path / "job").mkdir()
    planned = _specs(ENTRY, "ddx-binary", repo, tmp_path / "m.parquet", summary, tmp_path / "job")
    rows = run_cell(plan.cell(planned, warmups=0, trials=1, timeout_s=60))
    assert {r["status"] for r in rows} == {"ok"}, [r.get("error") for r in rows]
    assert any(b"\xe9" in a for a in expected_assets(tmp_path / "m.parquet"))


@needs_ddx
def test_ddx_startup_lists_nothing(library, tmp_path):
    repo, manifest, summary = library
    (tmp_path / "job").mkdir()
    planned = _specs(STARTUP, "ddx-startup", repo, manifest, summary, tmp_path / "job")
    assert [s.dims["depth"] for s in planned] == ["names", "names"]
    rows = run_cell(plan.cell(planned, warmups=0, trials=1, timeout_s=60))
    assert {(r["status"], r["items"]) for r in rows} == {("ok", 0)}


def test_a_ddx_strategy_without_a_binary_is_refused(library, tmp_path):
    repo, manifest, summary = library
    with pytest.raises(ValueError, match="no DDX binary"):
        build_specs(resolve("ddx-binary", ENTRY), repo=str(repo), manifest=str(manifest),
                    summary=summary, size="t", depths=["meta"], cache_states=["warm"],
                    page_size=50, cache_dir=str(tmp_path), workdir=tmp_path)


def test_asset_truth_below_a_library_subdir(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = [b".ddx/library/templates/a/README.md", b".ddx/library/workflows/w.yml",
             b"templates/outside.md", b".ddx/library/patterns/p.md", b"src/main.go"]
    pq.write_table(pa.table({"path": pa.array(paths, pa.binary())}), tmp_path / "m.parquet")
    assert expected_assets(tmp_path / "m.parquet", ".ddx/library") == [
        b"templates/a", b"workflows/w.yml"]
    assert expected_assets(tmp_path / "m.parquet") == [b"templates/outside.md"]


# --- the pipeline --------------------------------------------------------------------------------

def _discovery_only(cfg, strategies):
    cfg.pop("subtree", None)
    cfg.pop("catalogue", None)
    cfg["measurement"].update(warmups=0, trials=1, heap_trials=0)
    cfg["discovery"].update(depths=["names", "meta"],
                            strategies={k: v for k, v in cfg["discovery"]["strategies"].items()
                                        if k in strategies})
    return cfg


@needs_ddx
def test_pipeline_measures_ddx_binary_and_startup(pipeline):
    cfg = _discovery_only(tiny_config(), ["ddx-list", "ddx-binary", "ddx-startup"])
    pipeline.write_config(cfg)
    pipeline.snakemake("results/measurements.parquet", "results/hosts.parquet")
    df = pd.read_parquet(pipeline.root / "results/measurements.parquet")
    timed = df[df["mode"] == "time"]
    assert set(timed["strategy"]) == {"ddx-list", "ddx-binary", "ddx-startup"}
    assert (df["status"] == "ok").all(), df[df["status"] != "ok"][["strategy", "error"]]
    binary = timed[timed["strategy"] == "ddx-binary"]
    assert set(binary["cache_state"]) == {"warm", "cold"} and set(binary["depth"]) == {"meta"}
    model = timed[(timed["strategy"] == "ddx-list") & (timed["depth"] == "meta")]
    assert set(binary["items"]) == set(model["items"])
    parity = df[df["mode"] == "parity"]
    assert list(parity["strategy"]) == ["ddx-list"] and list(parity["status"]) == ["ok"]
    hosts = pd.read_parquet(pipeline.root / "results/hosts.parquet")
    assert hosts["ddx_version"].str.startswith("DDx v").all()
    assert (hosts["ddx_sha256"] == ddxcli.sha256(BINARY)).all()


def test_pipeline_without_a_binary_has_no_ddx_rows(pipeline):
    cfg = _discovery_only(tiny_config(), ["ddx-list", "ddx-binary", "ddx-startup"])
    cfg["ddx"]["binary"] = "./no/such/ddx"
    pipeline.write_config(cfg)
    run = pipeline.snakemake("results/measurements.parquet", "results/hosts.parquet")
    assert "DDX's own binary was not measured" in run.stderr
    df = pd.read_parquet(pipeline.root / "results/measurements.parquet")
    assert set(df["strategy"]) == {"ddx-list"} and (df["status"] == "ok").all()
    assert not (pipeline.root / "results/discovery/tiny/ddx-binary.parquet").exists()
    hosts = pd.read_parquet(pipeline.root / "results/hosts.parquet")
    assert (hosts["ddx_sha256"] == "").all()
