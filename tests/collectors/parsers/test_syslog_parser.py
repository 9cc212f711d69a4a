"""Generic syslog parser: RFC 3164 (year inference, time zone), RFC 3339 files, RFC 5424; registry."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.parsers import ParseContext, available_formats, detect_format, get_parser
from soc.errors import ParseError

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def parser():
    return get_parser("syslog")


def test_rfc3164_line_of_linux_messages(parser, shared_data):
    line = (shared_data / "loghub" / "Linux_2k.log").read_text().splitlines()[0]
    ev = parser.parse(line, ParseContext(year_hint=2005))
    assert ev["@timestamp"] == "2005-06-14T08:16:01.000Z"  # 15:16:01 in Asia/Ho_Chi_Minh (UTC+7)
    assert ev["host.name"] == "combo"
    assert ev["process.name"] == "sshd(pam_unix)"
    assert ev["process.pid"] == 19939
    assert ev["event.dataset"] == "syslog"
    assert ev["log.original"] == line
    assert ev["message"].startswith("authentication failure; logname=")


def test_every_linux_messages_line_is_syslog(parser, shared_data):
    lines = (shared_data / "loghub" / "Linux_2k.log").read_text().splitlines()
    ctx = ParseContext(year_hint=2005)
    events = [parser.parse(ln, ctx) for ln in lines]
    assert len(events) == 2000 and all(e["host.name"] == "combo" for e in events)
    # "syslogd 1.4.1: restart." has no tag: the whole text stays the message
    restarts = [e for e in events if e["message"] == "syslogd 1.4.1: restart."]
    assert len(restarts) == 7 and all("process.name" not in e for e in restarts)


def test_year_inferred_from_now_and_tz_configurable(parser):
    ctx = ParseContext(now=datetime(2026, 1, 5, tzinfo=timezone.utc), tz="UTC")
    assert parser.parse("Dec 31 23:59:59 h app: x", ctx)["@timestamp"] == "2025-12-31T23:59:59.000Z"
    assert parser.parse("Jan  4 10:00:00 h app: x", ctx)["@timestamp"] == "2026-01-04T10:00:00.000Z"
    # more than two days after the reference time (a file's mtime): written the year before
    assert parser.parse("Jan  6 10:00:00 h app: x", ctx)["@timestamp"] == "2026-01-06T10:00:00.000Z"
    assert parser.parse("Feb  3 10:00:00 h app: x", ctx)["@timestamp"] == "2025-02-03T10:00:00.000Z"


def test_pri_and_fraction(parser):
    ev = parser.parse("<38>Mar  5 01:02:03.456789 fw1 sshd[1]: hi", ParseContext(year_hint=2024, tz="UTC"))
    assert ev["@timestamp"] == "2024-03-05T01:02:03.456Z"
    assert (ev["log.syslog.priority"], ev["log.syslog.facility.code"], ev["log.syslog.severity.code"]) == (38, 4, 6)


def test_rfc5424_keeps_offset_and_structured_data(parser):
    line = ('<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - '
            '[exampleSDID@32473 iut="3" eventSource="App\\]x"] \ufeffAn application event')
    ev = parser.parse(line, ParseContext())
    assert ev["@timestamp"] == "2003-08-24T12:14:15.000Z"
    assert ev["process.name"] == "myproc" and ev["process.pid"] == 8710
    assert ev["log.syslog.structured_data"].startswith("[exampleSDID@32473")
    assert ev["message"] == "An application event"


def test_rfc3339_file_format(parser):
    ev = parser.parse("2024-01-31T10:00:00.123456+07:00 web01 nginx[12]: started", ParseContext())
    assert ev["@timestamp"] == "2024-01-31T03:00:00.123Z"
    assert ev["process.name"] == "nginx" and ev["message"] == "started"


def test_blank_is_none_and_garbage_is_parse_error(parser):
    assert parser.parse("   \n", ParseContext()) is None
    with pytest.raises(ParseError, match="not a syslog line"):
        parser.parse("hello world", ParseContext())
    with pytest.raises(ParseError, match="bad syslog timestamp"):
        parser.parse("Feb 30 10:00:00 h app: x", ParseContext(year_hint=2023))
    with pytest.raises(ParseError, match="priority"):
        parser.parse("<999>Feb 3 10:00:00 h app: x", ParseContext())


def test_registry_names_and_detection(shared_data):
    assert {"syslog", "sshd"} <= set(available_formats())
    assert get_parser("auth") is get_parser("linux_auth") is get_parser("sshd")
    with pytest.raises(ParseError, match="unknown log format"):
        get_parser("nope")
    with pytest.raises(ParseError):
        detect_format(["", "  "])
    sample = ["Jun 14 15:16:01 combo ftpd[1]: connection from 1.2.3.4", "Jun 14 15:16:01 combo kernel: x"]
    assert detect_format(sample) == "syslog"


def test_fast_header_path_equals_regex_path(shared_data):
    from collectors.parsers.syslog import _split_regex, split_syslog

    extra = ["Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2", "Jan  1 00:00:00 h p[x]: m",
             "Jan  1 00:00:00 h a]b: m", "Jan  1 00:00:00 h prog:nospace", "Jan  1 00:00:00 h   spaced",
             "Jan  1 00:00:00 h p:", "Jan  1 00:00:00 h p[12]:", "Jan  1 00:00:00 h"]
    for name in ("OpenSSH_2k.log", "Linux_2k.log"):
        lines = (shared_data / "loghub" / name).read_text().splitlines() + extra
        for line in lines:
            fast = split_syslog(line, ParseContext(year_hint=2020))
            slow = _split_regex(line, ParseContext(year_hint=2020))
            assert fast == slow, line


# ---------------------------------------------------------------- fast paths agree with the general ones

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from collectors.parsers.base import _iso_slow, iso_to_ts  # noqa: E402
from collectors.parsers.syslog import _RFC5424, _groups_5424  # noqa: E402


def _iso_or_error(fn, text: str, ctx: ParseContext) -> str:
    try:
        return fn(text, ctx)
    except ParseError as exc:
        return f"error: {exc}"
    except (ValueError, OverflowError) as exc:  # Parser.parse turns these into ParseError
        return f"unexpected: {type(exc).__name__}"


_DIGITS = st.text("0123456789", min_size=1, max_size=3)
_ISO = st.builds(
    lambda y, mo, d, sep, h, mi, s, frac, tail: f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{tail}",
    st.sampled_from(["2024", "1999", "1930", "0999", "20x4", "2024"]), st.sampled_from(["01", "02", "12", "13", "1"]),
    st.sampled_from(["01", "29", "30", "31", "00"]), st.sampled_from(["T", " ", "t", "x"]),
    st.sampled_from(["00", "23", "24", "9"]), st.sampled_from(["00", "59", "60", "5"]), _DIGITS,
    st.one_of(st.just(""), st.builds(lambda f: "." + f, st.text("0123456789²", max_size=11)), st.just(",5")),
    st.sampled_from(["", "Z", "z", "+07:00", "-05:30", "+0700", "-0000", "+24:00", "+07", "+07:00:30", "X", " "]),
)


@settings(max_examples=400, deadline=None)
@given(texts=st.lists(_ISO, min_size=1, max_size=4), tz=st.sampled_from(["UTC", "Asia/Ho_Chi_Minh", "America/New_York", "Europe/Amsterdam"]))
def test_iso_to_ts_cached_path_equals_fromisoformat(texts, tz):
    ctx = ParseContext(tz=tz)
    for text in texts + texts:  # the second pass reads the minute cache the first one filled
        assert _iso_or_error(iso_to_ts, text, ctx) == _iso_or_error(_iso_slow, text, ctx), text


def test_iso_to_ts_keeps_old_zone_offsets_with_seconds():
    ctx = ParseContext(tz="Europe/Amsterdam")  # local mean time before 1937: +00:19:32
    assert iso_to_ts("1930-01-01T00:00:30", ctx) == "1929-12-31T23:40:58.000Z"
    assert iso_to_ts("1930-01-01T00:00:40", ctx) == "1929-12-31T23:41:08.000Z"
    assert iso_to_ts("2022-09-06T18:37:34.98765+02:00", ctx) == "2022-09-06T16:37:34.987Z"


_SD_CHARS = st.text('[]"\\ a=-\t', max_size=30)
_TOKEN = st.sampled_from(["-", "h", "app", "123", "ID47", "", "a b", "x\ty", "٣"])


@settings(max_examples=800, deadline=None)
@given(pri=st.sampled_from(["13", "165", "1", "1000", "", "a", "٣"]), ver=st.sampled_from(["1", "12", "123", ""]),
       ts=st.sampled_from(["2003-10-11T22:14:15.003Z", "-", ""]), host=_TOKEN, app=_TOKEN, procid=_TOKEN,
       msgid=_TOKEN, sd=st.one_of(_SD_CHARS, st.sampled_from(['[id a="1"]', '[a b="x\\"]"][c]', '-', '[x]-'])),
       msg=st.text(" \tab[]\ufeff", max_size=6))
def test_rfc5424_split_equals_regex(pri, ver, ts, host, app, procid, msgid, sd, msg):
    line = f"<{pri}>{ver} {ts} {host} {app} {procid} {msgid} {sd}{msg}"
    fast = _groups_5424(line)
    if fast is not None:
        m = _RFC5424.match(line)
        assert m is not None and fast == m.groups(), line


def test_rfc5424_line_of_opnsense(parser, shared_data):
    lines = [ln for ln in (shared_data / "firewall" / "pfsense.log").read_text().splitlines() if ln.startswith("<")]
    ev = parser.parse(lines[0], ParseContext())
    assert ev["@timestamp"] == "2022-09-06T16:37:34.000Z"  # 18:37:34+02:00
    assert (ev["host.name"], ev["process.name"], ev["process.pid"]) == ("opnsense", "filterlog", 69805)
    assert ev["log.syslog.structured_data"] == '[meta sequenceId="2633353"]'
    assert ev["message"].startswith("10,,,02f4bab031b57d1e30553ce08e0ec131,re0,match,block,in,4")
    assert all(_groups_5424(ln) == _RFC5424.match(ln).groups() for ln in lines)
