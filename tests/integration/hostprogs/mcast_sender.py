"""Send numbered UDP datagrams to a multicast group out of one interface.

Run inside a Mininet host with the system python3:
``mcast_sender.py GROUP PORT IFADDR COUNT TAG``; TTL 4 so the datagrams may
cross routers (snooping switches must not depend on TTL 1).
"""

import socket
import sys
import time

group, port, ifaddr, count, tag = (
    sys.argv[1],
    int(sys.argv[2]),
    sys.argv[3],
    int(sys.argv[4]),
    sys.argv[5],
)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ifaddr))
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 4)
for i in range(count):
    sock.sendto(f"{tag}-{i}".encode(), (group, port))
    time.sleep(0.01)
print("sent", count, flush=True)
