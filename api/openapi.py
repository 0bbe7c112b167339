"""The published OpenAPI schema, true to what the API answers.

A 422 carries either FastAPI's list of field errors or, when a rule of ours refuses the
request (`ServiceError`), one plain message; the schema says both, so clients and
schemathesis read every answer as documented. The refusals every operation can meet before or
beside its own logic (a missing key, a body too large or unreadable, a throttle, a record not
found or in the wrong state) are documented on every operation, each as `{"detail": "why"}`,
so that a client's generator knows every status code it may get."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def describe_errors(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if error is not None:
                error["properties"]["detail"] = {
                    "title": "Detail",
                    "anyOf": [
                        {"type": "string", "description": "why a rule refused the request"},
                        {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}},
                    ],
                }
            _document_refusals(schema)
            app.openapi_schema = schema
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


# What each refusal means, as every operation may answer it.
REFUSALS = {
    "400": "The body could not be read (not JSON, a lone surrogate, a NUL character).",
    "401": "No API key, or not a valid one.",
    "403": "This key may not do that (a creditor's key on an agency-wide operation).",
    "404": "No such record, or not one this key may see.",
    "409": "The record's state does not allow it now, or a concurrent request changed it.",
    "413": "The body is larger than this operation takes.",
    "422": "The request does not fit the rules: a field error list, or one message.",
    "429": "Too many requests from this key or source; try again shortly.",
}


def _document_refusals(schema: dict[str, Any]) -> None:
    message = {
        "type": "object",
        "properties": {"detail": {"title": "Detail"}},
        "required": ["detail"],
    }
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Refusal", message)
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in REFUSALS.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}},
                    },
                )
