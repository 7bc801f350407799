"""A datapath stand-in that names an OpenFlow version's constants and parser modules.

``ProtocolDesc(version).ofproto`` / ``.ofproto_parser`` are what a real
``Datapath`` offers, so tools and tests can build messages
(``dp.ofproto_parser.OFPFlowMod(dp, ...)``) without a switch.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ctrlapp.ofproto.ofproto_common import OFP_VERSION_1_0, OFP_VERSION_1_3

_VERSIONS = {
    OFP_VERSION_1_0: ("ctrlapp.ofproto.ofproto_v1_0", "ctrlapp.ofproto.ofproto_v1_0_parser"),
    OFP_VERSION_1_3: ("ctrlapp.ofproto.ofproto_v1_3", "ctrlapp.ofproto.ofproto_v1_3_parser"),
}


def supported_versions() -> list[int]:
    """Wire versions this library has constants and parsers for."""
    return sorted(_VERSIONS)


class ProtocolDesc:
    """OpenFlow version description: ``ofproto`` and ``ofproto_parser`` modules of a version."""

    def __init__(self, version: int | None = None) -> None:
        if version is None:
            version = max(_VERSIONS)
        self.set_version(version)

    def set_version(self, version: int) -> None:
        if version not in _VERSIONS:
            raise ValueError(f"unsupported OpenFlow version {version:#x}")
        names = _VERSIONS[version]
        self._ofproto: ModuleType = importlib.import_module(names[0])
        self._ofproto_parser: ModuleType = importlib.import_module(names[1])

    @property
    def ofproto(self) -> ModuleType:
        return self._ofproto

    @property
    def ofproto_parser(self) -> ModuleType:
        return self._ofproto_parser

    def supports(self, version: int) -> bool:
        return self._ofproto.OFP_VERSION == version
