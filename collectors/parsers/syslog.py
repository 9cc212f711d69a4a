"""Syslog: RFC 3164 (BSD, year-less), RFC 3339-stamped traditional files, and RFC 5424.

`split_syslog` parses only the header and returns the event started with the header fields
plus the message text; the format modules that ride on syslog (auth, iptables, pfSense, ...)
use it and add their own fields. `SyslogParser` is the generic `syslog` format.
"""

from __future__ import annotations

import re
from typing import ClassVar

import cython

from soc.errors import ParseError
from soc.events import Event, format_ts

from .base import MONTHS, ParseContext, Parser, iso_to_ts, millis, register, syslog_prefix

# <PRI>? Mmm dd HH:MM:SS[.frac] host tag[pid]: msg     (tag optional: some daemons write none)
_RFC3164 = re.compile(
    r"(?:<(\d{1,3})>)?([A-Z][a-z]{2}  ?\d{1,2} \d\d:\d\d):(\d\d)(?:\.(\d{1,9}))? +(\S+)"
    r"(?:[ \t]+([^\s:\[\]]{1,64})(?:\[(\d{1,10})\])?:(?= |$))? ?(.*)",
    re.DOTALL,
)
# <PRI>? 2024-01-31T10:00:00.123+07:00 host tag[pid]: msg   (rsyslog's RFC 3339 file format)
_RFC3339 = re.compile(
    r"(?:<(\d{1,3})>)?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?) +(\S+)"
    r"(?: +([^\s:\[\]]{1,64})(?:\[(\d{1,10})\])?:(?= |$))? ?(.*)",
    re.DOTALL,
)
_SD = r"(?:\[(?:[^\]\\\"]|\\.|\"(?:[^\"\\]|\\.)*\")*\])"
# <PRI>VERSION TIMESTAMP HOST APP PROCID MSGID SD [MSG]
_RFC5424 = re.compile(
    r"<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|" + _SD + r"+)(?: (.*))?",
    re.DOTALL,
)


def _pri_fields(ev: Event, pri: str) -> None:
    p = int(pri)
    if p > 191:
        raise ParseError(f"syslog priority {p} out of range")
    ev["log.syslog.priority"] = p
    ev["log.syslog.facility.code"] = p >> 3
    ev["log.syslog.severity.code"] = p & 7


def split_syslog(line: str, ctx: ParseContext) -> tuple[Event, str] | None:
    """Header of an RFC 3164/3339/5424 line -> (event with header fields, message); None if not syslog.

    The common shape `Mmm dd HH:MM:SS host tag[pid]: msg` is cut with string slicing (three
    times faster than the regex, which handles every other shape and gives the same result).
    """
    if len(line) > 16 and line[15] == " " and line[12] == ":" and line[9] == ":" and line[3] == " ":
        parts = _split_fast(line, ctx)
        if parts is not None:
            return parts
    return _split_regex(line, ctx)


@cython.cfunc
def _split_fast(line: str, ctx: ParseContext) -> tuple | None:
    host_end: cython.Py_ssize_t = line.find(" ", 16)
    if host_end <= 16:
        return None
    stamps: dict = ctx.stamp_cache
    stamp_key = line[:15]
    stamp = stamps.get(stamp_key)
    if stamp is None:
        stamp = _stamp_3164(line, ctx)
        if stamp is None:
            return None
        if len(stamps) > _STAMP_LIMIT:
            stamps.clear()
        stamps[stamp_key] = stamp
    host = line[16:host_end]
    if "\t" in host:  # a tab-separated tag: the regex's `[ \t]+` takes it
        return None
    ev: Event = {"@timestamp": stamp, "log.original": line, "host.name": host}
    start: cython.Py_ssize_t = host_end + 1
    colon: cython.Py_ssize_t = line.find(":", host_end)
    if colon <= start:
        return ev, line[start:]
    tag = line[start:colon]
    if "\t" in tag:  # tabs around the tag: the regex decides
        return None
    if (colon - start > 64 or " " in tag
            or (colon + 1 < len(line) and line[colon + 1] != " ")):
        return None if line[start] == " " else (ev, line[start:])
    bracket: cython.Py_ssize_t = tag.find("[")
    if bracket < 0:
        if "]" in tag:
            return None
        ev["process.name"] = tag
    else:
        pid = tag[bracket + 1 : -1]
        if not (tag[-1] == "]" and _digits(pid) and bracket > 0 and len(pid) <= 10):
            return None
        ev["process.name"] = tag[:bracket]
        ev["process.pid"] = _pid(pid)
    return ev, line[colon + 2 :]


