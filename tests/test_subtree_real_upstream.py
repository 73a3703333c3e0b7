"""A real library as the subtree experiment's upstream (config subtree.upstreams): DDX's real
ddx-library (the shared bundle, a1aa39d, 71 commits) given as an existing repository and as the
bundle itself, through the pipeline with DDX's binary and the Python models; every row verified
or DDX's own refusal; the source (every file, .git included) hashed unchanged; the cells kept off
the size axes. Skips when the bundle is not beside the checkout."""

import subprocess

import pandas as pd
import pytest

from conftest import ROOT, tiny_config
from test_existing_repos import fingerprint
from ddxspike.repos.existing import ExistingRepo
from ddxspike.repos.subtree_fixtures import UpstreamError, check_upstreams, clone_upstream

BUNDLE = ROOT.parent / "shared" / "fixtures" / "ddx-library-a1aa39d.bundle"
pytestmark = pytest.mark.skipif(not BUNDLE.exists(), reason=f"no fixture bundle at {BUNDLE}")
OPS = ["ddx-init", "ddx-update", "ddx-contribute", "model-add", "model-push", "split",
       "internal-check-behind-nopath", "tarball-install"]
# DDX's findings on its real library, in its own words: `ddx contribute` refuses it (65 of its
# texts hold "token", "secret"...), plain `ddx update` stops at a file holding "=======".
REFUSALS = {"ddx-contribute": "Potential sensitive data detected", "ddx-update": "conflicts detected"}


@pytest.fixture
def ddx_library(tmp_path):
    dest = tmp_path / "ddx-library"
    subprocess.run(["git", "clone", "-q", str(BUNDLE), str(dest)], check=True)
    return dest


def test_real_upstream_through_the_pipeline_read_only(pipeline, ddx_library):
    before = fingerprint(ddx_library)
    cfg = tiny_config(existing_repos={"ddxlib": str(ddx_library)})
    cfg["subtree"].update(upstreams={"ddxlib": "ddxlib", "ddx-bundle": {"bundle": str(BUNDLE)}},
                          fixed_commits=4, advance_commits=3, operations=OPS, trials=1)
    pipeline.write_config(cfg)
    cells = ["results/subtree/ddxlib/c4.parquet", "results/subtree/ddx-bundle/c4.parquet"]
    pipeline.snakemake(*cells)
    assert fingerprint(ddx_library) == before, "the pipeline wrote inside the ddx-library clone"

    df = pd.concat([pd.read_parquet(pipeline.root / c) for c in cells])
    assert set(df["size"]) == {"ddxlib", "ddx-bundle"} and len(df) == 2 * len(OPS)
    # The real library's own shape and history, not a generated one.
    assert (df["files"] == 308).all() and (df["commits"] == 71).all()
    for size, rows in df.groupby("size"):
        by_op = rows.set_index("strategy")
        for op, words in REFUSALS.items():
            assert by_op.loc[op, "status"] == "error" and words in by_op.loc[op, "error"], size
        ok = by_op.drop(list(REFUSALS))
        assert (ok["status"] == "ok").all(), (size, ok[["status", "error"]])
        # ddx init merges the real history; the advance was made in the cell's private copy.
        assert '"upstream_commits_gained": 71' in by_op.loc["ddx-init", "answer"]
        assert by_op.loc["internal-check-behind-nopath", "answer"] == "3"

    upstream = pipeline.root / "results/repos/subtree/ddxlib/c4/upstream"
    assert GIT(upstream, "remote") == ""  # the private copy cannot reach the source
    assert GIT(upstream, "rev-parse", "main") == GIT(ddx_library, "rev-parse", "HEAD")

    # Apart from the synthetic axis: their rows are real (the kind, not the name, says so).
    from ddxspike.report.fits import scaling_points

    assert (df["repo_kind"] == "real").all()
    assert scaling_points(df).empty
    assert fingerprint(ddx_library) == before


