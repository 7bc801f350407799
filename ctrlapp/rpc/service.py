"""The msgpack-RPC server: apps' methods callable over TCP, app notifications pushed to subscribers.

Built-in methods:

* ``rpc.ping()`` -> ``"pong"``
* ``rpc.methods()`` -> the names of every callable method
* ``rpc.subscribe(pattern, ...)`` -> the patterns now subscribed; a pattern is a
  topic or a shell-style wildcard (``"dhcp.*"``, ``"*"``)
* ``rpc.unsubscribe(pattern, ...)``

Every ``app.publish(topic, payload)`` reaches the connections subscribed to a
matching pattern as the notification ``[2, topic, [app_name, payload]]``.
Each connection has a bounded send queue: a subscriber that does not read is
disconnected (with one log line) rather than let memory grow.
"""

from __future__ import annotations

import fnmatch
import logging
import socket
from collections.abc import Callable
from typing import Any

from ctrlapp.base import app_manager as app_manager_mod
from ctrlapp.lib import hub
from ctrlapp.rpc import protocol
from ctrlapp.rpc.methods import RpcError, exported_methods

LOG = logging.getLogger(__name__)

SEND_QUEUE = 1024


class _Connection:
    def __init__(self, service: RpcService, sock: socket.socket, addr: tuple) -> None:
        self.service = service
        self.sock = sock
        self.addr = addr
        self.out: hub.Queue = hub.Queue(SEND_QUEUE)
        self.patterns: list[str] = []
        self.alive = True

    def send(self, data: bytes) -> None:
        if not self.alive:
            return
        try:
            self.out.put_nowait(data)
        except hub.QueueFull:
            LOG.warning("RPC client %s:%s is not reading; disconnecting it", *self.addr[:2])
            self.close()

    def wants(self, topic: str) -> bool:
        return any(fnmatch.fnmatchcase(topic, p) for p in self.patterns)

    def close(self) -> None:
        if self.alive:
            self.alive = False
            try:
                self.out.put_nowait(None)
            except hub.QueueFull:
                pass
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _writer(self) -> None:
        while True:
            data = self.out.get()
            if data is None:
                break
            try:
                self.sock.sendall(data)
            except OSError:
                self.close()
                break

    def run(self) -> None:
        writer = hub.spawn(self._writer)
        reader = protocol.MessageReader()
        try:
            while self.alive:
                try:
                    data = self.sock.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                try:
                    messages = reader.feed(data)
                except protocol.RpcProtocolError as exc:
                    LOG.warning(
                        "RPC client %s:%s sent bad data (%s); disconnecting", *self.addr[:2], exc
                    )
                    break
                for msg in messages:
                    if msg[0] == protocol.REQUEST:
                        self.send(self.service.call(self, msg[1], msg[2], msg[3]))
                    elif msg[0] == protocol.NOTIFICATION:
                        self.service.call(self, None, msg[1], msg[2])
        finally:
            self.close()
            self.service.connections.discard(self)
            writer.wait()
            self.sock.close()


class RpcService:
    """Serve msgpack-RPC on ``host:port`` for the apps of ``manager``."""

    def __init__(self, manager: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.manager = manager
        self.listen_info = (host, port)
        self.connections: set[_Connection] = set()
        self.server: hub.StreamServer | None = None
        self._thread: hub.GreenThread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._methods: dict[str, Callable] = {}

    @property
    def address(self) -> tuple[str, int]:
        assert self.server is not None
        return self.server.address

    def start(self) -> RpcService:
        self.server = hub.StreamServer(self.listen_info, self._handle)
        self._thread = hub.spawn(self.server.serve_forever)
        self._unsubscribe = app_manager_mod.NOTIFIER.subscribe(self._on_publish)
        return self

    def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        if self.server:
            self.server.close()
        for conn in list(self.connections):
            conn.close()
        if self._thread:
            hub.kill(self._thread)

    def _handle(self, sock: socket.socket, addr: tuple) -> None:
        conn = _Connection(self, sock, addr)
        self.connections.add(conn)
        conn.run()

    def _on_publish(self, source: str, topic: str, payload: Any) -> None:
        data = None
        for conn in tuple(self.connections):
            if conn.wants(topic):
                if data is None:
                    data = protocol.encode_notification(topic, [source, payload])
                conn.send(data)

    def _refresh_methods(self) -> None:
        table: dict[str, Callable] = {}
        for app in getattr(self.manager, "applications", {}).values():
            table.update(exported_methods(app))
        self._methods = table

    def method_names(self) -> list[str]:
        self._refresh_methods()
        return sorted(
            [*self._methods, "rpc.methods", "rpc.ping", "rpc.subscribe", "rpc.unsubscribe"]
        )

    def call(self, conn: _Connection, msgid: int | None, method: str, params: list) -> bytes:
        try:
            result = self._dispatch(conn, method, list(params))
            error = None
        except RpcError as exc:
            result, error = None, exc.as_error()
        except TypeError as exc:
            result, error = None, {"error": "bad_params", "detail": f"{method}: {exc}"}
        except Exception:
            LOG.exception("RPC method %s failed", method)
            result, error = None, {"error": "internal_error", "detail": f"{method} failed"}
        return protocol.encode_response(msgid or 0, error, result)

    def _dispatch(self, conn: _Connection, method: str, params: list) -> Any:
        if method == "rpc.ping":
            return "pong"
        if method == "rpc.methods":
            return self.method_names()
        if method in ("rpc.subscribe", "rpc.unsubscribe"):
            if not all(isinstance(p, str) for p in params):
                raise RpcError("bad_params", f"{method} takes topic patterns (strings)")
            if method == "rpc.subscribe":
                conn.patterns.extend(p for p in params if p not in conn.patterns)
            else:
                conn.patterns = [p for p in conn.patterns if p not in params]
            return list(conn.patterns)
        func = self._methods.get(method)
        if func is None:
            self._refresh_methods()
            func = self._methods.get(method)
        if func is None:
            raise RpcError("no_such_method", f"no RPC method {method!r}; see rpc.methods")
        return func(*params)
