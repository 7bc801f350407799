"""etc/ctrlapp.toml's [apps.dhcp_server] section: valid as shipped and with every example enabled."""

import re
import tomllib
from pathlib import Path

from ctrlapp.services.dhcp.config import ServerConfig

SAMPLE = Path(__file__).parents[4] / "etc" / "ctrlapp.toml"
# A commented-out setting: "# key = value", a table header, or a line of a
# multi-line array ("#     { ... },", "# ]").
SETTING = re.compile(r"^# (?=[a-z_]+ = |\[|    \{|\])")


def _section():
    text = SAMPLE.read_text()
    start = text.index("[apps.dhcp_server]")
    end = text.find("\n[apps.", start + 1)
    while end != -1 and text[end + 1 :].startswith("[apps.dhcp_server"):
        end = text.find("\n[apps.", end + 1)
    return text[start : end if end != -1 else len(text)]


def test_shipped_section_gives_the_default_lab_pool():
    cfg = ServerConfig(tomllib.loads(SAMPLE.read_text())["apps"]["dhcp_server"])
    [pool] = cfg.pools
    assert (str(pool.network), pool.server_ip, pool.size()) == ("10.0.0.0/24", "10.0.0.254", 100)


def test_every_documented_setting_is_accepted_when_uncommented():
    lines = [SETTING.sub("", line) for line in _section().splitlines()]
    enabled = "\n".join(line for line in lines if not line.startswith("#"))
    cfg = ServerConfig(tomllib.loads(enabled)["apps"]["dhcp_server"])
    [pool] = cfg.pools
    assert pool.name == "lab" and pool.vlans == {10} and pool.ports == {(1, 3)}
    assert cfg.trusted_ports == {(1, 4)}
    assert (cfg.mac_burst, cfg.mac_per_second, cfg.port_burst, cfg.port_per_second) == (
        20,
        1.0,
        200,
        20.0,
    )
    assert cfg.max_leases_per_port == 256 and len(pool.reservations) == 2
