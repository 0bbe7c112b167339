"""Checking the action server's answers without re-checking the rule book every turn.

Rasa 3.6 checks each custom action's answer against its response schema with
`jsonschema.validate`, which first checks the *schema* against the JSON Schema meta-schema and
builds a new validator, on every call. Profiled under load (py-spy, `make bench`), that was
about half of Rasa's CPU per turn: 40 of its ~75 ms, for a schema that never changes.

`install()` replaces `RemoteAction._validate_action_result` with the same check made by one
validator built (and its schema checked) once: the same schema, the same validator class
`jsonschema.validate` would choose, the same best-matching error with Rasa's own hint added.
Installed when the gateway's channel is loaded (bot/channels.py), which every Rasa server of
this project does at start.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import Validator
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    kind = validator_for(schema)
    kind.check_schema(schema)  # once, where jsonschema.validate did it on every call
    return kind(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
