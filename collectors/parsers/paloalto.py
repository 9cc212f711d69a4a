"""Palo Alto Networks PAN-OS syslog CSV: TRAFFIC and THREAT (other types keep the common fields).

Column positions follow PAN-OS's syslog field descriptions (8.x–11.x; later versions only
append columns). The device's CSV times carry no zone: they are read in ctx.tz, unless the
syslog header in front has an RFC 3339 timestamp with an offset, which is then used.
Datasets: paloalto.traffic, paloalto.threat, paloalto.<type>.

Speed (the module is compiled by Cython): the CSV start is found by a typed character scan
instead of a regex search; a line without quotes or line breaks is cut by `str.split` and
a quoted one by a small cutter (both give what csv.reader gives; anything unusual still goes
to csv.reader); columns are copied by straight-line calls; the timestamp and the syslog
header are cached per text in ctx.ts_cache. Interpreted, the start is still found by the
regex (same position) and quoted lines go to csv.reader.
"""

from __future__ import annotations

import csv
import re

import cython

from soc.errors import ParseError
from soc.events import Event

from .base import ParseContext, Parser, is_ip, iso_to_ts, local_prefix, register
from .syslog import split_syslog

if cython.compiled:  # read the characters of a str in place, cut it without scanning it again
    from cython.cimports.cpython.unicode import PyUnicode_DATA, PyUnicode_KIND, PyUnicode_READ, PyUnicode_Substring

# "<digits>,yyyy/mm/dd HH:MM:SS," opens the CSV; `scan_start` finds the same leftmost match
_START = re.compile(r"\d+,(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d),")
_THREAT_NAME = re.compile(r"(.*?)\s*\((\d+)\)$")
_FAIL = ("deny", "drop", "reset", "block", "sinkhole")
# types whose columns 7..30 are TRAFFIC's (addresses, rule, zones, ports, protocol, action)
_NETWORK_TYPES = frozenset({"DECRYPTION", "TUNNEL", "START", "END", "SCTP", "GTP"})
_DETECT_TYPES = (",TRAFFIC,", ",THREAT,", ",SYSTEM,", ",CONFIG,", ",GLOBALPROTECT,", ",USERID,", ",HIPMATCH,",
                 ",HIP-MATCH,", ",AUTHENTICATION,", ",DECRYPTION,", ",TUNNEL,", ",SCTP,", ",GTP,", ",IPTAG,",
                 ",CORRELATION,", ",START,", ",END,")
# Logs relayed by Cortex Data Lake / Strata Logging Service write ISO-8601 times in the CSV
_START_ISO = re.compile(r"\d+,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?,", re.ASCII)
_CACHE_LIMIT = 4096  # bound of the per-value caches below: their keys come from the logs
_TS_CACHE_LIMIT = 200_000  # as base.py bounds ctx.ts_cache
_CSV_FIELD_LIMIT = 131_072  # csv.field_size_limit()'s default (nothing here lowers it); asked only above it

# log type column as written -> (upper-case type, dataset)
_TYPES: dict[str, tuple[str, str]] = {}
# threat name column -> (signature, id) or None when it carries no "(id)"
_SIGNATURES: dict[str, tuple[str, str] | None] = {}


@cython.cfunc
@cython.inline
@cython.exceptval(check=False)
def _dec(c: cython.Py_UCS4) -> cython.bint:
    """What the regex's \\d matches: any Unicode decimal digit."""
    return ("0" <= c <= "9") or (c >= "\x80" and c.isdecimal())


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
@cython.exceptval(check=False)
def _stamp_at(line: str, s: cython.Py_ssize_t) -> cython.bint:
    """line[s:s+20] is "yyyy/mm/dd HH:MM:SS," (the caller checked the length)."""
    return (line[s + 4] == "/" and line[s + 7] == "/" and line[s + 10] == " " and line[s + 13] == ":"
            and line[s + 16] == ":" and line[s + 19] == ","
            and _dec(line[s]) and _dec(line[s + 1]) and _dec(line[s + 2]) and _dec(line[s + 3])
            and _dec(line[s + 5]) and _dec(line[s + 6]) and _dec(line[s + 8]) and _dec(line[s + 9])
            and _dec(line[s + 11]) and _dec(line[s + 12]) and _dec(line[s + 14]) and _dec(line[s + 15])
            and _dec(line[s + 17]) and _dec(line[s + 18]))


