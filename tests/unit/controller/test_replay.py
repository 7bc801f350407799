"""Capture replay: the pcap/pcapng reader, and ``ctrlapp-manager --replay`` against tshark.

The end-to-end test writes a capture of several SCTP associations (built with
the packet library), runs a real ``ctrlapp-manager --replay FILE
--replay-report apps/sctp_monitor.py`` process and compares the chunk counts
per association and direction with ``tshark -q -z sctp,stat`` on the same
file.  Without tshark the test fails under ``CI`` and is skipped elsewhere.
"""

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from ctrlapp.lib import pcap
from ctrlapp.lib.packet import sctp
from tests.support.pcap_writer import write_pcap
from tests.support.sctp_conversation import Conversation
from tests.support.shared_data import TESTDATA

ROOT = Path(__file__).resolve().parents[3]
TSHARK = shutil.which("tshark")


def need_tshark():
    if TSHARK is None:
        if os.environ.get("CI"):
            pytest.fail("tshark is required under CI (apt-get install tshark)")
        pytest.skip("tshark not installed")


def conversations() -> list[bytes]:
    """Four associations: plain, multi-homed with heartbeats, aborted, lossy with ERROR."""
    frames = []
    plain = Conversation(port_a=40001)
    frames += plain.handshake()
    for i in range(5):
        frames += [plain.data("A", b"m" * (10 + i), sid=i % 2, ppid=3), plain.sack("Z")]
    frames += plain.shutdown()

    mh = Conversation("10.0.0.3", "10.0.0.4", 40002, 3868, 0x11, 0x22)
    frames += mh.handshake(("10.0.0.3", "10.1.0.3"), ("10.0.0.4", "10.1.0.4"))
    alt = {"src": "10.1.0.3", "dst": "10.1.0.4"}
    frames += [mh.heartbeat("A", b"hb-a", **alt)]
    frames += [mh.heartbeat("Z", b"hb-a", ack=True, src="10.1.0.4", dst="10.1.0.3")]
    frames += [mh.data("Z", b"diameter", ppid=46), mh.sack("A")]
    frames += [mh.heartbeat("Z", b"hb-z"), mh.heartbeat("A", b"hb-z", ack=True)]

    ab = Conversation("10.0.0.5", "10.0.0.6", 40003, 2905, 0x33, 0x44)
    frames += ab.handshake() + [ab.data("A", b"x")]
    frames += [ab.abort("Z", [sctp.cause_user_initiated_abort(b"bye")], tbit=True)]

    lossy = Conversation("10.0.0.7", "10.0.0.8", 40004, 38412, 0x55, 0x66)
    frames += lossy.handshake()
    d1, d2 = lossy.data("A", b"one", ppid=60), lossy.data("A", b"two", ppid=60)
    frames += [d1, d2, d2, lossy.sack("Z", dups=[1001])]
    frames += [lossy.frame("Z", [sctp.chunk_error(causes=[sctp.cause_invalid_stream_id(9)])])]
    frames += [
        lossy.frame(
            "A",
            [
                sctp.chunk_data(tsn=1002, sid=1, payload_id=60, payload_data=b"b1"),
                sctp.chunk_data(tsn=1003, sid=2, payload_id=60, payload_data=b"b2"),
            ],
        )
    ]
    return frames


COLUMNS = ("DATA", "SACK", "HEARTBEAT", "HEARTBEAT_ACK", "INIT", "INIT_ACK")
COLUMNS += ("COOKIE_ECHO", "COOKIE_ACK", "ABORT", "ERROR")


