"""FortiGate key=value parser on the real sample (Elastic's traffic lines, CrowdSec's SSL-VPN brute force)."""

from __future__ import annotations

from collections import Counter

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError


@pytest.fixture(scope="module")
def events(shared_data):
    parser = get_parser("fortigate")
    ctx = ParseContext()
    lines = (shared_data / "firewall" / "fortigate.log").read_text().splitlines()
    assert len(lines) == 20
    return lines, [parser.parse(ln, ctx) for ln in lines]


def test_traffic_line_fields(events):
    lines, evs = events
    ev = evs[1]
    assert ev["@timestamp"] == "2020-04-23T17:11:51.000Z"  # time=12:11:51 tz="-0500"
    assert ev["event.dataset"] == "fortigate.traffic" and ev["event.category"] == ["network"]
    assert (ev["source.ip"], ev["source.port"], ev["destination.ip"], ev["destination.port"]) == (
        "175.16.199.1", 6000, "8.6.4.7", 6000)
    assert (ev["network.transport"], ev["event.action"], ev["event.outcome"]) == ("udp", "accept", "success")
    assert (ev["rule.id"], ev["rule.name"]) == ("3426", "newruleelastic")
    assert (ev["observer.name"], ev["observer.serial_number"]) == ("newfirewall", "newrouterid")
    assert (ev["observer.vendor"], ev["observer.product"]) == ("Fortinet", "FortiGate")
    assert (ev["source.bytes"], ev["destination.bytes"], ev["network.bytes"]) == (438650, 65446, 504096)
    assert (ev["source.nat.ip"], ev["source.nat.port"]) == ("67.43.156.12", 60964)
    assert ev["observer.ingress.interface.name"] == "port1" and ev["observer.egress.interface.name"] == "wan1"
    assert ev["fortinet.firewall.sessionid"] == "4352"  # unmapped keys are kept, not dropped
    assert ev["log.syslog.priority"] == 189 and ev["log.original"] == lines[1]


def test_all_traffic_lines_and_utm_blocks(events):
    _, evs = events
    traffic = evs[:11]
    assert all(e["event.dataset"] == "fortigate.traffic" for e in traffic)
    blocked = [e for e in traffic if "denied" in e["event.type"]]
    assert len(blocked) == 4 and all(e["fortinet.firewall.utmaction"] == "block" for e in blocked)
    assert Counter(e["network.transport"] for e in traffic)["tcp"] >= 5


def test_ssl_vpn_login_failures(events):
    _, evs = events
    vpn = evs[11:]
    assert all(e["event.dataset"] == "fortigate.event" for e in vpn)
    assert all((e["event.action"], e["event.outcome"], e["event.category"]) ==
               ("ssl-login-fail", "failure", ["authentication"]) for e in vpn)
    assert all(e["source.ip"] == "192.168.0.1" for e in vpn)
    assert sorted(e["user.name"] for e in vpn if "user.name" in e) == [
        "Veeam2021", "andrew", "gxdadmin", "ithomas", "sapservicecq1"]
    assert sum(1 for e in vpn if "user.name" not in e) == 4  # user="N/A" is no user
    assert vpn[0]["@timestamp"] == "2024-10-14T20:46:40.000Z" and vpn[0]["message"] == "SSL user failed to logged in"


def test_syslog_header_utm_and_errors(shared_data):
    parser = get_parser("fortinet")
    line = ('Jan 31 10:00:00 fgt01 date=2024-01-31 time=10:00:00 devname="FGT-HCM" devid="FG100F" '
            'logid="0419016384" type="utm" subtype="ips" level="alert" srcip=203.0.113.9 srcport=44321 '
            'dstip=10.10.1.20 dstport=443 policyid=12 action="dropped" proto=6 service="HTTPS" '
            'attack="Apache.Log4j.Error.Log.Remote.Code.Execution" attackid=51006 msg="log4j attempt"')
    ev = parser.parse(line, ParseContext())  # no tz= field: read in Asia/Ho_Chi_Minh
    assert ev["@timestamp"] == "2024-01-31T03:00:00.000Z"
    assert (ev["event.dataset"], ev["event.kind"], ev["event.outcome"]) == ("fortigate.utm", "alert", "failure")
    assert (ev["rule.name"], ev["rule.id"]) == ("Apache.Log4j.Error.Log.Remote.Code.Execution", "51006")
    with pytest.raises(ParseError, match="no date="):
        parser.parse("srcip=1.2.3.4 type=traffic", ParseContext())
    with pytest.raises(ParseError, match="without type="):
        parser.parse("date=2024-01-31 time=10:00:00 srcip=1.2.3.4", ParseContext())
    with pytest.raises(ParseError, match="bad FortiGate date"):
        parser.parse("date=2024-13-31x time=10:00:00 type=traffic", ParseContext())
    lines = (shared_data / "firewall" / "fortigate.log").read_text().splitlines()
    assert detect_format(lines) == "fortigate"