@cython.ccall
@cython.boundscheck(False)
@cython.wraparound(False)
def scan_start(line: str) -> cython.Py_ssize_t:
    """Index where `_START.search(line)` matches, -1 if nowhere, by a character scan.

    The leftmost match is the first comma with a digit before it and the stamp after it,
    started at the first digit of the run of digits that ends at that comma.
    """
    n: cython.Py_ssize_t = len(line)
    i: cython.Py_ssize_t
    p: cython.Py_ssize_t
    c: cython.Py_UCS4
    for i in range(1, n - 20):
        c = line[i]
        if c == "," and _dec(line[i - 1]) and _stamp_at(line, i + 1):
            p = i - 1
            while p > 0 and _dec(line[p - 1]):
                p -= 1
            return p
    return -1


def find_start(line: str) -> int:
    """Start of the PAN-OS CSV in a line ("<n>,yyyy/mm/dd HH:MM:SS,..."), -1 if there is none."""
    if cython.compiled:
        return scan_start(line)
    m = _START.search(line)  # interpreted, the C regex beats a Python character loop
    return -1 if m is None else m.start()


_COLUMNS = 47  # columns 0..46 are read; later ones may be left uncut


@cython.ccall
def split_columns(body: str) -> list | None:
    """csv.reader's columns of a non-empty `body`, the first 47 at least; None when csv must decide.

    A line without quotes is cut by str.split (the 48th piece keeps the rest uncut). Quoted
    lines are cut by `_split_quoted`. Line breaks (csv's error, or a multi-line column) are
    left to csv.reader.
    """
    if body.find("\n") >= 0 or body.find("\r") >= 0:
        return None
    if body.find('"') < 0:
        return body.split(",", _COLUMNS)
    return _split_quoted(body)


@cython.cfunc
def _split_quoted(body: str) -> list | None:
    """The first 47 columns of a line with quotes and no line break; None when csv must decide.

    A quoted column must close with a quote followed by a comma or the end: a doubled quote
    or a quote followed by other text is left to csv. A quote inside an unquoted column is
    text, as for csv.
    """
    cols: list = []
    c: cython.Py_UCS4
    pos: cython.Py_ssize_t = -1
    begin: cython.Py_ssize_t = 0
    end: cython.Py_ssize_t = 0
    state: cython.int = 0  # 0 column start, 1 unquoted, 2 quoted, 3 after the closing quote
    wanted: cython.Py_ssize_t = _COLUMNS
    for c in body:
        pos += 1
        if state == 0:
            if c == '"':
                state = 2
                begin = pos + 1
            elif c == ",":
                cols.append("")
            else:
                state = 1
                begin = pos
        elif state == 1:
            if c == ",":
                cols.append(body[begin:pos])
                state = 0
        elif state == 2:
            if c == '"':
                end = pos
                state = 3
        elif c == ",":  # a quoted column is whole only once the comma after its quote is seen
            cols.append(body[begin:end])
            state = 0
        else:
            return None
        if len(cols) >= wanted:
            return cols
    if state == 0:
        cols.append("")
    elif state == 1:
        cols.append(body[begin:])
    elif state == 2:
        return None
    else:
        cols.append(body[begin:end])
    return cols


