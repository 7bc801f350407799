"""ctrlapp-manager: options, config file, clear one-line errors, and a real end-to-end run."""

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ctrlapp.cmd import manager
from ctrlapp.exception import ConfigError

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[3]
SAMPLE_CONFIG = ROOT / "etc" / "ctrlapp.toml"

RYU_STYLE_APP = textwrap.dedent(
    """
    from ctrlapp.base import app_manager
    from ctrlapp.controller import ofp_event
    from ctrlapp.controller.handler import MAIN_DISPATCHER, set_ev_cls
    from ctrlapp.ofproto import ofproto_v1_3


    class Reflector(app_manager.RyuApp):
        OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.out_port = self.settings.get("out_port", 1)

        @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
        def packet_in_handler(self, ev):
            msg = ev.msg
            dp = msg.datapath
            parser = dp.ofproto_parser
            actions = [parser.OFPActionOutput(self.out_port)]
            dp.send_msg(parser.OFPPacketOut(datapath=dp, buffer_id=msg.buffer_id,
                                            in_port=msg.match["in_port"], actions=actions,
                                            data=msg.data))

        def close(self):
            (self.state_dir / "closed").write_text("bye")
    """
)


def run_cli(*args, env=None, timeout=30):
    return subprocess.run(
        [sys.executable, "-m", "ctrlapp", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def one_line_error(proc, *needles):
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("ctrlapp-manager: error: ")
    for needle in needles:
        assert needle in lines[0]
    assert "Traceback" not in proc.stderr


def test_version_and_help():
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == "ctrlapp 0.1.0"
    proc = run_cli("--help")
    assert proc.returncode == 0
    for text in (
        "--ofp-tcp-listen-port",
        "--ctl-privkey",
        "--rest-port",
        "--rpc-port",
        "--config",
        "--state-dir",
        "--log-format",
        "examples:",
    ):
        assert text in proc.stdout


def test_user_errors_are_one_line(tmp_path):
    one_line_error(run_cli("--ofp-tcp-listen-port", "70000"), "--ofp-tcp-listen-port")
    one_line_error(run_cli("--log-level", "loud"), "--log-level")
    one_line_error(run_cli("no_such_module_xyz"), "no_such_module_xyz", "not found")
    broken = tmp_path / "broken_app.py"
    broken.write_text("class X(:\n    pass\n")
    one_line_error(run_cli(str(broken)), "broken_app.py:1", "syntax error")
    bad_cfg = tmp_path / "bad.toml"
    bad_cfg.write_text("[ctrlapp]\nofp_tcp_listen_port = 'many'\n")
    one_line_error(run_cli("--config", str(bad_cfg)), "ofp_tcp_listen_port", "'many'")
    one_line_error(run_cli("--ofp-ssl-listen-port", "6653"), "--ctl-privkey")


def test_config_merging(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        textwrap.dedent(
            """
            [ctrlapp]
            ofp_tcp_listen_port = 6633
            echo_interval = 2.5
            log_format = "json"
            apps = ["apps/example_hub.py"]

            [apps.example_hub]
            greeting = "hi"
            """
        )
    )
    args, sections = manager.resolve_options(["--config", str(cfg), "--echo-interval", "1"])
    assert args.ofp_tcp_listen_port == 6633 and args.echo_interval == 1.0
    assert args.log_format == "json" and args.apps == ["apps/example_hub.py"]
    assert sections == {"example_hub": {"greeting": "hi"}}
    assert args.rest_host == "127.0.0.1" and args.rest_port == 8080
    for text, needle in [
        ("[ctrlapp]\nbogus = 1\n", "unknown option 'bogus'"),
        ("[elsewhere]\n", "unknown section [elsewhere]"),
        ("[ctrlapp]\necho_interval = -1\n", "echo_interval = -1"),
        ("[ctrlapp\n", "c.toml"),
    ]:
        cfg.write_text(text)
        with pytest.raises(ConfigError, match=re.escape(needle)):
            manager.resolve_options(["--config", str(cfg)])


def test_sample_config_is_valid_and_complete():
    options, sections = manager.read_config(str(SAMPLE_CONFIG))
    text = SAMPLE_CONFIG.read_text()
    for key in manager.OPTIONS:
        assert re.search(rf"^#? ?{key} = ", text, re.M), f"{key} missing from etc/ctrlapp.toml"
    assert isinstance(sections, dict)


def test_default_state_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert manager.default_state_dir() == tmp_path / "ctrlapp"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert manager.default_state_dir() == Path.home() / ".local" / "state" / "ctrlapp"


def test_end_to_end_subprocess(tmp_path):
    """A Ryu-style app file run by the real CLI handles an emulated switch, then SIGTERM."""
    app = tmp_path / "reflector.py"
    app.write_text(RYU_STYLE_APP)
    cfg = tmp_path / "ctrlapp.toml"
    cfg.write_text("[apps.reflector]\nout_port = 3\n")
    state = tmp_path / "state"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ctrlapp",
            str(app),
            "--config",
            str(cfg),
            "--ofp-listen-host",
            "127.0.0.1",
            "--ofp-tcp-listen-port",
            "0",
            "--no-rest",
            "--no-rpc",
            "--state-dir",
            str(state),
            "--log-format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        banner = proc.stdout.readline()
        m = re.search(r"OpenFlow TCP 127\.0\.0\.1:(\d+)", banner)
        assert m, banner
        assert "apps: Reflector" in banner and "OpenFlow versions 0x4" in banner
        port = int(m.group(1))
        result = subprocess.run(
            [sys.executable, "-c", EMULATOR_CLIENT, str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["3", "60"]  # PACKET_OUT to port 3 with the 60-byte frame
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert '"message": "signal 15: shutting down"' in err
    assert (state / "reflector" / "closed").read_text() == "bye"


EMULATOR_CLIENT = textwrap.dedent(
    """
    import sys
    from ctrlapp.testing.switch_emulator import SwitchEmulator
    frame = bytes.fromhex("ffffffffffff00112233445508060001080006040001"
                          "0011223344550a000001000000000000" "0a000002") + bytes(18)
    sw = SwitchEmulator(("127.0.0.1", int(sys.argv[1])), dpid=0x42, version=4).start()
    assert sw.wait_ready(10), "handshake did not finish"
    sw.packet_in(frame, in_port=2)
    (out,) = sw.wait_packet_outs(1, timeout=10)
    print(out.actions[0].port, len(out.data))
    """
)


def test_banner_lists_listeners(tmp_path):
    """REST and RPC start on the host and ports given."""
    args, sections = manager.resolve_options(
        ["apps/example_hub.py", "--ofp-listen-host", "127.0.0.1", "--ofp-tcp-listen-port", "0",
         "--rest-port", "0", "--rpc-port", "0", "--state-dir", str(tmp_path)]
    )  # fmt: skip
    rt = manager.Runtime(args, sections)
    rt.start()
    try:
        banner = rt.banner()
        labels = [label for label, _service in rt.services]
    finally:
        rt.stop()
    assert re.match(r"ctrlapp 0\.1\.0; OpenFlow TCP 127\.0\.0\.1:\d+; TLS off; ", banner)
    assert labels == ["REST", "RPC"]
    assert re.search(r"; REST 127\.0\.0\.1:\d+; RPC 127\.0\.0\.1:\d+; ", banner)
    assert banner.endswith("OpenFlow versions 0x1, 0x4; apps: ExampleHub")
