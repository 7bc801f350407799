"""Path/query parameter parsing: bad values are 400 answers naming the parameter."""

import pytest
from webob import Request

from ctrlapp.rest.errors import RestError
from ctrlapp.rest.params import parse_dpid, parse_ip, parse_ipv4, parse_mac, query_int


def test_dpid_forms():
    assert parse_dpid("0000000000000001") == 1
    assert parse_dpid("00000000000000ff") == 255
    assert parse_dpid("0x1f") == 31
    assert parse_dpid("42") == 42
    for bad in ("zz", "0x", "-1", "99999999999999999999"):
        with pytest.raises(RestError) as e:
            parse_dpid(bad)
        assert e.value.status == 400


def test_addresses():
    assert parse_ipv4("10.0.0.1") == "10.0.0.1"
    assert parse_ip("2001:DB8::1") == "2001:db8::1"
    assert parse_mac("02-00-00-00-00-0A") == "02:00:00:00:00:0a"
    for fn, bad in (
        (parse_ipv4, "10.0.0.256"),
        (parse_ipv4, 5),
        (parse_ip, "x"),
        (parse_mac, "02:00"),
        (parse_mac, None),
    ):
        with pytest.raises(RestError) as e:
            fn(bad)
        assert e.value.status == 400


def test_query_int():
    req = Request.blank("/?limit=10&bad=x&big=999")
    assert query_int(req, "limit", 5) == 10
    assert query_int(req, "missing", 5) == 5
    with pytest.raises(RestError):
        query_int(req, "bad", 5)
    with pytest.raises(RestError):
        query_int(req, "big", 5, hi=100)