@cython.cfunc
def _columns(body: str) -> list:
    """The CSV columns of a line (at least the first 47: later ones are never read)."""
    size: cython.Py_ssize_t = len(body)
    if size <= _CSV_FIELD_LIMIT or size <= csv.field_size_limit():  # no column can be too long for csv
        if cython.compiled or '"' not in body:  # interpreted, csv.reader beats a Python loop
            cols = split_columns(body)
            if cols is not None:
                return cols
    return next(csv.reader([body]))


_PIECES = cython.declare(cython.Py_ssize_t, 48)  # body.split(",", 47)'s pieces at most: columns 0..46, the rest


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _cut(line: str, start: cython.Py_ssize_t, starts: cython.p_Py_ssize_t,
         ends: cython.p_Py_ssize_t) -> cython.Py_ssize_t:
    """Compiled only: bounds in `line` of line[start:].split(",", 47)'s pieces, and their number.

    -1 when `_columns` must cut the line (quotes, line breaks, or too long for a quick answer
    about csv's field limit): the same lines `split_columns` does not cut by str.split.
    """
    size: cython.Py_ssize_t = len(line)
    if size - start > _CSV_FIELD_LIMIT:
        return -1
    n: cython.Py_ssize_t = 0
    last: cython.Py_ssize_t = _PIECES - 1
    begin: cython.Py_ssize_t = start
    i: cython.Py_ssize_t
    c: cython.Py_UCS4
    kind: cython.int = PyUnicode_KIND(line)
    data: cython.p_void = PyUnicode_DATA(line)
    for i in range(start, size):
        c = PyUnicode_READ(kind, data, i)
        if c == ",":
            if n < last:
                starts[n] = begin
                ends[n] = i
                n += 1
                begin = i + 1
        elif c == '"' or c == "\n" or c == "\r":
            return -1
    starts[n] = begin
    ends[n] = size
    return n + 1


def cut_columns(line: str, start: int) -> list | None:
    """The pieces `_cut` finds in line[start:] (compiled; interpreted it is never used: None)."""
    if cython.compiled:
        starts = cython.declare(cython.Py_ssize_t[48])
        ends = cython.declare(cython.Py_ssize_t[48])
        n: cython.Py_ssize_t = _cut(line, start, starts, ends)
        k: cython.Py_ssize_t
        return None if n < 0 else [_sub(line, starts[k], ends[k]) for k in range(n)]
    return None


@cython.cfunc
def _fill(cols: list, starts: cython.p_Py_ssize_t, ends: cython.p_Py_ssize_t) -> str:
    """The first 48 columns glued into one text; starts/ends get each column's bounds in it."""
    pos: cython.Py_ssize_t = 0
    k: cython.Py_ssize_t
    count: cython.Py_ssize_t = min(len(cols), _PIECES)
    for k in range(count):
        starts[k] = pos
        pos += len(cols[k])
        ends[k] = pos
    return "".join(cols[:count])


@cython.cfunc
@cython.inline
def _sub(text: str, s: cython.Py_ssize_t, e: cython.Py_ssize_t) -> str:
    """text[s:e] for 0 <= s <= e <= len(text) (compiled: without Cython's scan for the widest character)."""
    if cython.compiled:
        return PyUnicode_Substring(text, s, e)
    return text[s:e]


@cython.cfunc
def _col(text: str, starts: cython.p_Py_ssize_t, ends: cython.p_Py_ssize_t, k: cython.Py_ssize_t) -> str:
    return _sub(text, starts[k], ends[k])


