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
    # every message id in the sample has a regex; object names (733100's "[ Scanning]") are addresses, not ips
    assert all("source.ip" in e or "source.address" in e for e in events)
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


# ---- the fast paths (str.find/slicing) must give exactly what the regexes give

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from collectors.parsers.cisco_asa import parse_line  # noqa: E402
from tests.conftest import _shared_data_dir  # noqa: E402

# message shapes the sample lacks, one per fast-path id (texts as in Cisco's message reference)
SYNTHETIC = [
    "<166>Nov 23 10:00:00 asa1 : %ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : "
    "server = 10.0.0.5 : user = admin : user IP = 203.0.113.50",
    "%ASA-6-113004: AAA user authentication Successful : server =  10.1.1.1 : user = admin",
    "%ASA-6-113005: AAA user authentication Rejected : reason = Invalid password : server = 10.1.1.1 : user = bob smith",
    '%ASA-6-605005: Login permitted from 10.1.1.1/53713 to inside:10.1.1.2/ssh for user "admin"',
    'Mar 01 2024 10:00:01: %ASA-6-605004: Login denied from 192.168.1.5/4455 to outside:10.0.0.1/https for user "root"',
    "%ASA-5-111008: User 'enable_15' executed the 'configure terminal' command.",
    "%ASA-5-111008: User 'admin' executed 'write memory' command.",
    "%ASA-5-111008: User 'x' executed the command.",
    "Mar  1 2024 10:00:01 CEST: %ASA-4-106023: Deny icmp src outside:10.1.1.1 dst inside:10.2.2.2 (type 8, code 0) "
    'by access-group "out" [0x0, 0x0]',
    "%FTD-6-302014: Teardown TCP connection 1 for outside:1.2.3.4/5 (jdoe) to inside:5.6.7.8/9 (LOCAL\\x) "
    "duration 0:00:01 bytes 10 TCP Reset-O from inside (jdoe)",
    "%FWSM-6-302013: Built inbound TCP connection 1 for outside:1.2.3.4/5 (1.2.3.4/5) to inside:5.6.7.8/9 (9.9.9.9/10)",
    "%PIX-6-305011: Built static UDP translation from inside:1.2.3.4/5(LOCAL\\u) to outside:9.9.9.9/10",
    "%ASA-4-733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 10 per second",
    "ASA-6-106015: Deny TCP (no connection) from 1.1.1.1/1 to 2.2.2.2/2 flags   on interface  on interface x",
    "%ASA-6-302016: Teardown UDP connection 40 for outside:10.44.4.4/500 to inside:10.44.2.2/500 duration 1::2 bytes 1",
    "Aug 01 14:01:20 asa: %ASA-6-106100: access-list a permitted tcp in/1.1.1.1(1)(x) -> out/2.2.2.2(2)",
    "Feb 30 2024 14:01:20: %ASA-6-106100: access-list a permitted tcp in/1.1.1.1(1) -> out/2.2.2.2(2)",
    "Aug  1 2014 14:01:20.123 host : %ASA-6-106100: x",
    "Apr 24 2013 16:00:28 ASA-FW01 : %ASA-6-106100: access-list in denied udp in/172.29.2.101(1039) -> out/192.0.2.10(53)",
]
REAL = (_shared_data_dir() / "firewall" / "cisco_asa.log").read_text().splitlines()
PIECES = list(" \"'=:,()[]/\\.\t-09aZ%\x00é٣\u2028") + [
    " to ", "to ", "duration ", " on interface ", "  ", " : user IP = ", " : server = ", "' command", "the ", "ASA-6-",
    "FTD-5-106100", "EDT ", "<12>", " bytes ", "(x)", " (1.2.3.4/5)", "/", "\n"]


def _result(line: str, fast: bool) -> object:
    try:
        return parse_line(line, ParseContext(now=NOW), fast)
    except ParseError as exc:
        return f"ParseError: {exc}"
    except ValueError as exc:  # a malformed duration: Parser.parse turns it into a ParseError
        return f"ValueError: {exc}"


@st.composite
def asa_lines(draw: st.DrawFn) -> str:
    line = draw(st.sampled_from(REAL + SYNTHETIC))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(line)))
        piece = "".join(draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=3)))
        op = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        if op == "replace":
            line = line[:at] + piece + line[at + len(piece):]
        elif op == "insert":
            line = line[:at] + piece + line[at:]
        elif op == "delete":
            line = line[:at] + line[at + draw(st.integers(1, 8)):]
        else:
            line = line[:at]
    return line


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=asa_lines())
def test_fast_paths_give_what_the_regexes_give(line: str) -> None:
    assert _result(line, True) == _result(line, False)


