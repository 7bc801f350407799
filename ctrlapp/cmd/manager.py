"""``ctrlapp-manager``: load apps, listen for switches, run until SIGINT/SIGTERM.

Configuration comes from (highest first) the command line, the ``[ctrlapp]``
section of the ``--config`` TOML file, and the defaults below.  Each app gets
its own ``[apps.<name>]`` section (``<name>``: the app's file stem or last
module component) as ``self.settings``.  ``etc/ctrlapp.toml`` is a commented
sample covering every option.

After the apps start, the manager opens the OpenFlow listener(s), the REST
API (:class:`ctrlapp.rest.service.RestService`) and msgpack-RPC
(:class:`ctrlapp.rpc.service.RpcService`) unless ``--no-rest``/``--no-rpc``;
the banner says where each listens.

Offline analysis: ``--replay FILE`` feeds a pcap/pcapng capture to the apps
as PACKET_INs (:mod:`ctrlapp.controller.replay`) once they have started;
with ``--replay-report`` nothing listens (no switches, REST or RPC), and
after the replay the manager prints one JSON object, ``{app name: report}``
for every app with a ``replay_report()`` method, and exits.

Every user mistake (bad option, unknown app, app with a syntax error, bad
configuration value) ends with one line on stderr naming the problem and exit
status 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import tomllib
from pathlib import Path
from typing import Any

import ctrlapp
from ctrlapp.exception import AppLoadError, ConfigError, CtrlappError

APPS_DIR = Path(__file__).resolve().parent.parent.parent / "apps"

DEFAULT_APPS: tuple[str, ...] = (
    "l2_switch.py",
    "arp_responder.py",
    "dhcp_server.py",
    "igmp_snooping.py",
    "sctp_monitor.py",
)
"""Apps run when none is named on the command line (file names in the ``apps/`` directory)."""

EXIT_USAGE = 2

EXAMPLES = """\
examples:
  ctrlapp-manager                              run the default apps on TCP 6653
  ctrlapp-manager apps/example_hub.py          run one app file
  ctrlapp-manager my_pkg.my_app other_app.py   apps by module name or path
  ctrlapp-manager --ofp-tcp-listen-port 6633 --config etc/ctrlapp.toml
  ctrlapp-manager --replay capture.pcap --replay-report apps/sctp_monitor.py
  ctrlapp-manager --ofp-ssl-listen-port 6653 --ofp-tcp-listen-port 0 \\
      --ctl-privkey ctl.key --ctl-cert ctl.crt --ca-certs switches-ca.crt