@cython.cfunc
def _text(ev: dict, name: str, text: str, starts: cython.p_Py_ssize_t, ends: cython.p_Py_ssize_t,
          k: cython.Py_ssize_t) -> cython.void:
    """ev[name] = column k, unless empty, "0.0.0.0", "::" or "any"."""
    s: cython.Py_ssize_t = starts[k]
    n: cython.Py_ssize_t = ends[k] - s
    if n == 0:
        return
    value: str = _sub(text, s, s + n)
    if (n == 7 and value == "0.0.0.0") or (n == 3 and value == "any") or (n == 2 and value == "::"):
        return
    ev[name] = value


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _digits(text: str, s: cython.Py_ssize_t, e: cython.Py_ssize_t) -> cython.longlong:
    """Compiled: the number text[s:e] writes in 1-18 ASCII digits, else -1 (always -1 interpreted)."""
    if not cython.compiled or e <= s or e - s > 18:
        return -1
    acc: cython.longlong = 0
    i: cython.Py_ssize_t
    c: cython.Py_UCS4
    for i in range(s, e):
        c = text[i]
        if c < "0" or c > "9":
            return -1
        acc = acc * 10 + (ord(c) - 48)
    return acc


@cython.cfunc
def _int(ev: dict, name: str, text: str, starts: cython.p_Py_ssize_t, ends: cython.p_Py_ssize_t,
         k: cython.Py_ssize_t) -> cython.void:
    """ev[name] = int(column k) when it is .isdigit() (ASCII digits summed in C when compiled)."""
    s: cython.Py_ssize_t = starts[k]
    e: cython.Py_ssize_t = ends[k]
    acc: cython.longlong = _digits(text, s, e)
    if acc >= 0:
        ev[name] = acc
        return
    value: str = _sub(text, s, e)
    if value.isdigit():
        ev[name] = int(value)


@cython.cfunc
def _timestamp(stamp: str, ctx: ParseContext, cache: dict) -> str:
    """"yyyy/mm/dd HH:MM:SS" read in ctx.tz -> @timestamp, cached per stamp text in ctx.ts_cache."""
    ts = cache.get(stamp)
    if ts is None and len(stamp) > 19 and stamp[10] == "T":  # ISO-8601 (see _START_ISO)
        return iso_to_ts(stamp, ctx)
    if ts is None:
        prefix = local_prefix(ctx, int(stamp[0:4]), int(stamp[5:7]), int(stamp[8:10]), int(stamp[11:13]),
                              int(stamp[14:16]))
        sec = stamp[17:19]
        if not sec.isascii():  # other Unicode digits: written in ASCII
            sec = f"{int(sec):02d}"
        ts = prefix + sec + ".000Z"
        if len(cache) > _TS_CACHE_LIMIT:
            cache.clear()
        cache[stamp] = ts
    return ts


@cython.cfunc
def _header(raw: str, ctx: ParseContext, cache: dict) -> tuple:
    """(@timestamp or None, host.name or None) of the text in front of the CSV (a syslog header).

    The header's time is used only when it is RFC 3339/5424 (its offset is known). The answer
    is cached per header text in ctx.ts_cache (a busy firewall writes many lines a second
    under one header); the text never ends with a digit, unlike the timestamp keys there.
    """
    known = cache.get(raw)
    if known is None:
        ts = host = None
        header = raw.strip()
        parts = split_syslog(header + " -", ctx) if header else None
        if parts is not None:
            head = parts[0]
            if header[header.find(">") + 1 if header.startswith("<") else 0:][:1].isdigit():
                ts = head["@timestamp"]  # RFC 5424 / 3339: the offset is known (RFC 3164 has none)
            host = head.get("host.name")
            if host == "-":  # "Mmm dd HH:MM:SS" alone: the " -" added above, no host
                host = None
        known = (ts, host)
        if len(cache) > _TS_CACHE_LIMIT:
            cache.clear()
        cache[raw] = known
    return known


@cython.cfunc
def _log_type(raw: str) -> tuple:
    known = _TYPES.get(raw)
    if known is None:
        upper = raw.upper()
        known = (upper, "paloalto." + upper.lower())
        if len(_TYPES) < _CACHE_LIMIT:
            _TYPES[raw] = known
    return known


@cython.cfunc
def _signature(name: str) -> tuple | None:
    if name in _SIGNATURES:
        return _SIGNATURES[name]
    m = _THREAT_NAME.match(name)
    found = (m.group(1), m.group(2)) if m else None
    if len(_SIGNATURES) >= _CACHE_LIMIT:
        _SIGNATURES.clear()
    _SIGNATURES[name] = found
    return found


