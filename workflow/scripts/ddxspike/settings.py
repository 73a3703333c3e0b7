"""Config loading rules: presets that replace, schema errors that name the key, cross-field checks."""

from pathlib import Path

import jsonschema
import yaml

# Keys whose value is a set of things to run: a preset that names them replaces them whole.
SET_VALUED = ("sizes", "existing_repos", "edge_cases")
# section -> keys inside it that are sets (mappings merge otherwise; lists already replace).
SET_VALUED_NESTED: dict[str, tuple] = {"discovery": ("strategies",),
                                       "subtree": ("commit_counts", "sizes", "operations"),
                                       "catalogue": ("workflow_counts", "strategies")}


class ConfigError(ValueError):
    pass


def apply_presets(config: dict, preset_files) -> None:
    """Undo Snakemake's deep merge for set-valued keys: the last --configfile naming one wins."""
    for path in preset_files:
        data = yaml.safe_load(Path(path).read_text()) or {}
        for key in SET_VALUED:
            if key in data:
                config[key] = data[key]
        for section, value in data.items():
            # Nested set-valued keys, e.g. subtree.commit_counts: replace the mapping's sets too.
            if isinstance(value, dict):
                for sub in SET_VALUED_NESTED.get(section, ()):
                    if sub in value and isinstance(config.get(section), dict):
                        config[section][sub] = value[sub]



def validate_schema(config: dict, schema_path) -> None:
    """Validate against the JSON schema, reporting the first error by its dotted key and value
    (Snakemake's own message prints the whole config, which buries the culprit)."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        err = jsonschema.exceptions.best_match(errors)
        key = ".".join(str(k) for k in err.absolute_path) or "(top level)"
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"config {key}: {err.message}{more}")


def check_config(config: dict) -> None:
    """Cross-field checks, each naming the key and the value."""
    for name, size in config["sizes"].items():
        if size["files"] > size["bytes"]:
            raise ConfigError(
                f"config sizes.{name}: files={size['files']} exceeds bytes={size['bytes']} "
                "(every file needs at least one byte)"
            )
    split = config["library_split"]
    total = sum(split.values())
    if abs(total - 1.0) > 1e-6:
        raise ConfigError(f"config library_split: fractions sum to {total:g}, not 1 ({split})")
