"""Errors a REST handler raises to answer with a JSON error document.

Every error response has the body ``{"error": <short code>, "detail": <sentence
for a person>}`` and the HTTP status of the error.  Handlers raise
:class:`RestError` (or call :func:`bad_request`, :func:`not_found` ...); anything
else that escapes a handler is a bug and is answered with 500 and logged.
"""

from __future__ import annotations


class RestError(Exception):
    """An HTTP error answer: ``status``, a short ``error`` code and a ``detail`` sentence."""

    def __init__(self, status: int, error: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(f"{status} {error}: {detail}")
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"error": self.error, "detail": self.detail}


def bad_request(detail: str) -> RestError:
    return RestError(400, "bad_request", detail)


def not_found(detail: str) -> RestError:
    return RestError(404, "not_found", detail)


def conflict(detail: str) -> RestError:
    return RestError(409, "conflict", detail)


def unavailable(detail: str) -> RestError:
    return RestError(503, "unavailable", detail)


def gateway_timeout(detail: str) -> RestError:
    return RestError(504, "timeout", detail)