class PaloAltoParser(Parser):
    name = "paloalto"
    dataset = "paloalto.traffic"
    aliases = ("panos", "pan-os", "panw")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        if line and (line[-1] == "\n" or line[-1] == "\r"):
            line = line.rstrip("\r\n")
        if not line or line.isspace():
            return None
        start = find_start(line)
        if start < 0:
            m = _START_ISO.search(line)  # only where the usual "yyyy/mm/dd HH:MM:SS" is missing
            start = -1 if m is None else m.start()
        if start < 0:
            raise ParseError("not a PAN-OS CSV line (no 'n,yyyy/mm/dd HH:MM:SS,' start)")
        # column k is text[starts[k]:ends[k]]: the line itself when it is cut in place (compiled),
        # else the columns glued together
        if cython.compiled:
            starts = cython.declare(cython.Py_ssize_t[48])
            ends = cython.declare(cython.Py_ssize_t[48])
            text: str = line
            n: cython.Py_ssize_t = _cut(line, start, starts, ends)
            if n < 0:
                cols: list = _columns(line[start:])
                n = len(cols)
                text = _fill(cols, starts, ends)
            return _event(line, start, text, starts, ends, n, ctx)
        cols = _columns(line[start:])
        py_starts, py_ends = [0] * _PIECES, [0] * _PIECES
        text = _fill(cols, py_starts, py_ends)
        return _event(line, start, text, py_starts, py_ends, len(cols), ctx)

    def detects(self, line: str) -> bool:
        return any(t in line for t in _DETECT_TYPES) and (find_start(line) >= 0 or _START_ISO.search(line) is not None)


@cython.cfunc
def _event(line: str, start: cython.Py_ssize_t, text: str, starts: cython.p_Py_ssize_t,
           ends: cython.p_Py_ssize_t, n: cython.Py_ssize_t, ctx: ParseContext) -> dict:
    """The event of a line whose CSV (at `start`) has `n` columns, cut as `_parse` says."""
    if n < 7:
        raise ParseError(f"PAN-OS line with {n} columns (at least 7 expected)")
    ev: dict = {"log.original": line}
    cache: dict = ctx.ts_cache
    ts = host = None
    if start:
        ts, host = _header(line[:start], ctx, cache)
        if ts is not None:
            ev["@timestamp"] = ts
        if host is not None:
            ev["host.name"] = host
    if ts is None:
        ev["@timestamp"] = _timestamp(_col(text, starts, ends, 1), ctx, cache)
    log_type, dataset = _log_type(_col(text, starts, ends, 3))
    sub_type: str = _col(text, starts, ends, 4)
    ev["event.dataset"] = dataset
    ev["event.kind"] = "event"
    ev["observer.vendor"] = "Palo Alto Networks"
    ev["observer.product"] = "PAN-OS"
    ev["observer.type"] = "firewall"
    ev["panw.panos.type"] = log_type
    ev["panw.panos.sub_type"] = sub_type
    if log_type != "TRAFFIC" and log_type != "THREAT" and log_type not in _NETWORK_TYPES:
        _other(ev, log_type, sub_type, text, starts, ends, n)
        if host is not None:
            ev["observer.name"] = host
        return ev
    if n < 31:
        raise ParseError(f"PAN-OS {log_type} line with {n} columns (at least 31 expected)")
    _common(ev, text, starts, ends)
    transport: str = _col(text, starts, ends, 29)
    if transport:
        ev["network.transport"] = transport.lower()
    action: str = _col(text, starts, ends, 30)
    failed = False
    if action:
        failed = action.startswith(_FAIL)
        ev["event.action"] = action
        ev["event.outcome"] = "failure" if failed else "success"
    if log_type == "TRAFFIC":
        _traffic(ev, text, starts, ends, n, sub_type, failed)
    elif log_type == "THREAT":
        _threat(ev, text, starts, ends, n, sub_type, failed)
    else:
        ev["event.category"] = ["network"]
        ev["event.type"] = ["info"]
    if host is not None:
        ev["observer.name"] = host
    return ev


