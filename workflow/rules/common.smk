# Config loading, validation and the small helpers every rule family uses.

import os
import sys
from pathlib import Path

from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))
from ddxspike.settings import (
    apply_presets,
    check_config,
    check_yaml_syntax,
    validate_schema,
)

# config.yaml is read here, after a syntax check that names line and column (Snakemake's own
# message names neither; files given with --configfile Snakemake reads before any of this).
if os.path.exists("config.yaml"):
    check_yaml_syntax("config.yaml")


configfile: "config.yaml"


# Snakemake deep-merges --configfile over config.yaml; a preset's size set must replace it.
apply_presets(config, getattr(workflow, "overwrite_configfiles", None) or [])
validate_schema(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
validate(config, "../schemas/config.schema.yaml")
check_config(config)

SCRATCH = config["scratch_dir"].rstrip("/")
# One run id for every row this run measures (ddxspike/experiment.py): between-run spread.
from ddxspike.experiment import run_id

RUN_ID = run_id()
# Real repositories (existing_repos) and real subtree upstreams (subtree.upstreams): a bad entry
# stops the run here, before any job.
from ddxspike.repos.existing import check_existing_repos
from ddxspike.repos.subtree_fixtures import check_upstreams

REAL_REPOS = check_existing_repos(config.get("existing_repos"), config["sizes"])
SUBTREE_UPSTREAMS = check_upstreams(
    (config.get("subtree") or {}).get("upstreams"), config["sizes"], REAL_REPOS
)
# Every repository the experiments measure, by name (ddxspike/repos/model.py): input functions
# look a name up here for its kind, path, manifest and library; no name is ever parsed.
from ddxspike.repos import model as repo_model

REPOSITORIES = repo_model.repositories(config, SCRATCH, REAL_REPOS, SUBTREE_UPSTREAMS)
# Relative to the working directory: rule inputs and params hold no absolute path, so a moved or
# copied checkout has the same jobs and reruns none of them.
SCRIPTS = Path(os.path.relpath(Path(workflow.basedir) / "workflow" / "scripts"))
# DDX's own binary (ddxspike/ddxcli.py): its strategies and operations run only when it is found;
# its sha256 is a parameter of their jobs, so another binary reruns them.
from ddxspike import ddxcli

DDX_BINARY = ddxcli.locate(config)
DDX_SHA256 = ddxcli.sha256(DDX_BINARY) if DDX_BINARY else ""
# Jobs get the binary as configured (a name or a path relative to the project), resolved in the
# job: an absolute path in params would rerun them in a moved checkout.
DDX_CONFIGURED = ddxcli.settings(config)["binary"] if DDX_BINARY else ""
if not DDX_BINARY:
    print(ddxcli.not_measured_note(config), file=sys.stderr)


wildcard_constraints:
    size="[a-z0-9][a-z0-9_-]*",
    strategy="[a-z0-9][a-z0-9_-]*",


def repository(name):
    """The record of a repository the experiments measure (REPOSITORIES)."""
    if name not in REPOSITORIES:
        raise ValueError(
            f"{name!r} is no configured repository (sizes, existing_repos, edge_cases, "
            f"catalogue, subtree.upstreams): {', '.join(REPOSITORIES)}"
        )
    return REPOSITORIES[name]


def measured_by(experiment):
    """Names of the repositories an experiment measures."""
    return repo_model.measured_in(REPOSITORIES, experiment)


def existing_names():
    """The configured real repositories (existing_repos), measured in place."""
    return [n for n, r in REPOSITORIES.items() if r.source == "existing" and r.manifest]


def module_source(module):
    """The file of a ddxspike module, so that editing it reruns the jobs that use it."""
    return str(SCRIPTS.joinpath(*module.split(".")).with_suffix(".py"))


# Disk preflight: once the DAG is known and before any job runs, refuse a run whose generated
# repositories would not fit on scratch_dir (override: `preflight: false`).
onstart:
    from ddxspike import preflight

    jobs = [(j.rule.name, dict(j.wildcards)) for j in workflow.dag.needrun_jobs()]
    print(preflight.before_run(config, jobs, SCRATCH), file=sys.stderr)
