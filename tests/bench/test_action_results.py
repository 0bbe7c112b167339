"""Rasa's check of the action server's answers, made once instead of per call
(bot/action_results.py), must still refuse what Rasa refused and accept what it accepted, with
Rasa's own hint; and must be what the gateway's channel installs. Run in the Rasa environment."""

from __future__ import annotations

from tests.bench.rasa_run import in_rasa

WORKER = r"""
import json
from unittest import mock

import jsonschema
from rasa.core.actions.action import RemoteAction

import bot.channels  # installs the check, as every Rasa server of the project does
from bot import action_results

action = RemoteAction("action_x", None)
answers = {
    "ok": {"events": [{"event": "slot", "name": "account_ref", "value": "R-1"}], "responses": [{"text": "hi"}]},
    "empty": {},
    "unknown_event": {"events": [{"event": "nonsense"}]},
    "responses_not_objects": {"responses": ["hi"]},
    "events_not_a_list": {"events": {"event": "slot"}},
}
out = {"installed": RemoteAction._validate_action_result is action_results._validate_action_result}
with mock.patch.object(jsonschema.validators.Draft202012Validator, "check_schema", wraps=None) as check:
    action_results.response_validator.cache_clear()
    check.side_effect = lambda schema: None
    for name, answer in answers.items():
        try:
            out[name] = action._validate_action_result(answer)
        except jsonschema.ValidationError as error:
            out[name] = "refused: " + error.message
        try:
            jsonschema.validate(answer, RemoteAction.action_response_format_spec())
            out[name + "_rasa"] = True
        except jsonschema.ValidationError:
            out[name + "_rasa"] = False
    out["schema_checks"] = check.call_count - len(answers)  # jsonschema.validate checks it each time
print(json.dumps(out))
"""


def test_the_check_matches_jsonschema_validate_and_checks_the_schema_once() -> None:
    out = in_rasa(WORKER)
    assert out["installed"]
    for name in ("ok", "empty", "unknown_event", "responses_not_objects", "events_not_a_list"):
        accepted = out[name] is True
        assert accepted == out[name + "_rasa"], (name, out[name])
        if not accepted:
            assert "Failed to validate Action server response" in out[name]
    assert out["ok"] is True and out["empty"] is True
    assert out["schema_checks"] == 1
