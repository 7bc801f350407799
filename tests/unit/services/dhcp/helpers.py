"""Client messages for the engine tests, built the way real clients build them."""

from ctrlapp.lib.packet import dhcp
from ctrlapp.services.dhcp.server import Origin

MAC1 = "00:00:00:00:00:01"
MAC2 = "00:00:00:00:00:02"
SERVER = "10.0.0.254"


def client_msg(
    mtype,
    mac=MAC1,
    xid=0x1234,
    ciaddr="0.0.0.0",
    giaddr="0.0.0.0",
    flags=0,
    requested=None,
    server_id=None,
    client_id=None,
    prl=None,
    lease_time=None,
    hostname=None,
):
    opts = [dhcp.option(dhcp.DHCP_MESSAGE_TYPE_OPT, bytes((mtype,)))]
    if client_id is not None:
        opts.append(dhcp.option(dhcp.DHCP_CLIENT_IDENTIFIER_OPT, client_id))
    if requested is not None:
        opts.append(dhcp.option.from_value(dhcp.DHCP_REQUESTED_IP_ADDR_OPT, requested))
    if server_id is not None:
        opts.append(dhcp.option.from_value(dhcp.DHCP_SERVER_IDENTIFIER_OPT, server_id))
    if lease_time is not None:
        opts.append(dhcp.option.from_value(dhcp.DHCP_IP_ADDR_LEASE_TIME_OPT, lease_time))
    if hostname is not None:
        opts.append(dhcp.option.from_value(dhcp.DHCP_HOST_NAME_OPT, hostname))
    if prl is not None:
        opts.append(dhcp.option(dhcp.DHCP_PARAMETER_REQUEST_LIST_OPT, bytes(prl)))
    msg = dhcp.dhcp(
        op=dhcp.DHCP_BOOT_REQUEST,
        chaddr=mac,
        xid=xid,
        flags=flags,
        ciaddr=ciaddr,
        giaddr=giaddr,
        options=dhcp.options(opts),
    )
    # Through the wire format and back, as the app hands messages to the engine.
    return dhcp.dhcp.parser(msg.serialize())[0]


def origin(port=1, dpid=1, mac=MAC1, vlan=None, ip_src="0.0.0.0", ip_dst="255.255.255.255"):
    return Origin(dpid, port, mac, vlan, ip_src, ip_dst)


def opts_of(reply):
    """tag -> raw value of every option of a reply, after a trip through the wire format."""
    msg = dhcp.dhcp.parser(reply.msg.serialize())[0]
    return {o.tag: bytes(o.value) for o in msg.options.option_list if isinstance(o, dhcp.option)}
