"""Run blocking client code against in-process green servers.

The servers run on the event loop in the test's main thread; a blocking
client (urllib, a plain socket) runs in a real OS thread while the main thread
keeps the loop turning.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ctrlapp.lib import hub


def run_blocking(fn: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Call ``fn`` in an OS thread, turning the event loop until it returns; re-raise its error."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    waited = 0.0
    while t.is_alive() and waited < timeout:
        hub.sleep(0.005)
        waited += 0.005
    if t.is_alive():
        raise TimeoutError(f"{fn} did not finish in {timeout}s")
    if "error" in box:
        raise box["error"]
    return box.get("result")
