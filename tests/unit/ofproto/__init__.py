"""OpenFlow wire-format tests."""