def GIT(repo, *args) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_library_inside_a_project_is_split_out(ddx_library, tmp_path):
    """{path, library: .ddx/library}: the upstream is that folder's history, split out in the
    private copy; the project is only read."""
    project = tmp_path / "project"
    subprocess.run(["git", "init", "-q", "-b", "trunk", str(project)], check=True)
    (project / "src.txt").write_text("the project's own file\n")
    GIT(project, "add", "src.txt")
    GIT(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "project")
    GIT(project, "-c", "user.name=t", "-c", "user.email=t@t", "subtree", "add", "-q",
        "--prefix=.ddx/library", str(ddx_library), "main")
    before = fingerprint(project)
    sources = check_upstreams({"lib": "proj"}, {}, {"proj": ExistingRepo(str(project), ".ddx/library")})
    clone_upstream(sources["lib"], tmp_path / "upstream", log=lambda m: None)
    assert fingerprint(project) == before
    up = tmp_path / "upstream"
    assert GIT(up, "rev-parse", "main^{tree}") == GIT(ddx_library, "rev-parse", "HEAD^{tree}")
    assert GIT(up, "branch", "--format=%(refname:short)") == "main" and GIT(up, "remote") == ""
    assert not (up / "src.txt").exists() and (up / "workflows" / "helix").is_dir()


def test_bad_upstreams_are_refused_naming_the_key(tmp_path, ddx_library):
    repos = {"ddxlib": ExistingRepo(str(ddx_library)), "other": ExistingRepo(str(ddx_library))}
    sizes = {"small": {}}
    not_a_bundle = tmp_path / "x.bundle"
    not_a_bundle.write_text("hello\n")
    cases = {
        "nope": ({"up": "nope"}, "config subtree.upstreams.up: 'nope' is not one of existing_repos"),
        "size": ({"small": "ddxlib"}, "config subtree.upstreams.small: the name 'small' is also a key of sizes"),
        "taken": ({"other": "ddxlib"}, "config subtree.upstreams.other: 'other' is the existing_repos entry 'other'"),
        "missing": ({"up": {"bundle": str(tmp_path / "none.bundle")}}, "config subtree.upstreams.up.bundle: "),
        "garbage": ({"up": {"bundle": str(not_a_bundle)}}, "is not a git bundle"),
    }
    for label, (entry, words) in cases.items():
        with pytest.raises(UpstreamError) as err:
            check_upstreams(entry, sizes, repos)
        assert words in str(err.value), (label, str(err.value))
    # A name is no kind: an upstream may be called edge-x (repos/model.py refuses only a clash).
    ok = check_upstreams({"ddxlib": "ddxlib", "b": {"bundle": str(BUNDLE)}, "edge-x": "other"},
                         sizes, repos)
    assert ok["ddxlib"]["kind"] == "repo" and ok["b"]["kind"] == "bundle"
    assert ok["edge-x"]["kind"] == "repo"


def test_preflight_counts_a_real_upstream(ddx_library):
    from ddxspike import preflight

    cfg = {"sizes": {}, "existing_repos": {"ddxlib": str(ddx_library)},
           "subtree": {"operations": ["split"], "upstreams": {"b": {"bundle": str(BUNDLE)},
                                                             "r": "ddxlib"}}}
    jobs = [("subtree_fixtures", {"size": "b", "commits": "20"}),
            ("subtree_fixtures", {"size": "r", "commits": "20"}),
            ("measure_subtree", {"size": "b", "commits": "20"})]
    needs = preflight.planned_needs(jobs, cfg)
    history = BUNDLE.stat().st_size
    assert needs["subtree b c20"] == pytest.approx(preflight.SUBTREE_REAL_PER_HISTORY_BYTE * history, rel=1e-6)
    # The clone's git folder holds the same history, unpacked a little differently.
    assert 0.5 * needs["subtree b c20"] < needs["subtree r c20"] < 2 * needs["subtree b c20"]
    assert needs["subtree work space"] > history
