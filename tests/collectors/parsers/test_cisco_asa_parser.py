"""Cisco ASA parser on the real sample (Elastic's ASA sample plus logstash's header-less test strings)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def parsed(shared_data):
    lines = (shared_data / "firewall" / "cisco_asa.log").read_text().splitlines()
    parser, ctx = get_parser("cisco_asa"), ParseContext(now=NOW)
    return lines, [parser.parse(ln, ctx) for ln in lines]


def test_every_line_parsed_with_addresses(parsed):
    lines, events = parsed
    assert len(events) == 88
    assert all(e["event.dataset"] == "cisco.asa" and e["observer.vendor"] == "Cisco" for e in events)
    # PROVENANCE counts 31 ids; one of them is 302016 written without its colon
    assert len({e["event.code"] for e in events}) == 30
    assert all("source.ip" in e for e in events)  # every message id in the sample has a regex
    actions = Counter(e["event.action"] for e in events)
    assert actions["permitted"] == 18 and actions["connection-started"] == 12


def test_acl_deny_line(parsed):
    _, events = parsed
    ev = events[0]  # Apr 15 2013 09:36:50: %ASA-4-106023: Deny tcp src dmz:10.1.2.30/63016 dst outside:192.0.0.8/53 ...
    assert ev["@timestamp"] == "2013-04-15T02:36:50.000Z"  # no zone on the device: read in Asia/Ho_Chi_Minh
    assert (ev["event.code"], ev["log.level"], ev["event.action"], ev["event.outcome"]) == (
        "106023", "warning", "denied", "failure")
    assert (ev["source.ip"], ev["source.port"], ev["destination.ip"], ev["destination.port"]) == (
        "10.1.2.30", 63016, "192.0.0.8", 53)
    assert (ev["rule.name"], ev["network.transport"], ev["observer.ingress.interface.name"]) == ("acl_dmz", "tcp", "dmz")


def test_timezone_abbreviation_and_host(parsed):
    _, events = parsed
    assert events[2]["@timestamp"] == "2014-04-15T13:34:34.000Z"  # 09:34:34 EDT
    host = next(e for e in events if e.get("host.name") == "INT-FW01")
    assert host["observer.name"] == "INT-FW01"


def test_built_outbound_swaps_initiator(parsed):
    _, events = parsed
    ev = next(e for e in events if e["log.original"].endswith(
        "Built outbound TCP connection 89743274 for outside:192.0.2.43/443 (192.0.2.43/443) "
        "to outside:10.123.3.42/4952 (10.123.3.42/12834)"))
    assert (ev["source.ip"], ev["source.port"], ev["destination.ip"], ev["destination.port"]) == (
        "10.123.3.42", 4952, "192.0.2.43", 443)


def test_dynamic_filter_is_alert_and_headerless_lines_use_now(parsed):
    lines, events = parsed
    dropped = next(e for e in events if e["event.code"] == "338008")
    assert (dropped["event.kind"], dropped["event.action"], dropped["event.outcome"]) == (
        "alert", "dynamic-filter-dropped", "failure")
    headerless = [e for ln, e in zip(lines, events) if ln.startswith(("ASA-", "%ASA-"))]
    assert len(headerless) == 14 and all(e["@timestamp"] == "2026-11-23T05:00:00.000Z" for e in headerless)
    url = next(e for e in events if e.get("user.name") == "USER001")
    assert url["url.original"] == "http://testingserver.com/somewebpage.html" and url["source.ip"] == "192.168.0.1"
    assert detect_format(lines) == "cisco_asa"


def test_vpn_login_failure_and_errors():
    parser = get_parser("asa")
    ev = parser.parse("<166>Nov 23 10:00:00 asa1 : %ASA-6-113005: AAA user authentication Rejected : "
                      "reason = AAA failure : server = 10.0.0.5 : user = admin : user IP = 203.0.113.50",
                      ParseContext(year_hint=2026))
    assert (ev["event.category"], ev["event.outcome"], ev["user.name"], ev["source.ip"]) == (
        ["authentication"], "failure", "admin", "203.0.113.50")
    assert ev["@timestamp"] == "2026-11-23T03:00:00.000Z"
    unknown = parser.parse("%ASA-6-999999: something new", ParseContext())
    assert unknown["event.code"] == "999999" and unknown["message"] == "something new"
    with pytest.raises(ParseError, match="no %ASA"):
        parser.parse("Apr 15 2013 09:36:50: hello", ParseContext())
    with pytest.raises(ParseError, match="header"):
        parser.parse("garbage here: %ASA-4-106023: Deny", ParseContext())
