"""Path routing for the REST service.

A route is a method set and a path template such as ``/v1/switches/{dpid}``;
each ``{name}`` matches one path segment, or the regular expression given for
it in ``requirements``.  A path that matches no template is a 404; a path that
matches with another method is a 405 with the allowed methods.

We use this small router rather than the ``routes`` package Ryu used: we need
only templates, methods and requirements, and keeping the table in our own
objects lets the OpenAPI document be generated from the very same data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Route:
    """One route: where it matches and what it calls, plus what the API document says of it."""

    name: str
    path: str
    methods: tuple[str, ...]
    handler: Callable[..., Any]
    requirements: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    description: str = ""
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()
    regex: re.Pattern[str] = field(init=False, repr=False)
    params: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.methods = tuple(m.upper() for m in self.methods)
        names: list[str] = []
        pattern = ["^"]
        pos = 0
        for m in _PARAM.finditer(self.path):
            pattern.append(re.escape(self.path[pos : m.start()]))
            name = m.group(1)
            names.append(name)
            pattern.append(f"(?P<{name}>{self.requirements.get(name, '[^/]+')})")
            pos = m.end()
        pattern.append(re.escape(self.path[pos:]))
        pattern.append("$")
        self.regex = re.compile("".join(pattern))
        self.params = tuple(names)


class NoRoute(Exception):
    """No template matches the path."""


class MethodNotAllowed(Exception):
    """A template matches the path, but not with this method."""

    def __init__(self, allowed: list[str]):
        super().__init__(", ".join(allowed))
        self.allowed = allowed


class Router:
    """An ordered table of routes."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, route: Route) -> None:
        self.routes.append(route)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route for ``method`` and ``path`` and its path parameters."""
        allowed: list[str] = []
        for route in self.routes:
            m = route.regex.match(path)
            if m is None:
                continue
            if method in route.methods or (method == "HEAD" and "GET" in route.methods):
                return route, m.groupdict()
            allowed.extend(x for x in route.methods if x not in allowed)
        if allowed:
            raise MethodNotAllowed(sorted(allowed))
        raise NoRoute(path)
