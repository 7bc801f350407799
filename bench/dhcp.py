"""DHCP server benchmark: full DORA exchanges per second, ARP replies per second, lease database.

Run: ``python bench/dhcp.py`` (``--duration`` seconds per measurement, default 3).

* **DORA/s**: ``ctrlapp-manager apps/dhcp_server.py`` (a real process, real
  fsyncs of the lease journal) serves emulated switches on loopback; each
  switch keeps ``--window`` clients in flight, each client a new MAC doing
  DISCOVER -> OFFER -> REQUEST -> ACK.  The *floor* is a process that echoes
  every PACKET_IN's frame back in a PACKET_OUT without decoding anything: the
  same two round trips at the cost of the kernel and Python I/O alone.
* **ARP/s**: ARP requests for the server address, answered by the same
  ctrlapp process (the DHCP app's ARP answer: decode, build the reply, send),
  and by an equivalent os-ken app (same logic with os-ken's packet library),
  on the same load.  ``apps/arp_responder.py`` is measured too when present.
* **Lease database**: journal and snapshot size for 100,000 bound leases and
  the time a restart takes to load them.
* ``--handler``: only the app's PACKET_IN handler, in this process (decode,
  engine, reply frame, PACKET_OUT encode; journal written, not fsynced), CPU
  per DISCOVER and per REQUEST: the part of a DORA's cost the DHCP code owns.

The load generators are separate processes with pre-encoded messages, so they
are not what is measured.  Ratios printed at the end: ctrlapp/os-ken ARP
(target >= 5) and ARP/DORA (target <= 3).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import selectors
import socket
import struct
import sys
import tempfile
import textwrap
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import (  # noqa: E402
    HEADER,
    connect_switches,
    cpu_seconds,
    free_port,
    serve_floor,
    start_ctrlapp,
    start_osken,
    stop_process,
    wait_listening,
)
from ctrlapp.lib.packet import arp, ethernet, packet  # noqa: E402
from ctrlapp.ofproto import ofproto_v1_3_parser as parser13  # noqa: E402
from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER  # noqa: E402
from ctrlapp.testing.dhcp_client import DhcpClient  # noqa: E402

COOKIE = 0x44484350
# apps/arp_responder.py's intercept cookie: its PACKET_INs must look like its own.
ARP_RESPONDER_COOKIE = 0x41525031
SERVER_IP = "10.0.255.254"
CONFIG = f"""
[apps.dhcp_server]
[[apps.dhcp_server.pools]]
name = "bench"
subnet = "10.0.0.0/16"
server_ip = "{SERVER_IP}"
ranges = [["10.0.0.10", "10.0.250.250"]]
lease_time = 86400
[apps.dhcp_server.rate_limit]
port_burst = 1000000
port_per_second = 1000000
max_leases_per_port = 1000000
[apps.arp_responder]
static = [{{ ip = "{SERVER_IP}", mac = "02:00:0a:00:00:fe" }}]
"""
OSKEN_ARP_APP = textwrap.dedent(
    f"""
    from os_ken.base import app_manager
    from os_ken.controller import ofp_event
    from os_ken.controller.handler import MAIN_DISPATCHER, set_ev_cls
    from os_ken.lib.packet import arp, ethernet, packet
    from os_ken.ofproto import ofproto_v1_3

    SERVER_IP = "{SERVER_IP}"
    SERVER_MAC = "02:00:0a:00:00:fe"

    class BenchArpAnswer(app_manager.OSKenApp):
        OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

        @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
        def packet_in(self, ev):
            msg = ev.msg
            dp = msg.datapath
            parser = dp.ofproto_parser
            in_port = msg.match["in_port"]
            pkt = packet.Packet(msg.data)
            req = pkt.get_protocol(arp.arp)
            if req is None or req.opcode != arp.ARP_REQUEST or req.dst_ip != SERVER_IP:
                return
            reply = packet.Packet()
            reply.add_protocol(ethernet.ethernet(req.src_mac, SERVER_MAC, 0x0806))
            reply.add_protocol(arp.arp(opcode=arp.ARP_REPLY, src_mac=SERVER_MAC, src_ip=SERVER_IP,
                                       dst_mac=req.src_mac, dst_ip=req.src_ip))
            reply.serialize()
            actions = [parser.OFPActionOutput(dp.ofproto.OFPP_IN_PORT)]
            dp.send_msg(parser.OFPPacketOut(datapath=dp, buffer_id=OFP_NO_BUFFER_VALUE,
                                            in_port=in_port, actions=actions, data=reply.data))

    OFP_NO_BUFFER_VALUE = 0xffffffff
    """
)
# -- pre-encoded PACKET_INs -----------------------------------------------------------------


def _packet_in(frame: bytes, cookie: int = COOKIE, in_port: int = 1) -> tuple[bytes, int]:
    """A PACKET_IN carrying ``frame`` as an intercept flow with ``cookie`` sends it;
    (bytes, data offset)."""
    msg = parser13.OFPPacketIn(
        None, OFP_NO_BUFFER, len(frame), 1, 0, cookie, parser13.OFPMatch(in_port=in_port), frame
    )
    msg.set_xid(0)
    msg.serialize()
    raw = bytes(msg.buf)
    return raw, len(raw) - len(frame)


def _templates() -> dict[str, tuple[bytes, int]]:
    c = DhcpClient("02:aa:aa:aa:aa:aa", xid=0x01020304)
    discover = bytearray(c.discover())
    c.offered, c.server_id = "10.255.255.1", SERVER_IP
    request = bytearray(c.request())
    for frame in (discover, request):
        frame[40:42] = b"\0\0"  # UDP checksum 0 ("none", RFC 768): frames are patched per client
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet("ff:ff:ff:ff:ff:ff", "02:bb:bb:bb:bb:bb", 0x0806))
    p.add_protocol(
        arp.arp(opcode=1, src_mac="02:bb:bb:bb:bb:bb", src_ip="10.0.0.9",
                dst_mac="00:00:00:00:00:00", dst_ip=SERVER_IP)
    )  # fmt: skip
    p.serialize()
    return {
        "discover": _packet_in(bytes(discover)),
        "request": _packet_in(bytes(request)),
        "requested_at": (b"", bytes(request).index(bytes([10, 255, 255, 1]))),
        "arp": _packet_in(bytes(p.data)),
        "arp_responder": _packet_in(bytes(p.data), ARP_RESPONDER_COOKIE),
    }


def load_generator(port, mode, dpids, window, handshake, gen_id, start_q, result_q) -> None:
    """Closed loop: ``window`` exchanges in flight per switch; counts completed exchanges."""
    tpl = _templates()
    socks = connect_switches(port, dpids, handshake)
    disc, d_off = tpl["discover"]
    req, r_off = tpl["request"]
    req_ip_at = r_off + tpl["requested_at"][1]
    arp_msg, _ = tpl["arp_responder" if mode == "arp_responder" else "arp"]
    counter = [gen_id << 24]
    inflight: dict[int, tuple[socket.socket, float]] = {}

    def new_client(s: socket.socket) -> bytes:
        counter[0] += 1
        n = counter[0]
        if mode != "dora":
            return arp_msg
        m = bytearray(disc)
        ident = n.to_bytes(4, "big")
        m[d_off + 8 : d_off + 12] = ident  # Ethernet source = 02:cc:<n>
        m[d_off + 46 : d_off + 50] = ident  # xid
        m[d_off + 72 : d_off + 76] = ident  # chaddr
        m[d_off + 6 : d_off + 8] = b"\x02\xcc"
        m[d_off + 70 : d_off + 72] = b"\x02\xcc"
        inflight[n] = (s, 0)
        return bytes(m)

    ready = start_q.get()
    t_start, t_end = ready
    sel = selectors.DefaultSelector()
    bufs = {}
    for s in socks:
        bufs[s.fileno()] = (s, bytearray())
        sel.register(s, selectors.EVENT_READ)
        s.sendall(b"".join(new_client(s) for _ in range(window)))
    done = 0
    monotonic = time.monotonic
    while monotonic() < t_end:
        for key, _ in sel.select(0.2):
            s, buf = bufs[key.fd]
            data = s.recv(262144)
            if not data:
                raise ConnectionError("controller closed the connection")
            buf += data
            off, end = 0, len(buf)
            out = bytearray()
            while end - off >= 8:
                _v, msg_type, length, xid = HEADER.unpack_from(buf, off)
                if end - off < length:
                    break
                if msg_type == 13:  # PACKET_OUT: 24-byte head, actions, frame
                    actions_len = struct.unpack_from("!H", buf, off + 16)[0]
                    frame_at = off + 24 + actions_len
                    if mode != "dora":
                        if t_start <= monotonic():
                            done += 1
                        out += arp_msg
                    else:
                        cid = int.from_bytes(buf[frame_at + 46 : frame_at + 50], "big")
                        state = inflight.pop(cid, None)
                        if state is not None and state[1] == 0:
                            m = bytearray(req)
                            ident = cid.to_bytes(4, "big")
                            m[r_off + 6 : r_off + 8] = b"\x02\xcc"
                            m[r_off + 8 : r_off + 12] = ident
                            m[r_off + 46 : r_off + 50] = ident
                            m[r_off + 70 : r_off + 72] = b"\x02\xcc"
                            m[r_off + 72 : r_off + 76] = ident
                            yiaddr = bytes(buf[frame_at + 58 : frame_at + 62])
                            m[req_ip_at : req_ip_at + 4] = yiaddr
                            inflight[cid] = (s, 1)
                            out += m
                        elif state is not None:
                            if t_start <= monotonic():
                                done += 1
                            out += new_client(s)
                elif msg_type == 2:  # ECHO_REQUEST
                    out += HEADER.pack(4, 3, length, xid) + bytes(buf[off + 8 : off + length])
                off += length
            del buf[:off]
            if out:
                s.sendall(out)
    result_q.put(done)
    for s in socks:
        s.close()


def echo_floor(port: int, ready) -> None:
    """Answer every whole PACKET_IN with a PACKET_OUT carrying its frame; decode nothing else."""
    action = struct.pack("!HHIH6x", 0, 16, 0xFFFFFFF8, 0xFFFF)  # output IN_PORT

    def new_connection():
        buf = bytearray()

        def answer(data: bytes) -> bytes:
            buf.extend(data)
            off, end, out = 0, len(buf), bytearray()
            while end - off >= 8:
                length = struct.unpack_from("!H", buf, off + 2)[0]
                if end - off < length:
                    break
                match_len = struct.unpack_from("!H", buf, off + 26)[0]
                frame = buf[off + 24 + (match_len + 7) // 8 * 8 + 2 : off + length]
                out += HEADER.pack(4, 13, 24 + 16 + len(frame), 0)
                out += struct.pack("!IIH6x", OFP_NO_BUFFER, 1, 16) + action + frame
                off += length
            del buf[:off]
            return out

        return answer

    serve_floor(port, ready, new_connection)


class Controller:
    def __init__(self, name: str, workdir: Path, app: str | None = None) -> None:
        self.name = name
        self.port = free_port()
        self.handshake = name != "floor"
        if name == "floor":
            ready = mp.Event()
            self.proc = mp.Process(target=echo_floor, args=(self.port, ready), daemon=True)
            self.proc.start()
            ready.wait(10)
        elif name == "os-ken":
            self.proc = start_osken(OSKEN_ARP_APP, self.port, workdir)
        else:
            (workdir / "bench.toml").write_text(CONFIG)
            self.proc = start_ctrlapp(
                [app or "apps/dhcp_server.py"],
                self.port,
                workdir / f"state-{self.port}",
                config=workdir / "bench.toml",
            )
        wait_listening(self.port)

    def stop(self) -> None:
        stop_process(self.proc)


def run(ctl: Controller, mode: str, switches: int, window: int, duration: float, dpid0: int):
    n_gen = 2 if switches > 1 else 1
    dpids = [dpid0 + i for i in range(switches)]
    start_qs = [mp.Queue() for _ in range(n_gen)]
    result_q = mp.Queue()
    gens = [
        mp.Process(
            target=load_generator,
            args=(
                ctl.port,
                mode,
                dpids[i::n_gen],
                window,
                ctl.handshake,
                i + 1,
                start_qs[i],
                result_q,
            ),
            daemon=True,
        )  # fmt: skip
        for i in range(n_gen)
    ]
    for g in gens:
        g.start()
    time.sleep(1.5 + 0.02 * switches)  # connections, handshakes, flows
    t_start = time.monotonic() + 1.0
    for q in start_qs:
        q.put((t_start, t_start + duration))
    time.sleep(max(0.0, t_start - time.monotonic()))
    cpu0 = cpu_seconds(ctl.proc.pid)
    time.sleep(max(0.0, t_start + duration - time.monotonic()))
    cpu1 = cpu_seconds(ctl.proc.pid)
    total = sum(result_q.get(timeout=duration + 60) for _ in gens)
    for g in gens:
        g.join(10)
    return total / duration, (cpu1 - cpu0) / total if total else float("nan")


def handler_cost(n: int) -> tuple[float, float]:
    """CPU seconds per DISCOVER and per REQUEST spent in ``DhcpServerApp.packet_in`` for
    ``n`` new clients (the app built as the manager builds it, a datapath that only
    encodes what it is sent)."""
    import importlib.util

    from ctrlapp.ofproto import ofproto_v1_3

    spec = importlib.util.spec_from_file_location("dhcp_server", ROOT / "apps" / "dhcp_server.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    settings = tomllib.loads(CONFIG)["apps"]["dhcp_server"]

    class NoRest:
        def register(self, *_args, **_kw) -> None:
            pass

    class Datapath:
        id = 1
        ofproto = ofproto_v1_3
        ofproto_parser = parser13

        def __init__(self) -> None:
            self.sent: list[bytes] = []

        def send_msg(self, msg) -> None:
            msg.serialize()
            self.sent.append(bytes(msg.buf))

    class Event:
        def __init__(self, frame: bytes) -> None:
            self.msg = parser13.OFPPacketIn(
                dp, OFP_NO_BUFFER, len(frame), 1, 0, COOKIE, parser13.OFPMatch(in_port=1), frame
            )

    with tempfile.TemporaryDirectory() as state:
        app = mod.DhcpServerApp(settings=settings, state_dir=state, wsgi=NoRest())
        dp = Datapath()
        clients = [DhcpClient(f"02:cc:00:00:{i >> 8 & 255:02x}:{i & 255:02x}") for i in range(n)]
        events = [Event(c.discover()) for c in clients]
        t0 = time.process_time()
        for ev in events:
            app.packet_in(ev)
        discover = (time.process_time() - t0) / n
        events = []
        for c, out in zip(clients, dp.sent, strict=True):
            actions_len = struct.unpack_from("!H", out, 16)[0]
            events.append(Event(c.receive(out[24 + actions_len :])))
        t0 = time.process_time()
        for ev in events:
            app.packet_in(ev)
        request = (time.process_time() - t0) / n
        acks = [item[2] for item in app._pending]
        bound = sum(
            1 for c, ack in zip(clients, acks, strict=True) if c.receive(ack) is None and c.ip
        )
        if bound != n:
            raise RuntimeError(f"only {bound} of {n} clients were bound")
        app.store.close()
    return discover, request


def lease_database(n: int, workdir: Path) -> dict[str, float]:
    """Sizes and reload times of a lease database holding ``n`` bound leases."""
    from ctrlapp.services.dhcp.config import ServerConfig
    from ctrlapp.services.dhcp.leases import BOUND, Lease
    from ctrlapp.services.dhcp.server import DhcpServer
    from ctrlapp.store import JournalStore

    cfg = ServerConfig(
        {"pools": [{"subnet": "10.0.0.0/14", "ranges": [["10.0.0.10", "10.3.255.250"]]}]}
    )
    d = workdir / "leasedb"
    store = JournalStore(d, "leases")
    srv = DhcpServer(cfg, store)
    now = time.time()
    for i in range(n):
        ip = socket.inet_ntoa((0x0A000010 + i).to_bytes(4, "big"))
        mac = "02:dd:" + (i).to_bytes(4, "big").hex(":")
        srv.db.put(Lease(ip, mac, None, cfg.pools[0].name, BOUND, now + 86400, 1, 1 + i % 48, None,
                         now, f"host{i}", None))  # fmt: skip
    store.sync()
    journal = os.path.getsize(store.journal_path)
    store.close()
    t0 = time.perf_counter()
    store = JournalStore(d, "leases")
    srv = DhcpServer(cfg, store)
    t_journal = time.perf_counter() - t0
    assert len(srv.db.leases) == n
    store.compact()
    snap = os.path.getsize(store.snap_path)
    store.close()
    t0 = time.perf_counter()
    store = JournalStore(d, "leases")
    srv = DhcpServer(cfg, store)
    t_snap = time.perf_counter() - t0
    store.close()
    return {"journal_mib": journal / 2**20, "snapshot_mib": snap / 2**20,
            "reload_journal_s": t_journal, "reload_snapshot_s": t_snap}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=3.0, help="seconds measured per case")
    ap.add_argument("--switches", type=int, default=16, help="emulated switches")
    ap.add_argument("--window", type=int, default=4, help="exchanges in flight per switch")
    ap.add_argument("--leases", type=int, default=100_000, help="lease database size")
    ap.add_argument(
        "--handler", type=int, metavar="N", help="only the in-process handler cost, N clients"
    )
    args = ap.parse_args(argv)
    if args.handler:
        discover, request = handler_cost(args.handler)
        print(
            f"packet_in handler CPU: DISCOVER {discover * 1e6:.1f} us, REQUEST "
            f"{request * 1e6:.1f} us, DORA {(discover + request) * 1e6:.1f} us"
        )
        return 0
    res: dict[str, float] = {}
    cpu: dict[str, float] = {}
    arp_apps = [("ctrlapp", "arp", None)]
    if (ROOT / "apps" / "arp_responder.py").exists():
        arp_apps.append(("ctrlapp arp_responder", "arp_responder", "apps/arp_responder.py"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        plan = [("floor", "dora", None), ("ctrlapp", "dora", None), ("floor", "arp", None)]
        plan += arp_apps + [("os-ken", "arp", None)]
        dpid = 1
        for name, mode, app in plan:
            kind = "ctrlapp" if name.startswith("ctrlapp") else name
            ctl = Controller(kind, work, app)
            try:
                rate, per = run(ctl, mode, args.switches, args.window, args.duration, dpid)
            finally:
                ctl.stop()
            dpid += args.switches
            label = name if mode == "arp_responder" else f"{name} {mode}"
            res[label], cpu[label] = rate, per
            unit = "DORA exchanges/s" if mode == "dora" else "ARP replies/s"
            print(f"{label:28} {rate:9.0f} {unit}  CPU {per * 1e6:7.1f} us each", flush=True)
        db = lease_database(args.leases, work)
    print()
    print(
        f"| measurement ({args.switches} switches, {args.window} in flight each) "
        "| per second | controller CPU us each |"
    )
    print("|---|---:|---:|")
    for label, rate in res.items():
        print(f"| {label} | {rate:.0f} | {cpu[label] * 1e6:.1f} |")
    print()
    print(
        f"DORA: ctrlapp reaches {res['ctrlapp dora'] / res['floor dora']:.2f} of the raw floor's "
        f"rate, at {cpu['ctrlapp dora'] / cpu['floor dora']:.1f}x its CPU per exchange"
    )
    print(
        f"ARP: ctrlapp / os-ken = {res['ctrlapp arp'] / res['os-ken arp']:.1f}x the rate, "
        f"{cpu['os-ken arp'] / cpu['ctrlapp arp']:.1f}x less CPU per reply (target >= 5)"
    )
    print(
        f"ARP / DORA: rate {res['ctrlapp arp'] / res['ctrlapp dora']:.2f}, CPU per exchange "
        f"{cpu['ctrlapp dora'] / cpu['ctrlapp arp']:.2f} (target <= 3)"
    )
    if "ctrlapp arp_responder" in res:
        ours = res["ctrlapp arp_responder"]
        print(
            f"apps/arp_responder.py: {ours / res['os-ken arp']:.1f}x os-ken's rate, "
            f"{cpu['os-ken arp'] / cpu['ctrlapp arp_responder']:.1f}x less CPU per reply; "
            f"its rate / DORA rate {ours / res['ctrlapp dora']:.2f}, CPU per DORA / per reply "
            f"{cpu['ctrlapp dora'] / cpu['ctrlapp arp_responder']:.2f}"
        )
    print(
        f"lease database, {args.leases} bound leases: journal {db['journal_mib']:.1f} MiB "
        f"(reload {db['reload_journal_s']:.2f} s), snapshot {db['snapshot_mib']:.1f} MiB "
        f"(reload {db['reload_snapshot_s']:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