def test_fast_paths_on_every_real_and_synthetic_line():
    for line in REAL + SYNTHETIC:
        assert _result(line, True) == _result(line, False), line


def test_authentication_login_and_command_messages():
    ok = parse_line(SYNTHETIC[1], ParseContext(now=NOW))
    assert (ok["event.outcome"], ok["user.name"], ok["cisco.asa.aaa_server"], ok["event.category"]) == (
        "success", "admin", "10.1.1.1", ["authentication"])
    rejected = parse_line(SYNTHETIC[2], ParseContext(now=NOW))
    assert (rejected["user.name"], rejected["event.reason"], "source.ip" in rejected) == (
        "bob smith", "Invalid password", False)
    login = parse_line(SYNTHETIC[3], ParseContext(now=NOW))
    assert (login["event.action"], login["event.outcome"], login["user.name"], login["source.port"],
            login["destination.ip"], login["observer.egress.interface.name"]) == (
        "login", "success", "admin", 53713, "10.1.1.2", "inside")
    command = parse_line(SYNTHETIC[5], ParseContext(now=NOW))
    assert (command["user.name"], command["process.command_line"], command["event.type"]) == (
        "enable_15", "configure terminal", ["change"])


def test_teardown_with_users_and_reason_and_translated_build():
    ev = parse_line(SYNTHETIC[9], ParseContext(now=NOW))
    assert (ev["source.user.name"], ev["network.bytes"], ev["event.duration"], ev["event.reason"]) == (
        "(jdoe)", 10, 1_000_000_000, "TCP Reset-O from inside (jdoe)")
    built = parse_line(SYNTHETIC[10], ParseContext(now=NOW))
    assert (built["source.ip"], built["destination.nat.ip"], built["destination.nat.port"], "source.nat.ip" in built) == (
        "1.2.3.4", "9.9.9.9", 10, False)


def test_header_shapes_share_the_cache_without_changing_times():
    ctx = ParseContext(year_hint=2024, tz="UTC")
    padded = parse_line("Aug 01 14:01:20 asa: %ASA-6-106100: x", ctx)
    spaced = parse_line("Aug  1 14:01:20 asa: %ASA-6-106100: x", ctx)
    assert padded["@timestamp"] == spaced["@timestamp"] == "2024-08-01T14:01:20.000Z"
    assert padded["host.name"] == "asa"
    zoned = parse_line("<13>Aug  1 2014 14:01:20 CEST: %ASA-6-106100: x", ctx)
    assert (zoned["@timestamp"], zoned["log.syslog.priority"], "host.name" in zoned) == (
        "2014-08-01T12:01:20.000Z", 13, False)
    with pytest.raises(ParseError, match="bad date"):
        parse_line("Feb 30 2024 14:01:20: %ASA-6-106100: x", ctx)


def test_object_names_never_land_in_ip_fields(parsed):
    lines, events = parsed
    ocsp = events[42]  # Built outbound ... for outside:192.0.2.222/1234 (...) to dmz:OCSP_Server/5678 (...)
    assert "OCSP_Server" in lines[42]
    assert ocsp["source.address"] == "OCSP_Server" and "source.ip" not in ocsp  # outbound: dmz started it
    assert ocsp["source.port"] == 5678 and ocsp["destination.ip"] == "192.0.2.222"
    for ev in events:
        for field in ("source.ip", "destination.ip", "source.nat.ip", "destination.nat.ip"):
            value = ev.get(field)
            assert value is None or value.count(".") == 3 or ":" in value, (field, value)


def test_malformed_duration_keeps_the_event():
    line = ("Mar  1 10:00:00 fw01 %ASA-6-302014: Teardown TCP connection 1 for outside:203.0.113.5/4455 "
            "to inside:10.1.1.5/443 duration 1::2 bytes 100 TCP FINs")
    ev = get_parser("cisco_asa").parse(line, ParseContext(now=NOW))
    assert ev["network.bytes"] == 100 and "event.duration" not in ev
    assert ev["source.ip"] == "203.0.113.5"


@pytest.mark.parametrize("header, ts", [
    ("2024-03-01T10:00:02+07:00 fw01 : ", "2024-03-01T03:00:02.000Z"),
    ("<166>2024-03-01T03:00:02.250Z fw01 ", "2024-03-01T03:00:02.250Z"),
])
def test_relay_headers_in_rfc3339(header, ts):
    line = header + "%ASA-6-113004: AAA user authentication Successful : server =  10.1.1.10 : user = admin"
    ev = get_parser("cisco_asa").parse(line, ParseContext(now=NOW))
    assert (ev["@timestamp"], ev["host.name"], ev["observer.name"], ev["event.code"]) == (ts, "fw01", "fw01", "113004")
    assert ev["user.name"] == "admin"
