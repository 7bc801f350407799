"""The one place that knows the event loop: green threads, queues, events, servers.

Everything else in ctrlapp spawns, sleeps, waits and serves through this module
(``hub.spawn``, ``hub.sleep``, ``hub.Queue``, ``hub.Event``, ``hub.StreamServer``,
``hub.WSGIServer``, ``hub.Timeout``), so the event-loop choice (eventlet today)
stays in one file.  The names follow Ryu's ``ryu.lib.hub`` so ported apps keep
working.

Importing this module does not monkey-patch the standard library; the
``ctrlapp-manager`` process calls :func:`patch` once at start-up so that apps
using plain ``socket``/``time.sleep``/``threading`` cooperate with the loop.
Tests that run in-process use the green primitives here and need no patching.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import warnings
from collections.abc import Callable
from typing import Any

# eventlet's green DNS pulls in dnspython (half a second of start-up) for name
# lookups the controller does not make on its data path.
os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")

with warnings.catch_warnings():
    # eventlet announces its own deprecation on import; users of ctrlapp cannot act on it.
    warnings.simplefilter("ignore")
    import eventlet
    import eventlet.event
    import eventlet.greenio
    import eventlet.greenthread
    import eventlet.hubs
    import eventlet.queue
    import eventlet.semaphore
    import eventlet.wsgi
    from eventlet.green import socket as green_socket
    from eventlet.green import ssl as green_ssl

LOG = logging.getLogger(__name__)

Timeout = eventlet.Timeout
QueueEmpty = eventlet.queue.Empty
QueueFull = eventlet.queue.Full
Semaphore = eventlet.semaphore.Semaphore
BoundedSemaphore = eventlet.semaphore.BoundedSemaphore
GreenThread = eventlet.greenthread.GreenThread
getcurrent = eventlet.getcurrent


class TaskExit(Exception):
    """Raised inside a green thread to ask it to end quietly."""


def patch() -> None:
    """Monkey-patch the standard library so blocking calls yield to the loop."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eventlet.monkey_patch()


def run_in_os_thread(func: Callable, *args: Any) -> Any:
    """Call a blocking ``func(*args)`` (an fsync, say) in an OS thread and wait for it.

    Only the calling green thread waits; the others keep running meanwhile.
    """
    import eventlet.tpool

    return eventlet.tpool.execute(func, *args)


def _logging_wrapper(func: Callable, raise_error: bool) -> Callable:
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TaskExit:
            return None
        except eventlet.greenlet.GreenletExit:
            return None
        except BaseException:
            if raise_error:
                raise
            LOG.exception("uncaught exception in green thread %s", getattr(func, "__name__", func))
            return None

    return run


def spawn(func: Callable, *args: Any, raise_error: bool = False, **kwargs: Any) -> GreenThread:
    """Run ``func(*args, **kwargs)`` in a new green thread; an exception is logged, not lost."""
    return eventlet.spawn(_logging_wrapper(func, raise_error), *args, **kwargs)


def spawn_after(
    seconds: float, func: Callable, *args: Any, raise_error: bool = False, **kwargs: Any
) -> GreenThread:
    """Like :func:`spawn` but start after ``seconds``."""
    return eventlet.spawn_after(seconds, _logging_wrapper(func, raise_error), *args, **kwargs)


def kill(thread: GreenThread) -> None:
    """End ``thread``; it sees GreenletExit at its current yield point."""
    thread.kill()


def joinall(threads: list[GreenThread]) -> None:
    """Wait for every thread in ``threads`` to end."""
    for t in threads:
        try:
            t.wait()
        except Exception:  # noqa: BLE001 - the wrapper already logged it
            pass


def sleep(seconds: float = 0) -> None:
    """Yield to other green threads for ``seconds`` (0: just let the others run)."""
    eventlet.sleep(seconds)


class Queue(eventlet.queue.LightQueue):
    """A FIFO between green threads; ``maxsize`` bounds it (``put`` then blocks).

    ``put`` with room and ``get`` with an item queued, which is every call on
    the event path, are answered here without eventlet's four helper calls;
    everything else (waiting, timeouts, waking the other side) is eventlet's.
    """

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        maxsize = self.maxsize
        queue = self.queue
        if maxsize is None or len(queue) < maxsize:
            queue.append(item)
            if self.getters:
                self._schedule_unlock()
            return
        super().put(item, block, timeout)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        queue = self.queue
        if queue:
            if self.putters:
                self._schedule_unlock()
            return queue.popleft()
        return super().get(block, timeout)


