"""iptables/netfilter and pfSense filterlog parsers on the real firewall samples."""

from __future__ import annotations

from collections import Counter

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError


def _run(parser, lines):
    ctx = ParseContext(year_hint=2024)
    out = []
    for ln in lines:
        try:
            out.append(parser.parse(ln, ctx))
        except ParseError as exc:
            out.append(exc)
    return out


def test_iptables_sample(shared_data):
    lines = (shared_data / "firewall" / "iptables.log").read_text().splitlines()
    results = _run(get_parser("iptables"), lines)
    errors = {i + 1: r.reason for i, r in enumerate(results) if isinstance(r, ParseError)}
    # the two negative cases of CrowdSec's parser tests, and nothing else
    assert errors == {51: "netfilter line with a malformed interface name 'enp.1s0'",
                      52: "netfilter line without an IN= field"}
    events = [r for r in results if not isinstance(r, ParseError)]
    assert all(e["event.dataset"] == "iptables.log" for e in events)
    scan = Counter(e["source.ip"] for e in events[:49])
    assert scan == {"62.34.17.168": 17, "127.0.0.1": 16, "127.0.0.2": 16}
    assert len({e["destination.port"] for e in events[:49]}) == 33
    first = events[0]
    assert (first["source.ip"], first["destination.ip"], first["destination.port"], first["network.transport"]) == (
        "62.34.17.168", "10.73.140.49", 80, "tcp")
    assert first["observer.ingress.interface.name"] == "ens2" and first["iptables.flags"] == ["SYN"]
    assert first["@timestamp"] == "2024-09-30T03:09:23.000Z"
    drop = results[53]  # SuSE "SFW2-INext-DROP-DEFLT"
    assert (drop["rule.name"], drop["event.action"], drop["event.outcome"]) == ("SFW2-INext-DROP-DEFLT", "dropped", "failure")
    v6 = results[57]
    assert v6["source.ip"] == "fe80:0000:0000:0000:16da:e9ff:feec:a04d" and v6["event.action"] == "accepted"
    ufw = [e for e in events if e.get("rule.name") == "UFW BLOCK"]
    assert ufw and all("denied" in e["event.type"] for e in ufw)
    assert detect_format(lines) == "iptables"


def test_iptables_other_kernel_lines_are_generic():
    ev = get_parser("iptables").parse("Jun  8 14:34:33 sd-1 kernel: [5.1] eth0: link up", ParseContext())
    assert ev["event.dataset"] == "syslog" and ev["message"] == "[5.1] eth0: link up"


def test_pfsense_sample(shared_data):
    lines = (shared_data / "firewall" / "pfsense.log").read_text().splitlines()
    results = _run(get_parser("pfsense"), lines)
    assert not [r for r in results if isinstance(r, ParseError)]
    assert all(e["event.dataset"] == "pfsense.log" for e in results)
    assert Counter((e["event.action"], e["event.outcome"]) for e in results) == {
        ("block", "failure"): 26, ("pass", "success"): 3}
    first = results[0]
    assert (first["source.ip"], first["destination.ip"], first["source.port"], first["destination.port"]) == (
        "10.0.2.2", "10.0.2.15", 53742, 22)
    assert (first["observer.ingress.interface.name"], first["rule.id"], first["pfsense.tcp.flags"]) == ("em0", "53", "PA")
    scan = results[9:25]
    assert {e["source.ip"] for e in scan} == {"10.0.2.2"} and len({e["destination.port"] for e in scan}) == 16
    v6 = results[27]  # RFC 5424 framing, IPv6
    assert v6["@timestamp"] == "2025-11-06T11:42:14.270Z"
    assert (v6["network.type"], v6["source.ip"], v6["destination.ip"], v6["destination.port"]) == (
        "ipv6", "fdfd:ace:ace:10:d8:cdbf:f6f8:6d69", "fdfd:ace:ace:5::6", 443)
    assert detect_format(lines) == "pfsense"


def test_pfsense_bad_csv():
    parser = get_parser("pfsense")
    with pytest.raises(ParseError, match="fields"):
        parser.parse("Sep 28 10:38:09 pfSense filterlog: 53,,,1", ParseContext())
    with pytest.raises(ParseError, match="action"):
        parser.parse("Sep 28 10:38:09 pfSense filterlog: 53,,,1,em0,match,explode,in,4,0x0,,64", ParseContext())


# --- the compiled fast paths give exactly what the plain-Python paths give ---------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from collectors.parsers import iptables as iptables_module  # noqa: E402

# characters that matter to the netfilter scan: separators, key letters, digits (ASCII and not),
# case oddities (titlecase, non-ASCII upper), NUL and the uptime stamp's brackets
_NF_CHARS = " =  ==AINOUTSRCDSTLENPROTMACWDYZ0123456789..[]:-_\t\n\x00\x7f\u00b2\u0663\u01c5\u00c9\u00e9x"
_NF_LINE = ("[ 203.842973] IPTABLES-DROP: IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127.0.0.1 "
            "DST=127.0.0.53 LEN=76 TOS=0x00 PREC=0x00 TTL=64 ID=25029 DF PROTO=UDP SPT=49007 DPT=53 LEN=56 ")


@st.composite
def _netfilter_messages(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(alphabet=_NF_CHARS, max_size=80))
    msg = _NF_LINE
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(msg)))
        msg = msg[:at] + draw(st.text(alphabet=_NF_CHARS, max_size=4)) + msg[at + draw(st.integers(0, 3)):]
    return msg


def _outcome(fn, *args):
    ev: dict = {}
    try:
        return ev, fn(ev, *args)
    except Exception as exc:  # noqa: BLE001 - both paths must fail alike, if at all
        return ev, repr(exc)


@settings(max_examples=400, deadline=None)
@given(_netfilter_messages(), st.integers(0, 40))
def test_iptables_scan_and_split_agree(msg, at):
    at = min(at, len(msg))
    assert _outcome(iptables_module.fields_scan, msg, at) == _outcome(iptables_module.fields_split, msg, at)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(alphabet="[]. 0123456789\t\u2003\u0663\u00b2x", max_size=20), _netfilter_messages()))
def test_iptables_uptime_scan_and_regex_agree(msg):
    assert iptables_module.uptime_scan(msg) == iptables_module.uptime_re(msg)


def test_iptables_odd_digits_skip_the_field_not_the_line():
    # '²' is a digit to str.isdigit but not to int(): it used to turn the line into a dead letter
    line = ("Sep 30 10:09:23 fw kernel: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 PROTO=TCP "
            "SPT=\u00b2 DPT=\u0663 WINDOW=99999999999999999999999 SYN")
    ev = get_parser("iptables").parse(line, ParseContext())
    assert "source.port" not in ev and ev["destination.port"] == 3  # ARABIC-INDIC DIGIT THREE is a decimal
    assert ev["iptables.tcp.window"] == 99999999999999999999999 and ev["iptables.flags"] == ["SYN"]


def test_pfsense_odd_digits_skip_the_field_not_the_line():
    line = ("Sep 28 10:38:09 pfSense filterlog: 53,,,1000000301,em0,match,block,in,4,0x0,,\u00b2,420,0,none,6,tcp,"
            "460,10.0.2.2,10.0.2.15,53742,\u0662\u0662,420,PA,29633380:29633800,3617062173,65535,,")
    ev = get_parser("pfsense").parse(line, ParseContext())
    assert "pfsense.ip.ttl" not in ev and ev["destination.port"] == 22 and ev["source.port"] == 53742
    assert ev["event.action"] == "block" and ev["pfsense.tcp.flags"] == "PA"
