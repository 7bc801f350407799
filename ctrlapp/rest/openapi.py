"""The OpenAPI 3.1 document of the REST service, generated from the route table.

Every registered route appears, built-in and app routes alike, with its path
parameters, documented query parameters, request body schema and the error
document every route may answer with.
"""

from __future__ import annotations

from typing import Any

from ctrlapp import __version__
from ctrlapp.rest.router import Router

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "short machine-readable code"},
        "detail": {"type": "string", "description": "what went wrong, for a person"},
    },
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def build_document(router: Router, title: str = "ctrlapp REST API") -> dict[str, Any]:
    """An OpenAPI document describing every route in ``router``."""
    paths: dict[str, dict[str, Any]] = {}
    for route in router.routes:
        item = paths.setdefault(route.path, {})
        for method in route.methods:
            params: list[dict[str, Any]] = [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": route.requirements[name]}
                    if name in route.requirements
                    else {"type": "string"},
                }
                for name in route.params
            ]
            params += [
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": desc,
                    "schema": {"type": "string"},
                }
                for name, desc in route.query.items()
            ]
            op: dict[str, Any] = {
                "operationId": f"{route.name}_{method.lower()}_{_op_suffix(route.path)}",
                "summary": route.summary,
                "tags": list(route.tags),
                "parameters": params,
                "responses": {
                    "200": {"description": "success", "content": {"application/json": {}}},
                    "400": _error("bad input"),
                    "404": _error("no such resource"),
                },
            }
            if route.description and route.description != route.summary:
                op["description"] = route.description
            if method in ("POST", "PUT", "PATCH"):
                op["requestBody"] = {
                    "required": route.body is not None,
                    "content": {"application/json": {"schema": route.body or {}}},
                }
                op["responses"]["413"] = _error("body too large")
                op["responses"]["415"] = _error("body is not JSON")
            item[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": __version__},
        "paths": paths,
        "components": {"schemas": {"Error": _ERROR_SCHEMA}},
    }


def _op_suffix(path: str) -> str:
    parts = [p.strip("{}") for p in path.strip("/").split("/") if p]
    return "_".join(parts) or "root"