class Event:
    """A flag green threads can wait on; unlike eventlet's Event it can be cleared and reused."""

    __slots__ = ("_ev", "_set")

    def __init__(self) -> None:
        self._ev = eventlet.event.Event()
        self._set = False

    def set(self) -> None:
        if not self._set:
            self._set = True
            self._ev.send(True)

    def clear(self) -> None:
        if self._set:
            self._set = False
            self._ev = eventlet.event.Event()

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until set; return whether it is set (False after ``timeout`` seconds)."""
        if self._set:
            return True
        ev = self._ev
        with Timeout(timeout, False):
            ev.wait()
        return self._set


def connect(address: tuple[str, int], timeout: float | None = None) -> socket.socket:
    """Open a green TCP connection to ``address``."""
    with Timeout(timeout):
        return eventlet.connect(address)


def listen(address: tuple[str, int], backlog: int = 128) -> socket.socket:
    """A green listening TCP socket (SO_REUSEADDR); port 0 picks a free port."""
    return eventlet.listen(address, backlog=backlog)


def server_ssl_context(certfile: str, keyfile: str, ca_certs: str | None = None) -> ssl.SSLContext:
    """A TLS server context; with ``ca_certs`` the peer must present a certificate signed by it."""
    ctx = green_ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certfile, keyfile)
    if ca_certs:
        ctx.load_verify_locations(ca_certs)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def client_ssl_context(
    ca_certs: str | None = None, certfile: str | None = None, keyfile: str | None = None
) -> ssl.SSLContext:
    """A TLS client context: verifies the server against ``ca_certs`` (no host-name check,
    switches connect to addresses), optionally presenting ``certfile``/``keyfile``."""
    ctx = green_ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    if ca_certs:
        ctx.load_verify_locations(ca_certs)
    else:
        ctx.verify_mode = ssl.CERT_NONE
    if certfile:
        ctx.load_cert_chain(certfile, keyfile)
    return ctx


def _noop(*_args: Any) -> None:
    return None


# what SocketReader.recv does before its next read, after the last one
_READ_NOW, _WAIT_FIRST, _YIELD_FIRST = range(3)


class SocketReader:
    """Reads a plain green socket, keeping its readiness listener registered between reads.

    ``sock.recv`` in eventlet registers a listener with the hub before every wait
    and removes it after (two ``epoll_ctl`` calls and a listener object per
    message for a switch that sends one message at a time).  This reader
    registers once and switches back into the reading green thread on each
    readiness.  If the green thread is blocked somewhere else (a full queue, a
    lock) when the socket becomes readable, the listener is dropped rather than
    waking it there, and registered again at the next wait.  After a read that
    returned less than asked for, the next :meth:`recv` waits for readiness
    first instead of trying the socket: the kernel queue was just emptied, so
    the try would almost always fail with EAGAIN (a system call and an
    exception per message for a switch with one message in flight), and
    going back to the hub lets every other ready connection have its read
    before this one reads again.  After a read that filled the whole ``size``
    (a switch sending faster than it is served), the next :meth:`recv` gives
    the other green threads one turn first, so that one busy connection
    takes at most ``size`` bytes per turn and cannot starve the rest.  Call
    :meth:`close` before closing the socket; a reader blocked in :meth:`recv`
    then gets ``b""``.
    """

    __slots__ = (
        "_raw",
        "_fileno",
        "_hub",
        "_listener",
        "_greenlet",
        "_waiting",
        "_then",
        "closed",
    )

    def __init__(self, sock: Any) -> None:
        self._raw = sock.fd
        self._fileno = sock.fileno()
        self._hub = eventlet.hubs.get_hub()
        self._listener: Any = None
        self._greenlet: Any = None
        self._waiting = False
        self._then = _READ_NOW
        self.closed = False

    def recv(self, size: int) -> bytes:
        raw = self._raw
        then = self._then
        if then != _READ_NOW and not self.closed:
            self._then = _READ_NOW
            if then == _WAIT_FIRST:
                self._wait()
            else:
                eventlet.sleep(0)
        while not self.closed:
            try:
                data = raw.recv(size)
                n = len(data)
                self._then = _YIELD_FIRST if n == size else _WAIT_FIRST if n else _READ_NOW
                return data
            except (BlockingIOError, InterruptedError):
                pass
            except (ConnectionResetError, ConnectionAbortedError):
                # A peer that closes with data unread resets the connection; as
                # eventlet's own recv does, report it as the end of the stream.
                return b""
            self._wait()
        return b""

    def _wait(self) -> None:
        hub = self._hub
        if self._listener is None:
            self._greenlet = getcurrent()
            self._listener = hub.add(hub.READ, self._fileno, self._ready, self._throw, _noop)
        self._waiting = True
        try:
            hub.switch()
        finally:
            self._waiting = False

    def _ready(self, _fileno: int) -> None:
        if self._waiting:
            self._greenlet.switch()
        else:
            self._drop_listener()

    def _throw(self, *exc: Any) -> None:
        if self._waiting:
            self._greenlet.throw(*exc)
        else:
            self._drop_listener()

    def _drop_listener(self) -> None:
        if self._listener is not None:
            self._hub.remove(self._listener)
            self._listener = None

    def close(self) -> None:
        """Stop reading: unregister, and let a waiting ``recv`` return ``b""``."""
        self.closed = True
        self._drop_listener()
        if self._waiting:
            self._hub.schedule_call_global(0, self._wake_closed)

    def _wake_closed(self) -> None:
        if self._waiting:
            self._greenlet.switch()


def socket_reader(sock: Any) -> SocketReader | None:
    """A :class:`SocketReader` for a plain green socket, None for TLS and other sockets."""
    if type(sock) is eventlet.greenio.GreenSocket:
        return SocketReader(sock)
    return None


def nonblocking_send(sock: Any) -> Callable[[bytes], int] | None:
    """The non-blocking ``send`` of a plain green socket's OS socket (None for TLS and others).

    It returns how many bytes the kernel took (raising BlockingIOError when none),
    never waits, and never switches green threads: a sender can try it first and
    queue only what is left.
    """
    if type(sock) is eventlet.greenio.GreenSocket:
        return sock.fd.send
    return None


class StreamServer:
    """Accept TCP (or TLS) connections and run ``handle(sock, addr)`` for each in a green thread.

    ``ssl_context`` makes it a TLS server; the TLS handshake runs in the connection's
    own green thread (bounded by ``handshake_timeout``) so a peer that stalls in it
    delays nobody else.
    """

    def __init__(
        self,
        listen_info: tuple[str, int],
        handle: Callable[[socket.socket, tuple], Any],
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
        handshake_timeout: float = 10.0,
    ) -> None:
        self.server = listen(listen_info, backlog)
        self.handle = handle
        self.ssl_context = ssl_context
        self.handshake_timeout = handshake_timeout
        self._closed = False

    @property
    def address(self) -> tuple[str, int]:
        """The bound (host, port): the real port when 0 was asked for."""
        return self.server.getsockname()[:2]

    def _run(self, sock: socket.socket, addr: tuple) -> None:
        if self.ssl_context is not None:
            tls = self.ssl_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
            try:
                with Timeout(self.handshake_timeout):
                    tls.do_handshake()
            except (OSError, ssl.SSLError, Timeout) as exc:
                LOG.warning("TLS handshake with %s failed: %s", addr, exc)
                tls.close()
                sock.close()
                return
            sock = tls
        self.handle(sock, addr)

    def serve_forever(self) -> None:
        while not self._closed:
            try:
                sock, addr = self.server.accept()
            except OSError as exc:
                if self._closed:
                    return
                # Out of file descriptors or a connection reset before accept: the
                # listener must outlive it; pause briefly so EMFILE does not spin.
                LOG.warning("accept failed: %s", exc)
                sleep(0.1)
                continue
            spawn(self._run, sock, addr)

    def close(self) -> None:
        self._closed = True
        self.server.close()


class WSGIServer:
    """Serve a WSGI application (used by the REST service)."""

    def __init__(self, listen_info: tuple[str, int], application: Callable, **config: Any) -> None:
        self.server = listen(listen_info)
        self.application = application
        self.config = config

    @property
    def address(self) -> tuple[str, int]:
        return self.server.getsockname()[:2]

    def serve_forever(self) -> None:
        eventlet.wsgi.server(self.server, self.application, log_output=False, **self.config)

    def close(self) -> None:
        self.server.close()


__all__ = [
    "BoundedSemaphore",
    "client_ssl_context",
    "Event",
    "GreenThread",
    "Queue",
    "QueueEmpty",
    "QueueFull",
    "Semaphore",
    "StreamServer",
    "TaskExit",
    "Timeout",
    "WSGIServer",
    "connect",
    "getcurrent",
    "green_socket",
    "joinall",
    "kill",
    "listen",
    "nonblocking_send",
    "patch",
    "server_ssl_context",
    "sleep",
    "socket_reader",
    "SocketReader",
    "spawn",
    "spawn_after",
]
