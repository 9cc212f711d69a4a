"""FortiGate (FortiOS) key=value logs: traffic, UTM (IPS, AV, web filter, app control) and event logs.

Accepted with or without a `<PRI>` prefix and with or without a syslog header in front.
Datasets: fortigate.traffic, fortigate.utm, fortigate.event. Known keys map to ECS; every other
key is kept as `fortinet.firewall.<key>` so nothing the device said is lost.

Two ways to the same event. Interpreted, the pairs come from one regex (`_KV`) into a dict that
`parse_exact` turns into the event. Compiled by Cython, `parse_fast` reads the pairs with a typed
character scan (`_Cursor`, the regex's exact semantics) straight into the event, and hands the
rare line where two pairs land on one field (a repeated key, srcip with remip) or an integer key
holds text to `parse_exact`. tests/collectors/parsers/test_fortigate_kv.py checks with
hypothesis that scan and regex give the same pairs and both paths the same event.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timezone

import cython

from soc.errors import ParseError
from soc.events import Event

from .base import IANA_TRANSPORT, ParseContext, Parser, fixed_offset, local_prefix, register

if cython.compiled:  # read the characters of a str in place
    from cython.cimports.cpython.unicode import (PyUnicode_DATA, PyUnicode_KIND,
                                                 PyUnicode_READ, PyUnicode_Substring)

# key="quoted value" or key=bare; the look-behind picks the quoted branch right after `="`,
# so findall yields (key, unquoted value) pairs that dict() takes directly. Inside quotes FortiOS
# writes a quote as \" (a backslash takes the character after it along): without that, a quoted
# value an attacker controls (an X-Forwarded-For, a URL) could end early and add keys (srcip=...).
# The value keeps its backslashes, as the device wrote it.
_KV = re.compile(r'([\w-]+)="?((?<==")(?:\\[\s\S]|[^"])*|[^\s"]*)"?')
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)\Z", re.ASCII)
_TIME = re.compile(r"(\d\d):(\d\d):(\d\d)\Z", re.ASCII)

_TYPE_DATASET = {"traffic": "fortigate.traffic", "utm": "fortigate.utm", "event": "fortigate.event",
                 # FortiOS 5.x logged UTM subtypes as their own types
                 "attack": "fortigate.utm", "virus": "fortigate.utm", "webfilter": "fortigate.utm",
                 "app-ctrl": "fortigate.utm", "dlp": "fortigate.utm", "anomaly": "fortigate.utm",
                 "emailfilter": "fortigate.utm", "dns": "fortigate.utm", "ips": "fortigate.utm"}
_FAIL_ACTIONS = frozenset({"deny", "block", "blocked", "dropped", "drop", "reset", "ssl-login-fail",
                           "login-failed", "tunnel-down", "fail", "failed", "reject", "quarantine",
                           "clear_session", "drop_session"})
# status= of event logs (admin login, IPsec negotiation, user authentication)
_FAIL_STATUS = frozenset({"failed", "failure", "fail", "negotiate_error", "error", "deny", "denied"})
_OK_ACTIONS = frozenset({"accept", "close", "pass", "passthrough", "allow", "allowed", "timeout", "client-rst",
                         "server-rst", "dns", "ip-conn", "ssl-login", "tunnel-up", "login", "logout", "start"})
_NA = frozenset({"", "N/A", "n/a", "unknown", "none"})

# direct renames: FortiOS key -> ECS field, value kept as text
_TEXT_FIELDS = {
    "srcip": "source.ip", "dstip": "destination.ip", "remip": "source.ip", "locip": "destination.ip",
    "devname": "observer.name", "devid": "observer.serial_number",
    "srcintf": "observer.ingress.interface.name", "dstintf": "observer.egress.interface.name",
    "policyid": "rule.id", "policyname": "rule.name", "poluuid": "rule.uuid",
    "logid": "event.code", "level": "log.level", "srcmac": "source.mac", "dstmac": "destination.mac",
    "transip": "source.nat.ip", "tranip": "destination.nat.ip", "hostname": "url.domain", "url": "url.original",
    "agent": "user_agent.original", "qname": "dns.question.name", "qtype": "dns.question.type",
    "filename": "file.name",
    "catdesc": "rule.category", "srcname": "source.domain",
}
# integer renames; a value that is not 1-18 ASCII digits is kept as text under fortinet.firewall.<key>
_INT_FIELDS = {
    "srcport": "source.port", "dstport": "destination.port", "sentbyte": "source.bytes",
    "rcvdbyte": "destination.bytes", "sentpkt": "source.packets", "rcvdpkt": "destination.packets",
    "transport": "source.nat.port", "tranport": "destination.nat.port", "remport": "source.port",
    "locport": "destination.port", "crscore": "event.risk_score",
}
# keys _classify reads (kept in _Cursor.v_<key> by their index here); all of them are also kept
# as fields like any other key
_SPECIAL = ("type", "date", "time", "tz", "subtype", "action", "proto", "service", "app", "user", "group",
            "msg", "logdesc", "duration", "srccountry", "dstcountry", "utmaction", "attack", "virus",
            "attackid", "virusid", "policyname", "status", "eventtime")
# their indexes as C constants (a Python global would be looked up at every use)
_TYPE = cython.declare(cython.int, 0)
_DATE_V = cython.declare(cython.int, 1)
_TIME_V = cython.declare(cython.int, 2)
_TZ = cython.declare(cython.int, 3)
_SUBTYPE = cython.declare(cython.int, 4)
_ACTION = cython.declare(cython.int, 5)
_PROTO = cython.declare(cython.int, 6)
_SERVICE = cython.declare(cython.int, 7)
_APP = cython.declare(cython.int, 8)
_USER = cython.declare(cython.int, 9)
_GROUP = cython.declare(cython.int, 10)
_MSG = cython.declare(cython.int, 11)
_LOGDESC = cython.declare(cython.int, 12)
_DURATION = cython.declare(cython.int, 13)
_SRCCOUNTRY = cython.declare(cython.int, 14)
_DSTCOUNTRY = cython.declare(cython.int, 15)
_UTMACTION = cython.declare(cython.int, 16)
_ATTACK = cython.declare(cython.int, 17)
_VIRUS = cython.declare(cython.int, 18)
_ATTACKID = cython.declare(cython.int, 19)
_VIRUSID = cython.declare(cython.int, 20)
_POLICYNAME = cython.declare(cython.int, 21)
_STATUS = cython.declare(cython.int, 22)
_EVENTTIME = cython.declare(cython.int, 23)
_SPECIAL_INDEX = {key: i for i, key in enumerate(_SPECIAL)}

_CACHE_MAX = 4096  # bound of every per-key cache: keys come from untrusted lines
_TS_CACHE_MAX = 100_000  # timestamps cached per context (one per second seen)
_REUSE_MAX = cython.declare(cython.int, 48)  # longest value a key keeps for reuse
_MAX_DIGITS = cython.declare(cython.int, 18)  # longer numbers do not fit the int64 orjson accepts
_HASH_MASK = cython.declare(cython.uint, 0xFFFFFFFF)
_HASH_MUL = cython.declare(cython.uint, 2654435761)

@cython.cclass
class _Key:
    """What one FortiOS key becomes: its event field, whether the value is an integer, its special index.

    `last` is the key's last short value: a device repeats most values (its name, interfaces,
    levels, actions) line after line, and handing out the same str saves making a new one."""

    key: str
    name: str
    is_int: cython.bint
    special: cython.int
    last: str

    def __init__(self, key: str) -> None:
        self.key = key
        self.last = ""
        int_name = _INT_FIELDS.get(key)
        self.is_int = int_name is not None
        self.name = int_name if int_name is not None else _TEXT_FIELDS.get(key) or extra_name(key)
        self.special = _SPECIAL_INDEX.get(key, -1)


def extra_name(key: str) -> str:
    """The field of a key without an ECS name: fortinet.firewall.<key>."""
    return "fortinet.firewall." + key.replace("-", "_")


_KEYS: dict[str, _Key] = {}


@cython.cfunc
def _key_info(key: str) -> _Key:
    info = _KEYS.get(key)
    if info is None:
        info = _Key(key)
        if len(_KEYS) < _CACHE_MAX:
            _KEYS[key] = info
    return info


@cython.cfunc
@cython.inline
@cython.exceptval(check=False)
def _is_key_char(c: cython.Py_UCS4) -> cython.bint:
    """The regex's [\\w-]: ASCII letters, digits, '_', '-', and any Unicode alphanumeric."""
    if c < "\x80":
        return ("a" <= c <= "z") or ("A" <= c <= "Z") or ("0" <= c <= "9") or c == "_" or c == "-"
    return c.isalnum()


