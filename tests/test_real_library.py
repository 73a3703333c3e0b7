"""DDX's real library (the shared ddx-library bundle, a1aa39d) as an existing repository: asset
discovery and the workflow catalogue through the pipeline, every answer checked against the
ground truth, and not one byte of the clone (.git included) changed. Also the library kept inside
a project at .ddx/library. Skips when the bundle is not beside the checkout."""

import json
import subprocess

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, tiny_config
from test_existing_repos import GIT, fingerprint
from ddxspike.repos.catalogue.real_library import build_truth, tracked_paths
from ddxspike.repos.existing import build_manifest

BUNDLE = ROOT.parent / "shared" / "fixtures" / "ddx-library-a1aa39d.bundle"
pytestmark = pytest.mark.skipif(not BUNDLE.exists(), reason=f"no fixture bundle at {BUNDLE}")


@pytest.fixture
def ddx_library(tmp_path):
    dest = tmp_path / "ddx-library"
    subprocess.run(["git", "clone", "-q", str(BUNDLE), str(dest)], check=True)
    return dest


def catalogue_config(**existing):
    cfg = tiny_config(existing_repos=existing)
    cfg.pop("subtree", None)  # the subtree upstream comes with its own work (issue 14, item 1)
    cfg["catalogue"].update(workflow_counts=[10], trials=1, heap_trials=0)
    return cfg


def test_truth_of_the_real_catalogue_is_helix(ddx_library, tmp_path):
    table, summary = build_manifest(ddx_library)
    pq.write_table(table, tmp_path / "m.parquet")
    paths = tracked_paths(tmp_path / "m.parquet", "")
    truth = build_truth(str(ddx_library), paths, queries_per_kind=50, seed=1)
    assert summary["files"] == 308 and summary["workflows"] == 1
    assert truth["files"] == len(paths) == 221  # workflows/helix, as the fixture's README says
    assert truth["valid"] == [{"name": "helix", "path": "workflows/helix/workflow.yml"}]
    assert truth["invalid"] == []
    answers = {(q["kind"], q["value"]): q["answer"] for q in truth["queries"]}
    # Fields the synthetic workflow.yml lacks (a date in `created`, phases with contract_docs
    # and no required_role) parse; its tags and words answer, roles answer nothing.
    assert answers[("name", "helix")] == ["helix"] and answers[("tag", "beads")] == ["helix"]
    assert answers[("keyword", "metadata")] == ["helix"]
    assert all(not q["answer"] for q in truth["queries"] if q["kind"] == "role")
    assert sum(1 for q in truth["queries"] if q["kind"] == "name") == 50


def test_discovery_and_catalogue_on_ddx_library_read_only(pipeline, ddx_library):
    before = fingerprint(ddx_library)
    cfg = catalogue_config(**{"ddx-library": str(ddx_library)})
    cfg["measurement"].update(trials=1, heap_trials=0)
    pipeline.write_config(cfg)
    discovery = [f"results/discovery/ddx-library/{s}.parquet" for s in cfg["discovery"]["strategies"]]
    catalogue = [f"results/catalogue/ddx-library/{s}.parquet" for s in cfg["catalogue"]["strategies"]]
    pipeline.snakemake(*discovery, *catalogue)
    assert fingerprint(ddx_library) == before, "the pipeline wrote inside the ddx-library clone"
    df = pd.concat([pd.read_parquet(pipeline.root / t) for t in discovery + catalogue])
    assert (df["status"] == "ok").all(), df[df["status"] != "ok"][["strategy", "error"]]
    assert set(df["strategy"]) == set(cfg["discovery"]["strategies"]) | set(cfg["catalogue"]["strategies"])
    assert (df.loc[df["experiment"] == "discovery", "files"] == 308).all()
    cat = df[df["experiment"] == "catalogue"]
    assert (cat["workflows"] == 1).all() and (cat["files"] == 221).all()
    assert (cat["invalid_reported"] == 0).all()
    # The index lives under results/, naming the clone's folder.
    index = json.loads((pipeline.root / "results/catalogue/ddx-library/index.json").read_text())
    assert index["library"] == str(ddx_library.resolve())
    assert list(index["entries"]) == ["workflows/helix/workflow.yml"]


def test_catalogue_of_a_library_inside_a_project(pipeline, ddx_library, tmp_path):
    """A DDX project keeping the real library at .ddx/library: the catalogue reads it there."""
    project = tmp_path / "project"
    lib = project / ".ddx" / "library"
    lib.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ddx_library), "archive", "HEAD"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(lib)], input=archive, check=True)
    (project / "README.md").write_text("# a project using DDX\n")
    subprocess.run([*GIT, "init", "-q", str(project)], check=True)
    subprocess.run([*GIT, "-C", str(project), "add", "."], check=True)
    subprocess.run([*GIT, "-C", str(project), "commit", "-qm", "project"], check=True)
    before = fingerprint(project)
    cfg = catalogue_config(project={"path": str(project), "library": ".ddx/library"})
    pipeline.write_config(cfg)
    targets = ["results/catalogue/project/scan-parse-c.parquet",
               "results/catalogue/project/index-memory.parquet",
               "results/discovery/project/walk.parquet"]
    pipeline.snakemake(*targets)
    assert fingerprint(project) == before
    summary = json.loads((pipeline.root / "results/manifests/project.json").read_text())
    assert summary["library"] == ".ddx/library" and summary["files"] == 309
    assert summary["workflows"] == 1  # counted from the library folder, not the project root
    df = pd.concat([pd.read_parquet(pipeline.root / t) for t in targets])
    assert (df["status"] == "ok").all(), df[df["status"] != "ok"][["strategy", "error"]]
    assert (df.loc[df["experiment"] == "catalogue", "files"] == 221).all()
