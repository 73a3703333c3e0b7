"""The configuration error every check raises, in a module of its own: repos/model.py, which
measure jobs import, needs it without settings.py's jsonschema and yaml (0.1 s of each job)."""


class ConfigError(ValueError):
    pass
