"""Sans-IO DHCPv4 server engine (RFC 2131/2132): pools, leases, snooping."""