@cython.cfunc
def _common(ev: dict, text: str, starts: cython.p_Py_ssize_t, ends: cython.p_Py_ssize_t) -> cython.void:
    """Columns of TRAFFIC, THREAT and most other types (0-based; the caller checked there are >= 31)."""
    _text(ev, "observer.serial_number", text, starts, ends, 2)
    _text(ev, "source.ip", text, starts, ends, 7)
    _text(ev, "destination.ip", text, starts, ends, 8)
    _text(ev, "source.nat.ip", text, starts, ends, 9)
    _text(ev, "destination.nat.ip", text, starts, ends, 10)
    _text(ev, "rule.name", text, starts, ends, 11)
    _text(ev, "source.user.name", text, starts, ends, 12)
    _text(ev, "destination.user.name", text, starts, ends, 13)
    _text(ev, "network.application", text, starts, ends, 14)
    _text(ev, "panw.panos.vsys", text, starts, ends, 15)
    _text(ev, "observer.ingress.zone", text, starts, ends, 16)
    _text(ev, "observer.egress.zone", text, starts, ends, 17)
    _text(ev, "observer.ingress.interface.name", text, starts, ends, 18)
    _text(ev, "observer.egress.interface.name", text, starts, ends, 19)
    _text(ev, "panw.panos.session_id", text, starts, ends, 22)
    _int(ev, "source.port", text, starts, ends, 24)
    _int(ev, "destination.port", text, starts, ends, 25)
    _int(ev, "source.nat.port", text, starts, ends, 26)
    _int(ev, "destination.nat.port", text, starts, ends, 27)


@cython.cfunc
def _traffic(ev: dict, text: str, starts: cython.p_Py_ssize_t, ends: cython.p_Py_ssize_t,
             n: cython.Py_ssize_t, sub_type: str, failed: cython.bint) -> cython.void:
    if n > 37:
        _text(ev, "panw.panos.url_category", text, starts, ends, 37)
    if n > 41:
        _text(ev, "source.geo.name", text, starts, ends, 41)
    if n > 42:
        _text(ev, "destination.geo.name", text, starts, ends, 42)
    if n > 46:
        _text(ev, "event.reason", text, starts, ends, 46)
    if n > 31:
        _int(ev, "network.bytes", text, starts, ends, 31)
    if n > 32:
        _int(ev, "source.bytes", text, starts, ends, 32)
    if n > 33:
        _int(ev, "destination.bytes", text, starts, ends, 33)
    if n > 34:
        _int(ev, "network.packets", text, starts, ends, 34)
    if n > 44:
        _int(ev, "source.packets", text, starts, ends, 44)
    if n > 45:
        _int(ev, "destination.packets", text, starts, ends, 45)
    denied = sub_type == "deny" or sub_type == "drop" or failed
    ev["event.category"] = ["network"]
    kind = "start" if sub_type == "start" else "end" if sub_type == "end" else "info"
    ev["event.type"] = ["connection", "denied" if denied else "allowed", kind]
    if n > 36:
        s: cython.Py_ssize_t = starts[36]
        e: cython.Py_ssize_t = ends[36]
        seconds: cython.longlong = _digits(text, s, e)
        if seconds >= 0:
            ev["event.duration"] = seconds * 1_000_000_000
        else:
            duration: str = _sub(text, s, e)
            if duration.isdigit():
                ev["event.duration"] = int(duration) * 1_000_000_000


