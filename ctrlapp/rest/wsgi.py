"""The REST service's WSGI application, with Ryu's controller programming model.

An app exposes REST endpoints by writing a :class:`ControllerBase` subclass
whose methods carry :func:`route` decorators, and registering it with the
shared :class:`WSGIApplication` it gets through ``_CONTEXTS = {"wsgi":
WSGIApplication}``::

    class LeaseController(ControllerBase):
        def __init__(self, req, link, data, **config):
            super().__init__(req, link, data, **config)
            self.app = data["app"]

        @route("dhcp", "/v1/dhcp/leases", methods=["GET"], summary="List leases",
               query={"mac": "only leases of this MAC address"})
        def leases(self, req, **kwargs):
            return [lease.as_dict() for lease in self.app.leases()]

    wsgi.register(LeaseController, {"app": self})

A handler returns a webob ``Response`` or any JSON-compatible value (sent as
``application/json`` with status 200; ``None`` gives 204; ``(status, value)``
chooses the status).  It raises :class:`~ctrlapp.rest.errors.RestError` for
errors.  Request bodies are checked before the handler runs: at most
``max_body`` bytes (413), JSON media type (415), valid JSON (400); the parsed
body is :func:`request_json`.  Anything else a handler raises is logged and
answered with 500.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from typing import Any

from webob import Request, Response

from ctrlapp.rest.errors import RestError
from ctrlapp.rest.router import MethodNotAllowed, NoRoute, Route, Router

LOG = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 1 << 20
_JSON_KEY = "ctrlapp.json"
_ROUTES_ATTR = "_ctrlapp_routes"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

__all__ = ["ControllerBase", "Response", "WSGIApplication", "request_json", "route"]


def route(
    name: str,
    path: str,
    methods: list[str] | None = None,
    requirements: dict[str, str] | None = None,
    *,
    summary: str | None = None,
    query: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
) -> Callable[[Callable], Callable]:
    """Mark a controller method as the handler of ``methods`` on ``path``.

    ``name`` groups routes (it becomes the OpenAPI tag); ``requirements`` gives
    regular expressions for path parameters; ``summary`` (default: the first
    line of the docstring), ``query`` (parameter -> description) and ``body``
    (a JSON schema of the request body) go into the API document.
    """

    def decorate(func: Callable) -> Callable:
        spec = {
            "name": name,
            "path": path,
            "methods": tuple(methods or ["GET"]),
            "requirements": dict(requirements or {}),
            "summary": summary,
            "query": dict(query or {}),
            "body": body,
        }
        func.__dict__.setdefault(_ROUTES_ATTR, []).append(spec)
        return func

    return decorate


def request_json(req: Request) -> Any:
    """The request's JSON body, already checked (None when the request had no body)."""
    return req.environ.get(_JSON_KEY)


class ControllerBase:
    """Base of REST controllers; one instance is made per request, as in Ryu."""

    special_vars = ("action", "controller")

    def __init__(self, req: Request, link: Any, data: Any, **config: Any) -> None:
        self.req = req
        self.link = link
        self.data = data
        self.config = config


class WSGIApplication:
    """The WSGI callable: routing, body checks, JSON answers, error documents."""

    def __init__(self, max_body: int = DEFAULT_MAX_BODY, **config: Any) -> None:
        self.router = Router()
        self.max_body = max_body
        self.config = config
        self.registory: dict[str, Any] = {}

    def register(self, controller: type[ControllerBase], data: Any = None) -> None:
        """Add every ``@route`` method of ``controller``; ``data`` is handed to each instance."""
        for attr, func in inspect.getmembers(controller, inspect.isfunction):
            for spec in getattr(func, _ROUTES_ATTR, ()):
                doc = inspect.getdoc(func) or ""
                summary = spec["summary"] or (doc.splitlines()[0] if doc else attr)
                self.router.add(
                    Route(
                        name=spec["name"],
                        path=spec["path"],
                        methods=spec["methods"],
                        handler=self._bind(controller, attr, data),
                        requirements=spec["requirements"],
                        summary=summary,
                        description=doc,
                        query=spec["query"],
                        body=spec["body"],
                        tags=(spec["name"],),
                    )
                )
        self.registory[controller.__name__] = data

    def _bind(self, controller: type[ControllerBase], attr: str, data: Any) -> Callable:
        def call(req: Request, **params: str) -> Any:
            obj = controller(req, None, data, **self.config)
            return getattr(obj, attr)(req, **params)

        return call

    # -- WSGI ----------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> Any:
        req = Request(environ)
        try:
            route_, params = self.router.match(req.method, req.path_info)
            if req.method in _BODY_METHODS:
                self._check_body(req)
            result = route_.handler(req, **params)
            resp = _to_response(result)
        except RestError as exc:
            resp = error_response(exc)
        except NoRoute:
            resp = error_response(
                RestError(404, "not_found", f"no resource at {req.path_info}; see /v1/openapi.json")
            )
        except MethodNotAllowed as exc:
            resp = error_response(
                RestError(
                    405,
                    "method_not_allowed",
                    f"{req.method} is not allowed on {req.path_info}; allowed: "
                    + ", ".join(exc.allowed),
                    headers={"Allow": ", ".join(exc.allowed)},
                )
            )
        except Exception:
            LOG.exception("REST handler for %s %s failed", req.method, req.path_info)
            resp = error_response(
                RestError(500, "internal_error", "the controller failed to handle this request")
            )
        return resp(environ, start_response)

    def _check_body(self, req: Request) -> None:
        length = req.content_length
        if length is not None and length > self.max_body:
            raise RestError(
                413, "payload_too_large", f"request body is {length} bytes; limit {self.max_body}"
            )
        raw = req.body_file.read(self.max_body + 1) if length is None else req.body
        if len(raw) > self.max_body:
            raise RestError(413, "payload_too_large", f"request body over {self.max_body} bytes")
        if not raw:
            req.environ[_JSON_KEY] = None
            return
        ctype = (req.content_type or "").lower()
        if ctype and ctype != "application/json" and not ctype.endswith("+json"):
            raise RestError(
                415, "unsupported_media_type", f"body must be application/json, not {ctype}"
            )
        try:
            req.environ[_JSON_KEY] = json.loads(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            raise RestError(400, "bad_request", f"body is not valid JSON: {exc}") from None
        req.body = raw


def json_response(value: Any, status: int = 200) -> Response:
    body = json.dumps(value, separators=(",", ":"), default=str).encode()
    return Response(body=body, status=status, content_type="application/json", charset=None)


def error_response(exc: RestError) -> Response:
    resp = json_response(exc.body(), exc.status)
    for k, v in exc.headers.items():
        resp.headers[k] = v
    return resp


def _to_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status=204)
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int):
        return json_response(result[1], result[0])
    return json_response(result)