@cython.cfunc
@cython.inline
@cython.exceptval(check=False)
def _char(kind: cython.uint, data: cython.p_void, line: str, i: cython.Py_ssize_t) -> cython.Py_UCS4:
    """line[i], compiled read in place from the str's kind and data."""
    if cython.compiled:
        return PyUnicode_READ(kind, data, i)
    return line[i]


@cython.cfunc
@cython.inline
@cython.exceptval(check=False)
def _closing_quote(line: str, kind: cython.uint, data: cython.p_void, i: cython.Py_ssize_t,
                   n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """Index of the quote that ends a quoted value starting at i (n if none); a backslash takes
    the character after it along, \\" included."""
    c: cython.Py_UCS4
    while i < n:
        c = _char(kind, data, line, i)
        if c == '"':
            break
        if c == "\\" and i + 1 < n:  # an escaped character, \" included
            i += 1
        i += 1
    return i


@cython.final
@cython.cclass
class _Cursor:
    """Walks the key=value pairs of a line like `_KV.finditer(line, start)`; each `advance`
    leaves the key in line[ks:ke] (and its hash in h), the unquoted value in line[vs:ve]."""

    line: str
    kind: cython.uint
    data: cython.p_void
    n: cython.Py_ssize_t
    pos: cython.Py_ssize_t
    ks: cython.Py_ssize_t
    ke: cython.Py_ssize_t
    vs: cython.Py_ssize_t
    ve: cython.Py_ssize_t
    h: cython.uint
    empties: list
    # the last value of each key in _SPECIAL, None when absent
    v_type: str
    v_date: str
    v_time: str
    v_tz: str
    v_subtype: str
    v_action: str
    v_proto: str
    v_service: str
    v_app: str
    v_user: str
    v_group: str
    v_msg: str
    v_logdesc: str
    v_duration: str
    v_srccountry: str
    v_dstcountry: str
    v_utmaction: str
    v_attack: str
    v_virus: str
    v_attackid: str
    v_virusid: str
    v_policyname: str
    v_status: str
    v_eventtime: str

    def __init__(self, line: str, start: cython.Py_ssize_t) -> None:
        self.start(line, start)

    @cython.cfunc
    @cython.exceptval(check=False)
    def start(self, line: str, start: cython.Py_ssize_t) -> cython.void:
        self.line = line
        if cython.compiled:
            self.kind = PyUnicode_KIND(line)
            self.data = PyUnicode_DATA(line)
        else:
            self.kind, self.data = 0, None
        self.n = len(line)
        self.pos = start
        self.ks = self.ke = self.vs = self.ve = 0
        self.h = 0
        self.empties = None
        if not cython.compiled:  # compiled, a new object's fields start as None
            for key in _SPECIAL:
                setattr(self, "v_" + key, None)

    @cython.cfunc
    @cython.exceptval(check=False)
    def put(self, special: cython.int, value: str) -> cython.void:
        """Keeps the value of the key _SPECIAL[special]."""
        if special == _TYPE:
            self.v_type = value
        elif special == _DATE_V:
            self.v_date = value
        elif special == _TIME_V:
            self.v_time = value
        elif special == _TZ:
            self.v_tz = value
        elif special == _SUBTYPE:
            self.v_subtype = value
        elif special == _ACTION:
            self.v_action = value
        elif special == _PROTO:
            self.v_proto = value
        elif special == _SERVICE:
            self.v_service = value
        elif special == _APP:
            self.v_app = value
        elif special == _USER:
            self.v_user = value
        elif special == _GROUP:
            self.v_group = value
        elif special == _MSG:
            self.v_msg = value
        elif special == _LOGDESC:
            self.v_logdesc = value
        elif special == _DURATION:
            self.v_duration = value
        elif special == _SRCCOUNTRY:
            self.v_srccountry = value
        elif special == _DSTCOUNTRY:
            self.v_dstcountry = value
        elif special == _UTMACTION:
            self.v_utmaction = value
        elif special == _ATTACK:
            self.v_attack = value
        elif special == _VIRUS:
            self.v_virus = value
        elif special == _ATTACKID:
            self.v_attackid = value
        elif special == _VIRUSID:
            self.v_virusid = value
        elif special == _POLICYNAME:
            self.v_policyname = value
        elif special == _STATUS:
            self.v_status = value
        elif special == _EVENTTIME:
            self.v_eventtime = value

    @cython.cfunc
    @cython.inline
    @cython.boundscheck(False)
    @cython.wraparound(False)
    @cython.exceptval(check=False)
    def at(self, i: cython.Py_ssize_t) -> cython.Py_UCS4:
        if cython.compiled:
            return PyUnicode_READ(self.kind, self.data, i)
        return self.line[i]

    @cython.cfunc
    @cython.exceptval(check=False)
    def advance(self) -> cython.bint:
        n: cython.Py_ssize_t = self.n
        line: str = self.line
        kind: cython.uint = self.kind
        data: cython.p_void = self.data
        i: cython.Py_ssize_t = self.pos
        ks: cython.Py_ssize_t
        c: cython.Py_UCS4
        h: cython.uint
        while i < n:
            c = _char(kind, data, line, i)
            if not _is_key_char(c):
                i += 1
                continue
            # the longest run of key characters must be followed by '=': no shorter key can be
            ks = i
            i += 1
            while i < n and _is_key_char(_char(kind, data, line, i)):
                i += 1
            if i >= n or _char(kind, data, line, i) != "=":
                continue  # line[i] starts no key either: the loop steps over it
            # the slot hash of the key: its length and its two first and two last characters
            h = (((i - ks) * _HASH_MUL) ^ ord(c) ^ (ord(_char(kind, data, line, ks + 1 if i - ks > 1 else ks)) << 7)
                 ^ (ord(_char(kind, data, line, i - 1)) << 14) ^ (ord(_char(kind, data, line, i - 2 if i - ks > 1 else ks)) << 21)) & _HASH_MASK
            self.ks, self.ke, self.h = ks, i, h
            i += 1
            if i < n and _char(kind, data, line, i) == '"':
                i += 1
                self.vs = i
                i = _closing_quote(line, kind, data, i, n)
                self.ve = i
                if i < n:
                    i += 1
            else:
                self.vs = i
                while i < n:
                    c = _char(kind, data, line, i)
                    if " " < c < "\x7f":  # printable ASCII: only '"' ends the value
                        if c == '"':
                            break
                    elif c.isspace():
                        break
                    i += 1
                self.ve = i
                if i < n and _char(kind, data, line, i) == '"':
                    i += 1
            self.pos = i
            return True
        self.pos = n
        return False

    @cython.cfunc
    def key(self) -> str:
        if cython.compiled:
            return PyUnicode_Substring(self.line, self.ks, self.ke)
        return self.line[self.ks:self.ke]

    @cython.cfunc
    def value(self) -> str:
        if cython.compiled:
            return PyUnicode_Substring(self.line, self.vs, self.ve)
        return self.line[self.vs:self.ve]

    @cython.cfunc
    @cython.exceptval(check=False)
    def int_value(self) -> cython.longlong:
        """The value as an integer when it is 1-18 ASCII digits, else -1."""
        i: cython.Py_ssize_t = self.vs
        end: cython.Py_ssize_t = self.ve
        if end <= i or end - i > _MAX_DIGITS:
            return -1
        total: cython.longlong = 0
        c: cython.Py_UCS4
        while i < end:
            c = self.at(i)
            if not ("0" <= c <= "9"):
                return -1
            total = total * 10 + (ord(c) - 48)
            i += 1
        return total

    @cython.cfunc
    @cython.inline
    @cython.exceptval(check=False)
    def same(self, text: str, start: cython.Py_ssize_t, end: cython.Py_ssize_t) -> cython.bint:
        """line[start:end] == text, without making the slice; the last character is compared
        first, where counters and timestamps of equal length differ."""
        size: cython.Py_ssize_t = end - start
        if len(text) != size:
            return False
        if not cython.compiled:
            return self.line[start:end] == text
        if size == 0:
            return True
        kind: cython.uint = PyUnicode_KIND(text)
        data: cython.p_void = PyUnicode_DATA(text)
        if PyUnicode_READ(kind, data, size - 1) != self.at(end - 1):
            return False
        k: cython.Py_ssize_t
        for k in range(size - 1):
            if PyUnicode_READ(kind, data, k) != self.at(start + k):
                return False
        return True


def scan_pairs(line: str, start: int = 0) -> list[tuple[str, str]]:
    """The (key, value) pairs of a line by the character scan: what `_KV.findall(line, start)` gives."""
    cur: _Cursor = _Cursor(line, start)
    pairs = []
    while cur.advance():
        pairs.append((cur.key(), cur.value()))
    return pairs


# direct-mapped cache of _Key by the cursor's key hash: bounded by its size, looked up without
# slicing the key out of the line
_SLOT_MASK = cython.declare(cython.uint, 1023)
_SLOTS: list = [None] * (_SLOT_MASK + 1)


@cython.cfunc
def _lookup(cur: _Cursor) -> _Key:
    """The _Key of the cursor's key: looked up in its slot and the one beside it; a new key takes
    the first slot and moves the one there beside it, so two keys sharing a slot both stay."""
    index: cython.Py_ssize_t = (cur.h ^ (cur.h >> 16)) & _SLOT_MASK
    slots: list = _SLOTS
    info: _Key
    first = slots[index]
    if first is not None:
        info = first
        if cur.same(info.key, cur.ks, cur.ke):
            return info
        second = slots[index ^ 1]
        if second is not None:
            info = second
            if cur.same(info.key, cur.ks, cur.ke):
                return info
        slots[index ^ 1] = first
    info = _key_info(cur.key())
    slots[index] = info
    return info


def ascii_int(text: str) -> int | None:
    """int of 1-18 ASCII digits, None for anything else (str.isdigit takes '²', which int() refuses)."""
    return _ascii_int(text)


@cython.cfunc
def _ascii_int(text: str) -> object:
    size: cython.Py_ssize_t = len(text)
    if size == 0 or size > _MAX_DIGITS:
        return None
    total: cython.longlong = 0
    k: cython.Py_ssize_t
    c: cython.Py_UCS4
    for k in range(size):
        c = text[k]
        if not ("0" <= c <= "9"):
            return None
        total = total * 10 + (ord(c) - 48)
    return total


_ZONE_STEP = 900  # device zones are whole quarter hours
_DRIFT = 5  # seconds eventtime= may lag date= time= (both from one clock, written a moment apart)
_MAX_ZONE = 14 * 3600


@cython.cfunc
def _eventtime_offset(date: str | None, time: str | None, eventtime: str, ctx: ParseContext) -> str:
    """The UTC offset ("+HHMM") of a line without tz=, from its eventtime= (epoch in s, ms, us or ns):
    the device's zone, where reading date= time= in ctx.tz would be hours off. "" when the two do
    not differ by one zone (an edited sample): the line is then read in ctx.tz. Cached per second."""
    if date is None or time is None or len(eventtime) not in (10, 13, 16, 19):
        return ""
    cache: dict = ctx.stamp_cache
    key = (date, time, eventtime[:10], None)
    zone_text = cache.get(key)
    if zone_text is None:
        zone_text = ""
        seconds = _ascii_int(eventtime[:10])
        d, t = _DATE.match(date), _TIME.match(time)
        if seconds is not None and d is not None and t is not None:
            try:
                local = datetime(int(d.group(1)), int(d.group(2)), int(d.group(3)), int(t.group(1)),
                                 int(t.group(2)), int(t.group(3)), tzinfo=timezone.utc)
                offset = int(local.timestamp()) - seconds
            except ValueError:
                offset = _MAX_ZONE * 10
            zone = (offset + _ZONE_STEP // 2) // _ZONE_STEP * _ZONE_STEP
            if abs(offset - zone) <= _DRIFT and abs(zone) <= _MAX_ZONE:
                minutes = abs(zone) // 60
                zone_text = f"{'-' if zone < 0 else '+'}{minutes // 60:02d}{minutes % 60:02d}"
        if len(cache) > _TS_CACHE_MAX:
            cache.clear()
        cache[key] = zone_text
    return zone_text


@cython.cfunc
def _timestamp(date: str | None, time: str | None, tz_text: str, ctx: ParseContext) -> str:
    """@timestamp of date= time= tz=, cached per second: a device logs many lines a second."""
    if date is None or time is None:
        raise ParseError("FortiGate line without date= and time=")
    cache: dict = ctx.stamp_cache
    key = (date, time, tz_text)
    stamp = cache.get(key)
    if stamp is None:
        d, t = _DATE.match(date), _TIME.match(time)
        if d is None or t is None:
            raise ParseError(f"bad FortiGate date/time '{date} {time}'")
        tz = fixed_offset(tz_text) if tz_text else None
        prefix = local_prefix(ctx, int(d.group(1)), int(d.group(2)), int(d.group(3)), int(t.group(1)),
                              int(t.group(2)), tz)
        stamp = prefix + t.group(3) + ".000Z"
        if len(cache) > _TS_CACHE_MAX:
            cache.clear()
        cache[key] = stamp
    return stamp


_TEMPLATE = {"@timestamp": None, "log.original": None, "event.dataset": None, "event.kind": "event",
             "observer.vendor": "Fortinet", "observer.product": "FortiGate", "observer.type": "firewall",
             "fortinet.firewall.type": None}


def presized(template: dict, fields: int) -> dict:
    """A dict equal to `template` (same items, same order) whose hash table already has room for
    about `fields` items, so that its copies do too: dict.copy() clones a compact table whole,
    its size included, and the event then grows without the three resizes a small one makes.

    Pure Python for CPython 3.11's dict: live dummy keys are kept few while the table fills, so
    the resize picks a large table for them; popitem() then takes the dummies back off the end."""
    reference: dict = {}
    for i in range(fields):
        reference[str(i)] = None
    target = sys.getsizeof(reference)
    table = dict(template)
    dummies: list = []
    live = len(template) + fields // 3
    i = 0
    while sys.getsizeof(table) < target and i < 10 * fields:
        dummies.append("\0" + str(i))
        table[dummies[-1]] = None
        if len(table) > live:
            del table[dummies.pop(0)]
        i += 1
    while len(table) > len(template):
        table.popitem()
    return table


# room for 70 fields: a FortiGate event has 32-80
_EVENT_TEMPLATE = presized(_TEMPLATE, 43)


@cython.cfunc
def _new_event(line: str) -> dict:
    """The fields every event has; @timestamp, event.dataset and the type are filled in last."""
    template: dict = _EVENT_TEMPLATE
    ev: dict = template.copy()  # copies the hash table whole, its room included
    ev["log.original"] = line
    if line[0] == "<":
        pri = _ascii_int(line[1 : line.find(">")])
        if pri is not None:
            ev["log.syslog.priority"] = pri
    return ev


@cython.cfunc
def _finish(ev: dict, ctx: ParseContext, values: _Cursor) -> dict:
    ftype: str = values.v_type
    if not ftype:
        raise ParseError("FortiGate line without type=")
    tz: str = values.v_tz or ""
    if not tz and values.v_eventtime:
        tz = _eventtime_offset(values.v_date, values.v_time, values.v_eventtime, ctx)
    ev["@timestamp"] = _timestamp(values.v_date, values.v_time, tz, ctx)
    datasets: dict = _TYPE_DATASET
    dataset: str = datasets.get(ftype, "fortigate.event")
    ev["event.dataset"] = dataset
    ev["fortinet.firewall.type"] = ftype
    _classify(ev, values, ftype, dataset)
    return ev


@cython.cfunc
@cython.exceptval(-1)
def _start(line: str) -> cython.Py_ssize_t:
    start = line.find("date=")
    if start < 0:
        raise ParseError("not a FortiGate line (no date= field)")
    if start > 8:  # FortiAnalyzer forwards "logver=... timestamp=... devname=... devid=... date=..."
        ahead = line.find("logver=", 0, start)
        if ahead >= 0:
            return ahead
    return start


def parse_exact(line: str, ctx: ParseContext) -> Event | None:
    """The event of one line (already stripped of its line end) by the regex and a dict of its pairs.

    A repeated key counts with its last value, in the place of its first; an empty value is no field.
    """
    if not line or line.isspace():
        return None
    kv = dict(_KV.findall(line, _start(line)))
    ev = _new_event(line)
    values: _Cursor = _Cursor(line, 0)
    info: _Key
    for key, value in kv.items():
        info = _key_info(key)
        if info.special >= 0:
            values.put(info.special, value)
        if value:
            if not info.is_int:
                ev[info.name] = value
            else:
                number = _ascii_int(value)
                if number is not None:
                    ev[info.name] = number
                else:
                    ev[extra_name(key)] = value
    return _finish(ev, ctx, values)


def parse_fast(line: str, ctx: ParseContext) -> Event | None:
    """What `parse_exact` gives, by the character scan: each pair is set in the event as it is read."""
    return _parse_fast(line, ctx)


@cython.cfunc
def _parse_fast(line: str, ctx: ParseContext) -> dict:
    if not line or line.isspace():
        return None
    cur: _Cursor = _Cursor.__new__(_Cursor)
    cur.start(line, _start(line))
    ev = _new_event(line)
    before: cython.Py_ssize_t = len(ev)
    written: cython.Py_ssize_t = _fill(ev, cur)
    if written < 0 or len(ev) != before + written:
        return parse_exact(line, ctx)  # a field set twice, or text in an integer field
    if cur.empties is not None:
        for name in cur.empties:
            del ev[name]
    return _finish(ev, ctx, cur)


@cython.cfunc
def _fill(ev: dict, cur: _Cursor) -> cython.Py_ssize_t:
    """Sets each pair's field; returns how many were set (type= aside: its field is in the event
    already), or -1 at the first integer key holding text. Empty values are set too, to count
    collisions, and listed in cur.empties for removal."""
    written: cython.Py_ssize_t = 0
    number: cython.longlong
    info: _Key
    while cur.advance():
        info = _lookup(cur)
        if info.is_int and cur.vs < cur.ve:
            number = cur.int_value()
            if number < 0:
                return -1
            ev[info.name] = number
            written += 1
            continue
        value = info.last
        if not cur.same(value, cur.vs, cur.ve):
            value = cur.value()
            if cur.ve - cur.vs <= _REUSE_MAX:
                info.last = value
        if info.special >= 0:
            cur.put(info.special, value)
            if info.special == _TYPE:
                continue
        if cur.vs == cur.ve:
            if cur.empties is None:
                cur.empties = []
            cur.empties.append(info.name)
        ev[info.name] = value
        written += 1
    return written


class FortigateParser(Parser):
    name = "fortigate"
    dataset = "fortigate.traffic"
    aliases = ("fortinet", "fortios")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.rstrip("\r\n")
        if cython.compiled:
            return _parse_fast(line, ctx)  # a C call, not a Python one
        return parse_exact(line, ctx)

    def detects(self, line: str) -> bool:
        return "date=" in line and " type=" in line and ("devid=" in line or "logid=" in line)


@cython.cfunc
def _classify(ev: dict, values: _Cursor, ftype: str, dataset: str) -> cython.void:
    subtype: str = values.v_subtype or ""
    action: str = values.v_action or ""
    status: str = values.v_status or ""
    if not action and status and ftype == "traffic":  # FortiOS 5.0 wrote the verdict as status=
        action = status
    failed: cython.bint = False
    if action:
        ev["event.action"] = action
        if action in _FAIL_ACTIONS:
            ev["event.outcome"] = "failure"
            failed = True
        elif action in _OK_ACTIONS:
            ev["event.outcome"] = "success"
    if status and ftype != "traffic":  # action="login" status="failed": the status decides
        if status in _FAIL_STATUS:
            ev["event.outcome"] = "failure"
            failed = True
        elif status == "success":
            ev["event.outcome"] = "success"
    proto: str = values.v_proto
    if proto:
        transports: dict = IANA_TRANSPORT
        ev["network.iana_number"] = proto
        ev["network.transport"] = transports.get(proto, proto)
    service: str = values.v_service
    if service and service not in _NA:
        ev["network.protocol"] = service.lower()
    app: str = values.v_app
    if app and app not in _NA:
        ev["network.application"] = app.lower()
    user: str = values.v_user
    has_user: cython.bint = bool(user) and user not in _NA
    if has_user:
        ev["user.name"] = user
    group: str = values.v_group
    if group and group not in _NA:
        ev["group.name"] = group
    logdesc: str = values.v_logdesc
    msg: str = values.v_msg or logdesc
    if msg:
        ev["message"] = msg
    if logdesc:
        ev["event.reason"] = logdesc
    duration: str = values.v_duration
    if duration:
        seconds = _ascii_int(duration)
        if seconds is not None and seconds < 9_000_000_000:  # as nanoseconds it still fits an int64
            ev["event.duration"] = seconds * 1_000_000_000
    country: str = values.v_srccountry
    if country and country != "Reserved" and country not in _NA:
        ev["source.geo.country_name"] = country
    country = values.v_dstcountry
    if country and country != "Reserved" and country not in _NA:
        ev["destination.geo.country_name"] = country
    sent = ev.get("source.bytes")
    if sent is not None:
        received = ev.get("destination.bytes")
        if received is not None:
            ev["network.bytes"] = sent + received
    utmaction: str = values.v_utmaction
    denied: cython.bint = failed or utmaction == "block" or utmaction == "blocked"
    if ftype == "traffic":
        ev["event.category"] = ["network"]
        ev["event.type"] = ["connection", "denied" if denied else "allowed"]
    elif dataset == "fortigate.utm":
        signature: str = values.v_attack or values.v_virus
        if signature:  # the alert's rule is the signature; the policy stays in fortinet.firewall.*
            ev["fortinet.firewall.policyname"] = values.v_policyname or ""
            ev["rule.name"] = signature
            ev["rule.id"] = values.v_attackid or values.v_virusid or ev.get("rule.id", "")
        ev["event.kind"] = "alert" if (signature or denied) else "event"
        if subtype == "virus" or ftype == "virus":
            ev["event.category"] = ["malware", "intrusion_detection", "network"]
        else:
            ev["event.category"] = ["intrusion_detection", "network"]
        ev["event.type"] = ["denied"] if denied else ["info"]
    elif action.startswith(("ssl-login", "login", "logout", "tunnel")) or subtype in ("vpn", "user") and has_user:
        ev["event.category"] = ["authentication"]
        low = action.lower()
        ev["event.type"] = ["end"] if "logout" in low or "logoff" in low else ["start"]
    else:
        ev["event.category"] = ["configuration"] if subtype == "system" else ["host"]
        ev["event.type"] = ["info"]


register(FortigateParser())
