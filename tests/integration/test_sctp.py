"""SCTP monitor against a real SCTP stack: the usrsctp examples over raw IP through OVS.

Proves that the monitor's tap flows copy every SCTP packet to the controller
while the L2 switch forwards it, and that ``GET /v1/sctp/associations`` tells
the truth about a real association: ESTABLISHED while it runs, with the ports,
both verification tags and stream counts the capture shows; CLOSED after the
client's graceful shutdown, with DATA chunk and byte counts equal to what was
sent each way.  The abort case: the usrsctp examples cannot abort, so the
client host sends an ABORT chunk (RFC 9260 3.3.7, User-Initiated Abort cause;
hostprogs/sctp_abort.py)
with the tag the monitor reports; the server stack accepting it (it passes the
ABORT to the echo server) proves the ABORT was valid, and the monitor must say ABORTED
with the cause.
"""

import pytest

from tests.integration.harness import Network, single_switch_topo, wait_until
from tests.integration.hosts import ECHO_PORT, HOSTPROGS, EchoSession, new_data_chunks

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

APPS = ["apps/l2_switch.py", "apps/sctp_monitor.py"]
USER_INITIATED_ABORT = 12
INIT_FIELDS = ("initiate_tag", "nr_out_streams", "nr_in_streams")


def associations(ctl, **query) -> list[dict]:
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return ctl.get(f"/v1/sctp/associations?{qs}")["associations"]


def data_on_wire(cap, src: str) -> tuple[int, int]:
    """DATA chunks and their payload bytes sent from ``src`` in the capture."""
    chunks = payload = 0
    for types, lengths in cap.frames(
        f"sctp and ip.src == {src}", "sctp.chunk_type", "sctp.chunk_length"
    ):
        for ctype, length in zip(types.split(","), lengths.split(","), strict=True):
            if ctype == "0":
                chunks += 1
                payload += int(length) - 16  # the DATA chunk header (RFC 9260 3.3.1)
    return chunks, payload


def only_association(ctl, state: str) -> dict | None:
    found = associations(ctl)
    if len(found) == 1 and found[0]["state"] == state:
        return ctl.get(f"/v1/sctp/associations/{found[0]['id']}")
    return None


