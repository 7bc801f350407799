"""The event-loop wrapper: reusable events, logged thread failures, servers on ephemeral ports."""

import logging
import select
import socket
import time

import pytest

from ctrlapp.lib import hub

pytestmark = pytest.mark.timeout(30)


def test_event_set_clear_wait():
    ev = hub.Event()
    assert not ev.is_set() and ev.wait(0.01) is False
    hub.spawn_after(0.01, ev.set)
    assert ev.wait(5) is True and ev.is_set()
    ev.clear()
    assert ev.wait(0.01) is False
    woken = []
    t = hub.spawn(lambda: woken.append(ev.wait()))
    hub.sleep(0)
    ev.set()
    t.wait()
    assert woken == [True]


def test_spawn_logs_exceptions_and_taskexit_is_quiet(caplog):
    def boom():
        raise RuntimeError("kaboom")

    def leave():
        raise hub.TaskExit()

    with caplog.at_level(logging.ERROR):
        assert hub.spawn(boom).wait() is None
        assert hub.spawn(leave).wait() is None
    assert "kaboom" in caplog.text and caplog.text.count("uncaught exception") == 1
    with pytest.raises(RuntimeError):
        hub.spawn(boom, raise_error=True).wait()


def test_bounded_queue_and_timeout():
    q = hub.Queue(1)
    q.put(1)
    with pytest.raises(hub.QueueFull):
        q.put_nowait(2)
    with pytest.raises(hub.QueueEmpty):
        hub.Queue().get(timeout=0.01)
    with pytest.raises(hub.Timeout):
        with hub.Timeout(0.01):
            hub.sleep(1)


def test_stream_server_echo():
    def handle(sock, addr):
        sock.sendall(sock.recv(100).upper())
        sock.close()

    server = hub.StreamServer(("127.0.0.1", 0), handle)
    t = hub.spawn(server.serve_forever)
    try:
        client = hub.connect(server.address, timeout=5)
        client.sendall(b"hello")
        assert client.recv(100) == b"HELLO"
        assert hub.nonblocking_send(client) is not None
    finally:
        server.close()
        hub.kill(t)


def _connected_pair():
    server = hub.listen(("127.0.0.1", 0))
    client = hub.connect(server.getsockname(), timeout=5)
    peer, _ = server.accept()
    server.close()
    return client, peer


def test_socket_reader_reads_waits_and_closes():
    client, peer = _connected_pair()
    reader = hub.socket_reader(peer)
    got = []

    def read_all():
        while True:
            data = reader.recv(100)
            got.append(data)
            if not data:
                return

    t = hub.spawn(read_all)
    client.sendall(b"one")
    with hub.Timeout(5):
        while got != [b"one"]:
            hub.sleep(0.001)
    client.sendall(b"two")
    with hub.Timeout(5):
        while len(got) < 2:
            hub.sleep(0.001)
    reader.close()  # the reader is waiting: it must wake with b""
    t.wait()
    assert got == [b"one", b"two", b""]
    peer.close()
    client.close()


def _wait_readable(sock, timeout: float = 5.0) -> None:
    # Poll without consuming, so the test does not depend on delivery time.
    deadline = time.monotonic() + timeout
    while not select.select([sock], [], [], 0)[0]:
        assert time.monotonic() < deadline, "data never arrived"
        hub.sleep(0.001)


def test_socket_reader_after_a_short_read_waits_for_readiness_first():
    client, peer = _connected_pair()
    reader = hub.socket_reader(peer)
    tries = []
    raw_recv = reader._raw.recv

    class CountingSocket:
        def recv(self, size):
            tries.append(size)
            return raw_recv(size)

    reader._raw = CountingSocket()
    client.sendall(b"x" * 10)
    _wait_readable(peer)
    assert reader.recv(10) == b"x" * 10  # a full read: the next recv tries the socket
    client.sendall(b"abc")
    _wait_readable(peer)
    assert reader.recv(10) == b"abc"
    assert len(tries) == 2
    hub.spawn_after(0.01, client.sendall, b"def")
    with hub.Timeout(5):
        assert reader.recv(10) == b"def"
    assert len(tries) == 3  # no EAGAIN try between the short read and readiness
    client.sendall(b"ghi")  # arrives before the next recv: readiness still reports it
    _wait_readable(peer)
    with hub.Timeout(5):
        assert reader.recv(10) == b"ghi"
    assert len(tries) == 4
    reader.close()
    assert reader.recv(10) == b""
    peer.close()
    client.close()


def test_socket_reader_after_a_full_read_lets_other_connections_read():
    busy_client, busy_peer = _connected_pair()
    calm_client, calm_peer = _connected_pair()
    busy, calm = hub.socket_reader(busy_peer), hub.socket_reader(calm_peer)
    log = []
    busy_client.sendall(b"b" * 100)
    calm_client.sendall(b"c")
    hub.sleep(0.01)

    def read_busy():
        while sum(len(d) for who, d in log if who == "busy") < 100:
            log.append(("busy", busy.recv(10)))

    def read_calm():
        log.append(("calm", calm.recv(10)))

    threads = [hub.spawn(read_busy), hub.spawn(read_calm)]
    with hub.Timeout(5):
        for t in threads:
            t.wait()
    assert log.index(("calm", b"c")) == 1  # one full read of the busy switch, then the other
    for sock in (busy_client, busy_peer, calm_client, calm_peer):
        sock.close()


def test_socket_reader_blocked_elsewhere_is_not_woken_there():
    client, peer = _connected_pair()
    reader = hub.socket_reader(peer)
    q = hub.Queue()
    got = []

    def worker():
        got.append(reader.recv(100))  # registers the listener
        got.append(q.get())  # blocked elsewhere while data arrives
        got.append(reader.recv(100))

    t = hub.spawn(worker)
    client.sendall(b"a")
    with hub.Timeout(5):
        while not got:
            hub.sleep(0.001)
    client.sendall(b"b")  # readiness while the worker waits on the queue
    hub.sleep(0.05)
    assert got == [b"a"]
    q.put("q")
    t.wait()
    assert got == [b"a", "q", b"b"]
    with socket.socket() as plain:  # not a green socket (TLS sockets are not either)
        assert hub.socket_reader(plain) is None
