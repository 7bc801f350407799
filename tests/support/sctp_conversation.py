"""Two SCTP endpoints talking, as Ethernet frames built with the packet library.

Tests of the association monitor (engine, app, replay against tshark) and its
benchmark script a conversation chunk by chunk; every frame carries a correct
CRC32C unless asked otherwise.
"""

from __future__ import annotations

from ctrlapp.lib.packet import ethernet, ipv4, ipv6, packet, sctp

MAC_A = "02:00:00:00:00:0a"
MAC_Z = "02:00:00:00:00:0b"


class Conversation:
    """Endpoints A (the initiator) and Z; ``frame(sender, chunks)`` builds one packet."""

    def __init__(
        self,
        addr_a: str = "10.0.0.1",
        addr_z: str = "10.0.0.2",
        port_a: int = 5000,
        port_z: int = 36412,
        tag_a: int = 0x1A1A1A1A,
        tag_z: int = 0x2B2B2B2B,
        tsn_a: int = 1000,
        tsn_z: int = 5000,
    ) -> None:
        self.addr = {"A": addr_a, "Z": addr_z}
        self.port = {"A": port_a, "Z": port_z}
        self.tag = {"A": tag_a, "Z": tag_z}
        self.tsn = {"A": tsn_a, "Z": tsn_z}

    @staticmethod
    def peer(side: str) -> str:
        return "Z" if side == "A" else "A"

    def frame(
        self,
        sender: str,
        chunks: list,
        vtag: int | None = None,
        src: str | None = None,
        dst: str | None = None,
        csum: int = 0,
    ) -> bytes:
        """A frame from ``sender``; ``vtag`` defaults to the receiver's tag."""
        peer = self.peer(sender)
        src = src or self.addr[sender]
        dst = dst or self.addr[peer]
        if vtag is None:
            vtag = self.tag[peer]
        p = packet.Packet()
        v6 = ":" in src
        p.add_protocol(
            ethernet.ethernet(
                MAC_Z if sender == "Z" else MAC_A,
                MAC_A if sender == "Z" else MAC_Z,
                0x86DD if v6 else 0x0800,
            )
        )
        if v6:
            p.add_protocol(ipv6.ipv6(nxt=132, src=src, dst=dst, hop_limit=64))
        else:
            p.add_protocol(ipv4.ipv4(proto=132, src=src, dst=dst, ttl=64))
        p.add_protocol(sctp.sctp(self.port[sender], self.port[peer], vtag, csum, chunks))
        p.serialize()
        return bytes(p.data)

    # -- the usual chunks ---------------------------------------------------------------------

    def init(self, sender: str = "A", addresses: tuple[str, ...] = (), ack: bool = False) -> bytes:
        params = [sctp.param_ipv6(a) if ":" in a else sctp.param_ipv4(a) for a in addresses]
        cls = sctp.chunk_init_ack if ack else sctp.chunk_init
        chunk = cls(
            init_tag=self.tag[sender],
            a_rwnd=65536,
            os=10 if sender == "A" else 5,
            mis=10 if sender == "A" else 8,
            i_tsn=self.tsn[sender],
            params=params or None,
        )
        return self.frame(sender, [chunk], vtag=0 if not ack else None)

    def handshake(self, addresses_a: tuple[str, ...] = (), addresses_z: tuple = ()) -> list[bytes]:
        return [
            self.init("A", addresses_a),
            self.init("Z", addresses_z, ack=True),
            self.frame("A", [sctp.chunk_cookie_echo(cookie=b"cookie" * 4)]),
            self.frame("Z", [sctp.chunk_cookie_ack()]),
        ]

    def data(self, sender: str, payload: bytes, sid: int = 0, ppid: int = 18, tsn=None) -> bytes:
        if tsn is None:
            tsn = self.tsn[sender]
            self.tsn[sender] = tsn + 1
        chunk = sctp.chunk_data(
            begin=1, end=1, tsn=tsn, sid=sid, seq=0, payload_id=ppid, payload_data=payload
        )
        return self.frame(sender, [chunk])

    def sack(self, sender: str, gaps: list | None = None, dups: list | None = None) -> bytes:
        peer = self.peer(sender)
        return self.frame(
            sender,
            [sctp.chunk_sack(tsn_ack=self.tsn[peer] - 1, a_rwnd=65536, gapacks=gaps, duptsns=dups)],
        )

    def heartbeat(self, sender: str, info: bytes, ack: bool = False, **kw) -> bytes:
        cls = sctp.chunk_heartbeat_ack if ack else sctp.chunk_heartbeat
        return self.frame(sender, [cls(info=sctp.param_heartbeat(info))], **kw)

    def shutdown(self) -> list[bytes]:
        return [
            self.frame("A", [sctp.chunk_shutdown(tsn_ack=self.tsn["Z"] - 1)]),
            self.frame("Z", [sctp.chunk_shutdown_ack()]),
            self.frame("A", [sctp.chunk_shutdown_complete()]),
        ]

    def abort(self, sender: str, causes: list | None = None, tbit: bool = False) -> bytes:
        vtag = self.tag[sender] if tbit else None
        return self.frame(sender, [sctp.chunk_abort(tflag=int(tbit), causes=causes)], vtag=vtag)
