"""What the deployment tests read out of the commands and settings the deployment files name:
shared by the compose and Procfile checks (tests/test_deployment.py) and the Kubernetes ones
(tests/deployment/test_k8s.py), so both read a command line and the settings the same way."""

from __future__ import annotations

from amicable.settings import Settings


def options(arguments: list[str]) -> dict[str, str | bool]:
    """`--flag value`, `--flag=value` and bare `--flag` (True)."""
    found: dict[str, str | bool] = {}
    for index, token in enumerate(arguments):
        if not token.startswith("-"):
            continue
        if "=" in token:
            flag, value = token.split("=", 1)
            found[flag] = value
        elif index + 1 < len(arguments) and not arguments[index + 1].startswith("-"):
            found[token] = arguments[index + 1]
        else:
            found[token] = True
    return found


def settings_env_names() -> set[str]:
    """The environment names pydantic-settings reads for the fields of Settings: the field's
    name upper-cased (after any env_prefix), or its alias."""
    prefix = Settings.model_config.get("env_prefix") or ""
    names = set()
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias or info.alias
        names.add(alias.upper() if isinstance(alias, str) else (prefix + name).upper())
    return names