"""


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(text)
    return value


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(text)
    return value


_port.__name__ = "port number"
_positive.__name__ = "positive number"

# name in [ctrlapp] -> (converter for the config value, default)
OPTIONS: dict[str, tuple[Any, Any]] = {
    "apps": (list, None),
    "ofp_listen_host": (str, "0.0.0.0"),
    "ofp_tcp_listen_port": (_port, 6653),
    "ofp_ssl_listen_port": (_port, None),
    "ctl_privkey": (str, None),
    "ctl_cert": (str, None),
    "ca_certs": (str, None),
    "rest_host": (str, "127.0.0.1"),
    "rest_port": (_port, 8080),
    "rpc_port": (_port, 50002),
    "no_rest": (bool, False),
    "no_rpc": (bool, False),
    "echo_interval": (_positive, 5.0),
    "dead_timeout": (_positive, 15.0),
    "handshake_timeout": (_positive, 10.0),
    "send_queue_max": (int, 4096),
    "inflight_max": (int, 512),
    "state_dir": (str, None),
    "log_level": (str, "info"),
    "log_format": (str, "text"),
}
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_FORMATS = ("text", "json")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        raise ConfigError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="ctrlapp-manager",
        description="Run SDN controller apps: OpenFlow 1.0/1.3 switches connect, apps handle events.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=None,
    )
    p.add_argument(
        "apps", nargs="*", help="app module names or .py files (default: the shipped apps)"
    )
    p.add_argument("--version", action="version", version=f"ctrlapp {ctrlapp.__version__}")
    p.add_argument("--config", metavar="FILE", help="TOML configuration file")
    g = p.add_argument_group("OpenFlow listener")
    g.add_argument("--ofp-listen-host", metavar="HOST", help="address to listen on (0.0.0.0)")
    g.add_argument(
        "--ofp-tcp-listen-port",
        type=_port,
        metavar="PORT",
        help="TCP port (6653; 6633 for old switches)",
    )
    g.add_argument(
        "--ofp-ssl-listen-port", type=_port, metavar="PORT", help="TLS port (off unless given)"
    )
    g.add_argument("--ctl-privkey", metavar="FILE", help="controller private key (PEM) for TLS")
    g.add_argument("--ctl-cert", metavar="FILE", help="controller certificate (PEM) for TLS")
    g.add_argument("--ca-certs", metavar="FILE", help="CA certificates switches must be signed by")
    g.add_argument(
        "--echo-interval", type=_positive, metavar="SEC", help="probe a quiet switch after SEC (5)"
    )
    g.add_argument(
        "--dead-timeout", type=_positive, metavar="SEC", help="drop a switch silent for SEC (15)"
    )
    g.add_argument(
        "--handshake-timeout",
        type=_positive,
        metavar="SEC",
        help="time to finish the handshake (10)",
    )
    g = p.add_argument_group("REST and RPC")
    g.add_argument("--rest-host", metavar="HOST", help="REST API address (127.0.0.1)")
    g.add_argument("--rest-port", type=_port, metavar="PORT", help="REST API port (8080)")
    g.add_argument("--rpc-port", type=_port, metavar="PORT", help="msgpack-RPC port (50002)")
    g.add_argument("--no-rest", action="store_const", const=True, help="do not start the REST API")
    g.add_argument("--no-rpc", action="store_const", const=True, help="do not start msgpack-RPC")
    g = p.add_argument_group("offline replay")
    g.add_argument(
        "--replay",
        metavar="FILE",
        help="feed the frames of a pcap/pcapng capture to the apps as PACKET_INs",
    )
    g.add_argument(
        "--replay-report",
        action="store_true",
        default=False,
        help="with --replay: listen for nothing, print the apps' reports as JSON and exit",
    )
    g = p.add_argument_group("state and logging")
    g.add_argument(
        "--state-dir", metavar="DIR", help="app state directory ($XDG_STATE_HOME/ctrlapp)"
    )
    g.add_argument("--log-level", choices=LOG_LEVELS, help="log level (info)")
    g.add_argument("--log-format", choices=LOG_FORMATS, help="text or json lines (text)")
    return p


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "ctrlapp"


def read_config(path: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return the validated ``[ctrlapp]`` options and the per-app sections of a TOML file."""
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    unknown_sections = set(doc) - {"ctrlapp", "apps"}
    if unknown_sections:
        raise ConfigError(
            f"config file {path}: unknown section [{sorted(unknown_sections)[0]}] "
            "(expected [ctrlapp] and [apps.<name>])"
        )
    options: dict[str, Any] = {}
    for key, value in doc.get("ctrlapp", {}).items():
        if key not in OPTIONS:
            raise ConfigError(f"config file {path}: unknown option {key!r} in [ctrlapp]")
        convert = OPTIONS[key][0]
        try:
            if convert is bool and not isinstance(value, bool):
                raise ValueError
            if convert is list and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                raise ValueError
            options[key] = convert(str(value)) if convert in (_port, _positive) else convert(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"config file {path}: [ctrlapp] {key} = {value!r} is not a valid "
                f"{getattr(convert, '__name__', 'value')}"
            ) from None
    if options.get("log_level") and options["log_level"] not in LOG_LEVELS:
        raise ConfigError(f"config file {path}: log_level must be one of {', '.join(LOG_LEVELS)}")
    if options.get("log_format") and options["log_format"] not in LOG_FORMATS:
        raise ConfigError(f"config file {path}: log_format must be text or json")
    apps = doc.get("apps", {})
    for name, section in apps.items():
        if not isinstance(section, dict):
            raise ConfigError(f"config file {path}: apps.{name} must be a table [apps.{name}]")
    return options, apps


def _check_capture(path: str) -> None:
    """Refuse an unreadable or non-capture --replay file before any app starts."""
    from ctrlapp.lib.pcap import Capture, CaptureError

    try:
        next(iter(Capture(path)), None)
    except CaptureError as exc:
        raise ConfigError(f"--replay: {exc}") from None