@cython.cfunc
def _threat(ev: dict, text: str, starts: cython.p_Py_ssize_t, ends: cython.p_Py_ssize_t,
            n: cython.Py_ssize_t, sub_type: str, failed: cython.bint) -> cython.void:
    if n > 31:  # the URL, or the file name of file, virus and WildFire logs
        _text(ev, "file.name" if sub_type == "file" or sub_type == "virus" or sub_type.startswith("wildfire")
              else "url.original", text, starts, ends, 31)
    if n > 33:
        _text(ev, "panw.panos.url_category", text, starts, ends, 33)
    if n > 34:
        _text(ev, "panw.panos.severity", text, starts, ends, 34)
    if n > 35:
        _text(ev, "panw.panos.direction", text, starts, ends, 35)
    if n > 38:
        _text(ev, "source.geo.name", text, starts, ends, 38)
    if n > 39:
        _text(ev, "destination.geo.name", text, starts, ends, 39)
    name: str = _col(text, starts, ends, 32) if n > 32 else ""
    if "rule.name" in ev:  # the alert's rule is the signature; the policy keeps its own field
        ev["panw.panos.rule_name"] = ev["rule.name"]
    signature = _signature(name)
    if signature is not None:
        if signature[0]:  # URL filtering writes only "(9999)"
            ev["rule.name"] = signature[0]
        elif "rule.name" in ev:
            del ev["rule.name"]
        ev["rule.id"] = signature[1]
    elif name:
        ev["rule.name"] = name
    ev["event.kind"] = "alert"
    if sub_type == "virus" or sub_type.startswith("wildfire"):
        ev["event.category"] = ["malware", "intrusion_detection", "network"]
    else:
        ev["event.category"] = ["intrusion_detection", "network"]
    ev["event.type"] = ["denied"] if failed else ["allowed"]
    ev["panw.panos.threat.category"] = sub_type



# ---------------------------------------------------------------- the other log types
# Their columns after the 7th differ per type (PAN-OS "Syslog Field Descriptions", 8.1-11.x):
# column -> field; later PAN-OS versions only append columns.
_LAYOUTS: dict[str, tuple[tuple[int, str], ...]] = {
    "SYSTEM": ((7, "panw.panos.vsys"), (8, "event.action"), (9, "panw.panos.object"), (12, "panw.panos.module"),
               (13, "log.level"), (14, "message"), (22, "observer.name")),
    "CONFIG": ((7, "source.ip"), (8, "panw.panos.vsys"), (9, "event.action"), (10, "user.name"),
               (11, "panw.panos.client"), (12, "panw.panos.result"), (13, "panw.panos.config_path"),
               (21, "observer.name")),
    "USERID": ((7, "panw.panos.vsys"), (8, "source.ip"), (9, "user.name"), (10, "panw.panos.datasource_name"),
               (11, "panw.panos.event_id"), (16, "panw.panos.datasource"), (17, "panw.panos.datasource_type"),
               (25, "observer.name")),
    "HIPMATCH": ((7, "user.name"), (8, "panw.panos.vsys"), (9, "host.hostname"), (10, "host.os.name"),
                 (11, "source.ip"), (12, "rule.name"), (14, "panw.panos.hip_type"), (24, "observer.name"),
                 (26, "source.ip")),
    "GLOBALPROTECT": ((7, "panw.panos.vsys"), (8, "event.action"), (9, "panw.panos.stage"),
                      (10, "panw.panos.auth_method"), (11, "panw.panos.tunnel_type"), (12, "user.name"),
                      (13, "source.geo.name"), (14, "host.hostname"), (15, "source.ip"), (16, "source.ip"),
                      (17, "panw.panos.private_ip"), (18, "panw.panos.private_ip"), (21, "panw.panos.client_version"),
                      (22, "host.os.name"), (23, "host.os.version"), (25, "event.reason"), (26, "error.message"),
                      (27, "message"), (28, "panw.panos.status"), (33, "panw.panos.portal")),
    "AUTHENTICATION": ((7, "panw.panos.vsys"), (8, "source.ip"), (9, "user.name"), (10, "panw.panos.normalize_user"),
                       (11, "panw.panos.object"), (12, "rule.name"), (14, "panw.panos.auth_id"),
                       (15, "panw.panos.vendor"), (16, "panw.panos.log_action"), (17, "panw.panos.server_profile"),
                       (18, "message"), (19, "panw.panos.client_type"), (20, "panw.panos.event_type"),
                       (29, "observer.name")),
}
_LAYOUTS["HIP-MATCH"] = _LAYOUTS["HIPMATCH"]
_UNSET = frozenset({"", "0.0.0.0", "::", "any", "N/A"})
# what SYSTEM descriptions say of a login: "failed authentication for user 'admin'. ... From: 10.0.0.5."
# and GlobalProtect's "... Login from: 1.2.3.4, Source region: VN, User name: bob, ..."
_DESC_USER = re.compile(r"(?:[Uu]ser '([^']+)'|User name: ([^,]+))")
_DESC_IP = re.compile(r"(?:From|from): (\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:]+)")


