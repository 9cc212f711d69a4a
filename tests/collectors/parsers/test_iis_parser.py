"""IIS W3C parser on the real Tunna webshell log (header state, UTC times, raw query kept)."""

from __future__ import annotations

from collections import Counter

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError


def test_tunna_webshell_log(shared_data):
    lines = (shared_data / "web" / "iis_w3c_tunna_webshell.log").read_text(errors="backslashreplace").splitlines()
    parser, ctx = get_parser("iis"), ParseContext()
    events = [e for e in (parser.parse(ln, ctx) for ln in lines) if e is not None]
    assert len(events) == sum(1 for ln in lines if ln.strip() and not ln.startswith("#")) == 4298
    first = events[0]
    assert first["@timestamp"] == "2019-09-03T10:13:36.000Z"  # W3C times are UTC, not the local zone
    assert (first["source.ip"], first["destination.ip"], first["destination.port"]) == ("10.0.2.17", "10.0.2.15", 80)
    assert (first["http.request.method"], first["url.path"], first["url.query"]) == (
        "GET", "/erp/conn.aspx", "proxy&port=3389&ip=127.0.0.1")
    assert first["url.original"] == "/erp/conn.aspx?proxy&port=3389&ip=127.0.0.1"
    assert Counter(e.get("url.query") for e in events)["proxy"] == 4295  # the tunnel's polls
    assert detect_format(lines[:40]) == "iis"


def test_iis_record_before_header_and_bad_columns():
    parser = get_parser("iis")
    with pytest.raises(ParseError, match="before its #Fields"):
        parser.parse("2019-09-03 10:13:36 10.0.2.15 GET /a - 80 - 10.0.2.17 - - 200 0 0 7", ParseContext())
    ctx = ParseContext()
    assert parser.parse("#Fields: date time c-ip cs-method cs-uri-stem sc-status", ctx) is None
    ev = parser.parse("2019-09-03 10:13:36 10.0.2.17 POST /x.aspx 500", ctx)
    assert (ev["http.response.status_code"], ev["event.outcome"]) == (500, "failure")
    with pytest.raises(ParseError, match="columns"):
        parser.parse("2019-09-03 10:13:36 10.0.2.17", ctx)


@pytest.mark.parametrize("stamp", ["2019-09-03 010:13:36", "2019-09-03 10-13-36", "2019/09/03 10:13:36",
                                   "2019-09-03 10:13:٣٦"])
def test_malformed_date_or_time_is_a_dead_letter(stamp):
    ctx = ParseContext()
    parser = get_parser("iis")
    parser.parse("#Fields: date time c-ip", ctx)
    with pytest.raises(ParseError, match="bad IIS date/time"):
        parser.parse(f"{stamp} 10.0.0.1", ctx)