@cython.cfunc
@cython.inline
def _digits(text: str) -> cython.bint:
    """text.isdigit(), as a C loop when compiled."""
    if not cython.compiled:
        return text.isdigit()
    c: cython.Py_UCS4
    for c in text:
        if not ("0" <= c <= "9" or (c > 127 and c.isdigit())):
            return False
    return len(text) > 0


@cython.cfunc
def _pid(text: str) -> object:
    """int(text) of at most 10 digits, without the generic conversion for ASCII ones."""
    if not cython.compiled:
        return int(text)
    value: cython.longlong = 0
    c: cython.Py_UCS4
    for c in text:
        if not ("0" <= c <= "9"):
            return int(text)
        value = value * 10 + (ord(c) - 48)
    return value


_STAMP_LIMIT = 100_000


def _stamp_3164(line: str, ctx: ParseContext) -> str | None:
    """`@timestamp` of the "Mmm dd HH:MM:SS" that starts `line`; None if it is not that shape."""
    sec = line[13:15]
    if not sec.isdigit():
        return None
    key = line[:12]
    prefix = ctx.ts_cache.get(key)
    if prefix is None:
        if not (key[:3] in MONTHS and key[4:6].strip().isdigit() and key[7:9].isdigit() and key[10:12].isdigit()):
            return None
        prefix = syslog_prefix(ctx, key)
    return prefix + sec + ".000Z"


def _split_regex(line: str, ctx: ParseContext) -> tuple[Event, str] | None:
    if line.startswith("<") and line.find(">1 ", 1, 8) > 0:  # _RFC3164 needs a month name there
        return _split_5424(line, ctx)
    m = _RFC3164.match(line)
    if m is not None:
        pri, key, sec, frac, host, prog, pid, msg = m.groups()
        prefix = ctx.ts_cache.get(key) or syslog_prefix(ctx, key)
        ev: Event = {"@timestamp": prefix + sec + (millis(frac) if frac else ".000Z"),
                     "log.original": line, "host.name": host}
        if prog is not None:
            ev["process.name"] = prog
            if pid is not None:
                ev["process.pid"] = int(pid)
        if pri is not None:
            _pri_fields(ev, pri)
        return ev, msg
    m = _RFC3339.match(line)
    if m is not None:
        pri, ts, host, prog, pid, msg = m.groups()
        ev = {"@timestamp": iso_to_ts(ts, ctx), "log.original": line, "host.name": host}
        if prog is not None:
            ev["process.name"] = prog
            if pid is not None:
                ev["process.pid"] = int(pid)
        if pri is not None:
            _pri_fields(ev, pri)
        return ev, msg
    return None


def _split_5424(line: str, ctx: ParseContext) -> tuple[Event, str] | None:
    groups = _groups_5424(line)
    if groups is None:
        m = _RFC5424.match(line)
        if m is None:
            return None
        groups = m.groups()
    pri, version, ts, host, app, procid, msgid, sd, msg = groups
    # NILVALUE: the sender had no clock (RFC 5424 6.2.3); like rsyslog, take the time of receipt
    stamp = format_ts(ctx.now) if ts == "-" else iso_to_ts(ts, ctx)
    ev: Event = {"@timestamp": stamp, "log.original": line, "log.syslog.version": version}
    _pri_fields(ev, pri)
    if host != "-":
        ev["host.name"] = host
    if app != "-":
        ev["process.name"] = app
    if procid != "-":
        if procid.isdigit():
            ev["process.pid"] = int(procid)
        else:
            ev["log.syslog.procid"] = procid
    if msgid != "-":
        ev["log.syslog.msgid"] = msgid
    if sd != "-":
        ev["log.syslog.structured_data"] = sd
    msg = msg or ""
    if msg.startswith("\ufeff"):
        msg = msg[1:]
    return ev, msg


