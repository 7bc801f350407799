"""Join a multicast group on one interface and print one line per datagram received.

Run inside a Mininet host with the system python3:
``mcast_receiver.py GROUP PORT IFADDR``.  A line "leave" on stdin drops the
membership (the kernel sends the IGMP leave / state-change report) and it goes on
counting, so a test can show that traffic stops.
"""

import socket
import struct
import sys
import threading

group, port, ifaddr = sys.argv[1], int(sys.argv[2]), sys.argv[3]
mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(ifaddr))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind((group, port))
sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
print("joined", flush=True)


def commands() -> None:
    for line in sys.stdin:
        if line.strip() == "leave":
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq)
            print("left", flush=True)


threading.Thread(target=commands, daemon=True).start()
while True:
    data, src = sock.recvfrom(2048)
    print("got", src[0], data.decode(errors="replace"), flush=True)
