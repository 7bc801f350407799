"""ofproto package."""
