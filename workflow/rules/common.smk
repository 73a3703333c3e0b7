# Config loading, validation and the small helpers every rule family uses.

import sys
from pathlib import Path

from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))
from ddxspike.settings import apply_presets, check_config, validate_schema

# Snakemake deep-merges --configfile over config.yaml; a preset's size set must replace it.
apply_presets(config, getattr(workflow, "overwrite_configfiles", None) or [])
validate_schema(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
validate(config, "../schemas/config.schema.yaml")
check_config(config)

SCRATCH = config["scratch_dir"].rstrip("/")
SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"


wildcard_constraints:
    size="[a-z0-9][a-z0-9_-]*",
    strategy="[a-z0-9][a-z0-9_-]*",


def library_names():
    """Every repository the experiments measure: the configured synthetic sizes."""
    return list(config["sizes"])


def repo_dir(size):
    return f"{SCRATCH}/{size}/repo"


def manifest(size):
    return f"results/manifests/{size}.parquet"


def module_source(module):
    """The file of a ddxspike module, so that editing it reruns the jobs that use it."""
    return str(SCRIPTS.joinpath(*module.split(".")).with_suffix(".py"))
