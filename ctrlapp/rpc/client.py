"""A small blocking msgpack-RPC client (plain sockets; usable from any Python program).

::

    with RpcClient("127.0.0.1", 6640) as rpc:
        print(rpc.call("rpc.methods"))
        rpc.subscribe("dhcp.*")
        topic, (app, payload) = rpc.next_notification(timeout=10)
"""

from __future__ import annotations

import collections
import itertools
import socket
import time
from typing import Any

from ctrlapp.rpc import protocol


class RpcCallError(Exception):
    """The server answered a call with an error."""

    def __init__(self, error: Any):
        super().__init__(str(error))
        self.error = error


class RpcClient:
    def __init__(self, host: str, port: int, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.timeout = timeout
        self._reader = protocol.MessageReader()
        self._ids = itertools.count(1)
        self._responses: dict[int, list[Any]] = {}
        self._notifications: collections.deque[tuple[str, list[Any]]] = collections.deque()

    def __enter__(self) -> RpcClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.sock.close()

    def _pump(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no answer from the RPC server in time")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            raise TimeoutError("no answer from the RPC server in time") from None
        if not data:
            raise ConnectionError("the RPC server closed the connection")
        for msg in self._reader.feed(data):
            if msg[0] == protocol.RESPONSE:
                self._responses[msg[1]] = msg
            elif msg[0] == protocol.NOTIFICATION:
                self._notifications.append((msg[1], msg[2]))

    def call(self, method: str, *params: Any, timeout: float | None = None) -> Any:
        """Call ``method`` and return its result; RpcCallError if the server says it failed."""
        msgid = next(self._ids)
        self.sock.sendall(protocol.encode_request(msgid, method, list(params)))
        deadline = time.monotonic() + (timeout or self.timeout)
        while msgid not in self._responses:
            self._pump(deadline)
        _, _, error, result = self._responses.pop(msgid)
        if error is not None:
            raise RpcCallError(error)
        return result

    def notify(self, method: str, *params: Any) -> None:
        self.sock.sendall(protocol.encode_notification(method, list(params)))

    def subscribe(self, *patterns: str) -> list[str]:
        return self.call("rpc.subscribe", *patterns)

    def next_notification(self, timeout: float | None = None) -> tuple[str, list[Any]]:
        """The next notification ``(topic, params)``; TimeoutError if none arrives in time."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while not self._notifications:
            self._pump(deadline)
        return self._notifications.popleft()