def tshark_stats(path: Path) -> dict[tuple[int, int], list[int]]:
    """Chunk counts per (source port, destination port), summed over address pairs."""
    out = subprocess.run(
        [TSHARK, "-q", "-z", "sctp,stat", "-r", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    rows: dict[tuple[int, int], list[int]] = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 14 or not cells[1].isdigit():
            continue
        key = (int(cells[1]), int(cells[3]))
        counts = [int(x) for x in cells[4:]]
        rows[key] = [a + b for a, b in zip(rows.get(key, [0] * 10), counts, strict=True)]
    return rows


def test_replay_report_matches_tshark(tmp_path):
    need_tshark()
    capture = tmp_path / "sctp.pcap"
    frames = conversations()
    write_pcap(capture, frames)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ctrlapp",
            "--replay",
            str(capture),
            "--replay-report",
            "--state-dir",
            str(tmp_path / "state"),
            str(ROOT / "apps" / "sctp_monitor.py"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)["sctp_monitor"]
    ours: dict[tuple[int, int], list[int]] = {}
    for doc in report:
        for me, peer in (("initiator", "responder"), ("responder", "initiator")):
            chunks = doc[me]["sent"]["chunks"]
            key = (doc[me]["port"], doc[peer]["port"])
            ours[key] = [chunks.get(name, 0) for name in COLUMNS]
    theirs = tshark_stats(capture)
    assert len(report) == 4
    assert ours == theirs
    assert sum(doc["packets"] for doc in report) == len(frames)
    by_port = {doc["initiator"]["port"]: doc for doc in report}
    assert [by_port[p]["state"] for p in (40001, 40002, 40003, 40004)] == [
        "CLOSED",
        "ESTABLISHED",
        "ABORTED",
        "ESTABLISHED",
    ]
    assert by_port[40004]["initiator"]["sent"]["retransmitted_tsns"] == 1
    assert by_port[40002]["responder"]["sent"]["ppids"] == {"Diameter": 1}
    # The report is the document GET /v1/sctp/associations/{id} returns: every section there.
    assert {"transitions", "paths", "streams", "causes", "anomalies"} <= set(by_port[40002])


def test_replay_bad_file_is_one_line_error(tmp_path):
    bad = tmp_path / "not.pcap"
    bad.write_bytes(b"this is no capture file at all")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ctrlapp",
            "--replay",
            str(bad),
            "--replay-report",
            "--state-dir",
            str(tmp_path / "state"),
            str(ROOT / "apps" / "sctp_monitor.py"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    # Apps may log while starting; the error is one line, with no traceback.
    assert proc.stderr.strip().splitlines()[-1] == (
        f"ctrlapp-manager: error: --replay: {bad}: neither a pcap nor a pcapng file"
    )
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "ctrlapp", "--replay-report"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2 and "--replay-report needs --replay FILE" in proc.stderr


# -- the reader --------------------------------------------------------------------------------


def _pcapng(frames, linktype=1, big_endian=False, tsresol=None):
    """A pcapng file: section header, one interface, one enhanced packet block per frame."""
    o = ">" if big_endian else "<"

    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack(o + "II", btype, n) + body + struct.pack(o + "I", n)

    out = block(0x0A0D0D0A, struct.pack(o + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    opts = b""
    if tsresol is not None:
        opts = struct.pack(o + "HH", 9, 1) + bytes([tsresol]) + b"\0\0\0" + b"\0" * 4
    out += block(1, struct.pack(o + "HHI", linktype, 0, 65535) + opts)
    out += block(0x00000BAD, b"custom block the reader skips")
    unit = 10 ** (tsresol or 6)
    for i, f in enumerate(frames):
        ts = (1_700_000_000 + i) * unit + 250
        out += block(6, struct.pack(o + "IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f)
    return out


def _sll(frame):
    """Linux cooked v1 header for the frame's payload (source MAC, its EtherType)."""
    return struct.pack("!HHH8s", 0, 1, 6, frame[6:12] + b"\0\0") + frame[12:]


def _sll2(frame):
    return (
        struct.pack("!HHIHBB8s", frame[12] << 8 | frame[13], 0, 3, 1, 4, 6, frame[6:12] + b"\0\0")
        + frame[14:]
    )


FRAMES = Conversation().handshake()


def test_pcap_both_byte_orders_and_nanoseconds(tmp_path):
    path = tmp_path / "le.pcap"
    write_pcap(path, FRAMES)
    assert pcap.read_frames(path) == [(float(i), f) for i, f in enumerate(FRAMES)]
    data = path.read_bytes()
    # The same file big-endian with the nanosecond magic.
    hdr = struct.unpack("<IHHiIII", data[:24])
    be = [struct.pack(">IHHiIII", 0xA1B23C4D, *hdr[1:])]
    off = 24
    while off < len(data):
        sec, frac, cap, wire = struct.unpack_from("<IIII", data, off)
        be.append(struct.pack(">IIII", sec, 500_000_000, cap, wire))
        be.append(data[off + 16 : off + 16 + cap])
        off += 16 + cap
    path.write_bytes(b"".join(be))
    assert pcap.read_frames(path) == [(i + 0.5, f) for i, f in enumerate(FRAMES)]


def test_shared_testdata_captures():
    cap = pcap.Capture(TESTDATA / "pcap/big_endian.pcap")
    frames = list(cap)
    other = list(pcap.Capture(TESTDATA / "pcap/little_endian.pcap"))
    # Two records, written once in each byte order.
    assert frames == other == [(4660.022136, b"test_data_1"), (9029.026505, b"test_data_2")]
    assert cap.linktypes == {1}


@pytest.mark.parametrize("big_endian", [False, True])
def test_pcapng(tmp_path, big_endian):
    path = tmp_path / "x.pcapng"
    path.write_bytes(_pcapng(FRAMES, big_endian=big_endian))
    got = pcap.read_frames(path)
    assert [f for _, f in got] == FRAMES
    assert [t for t, _ in got] == [1_700_000_000 + i + 0.00025 for i in range(len(FRAMES))]
    path.write_bytes(_pcapng(FRAMES, tsresol=9))
    assert pcap.read_frames(path)[1][0] == pytest.approx(1_700_000_001 + 250e-9)


@pytest.mark.parametrize(("linktype", "wrap"), [(113, _sll), (276, _sll2)])
def test_linux_cooked_captures_become_ethernet(tmp_path, linktype, wrap):
    path = tmp_path / "cooked.pcap"
    write_pcap(path, [wrap(f) for f in FRAMES], linktype=linktype)
    got = [f for _, f in pcap.read_frames(path)]
    # Destination MAC unknown in a cooked capture: zero; the rest is the original frame.
    assert got == [b"\0" * 6 + f[6:] for f in FRAMES]
    if TSHARK is not None:
        # tshark agrees the cooked file holds the SCTP packets the header says.
        out = subprocess.run(
            [TSHARK, "-r", str(path), "-T", "fields", "-e", "sctp.srcport"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.split()
        assert out == ["5000", "36412", "5000", "36412"]


def test_unknown_link_type_skipped_and_damage_reported(tmp_path):
    path = tmp_path / "raw.pcap"
    write_pcap(path, FRAMES, linktype=101)
    cap = pcap.Capture(path)
    assert list(cap) == [] and cap.skipped == 4 and cap.linktypes == {101}
    write_pcap(path, FRAMES)
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(pcap.CaptureError, match="runs past the end"):
        pcap.read_frames(path)
    path.write_bytes(_pcapng(FRAMES)[:-5])
    with pytest.raises(pcap.CaptureError, match="bad length"):
        pcap.read_frames(path)


def test_other_apps_get_replayed_packet_ins(tmp_path):
    """The example hub floods each replayed frame: PACKET_INs through the normal queues."""
    from ctrlapp.base import app_manager
    from ctrlapp.controller import replay as replay_mod

    capture = tmp_path / "x.pcap"
    write_pcap(capture, FRAMES + [b"\x01" * 60])
    m = app_manager.AppManager(app_settings={}, state_dir=tmp_path)
    m.load_apps([str(ROOT / "apps" / "example_hub.py")])
    m.instantiate_apps()
    m.start_apps()
    try:
        result = replay_mod.replay(m, capture, dpid=9)
        hub_app = next(iter(m.applications.values()))
        assert (result.frames, result.skipped, result.first, result.last) == (5, 0, 0.0, 4.0)
        assert hub_app.packets == 5
    finally:
        m.close()
