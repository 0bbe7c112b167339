"""The published OpenAPI schema, true to what the API answers.

A 422 carries either FastAPI's list of field errors or, when a rule of ours refuses the
request (`ServiceError`), one plain message; the schema says both, so clients and
schemathesis read every answer as documented."""

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
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