def test_association_established_then_closed_with_exact_counts(
    controller_factory, capture, tmp_path
):
    ctl = controller_factory(APPS)
    with Network(single_switch_topo(2)) as net:
        h1, h2 = net.get("h1", "h2")
        wait_until(lambda: ctl.get("/v1/switches"), what="s1 to connect")
        cap = capture(h1, "h1-eth0", "h1-sctp", "sctp")
        session = EchoSession(h2, h1, tmp_path)
        try:
            lines = [f"message {i} {'x' * i}\n".encode() for i in range(5)]
            for line in lines:
                session.send(line)
            wait_until(lambda: session.echoed(lines), what="the echoes")

            live = wait_until(lambda: only_association(ctl, "ESTABLISHED"), what="ESTABLISHED")
            client_port = live["initiator"]["port"]
            assert live["initiator"]["address"] == h1.IP()
            assert live["responder"] == live["responder"] | {"address": h2.IP(), "port": 7}
            # Both tags and the stream counts as the INIT / INIT ACK on the wire carry them.
            rows = wait_until(
                lambda: cap.frames(
                    "sctp.chunk_type == 1 or sctp.chunk_type == 2",
                    "sctp.chunk_type",
                    *(f"sctp.{c}_{f}" for f in INIT_FIELDS for c in ("init", "initack")),
                ),
                what="INIT and INIT ACK in the capture",
            )
            # tshark names INIT and INIT ACK fields apart; one of each pair is empty.
            by_type = {r[0]: [a + b for a, b in zip(r[1::2], r[2::2], strict=True)] for r in rows}
            for chunk_type, side in (("1", "initiator"), ("2", "responder")):
                tag, out_streams, in_streams = by_type[chunk_type]
                assert live[side]["verification_tag"] == int(tag, 0) != 0
                assert live[side]["outbound_streams"] == int(out_streams)
                assert live[side]["inbound_streams"] == int(in_streams)
            negotiated = min(int(by_type["1"][1]), int(by_type["2"][2]))
            assert live["streams_negotiated"]["initiator_to_responder"] == negotiated
            assert associations(ctl, state="ESTABLISHED", port=client_port)

            session.client.stdin.close()  # EOF: the client shuts the association down
            wait_until(
                lambda: "SCTP_SHUTDOWN_COMP" in session.client_out.read_text(),
                what="the client's SHUTDOWN COMPLETE",
            )
            done = wait_until(lambda: only_association(ctl, "CLOSED"), what="CLOSED")
            cap.wait_for("sctp.chunk_type == 14")
            sent_bytes = sum(len(line) for line in lines)
            for side, src in (("initiator", h1.IP()), ("responder", h2.IP())):
                assert new_data_chunks(done[side]) == len(lines), done[side]
                # DATA chunks and payload bytes as on the wire (retransmissions included).
                chunks, payload = data_on_wire(cap, src)
                assert done[side]["sent"]["chunks"]["DATA"] == chunks
                assert done[side]["sent"]["data_bytes"] == payload >= sent_bytes
            assert done["initiator"]["sent"]["chunks"]["SHUTDOWN"] == 1
            assert done["responder"]["sent"]["chunks"]["SHUTDOWN_ACK"] == 1
            assert done["initiator"]["sent"]["chunks"]["SHUTDOWN_COMPLETE"] == 1
            assert set(done["anomalies"].values()) == {0}
            # Every packet the client host saw, the monitor saw (none held up, none missed).
            assert done["packets"] == len(cap.frames("sctp"))
        finally:
            session.stop()


def test_abort_is_reported_with_its_cause(controller_factory, capture, tmp_path):
    ctl = controller_factory(APPS)
    with Network(single_switch_topo(2)) as net:
        h1, h2 = net.get("h1", "h2")
        wait_until(lambda: ctl.get("/v1/switches"), what="s1 to connect")
        cap = capture(h2, "h2-eth0", "h2-sctp", "sctp")
        session = EchoSession(h2, h1, tmp_path)
        try:
            session.send(b"before the abort\n")
            wait_until(lambda: session.echoed([b"before the abort\n"]), what="the echo")
            live = wait_until(lambda: only_association(ctl, "ESTABLISHED"), what="ESTABLISHED")

            out = h1.cmd(
                f"python3 {HOSTPROGS / 'sctp_abort.py'} {h2.IP()} {live['initiator']['port']} {ECHO_PORT} "
                f"{live['responder']['verification_tag']}; echo rc=$?"
            )
            assert "rc=0" in out, out
            # The real stack took it: usrsctp hands the echo server an association-change
            # notification (20 bytes) carrying the ABORT chunk it got (24 bytes).
            wait_until(
                lambda: "Notification of length 44 received" in session.server_out.read_text(),
                what="echo_server to be told of the abort",
            )
            gone = wait_until(lambda: only_association(ctl, "ABORTED"), what="ABORTED")
            assert [(c["from"], c["chunk"], c["code"]) for c in gone["causes"]] == [
                ("initiator", "ABORT", USER_INITIATED_ABORT)
            ], gone["causes"]
            assert gone["initiator"]["sent"]["chunks"]["ABORT"] == 1
            assert gone["anomalies"]["bad_crc"] == 0 and gone["anomalies"]["wrong_vtag"] == 0
            # The capture on the server side shows one ABORT with a good CRC32C.
            cap.wait_for("sctp.chunk_type == 6")
            aborts = cap.frames("sctp.chunk_type == 6", "sctp.checksum.status")
            assert aborts == [["1"]], aborts
        finally:
            session.stop()