def _groups_5424(line: str) -> tuple | None:
    """_RFC5424.match(line).groups() cut with str.split and str.find; None when unsure.

    Only printable lines are taken (no whitespace but " "), so `\\S+` is a run without spaces;
    others go to the regex.
    """
    parts = line.split(" ", 6)
    if len(parts) != 7:
        return None
    head = parts[0]
    gt: cython.Py_ssize_t = head.find(">")
    pri = head[1:gt]
    version = head[gt + 1 :]
    ts, host, app, procid, msgid, rest = parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]
    if not (head[:1] == "<" and 0 < gt <= 4 and pri.isdecimal() and version.isdecimal() and 0 < len(version) <= 2
            and ts and host and app and procid and msgid and line.isprintable()):
        return None
    if rest[:1] == "-":
        sd_end: cython.Py_ssize_t = 1
        sd = "-"
    else:
        sd_end = _sd_end(rest)
        if sd_end == 0:
            return None
        sd = rest[:sd_end]
    msg = rest[sd_end + 1 :] if rest[sd_end : sd_end + 1] == " " else None
    return pri, version, ts, host, app, procid, msgid, sd, msg


def _sd_end(text: str) -> cython.Py_ssize_t:
    """Length of the run of whole `[id param="value"...]` elements that starts `text` (0: none).

    Follows _SD: in an element `\\x` escapes any char, quotes hold `]`; an element left open
    ends the run before it.
    """
    n: cython.Py_ssize_t = len(text)
    done: cython.Py_ssize_t = 0
    while done < n and text[done] == "[":
        k: cython.Py_ssize_t = done + 1
        while True:
            close: cython.Py_ssize_t = text.find("]", k)
            if close < 0:
                return done
            quote: cython.Py_ssize_t = text.find('"', k, close)
            escape: cython.Py_ssize_t = text.find("\\", k, close)
            if quote < 0 and escape < 0:
                break
            if escape >= 0 and (quote < 0 or escape < quote):
                k = escape + 2
                continue
            k = _quoted_end(text, quote + 1)
            if k < 0:
                return done
        done = close + 1
    return done


def _quoted_end(text: str, k: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """Index just past the quote closing a value whose text starts at k; -1 if never closed."""
    while True:
        quote: cython.Py_ssize_t = text.find('"', k)
        if quote < 0:
            return -1
        escape: cython.Py_ssize_t = text.find("\\", k, quote)
        if escape < 0:
            return quote + 1
        k = escape + 2


def generic_event(ev: Event, msg: str, dataset: str = "syslog") -> Event:
    """Finish a header-parsed event as a plain syslog message."""
    ev["event.dataset"] = dataset
    ev["event.kind"] = "event"
    ev["message"] = msg.strip()
    return ev


class SyslogFramedParser(Parser):
    """A format carried in syslog: the header is parsed here, `_message` reads the rest.

    `not_syslog` is the dead-letter reason for a line without a syslog header.
    """

    not_syslog: ClassVar[str] = "not a syslog line (RFC 3164, RFC 3339 or RFC 5424 header expected)"

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.rstrip("\r\n")
        if not line.strip():
            return None
        parts = split_syslog(line, ctx)
        if parts is None:
            raise ParseError(self.not_syslog)
        return self._message(parts[0], parts[1])

    def _message(self, ev: Event, msg: str) -> Event:
        raise NotImplementedError


class SyslogParser(SyslogFramedParser):
    name = "syslog"
    dataset = "syslog"
    aliases = ("rfc3164", "rfc5424")
    priority = 90

    def _message(self, ev: Event, msg: str) -> Event:
        return generic_event(ev, msg)

    def detects(self, line: str) -> bool:
        return bool(_RFC3164.match(line) or _RFC5424.match(line) or _RFC3339.match(line))


register(SyslogParser())
