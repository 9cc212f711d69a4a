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


# ---------------------------------------------------------------- the fast paths agree with the slow ones
# Compiled, the CSV start is found by a character scan and columns are cut without csv.reader;
# these check both against the regex and csv.reader they replace, on lines written from the
# characters that matter to the grammar.

import csv  # noqa: E402
import re  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from collectors.parsers import paloalto  # noqa: E402

START_RE = re.compile(r"\d+,(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d),")  # the parser's original search
STAMP_PIECES = ["1", "12", "٣", ",", ", ", "2018/11/30 16:09:07", "2018/11/30 16:09:07,", "٢٠١٨/11/30 16:09:07,",
                "2018/11/30 16:09:0", " ", "a", "/", ":", "x,", "Nov 30 16:09:08 PA-220 "]
CSV_PIECES = [",", '"', '""', "a", "b c", " ", "\n", "\r", "\x00", "é", "1,2018/11/30 16:09:07,"]
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(st.sampled_from(STAMP_PIECES), max_size=14).map("".join))
def test_start_scan_finds_what_the_regex_finds(line):
    m = START_RE.search(line)
    assert paloalto.scan_start(line) == (-1 if m is None else m.start())
    assert paloalto.find_start(line) == (-1 if m is None else m.start())


@FAST
@given(st.lists(st.sampled_from(CSV_PIECES), min_size=1, max_size=70).map("".join))
def test_column_cutter_gives_csv_readers_columns(body):  # never empty: it starts with the line number
    cols = paloalto.split_columns(body)
    if '"' not in body and "\n" not in body and "\r" not in body:
        assert cols is not None  # the common line never falls back to csv.reader
    if cols is None:
        return
    expected = next(csv.reader([body]))
    assert cols[:47] == expected[:47]
    assert len(cols) == len(expected) if len(expected) <= 47 else len(cols) >= 47


def test_quoted_line_with_a_doubled_quote_falls_back_to_csv(parsed):
    lines, _ = parsed
    line = lines[13].replace('"1.2.3.5/nmaplowercheck1688559266"', '"say ""hi"", nmap"')
    assert paloalto.split_columns(line[paloalto.find_start(line):]) is None
    ev = get_parser("paloalto").parse(line, ParseContext())
    assert ev["url.original"] == 'say "hi", nmap' and ev["rule.id"] == "58433"


def test_line_break_inside_the_csv_is_an_error_as_for_csv_reader(parsed):
    lines, _ = parsed
    line = lines[0].replace("apple-maps", "apple\nmaps")
    with pytest.raises(ParseError, match="new-line character"):
        get_parser("paloalto").parse(line, ParseContext())


def test_timestamp_and_header_caches(parsed):
    lines, events = parsed
    parser, ctx = get_parser("paloalto"), ParseContext(tz="UTC")
    first, again = parser.parse(lines[0], ctx), parser.parse(lines[0], ctx)  # the second one from the caches
    assert first == again and first["@timestamp"] == "2018-11-30T16:09:07.000Z" and first["observer.name"] == "PA-220"
    arabic = lines[0].replace("1,2018/11/30 16:09:07,", "1,٢٠١٨/١١/٣٠ ١٦:٠٩:٠٧,", 1)  # Unicode digits, as \d reads them
    assert parser.parse(arabic, ctx)["@timestamp"] == "2018-11-30T16:09:07.000Z"
    assert parser.parse(lines[13], ctx)["@timestamp"] == events[13]["@timestamp"]  # the header's offset wins


def test_column_longer_than_csvs_limit_is_an_error_as_for_csv_reader(parsed):
    lines, _ = parsed
    line = lines[0].replace("apple-maps", "a" * (csv.field_size_limit() + 1))
    with pytest.raises(ParseError, match="field larger than field limit"):
        get_parser("paloalto").parse(line, ParseContext())


@FAST
@given(st.lists(st.sampled_from(CSV_PIECES), max_size=70).map("".join), st.integers(0, 3))
def test_in_place_cutter_gives_str_splits_pieces(body, start):
    line = "Nov 30 "[:start] + body
    pieces = paloalto.cut_columns(line, start)
    if not paloalto.__file__.endswith(".so"):
        assert pieces is None  # interpreted, lines are cut by split_columns alone
    elif '"' in body or "\n" in body or "\r" in body:
        assert pieces is None  # left to split_columns / csv.reader
    else:
        assert pieces == body.split(",", 47)


def test_an_extra_comma_shifts_every_later_column(parsed):
    lines, _ = parsed
    parser = get_parser("paloalto")
    odd = lines[0].replace("apple-maps", "apple,maps")  # one more column: every later column shifts
    ev = parser.parse(odd, ParseContext())
    assert ev["network.application"] == "apple" and ev["panw.panos.vsys"] == "maps"
    assert ev["observer.ingress.zone"] == "vsys1" and ev["source.port"] == 1 and ev["destination.port"] == 55113
