"""Syslog framings we have no sample of: RFC 3164 / 5424 examples from the RFCs themselves,
rsyslog and syslog-ng file formats (Elastic Filebeat system module test logs), relays' odd spacing.

Sources: RFC 3164 section 5.4, RFC 5424 section 6.5, elastic/beats
filebeat/module/system/{syslog,auth}/test/*.log; the others are shaped after those.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.parsers import ParseContext, get_parser
from collectors.parsers.syslog import _split_regex, split_syslog

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def _parse(line: str) -> dict:
    return get_parser("syslog").parse(line, ParseContext(year_hint=2024, now=NOW))


# line -> fields the event must hold (timestamps: Asia/Ho_Chi_Minh = UTC+7 for naive ones)
CASES = [
    ("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",  # RFC 3164 5.4
     {"@timestamp": "2024-10-11T15:14:15.000Z", "host.name": "mymachine", "process.name": "su",
      "log.syslog.facility.code": 4, "log.syslog.severity.code": 2, "message": "'su root' failed for lonvick on /dev/pts/8"}),
    ("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!",  # RFC 3164 5.4: no tag
     {"host.name": "10.0.0.99", "message": "Use the BFG!", "log.syslog.priority": 13}),
    ("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \ufeff'su root' failed for lonvick on /dev/pts/8",
     {"@timestamp": "2003-10-11T22:14:15.003Z", "host.name": "mymachine.example.com", "process.name": "su",
      "log.syslog.msgid": "ID47", "message": "'su root' failed for lonvick on /dev/pts/8"}),  # BOM dropped
    ("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
     {"@timestamp": "2003-08-24T12:14:15.000Z", "host.name": "192.0.2.1", "process.pid": 8710,
      "log.syslog.facility.code": 20, "message": "%% It's time to make the do-nuts."}),
    ('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" '
     'eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
     {"log.syslog.structured_data": '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]'
                                    '[examplePriority@32473 class="high"]', "message": ""}),
    ('<165>1 2003-10-11T22:14:15.003Z host app - - [x@1 a="q\\"uote" b="br\\]acket"] msg after sd',
     {"log.syslog.structured_data": '[x@1 a="q\\"uote" b="br\\]acket"]', "message": "msg after sd"}),
    ("<14>1 2024-01-31T10:00:00+07:00 - - - - - hello nil",
     {"@timestamp": "2024-01-31T03:00:00.000Z", "message": "hello nil"}),
    # NILVALUE timestamp: the time of receipt (ctx.now), as rsyslog does, not a dead letter
    ("<14>1 - host app - - - no timestamp", {"@timestamp": "2024-06-01T00:00:00.000Z", "host.name": "host"}),
    ("<14>1 2024-01-31T10:00:00.123456789Z 2001:db8::1 app 123 - - v6 host",
     {"@timestamp": "2024-01-31T10:00:00.123Z", "host.name": "2001:db8::1", "process.pid": 123}),
    ("Jan  5 10:00:00 web01.example.com nginx: something", {"host.name": "web01.example.com", "process.name": "nginx"}),
    ("Jan  5 10:00:00 2001:db8::5 sshd[12]: Server listening on :: port 22.",
     {"host.name": "2001:db8::5", "process.name": "sshd", "message": "Server listening on :: port 22."}),
    ("Jan  5 10:00:00 host postfix/smtpd[1234]: connect from unknown[1.2.3.4]",
     {"process.name": "postfix/smtpd", "process.pid": 1234}),
    ("Jan  5 10:00:00 host org.gnome.Shell.desktop[2103]: msg", {"process.name": "org.gnome.Shell.desktop"}),
    ("Jan  5 10:00:00.123 host app[1]: fraction", {"@timestamp": "2024-01-05T03:00:00.123Z"}),
    ("<38>Jan 05 10:00:00 host sshd[1]: zero padded day", {"@timestamp": "2024-01-05T03:00:00.000Z"}),
    ("Jan  5 10:00:00 host  sshd[1]: double space", {"host.name": "host", "process.name": "sshd"}),
    ("Jan  5 10:00:00 host\tsshd[1]: tab after host", {"host.name": "host", "process.name": "sshd",
                                                     "message": "tab after host"}),
    ("Jan  5 10:00:00 host app[1]: trailing CR\r", {"message": "trailing CR"}),
    # rsyslog RFC3339 file format, syslog-ng ISO dates (Filebeat tz-offset.log, timestamp.log)
    ("2024-01-31T10:00:00.123456+07:00 host sshd[1]: rsyslog", {"@timestamp": "2024-01-31T03:00:00.123Z"}),
    ("<13>2024-01-31T10:00:00Z host app: pri+3339", {"@timestamp": "2024-01-31T10:00:00.000Z", "log.syslog.priority": 13}),
    ("2024-01-31 10:00:00 host app: space iso", {"@timestamp": "2024-01-31T03:00:00.000Z", "process.name": "app"}),
    ("1986-04-26T01:23:45.101+0400 rmbkmonitor04 shutdown[2649]: shutting down for system halt",
     {"@timestamp": "1986-04-25T21:23:45.101Z", "host.name": "rmbkmonitor04", "process.pid": 2649}),
    ("2019-06-14T10:40:20.912134 localhost sudo: pam_unix(sudo-i:session): session opened",
     {"@timestamp": "2019-06-14T03:40:20.912Z", "process.name": "sudo"}),
    ("2019-06-14T13:01:15.412+01:30 localhost pam: user nobody logged out.", {"@timestamp": "2019-06-14T11:31:15.412Z"}),
]


@pytest.mark.parametrize(("line", "expect"), CASES, ids=[c[0][:40] for c in CASES])
def test_syslog_variant_fields(line: str, expect: dict) -> None:
    ev = _parse(line)
    assert ev["event.dataset"] == "syslog" and ev["log.original"] == line.rstrip("\r\n")
    for key, value in expect.items():
        assert ev.get(key) == value, (key, ev)


_HOST = st.sampled_from(["h", "web01.example.com", "2001:db8::5", "10.0.0.1", "a-b"])
_SEP = st.sampled_from([" ", "  ", "\t", " \t"])
_TAG = st.sampled_from(["sshd[12]:", "postfix/smtpd[1]:", "kernel:", "org.x.y[2]:", "a]b:", "p[x]:", "-", ""])
_MSG = st.text(" \tab:[]1", max_size=8)


@settings(max_examples=300, deadline=None)
@given(host=_HOST, sep=_SEP, tag=_TAG, msg=_MSG, day=st.sampled_from([" 5", "05", "15"]))
def test_fast_split_equals_regex_on_odd_spacing(host: str, sep: str, tag: str, msg: str, day: str) -> None:
    line = f"Jan {day} 10:00:00 {host}{sep}{tag} {msg}"
    assert split_syslog(line, ParseContext(year_hint=2020)) == _split_regex(line, ParseContext(year_hint=2020)), line
