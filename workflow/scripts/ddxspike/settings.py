"""Config loading rules: presets that replace, schema errors that name the key, cross-field checks
(strategy names, strategy modules), all before any job runs."""

import importlib
from pathlib import Path

import yaml

from ddxspike.errors import ConfigError

# Keys whose value is a set of things to run: a preset that names them replaces them whole.
SET_VALUED = ("sizes", "existing_repos", "edge_cases")
# section -> keys inside it that are sets (mappings merge otherwise; lists already replace).
SET_VALUED_NESTED: dict[str, tuple] = {"discovery": ("strategies",),
                                       "subtree": ("commit_counts", "sizes", "operations",
                                                   "upstreams"),
                                       "catalogue": ("workflow_counts", "strategies")}


# Keys of a target, a report section or an optimisation that hold strategy names (of its
# `experiment`, or of any experiment when it has none); a mapping's keys and values both count.
STRATEGY_KEYS = ("strategies", "prefer", "models", "cached", "uncached", "scan", "index", "before",
                 "after", "stand_ins", "pairs", "startup")
PACKAGE = Path(__file__).resolve().parent


def check_yaml_syntax(path) -> None:
    """A YAML syntax error named by file, line and column (Snakemake's own message has neither)."""
    try:
        yaml.safe_load(Path(path).read_text())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}:{where}: {exc.problem or exc.context}") from None


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
    # Imported here: only the config check validates; modules importing settings for its helpers
    # (fits, the report) do not pay for jsonschema.
    import jsonschema

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
    check_strategy_names(config)
    check_strategy_modules(config)
    ids = {t["id"] for t in config.get("targets") or []}
    for question, chosen in (config.get("report") or {}).get("questions", {}).items():
        unknown = [t for t in chosen if t not in ids]
        if unknown:
            raise ConfigError(f"config report.questions.{question}: {unknown} are not target ids; "
                              f"known: {', '.join(sorted(ids))}")
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


def known_strategies(config: dict) -> dict[str, set[str]]:
    """experiment -> every strategy name a target or the report may select: those this config
    defines, and those the code defines (discovery modules with discover(), catalogue modules with
    MEASURES, subtree OPERATIONS, and the names a module lists in STRATEGY_NAMES), so a run that
    measures fewer strategies keeps its report keys valid."""
    from ddxspike.subtree.operations import OPERATIONS

    def modules(folder, marker):
        names = set()
        for p in (PACKAGE / folder).glob("*.py"):
            text = p.read_text()
            if marker in text:
                names.add(p.stem.replace("_", "-"))
            if "\nSTRATEGY_NAMES" in text:  # a module behind several config entries
                module = ".".join(("ddxspike", *Path(folder).parts, p.stem))
                names |= set(importlib.import_module(module).STRATEGY_NAMES)
        return names

    section = lambda name: config.get(name) or {}  # noqa: E731
    return {
        "discovery": set(section("discovery").get("strategies") or {})
        | modules("discovery", "\ndef discover("),
        "catalogue": set(section("catalogue").get("strategies") or {})
        | modules("catalogue/strategies", "\nMEASURES"),
        "subtree": set(section("subtree").get("operations") or []) | set(OPERATIONS),
    }


def check_strategy_names(config: dict) -> None:
    """Every strategy a target or a report section names is one its experiment defines (a
    mistyped name would otherwise select nothing, silently)."""
    known = known_strategies(config)
    report = config.get("report") or {}
    entries = [(f"targets[{i}] ({t.get('id')})", t) for i, t in enumerate(config.get("targets") or [])]
    entries += [(f"report.{k}", v) for k, v in report.items() if isinstance(v, dict)]
    entries += [(f"report.optimisations[{i}] ({o.get('name')})", o)
                for i, o in enumerate(report.get("optimisations") or [])]
    for where, entry in entries:
        experiments = entry.get("experiment", list(known))
        experiments = [experiments] if isinstance(experiments, str) else list(experiments)
        bad = [e for e in experiments if e not in known]
        if bad:
            raise ConfigError(f"config {where}.experiment: unknown experiment(s) {bad}; known: "
                              f"{', '.join(sorted(known))}")
        names = set().union(*(known[e] for e in experiments))
        for key in STRATEGY_KEYS:
            value = entry.get(key)
            if value is None:
                continue
            given = [value] if isinstance(value, str) else list(value)
            if isinstance(value, dict):  # stand_ins, pairs: a strategy -> another
                given += list(value.values())
            unknown = [n for n in given if n not in names]
            if unknown:
                raise ConfigError(
                    f"config {where}.{key}: unknown strategy {', '.join(map(repr, unknown))} of "
                    f"{'/'.join(experiments)}; known: {', '.join(sorted(names))}")


def _import(key: str, module: str):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(f"config {key}: cannot import {module!r} ({exc})") from None


def check_strategy_modules(config: dict) -> None:
    """Every strategy module imports and has what its experiment calls, before any job runs."""
    from ddxspike.engine.trial import load_function

    for name, entry in ((config.get("discovery") or {}).get("strategies") or {}).items():
        key = f"discovery.strategies.{name}"
        if "python" in entry:
            module = _import(f"{key}.python", entry["python"])
            if not callable(getattr(module, "discover", None)):
                raise ConfigError(f"config {key}.python: {entry['python']} has no discover() function")
        elif entry.get("parser"):
            try:
                load_function(entry["parser"])
            except (ImportError, AttributeError) as exc:
                raise ConfigError(f"config {key}.parser: cannot load {entry['parser']!r} ({exc})") from None
    for name, entry in ((config.get("catalogue") or {}).get("strategies") or {}).items():
        key = f"catalogue.strategies.{name}.python"
        module = _import(key, entry["python"])
        measures = getattr(module, "MEASURES", None)
        needs = {"queries": "open_catalogue", "build": "build"}.get(measures)
        if needs is None:
            raise ConfigError(f"config {key}: {entry['python']} has MEASURES={measures!r}, "
                              "expected 'queries' or 'build'")
        if not callable(getattr(module, needs, None)):
            raise ConfigError(f"config {key}: {entry['python']} measures {measures} but has no "
                              f"{needs}() function")
