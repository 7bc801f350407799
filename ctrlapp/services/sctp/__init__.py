"""Sans-IO SCTP association monitor engine (RFC 9260): the tracker and its wire reader."""
