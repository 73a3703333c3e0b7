"""What a valid workflow.yml is, and the part of it the catalogue keeps (a record).

DDX validation requires `name` and `version` (ddx-facts.md); beyond that, a field that is
present must have the type DDX's Go struct gives it, or the workflow is reported as invalid with
its path and the reason — never dropped silently and never a crash. Every strategy uses these
same rules, so they can only differ in how they find, parse and index the files.
"""

import yaml

# The fields queries and listings need; everything else of workflow.yml stays on disk.
RECORD_FIELDS = ("name", "version", "description", "tags", "roles", "path")


class InvalidWorkflow(ValueError):
    """A workflow.yml that cannot be catalogued; str() is the reason shown to the user."""


def _type(value) -> str:
    return type(value).__name__ if value is not None else "null"


def _string(data: dict, key: str, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise InvalidWorkflow(f"missing required field '{key}'")
        return ""
    if not isinstance(value, str):
        raise InvalidWorkflow(f"field '{key}' must be a string, not {_type(value)}")
    return value


def _version(data: dict) -> str:
    value = data.get("version")
    if value is None or value == "":
        raise InvalidWorkflow("missing required field 'version'")
    # YAML reads `version: 2` or `1.0` as numbers; Go decodes such scalars into a string field.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidWorkflow(f"field 'version' must be a string, not {_type(value)}")
    return str(value)


def _tags(data: dict) -> list[str]:
    value = data.get("tags")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise InvalidWorkflow(f"field 'tags' must be a list of strings, not {_type(value)}")
    return value


def _roles(data: dict) -> list[str]:
    phases = data.get("phases")
    if phases is None:
        return []
    if not isinstance(phases, list):
        raise InvalidWorkflow(f"field 'phases' must be a list of phases, not {_type(phases)}")
    roles = []
    for i, phase in enumerate(phases):
        if not isinstance(phase, dict):
            raise InvalidWorkflow(f"phases[{i}] must be a mapping, not {_type(phase)}")
        role = phase.get("required_role")
        if role is None:
            continue
        if not isinstance(role, str):
            raise InvalidWorkflow(f"phases[{i}].required_role must be a string, not {_type(role)}")
        if role not in roles:
            roles.append(role)
    return roles


def _check_agent_commands(data: dict) -> None:
    """agent_commands: subcommand -> {enabled, triggers{keywords, patterns}, action, description};
    DDX refuses an enabled command without an action."""
    commands = data.get("agent_commands")
    if commands is None:
        return
    if not isinstance(commands, dict):
        raise InvalidWorkflow("field 'agent_commands' must be a mapping of agent subcommands, "
                              f"not {_type(commands)}")
    for name, cmd in commands.items():
        if cmd is None:
            continue
        where = f"agent_commands.{name}"
        if not isinstance(cmd, dict):
            raise InvalidWorkflow(f"{where} must be a mapping, not {_type(cmd)}")
        enabled = cmd.get("enabled")
        if enabled is not None and not isinstance(enabled, bool):
            raise InvalidWorkflow(f"{where}.enabled must be true or false, not {_type(enabled)}")
        for key in ("action", "description"):
            if isinstance(cmd.get(key), (list, dict)):
                raise InvalidWorkflow(f"{where}.{key} must be a string, not {_type(cmd[key])}")
        triggers = cmd.get("triggers")
        if triggers is not None:
            if not isinstance(triggers, dict):
                raise InvalidWorkflow(f"{where}.triggers must be a mapping, not {_type(triggers)}")
            for key in ("keywords", "patterns"):
                v = triggers.get(key)
                if v is not None and not (isinstance(v, list)
                                          and all(isinstance(x, str) for x in v)):
                    raise InvalidWorkflow(f"{where}.triggers.{key} must be a list of strings, "
                                          f"not {_type(v)}")
        if enabled and cmd.get("action") in (None, ""):
            raise InvalidWorkflow(f"agent command {name}: action is required when enabled")


def to_record(data, path: str) -> dict:
    """The catalogue record of parsed workflow.yml content; raises InvalidWorkflow."""
    if data is None:
        raise InvalidWorkflow("empty file")
    if not isinstance(data, dict):
        raise InvalidWorkflow(f"top level is a {_type(data)}, not a mapping")
    _check_agent_commands(data)
    return {
        "name": _string(data, "name", required=True),
        "version": _version(data),
        "description": _string(data, "description"),
        "tags": _tags(data),
        "roles": _roles(data),
        "path": path,
    }


def yaml_reason(exc: yaml.YAMLError) -> str:
    """A one-line reason naming line and column (the same for the Python and C loaders)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"YAML syntax error: {problem}{where}"


def read_record(full_path: str, path: str, loader) -> dict:
    """Parse one workflow.yml with the given PyYAML loader class into a record; raises
    InvalidWorkflow with the reason (I/O, encoding, YAML syntax or field types)."""
    try:
        with open(full_path, "rb") as f:
            text = f.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidWorkflow(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    except OSError as exc:
        raise InvalidWorkflow(f"cannot read: {exc.strerror}") from None
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise InvalidWorkflow(yaml_reason(exc)) from None
    return to_record(data, path)
