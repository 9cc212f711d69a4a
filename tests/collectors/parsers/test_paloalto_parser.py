"""PAN-OS CSV parser on the real sample: Elastic's TRAFFIC lines and CrowdSec's THREAT lines."""

from __future__ import annotations

from collections import Counter

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError


@pytest.fixture(scope="module")
def parsed(shared_data):
    lines = (shared_data / "firewall" / "paloalto.log").read_text().splitlines()
    parser, ctx = get_parser("paloalto"), ParseContext()
    return lines, [parser.parse(ln, ctx) for ln in lines]


def test_traffic_lines(parsed):
    lines, events = parsed
    assert len(events) == 14
    assert Counter(e["event.dataset"] for e in events) == {"paloalto.traffic": 12, "paloalto.threat": 2}
    ev = events[0]
    assert ev["@timestamp"] == "2018-11-30T09:09:07.000Z"  # device time 16:09:07 read in Asia/Ho_Chi_Minh
    assert (ev["source.ip"], ev["source.port"], ev["destination.ip"], ev["destination.port"]) == (
        "192.168.15.207", 55113, "184.51.253.152", 443)
    assert (ev["source.nat.ip"], ev["source.nat.port"], ev["rule.name"]) == ("192.168.1.63", 16418, "new_outbound_from_trust")
    assert (ev["network.application"], ev["network.transport"], ev["event.action"]) == ("apple-maps", "tcp", "allow")
    assert (ev["source.bytes"], ev["destination.bytes"], ev["network.bytes"]) == (1758, 5976, 7734)
    assert (ev["observer.name"], ev["observer.serial_number"], ev["event.reason"]) == ("PA-220", "012801096514", "tcp-fin")
    subtypes = Counter(e["panw.panos.sub_type"] for e in events[:12])
    assert subtypes["end"] >= 9 and {"start", "drop", "deny"} <= set(subtypes)


def test_threat_lines(parsed):
    _, events = parsed
    brute, nmap = events[12], events[13]
    assert brute["@timestamp"] == "2023-07-06T06:11:40.000Z"  # the header's +02:00 offset is used
    assert (brute["event.kind"], brute["rule.name"], brute["rule.id"]) == (
        "alert", "SSH User Authentication Brute Force Attempt", "40015")
    assert (brute["event.action"], brute["event.outcome"], brute["destination.port"]) == ("reset-both", "failure", 22)
    assert brute["panw.panos.rule_name"] == "TestruleName0" and brute["panw.panos.severity"] == "high"
    assert (nmap["rule.name"], nmap["rule.id"], nmap["event.outcome"]) == ("Nmap Scripting Engine Detection", "58433", "success")
    assert nmap["url.original"] == "1.2.3.5/nmaplowercheck1688559266"  # a quoted CSV column


def test_detect_and_errors(parsed):
    lines, _ = parsed
    assert detect_format(lines) == "paloalto"
    parser = get_parser("panos")
    with pytest.raises(ParseError, match="not a PAN-OS"):
        parser.parse("Nov 30 16:09:08 PA-220 hello", ParseContext())
    with pytest.raises(ParseError, match="columns"):
        parser.parse("1,2018/11/30 16:09:07,0128,TRAFFIC,end", ParseContext())