def resolve_options(argv: list[str] | None) -> tuple[argparse.Namespace, dict[str, dict]]:
    """Merge command line, config file and defaults into one namespace."""
    args = build_parser().parse_args(argv)
    file_options: dict[str, Any] = {}
    app_sections: dict[str, dict] = {}
    if args.config:
        file_options, app_sections = read_config(args.config)
    for key, (_convert, default) in OPTIONS.items():
        if key == "apps":
            continue
        if getattr(args, key, None) is None:
            setattr(args, key, file_options.get(key, default))
    if not args.apps:
        args.apps = file_options.get("apps") or [str(APPS_DIR / name) for name in DEFAULT_APPS]
    if args.ofp_ssl_listen_port is not None and not (args.ctl_privkey and args.ctl_cert):
        raise ConfigError("--ofp-ssl-listen-port needs --ctl-privkey and --ctl-cert")
    for option in ("ctl_privkey", "ctl_cert", "ca_certs"):
        value = getattr(args, option)
        if value and not Path(value).is_file():
            raise ConfigError(f"--{option.replace('_', '-')}: file {value} not found")
    if args.replay_report and not args.replay:
        raise ConfigError("--replay-report needs --replay FILE")
    if args.replay and not Path(args.replay).is_file():
        raise ConfigError(f"--replay: file {args.replay} not found")
    if args.replay:
        _check_capture(args.replay)
    args.state_dir = Path(args.state_dir) if args.state_dir else default_state_dir()
    return args, app_sections


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the traceback if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def setup_logging(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


class Runtime:
    """Everything one manager process runs; ``start()`` returns, ``stop()`` shuts down cleanly."""

    def __init__(self, args: argparse.Namespace, app_sections: dict[str, dict]) -> None:
        from ctrlapp.base.app_manager import AppManager
        from ctrlapp.controller.controller import ControllerConfig, OpenFlowController

        self.args = args
        self.manager = AppManager(app_settings=app_sections, state_dir=args.state_dir)
        self.manager.load_apps(args.apps)
        config = ControllerConfig(
            listen_host=args.ofp_listen_host,
            tcp_port=args.ofp_tcp_listen_port,
            ssl_port=args.ofp_ssl_listen_port,
            ssl_certfile=args.ctl_cert,
            ssl_keyfile=args.ctl_privkey,
            ssl_ca_certs=args.ca_certs,
            echo_interval=args.echo_interval,
            dead_timeout=args.dead_timeout,
            handshake_timeout=args.handshake_timeout,
            send_queue_max=args.send_queue_max,
            inflight_max=args.inflight_max,
        )
        self.controller = OpenFlowController(self.manager, config)
        self.services: list[tuple[str, Any]] = []

    def start(self, listen: bool = True) -> None:
        """Start the apps, then (``listen``) the OpenFlow listener, REST and RPC."""
        try:
            self.args.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"state directory {self.args.state_dir}: {exc.strerror}") from None
        self.manager.instantiate_apps()
        self.manager.start_apps()
        if not listen:
            return
        try:
            self.controller.start()
        except OSError as exc:
            raise ConfigError(f"cannot listen for switches: {exc.strerror or exc}") from None
        from ctrlapp.rest.service import RestService
        from ctrlapp.rpc.service import RpcService

        wanted = []
        if not self.args.no_rest:
            wanted.append(("REST", RestService, self.args.rest_port))
        if not self.args.no_rpc:
            wanted.append(("RPC", RpcService, self.args.rpc_port))
        for label, cls, port in wanted:
            service = cls(self.manager, self.args.rest_host, port)
            try:
                service.start()
            except OSError as exc:
                raise ConfigError(
                    f"cannot listen for {label} on {self.args.rest_host}:{port}: "
                    f"{exc.strerror or exc}"
                ) from None
            self.services.append((label, service))

    def banner(self) -> str:
        parts = [f"ctrlapp {ctrlapp.__version__}"]
        tcp, tls = self.controller.tcp_address, self.controller.ssl_address
        parts.append(f"OpenFlow TCP {tcp[0]}:{tcp[1]}" if tcp else "OpenFlow TCP off")
        parts.append(f"TLS {tls[0]}:{tls[1]}" if tls else "TLS off")
        for label, service in self.services:
            addr = getattr(service, "address", None)
            parts.append(f"{label} {addr[0]}:{addr[1]}" if addr else f"{label} on")
        versions = ", ".join(f"{v:#x}" for v in sorted(self.controller.versions))
        parts.append(f"OpenFlow versions {versions}")
        parts.append(f"apps: {', '.join(self.manager.applications) or 'none'}")
        return "; ".join(parts)

    def stop(self) -> None:
        for _label, service in self.services:
            stop = getattr(service, "stop", None)
            if callable(stop):
                stop()
        self.controller.stop()
        self.manager.drain()
        self.manager.close()


def _replay(runtime: Runtime, path: str, report: bool) -> int | None:
    """Replay ``path``; with ``report`` print the apps' reports, stop and return the status."""
    from ctrlapp.controller.replay import replay
    from ctrlapp.lib.pcap import CaptureError

    log = logging.getLogger(__name__)
    try:
        result = replay(runtime.manager, path)
    except CaptureError as exc:
        print(f"ctrlapp-manager: error: --replay: {exc}", file=sys.stderr)
        runtime.stop()
        return EXIT_USAGE
    log.info(
        "replayed %d frames of %s (%d of link types other than Ethernet/Linux cooked skipped)",
        result.frames,
        path,
        result.skipped,
    )
    if not report:
        return None
    out = {}
    for name, app in runtime.manager.applications.items():
        make = getattr(app, "replay_report", None)
        if callable(make):
            out[name] = make()
    print(json.dumps(out, indent=2, sort_keys=True), flush=True)
    runtime.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``ctrlapp-manager`` and ``python -m ctrlapp``."""
    try:
        args, app_sections = resolve_options(argv)
        setup_logging(args.log_level, args.log_format)
        from ctrlapp.lib import hub

        hub.patch()
        runtime = Runtime(args, app_sections)
        runtime.start(listen=not args.replay_report)
    except (ConfigError, AppLoadError, CtrlappError) as exc:
        print(f"ctrlapp-manager: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.replay:
        status = _replay(runtime, args.replay, args.replay_report)
        if status is not None:
            return status
    print(runtime.banner(), flush=True)

    stopping = []

    def request_stop(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    # Signal handlers only record the request; the shutdown itself runs here, on the
    # loop, where it may wait for apps to drain their queues.
    from ctrlapp.lib import hub

    while not stopping:
        hub.sleep(0.2)
    logging.getLogger(__name__).info("signal %d: shutting down", stopping[0])
    runtime.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