@cython.cfunc
def _other(ev: dict, log_type: str, sub_type: str, text: str, starts: cython.p_Py_ssize_t,
           ends: cython.p_Py_ssize_t, n: cython.Py_ssize_t) -> cython.void:
    """Fields, category and outcome of a log type that is neither TRAFFIC/THREAT nor shaped like them."""
    _text(ev, "observer.serial_number", text, starts, ends, 2)
    for k, name in _LAYOUTS.get(log_type, ()):
        if k < n and name not in ev:  # a later column (IPv6 beside IPv4) fills only what is still empty
            value: str = _col(text, starts, ends, k)
            if value not in _UNSET:
                ev[name] = value
    ip = ev.get("source.ip")
    if ip is not None and not is_ip(ip):  # CONFIG's host column may hold a name
        ev["source.domain"] = ev.pop("source.ip")
    action: str = ev.get("event.action") or ev.get("panw.panos.event_type") or sub_type
    if action and action != "0":
        ev["event.action"] = action
    low = action.lower()
    category, kind = "host", "info"
    outcome = None
    if log_type == "SYSTEM":
        _system_auth(ev, ev.get("message", ""))
        if sub_type == "auth" or "auth" in low or "login" in low or "logout" in low:
            category, kind = "authentication", "start"
        outcome = "failure" if "fail" in low else "success" if "success" in low else None
    elif log_type == "CONFIG":
        category, kind = "configuration", "change"
        result = ev.get("panw.panos.result", "").lower()
        outcome = "success" if result.startswith("succe") else "failure" if result.startswith("fail") else None
    elif log_type == "USERID":
        category, kind = "authentication", "end" if "logout" in low else "start" if "login" in low else "info"
        outcome = "success"
    elif log_type == "GLOBALPROTECT":
        if "auth" in low or "login" in low or "logout" in low or "prelogin" in low:
            category = "authentication"
        kind = "end" if "logout" in low else "start" if category == "authentication" else "info"
        status = ev.get("panw.panos.status", "").lower()
        outcome = "failure" if status.startswith("fail") else "success" if status == "success" else None
    elif log_type == "AUTHENTICATION":
        category, kind = "authentication", "start"
        outcome = "failure" if "fail" in low else "success" if "success" in low else None
    ev["event.category"] = [category]
    ev["event.type"] = [kind]
    if outcome is not None:
        ev["event.outcome"] = outcome


@cython.cfunc
def _system_auth(ev: dict, description: str) -> cython.void:
    """user.name and source.ip of a SYSTEM line's description, when it names them."""
    if not description:
        return
    m = _DESC_USER.search(description)
    if m is not None:
        ev["user.name"] = (m.group(1) or m.group(2)).strip()
    m = _DESC_IP.search(description)
    if m is not None and is_ip(m.group(1)):
        ev["source.ip"] = m.group(1)


register(PaloAltoParser())
