"""Send a burst of malformed frames out of one interface through a raw AF_PACKET socket.

Run inside a Mininet host with the system python3:
``malformed_burst.py IFACE SECONDS RATE``.  Every frame is built to reach a
controller app through the switch's table-0 rules and then fail to decode:
DHCP (UDP 68 -> 67) cut short, IGMP too short or claiming records it lacks,
SCTP with a chunk longer than the packet or a bad CRC32C, ARP cut short,
IPv4 headers whose lengths lie, runts, and random bytes under random
EtherTypes.  Prints the number sent when done (or when stopped with SIGTERM).
"""

import os
import random
import signal
import socket
import struct
import sys
import time

iface, seconds, rate = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261122)
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind((iface, 0))
own_mac = sock.getsockname()[4]
BROADCAST = b"\xff" * 6


def ip_checksum(header: bytes) -> int:
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(proto: int, src: str, dst: str, payload: bytes, total: int | None = None) -> bytes:
    length = 20 + len(payload) if total is None else total
    hdr = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        length,
        rng.getrandbits(16),
        0,
        64,
        proto,
        0,
        socket.inet_aton(src),
        socket.inet_aton(dst),
    )
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    return hdr + payload


def eth(dst: bytes, ethertype: int, body: bytes, src: bytes = b"") -> bytes:
    return dst + (src or own_mac) + struct.pack("!H", ethertype) + body


def dhcp_short() -> bytes:
    body = os.urandom(rng.randrange(0, 240))
    udp = struct.pack("!HHHH", 68, 67, 8 + len(body), 0) + body
    return eth(BROADCAST, 0x0800, ipv4(17, "0.0.0.0", "255.255.255.255", udp))


def dhcp_bad_options() -> bytes:
    # A whole BOOTP header with the magic cookie, then an option running past the end.
    bootp = struct.pack("!BBBB", 1, 1, 6, 0) + os.urandom(4) + bytes(20) + own_mac + bytes(202)
    body = bootp + b"\x63\x82\x53\x63" + b"\x35\x01\x01" + b"\x0c\xff" + b"abc"
    udp = struct.pack("!HHHH", 68, 67, 8 + len(body), 0) + body
    return eth(BROADCAST, 0x0800, ipv4(17, "0.0.0.0", "255.255.255.255", udp))


def igmp_bad() -> bytes:
    if rng.random() < 0.5:
        body = os.urandom(rng.randrange(0, 8))
    else:  # v3 report claiming 50 group records, carrying one byte of them
        body = struct.pack("!BBHHH", 0x22, 0, 0, 0, 50) + b"\x01"
    return eth(b"\x01\x00\x5e\x00\x00\x16", 0x0800, ipv4(2, "10.0.0.4", "224.0.0.22", body))


def sctp_bad() -> bytes:
    common = struct.pack("!HHII", 5000, 7, rng.getrandbits(32), rng.getrandbits(32))
    chunk = struct.pack("!BBH", rng.choice((0, 1, 3, 6)), 0, rng.randrange(200, 65535))
    payload = common + chunk + os.urandom(rng.randrange(0, 16))
    return eth(b"\x00\x00\x00\x00\x00\x01", 0x0800, ipv4(132, "10.0.0.4", "10.0.0.1", payload))


def arp_short() -> bytes:
    return eth(BROADCAST, 0x0806, os.urandom(rng.randrange(0, 28)))


def ipv4_lying() -> bytes:
    payload = os.urandom(rng.randrange(0, 40))
    return eth(
        BROADCAST,
        0x0800,
        ipv4(
            rng.choice((2, 17, 132)),
            "10.0.0.4",
            "255.255.255.255",
            payload,
            total=rng.randrange(0, 65536),
        ),
    )


def runt() -> bytes:
    return eth(BROADCAST, rng.choice((0x0800, 0x0806, 0x8100, 0x86DD)), b"")[: rng.randrange(1, 15)]


def random_frame() -> bytes:
    src = bytes([0x02]) + os.urandom(5)  # locally administered unicast
    return eth(BROADCAST, rng.getrandbits(16), os.urandom(rng.randrange(0, 100)), src)


KINDS = (
    dhcp_short,
    dhcp_bad_options,
    igmp_bad,
    sctp_bad,
    arp_short,
    ipv4_lying,
    runt,
    random_frame,
)
sent = 0


def report(*_args: object) -> None:
    print("sent", sent, flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, report)
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    for kind in KINDS:
        try:
            sock.send(kind())
            sent += 1
        except OSError:  # a runt the driver refuses
            pass
    time.sleep(len(KINDS) / rate)
report()
