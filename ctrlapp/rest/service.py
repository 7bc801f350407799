"""The REST service: one WSGI application (shared with the apps) served by the event loop.

Apps that declare ``_CONTEXTS = {"wsgi": WSGIApplication}`` register their
controllers on the same application, so their routes appear beside the
built-in ones and in ``/v1/openapi.json``.
"""

from __future__ import annotations

import time
from typing import Any

from ctrlapp.lib import hub
from ctrlapp.rest.builtin import BuiltinController
from ctrlapp.rest.wsgi import WSGIApplication


class RestService:
    """Serve the REST API of ``manager``'s controller and apps on ``host:port``."""

    def __init__(self, manager: Any, host: str = "127.0.0.1", port: int = 8080) -> None:
        self.manager = manager
        self.listen_info = (host, port)
        contexts = getattr(manager, "contexts", {}) or {}
        shared = next((c for c in contexts.values() if isinstance(c, WSGIApplication)), None)
        self.wsgi = shared or WSGIApplication()
        self.wsgi.register(
            BuiltinController, {"manager": manager, "wsgi": self.wsgi, "started": time.time()}
        )
        self.server: hub.WSGIServer | None = None
        self._thread: hub.GreenThread | None = None

    @property
    def address(self) -> tuple[str, int]:
        assert self.server is not None
        return self.server.address

    def start(self) -> RestService:
        self.server = hub.WSGIServer(self.listen_info, self.wsgi)
        self._thread = hub.spawn(self.server.serve_forever)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        if self._thread is not None:
            hub.kill(self._thread)
