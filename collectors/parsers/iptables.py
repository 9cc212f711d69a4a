"""Linux netfilter (iptables/nftables LOG target, UFW, SuSEfirewall2) kernel lines.

`Mmm dd HH:MM:SS host kernel: [uptime] PREFIX IN=eth0 OUT= MAC=... SRC=... DST=... PROTO=TCP SPT=.. DPT=..`
The log prefix (`[UFW BLOCK]`, `IPTABLES-DROP:`, `SFW2-INext-DROP-DEFLT`) names the rule and tells
whether the packet was dropped. Other kernel and daemon lines of the same file become generic
syslog events; a line that has packet fields but no valid `IN=` is malformed (ParseError).

Compiled by Cython, the `KEY=value` fields are read by a typed character scan (`fields_scan`);
interpreted, by `str.split` (`fields_split`), which is faster in plain Python. Both give the
same event (tests/collectors/parsers/test_netfilter_pfsense_parser.py checks it with hypothesis).
"""

from __future__ import annotations

import re

import cython

from soc.errors import ParseError
from soc.events import Event

from .base import IANA_TRANSPORT, register
from .syslog import SyslogFramedParser, generic_event

DATASET = "iptables.log"
# interface names: letters, digits, '_' and '-', with an optional VLAN suffix (eth0.100)
_IFACE = re.compile(r"(?:[A-Za-z][\w-]{0,14}(?:\.\d{1,4})?|)$")
_UPTIME = re.compile(r"\[\s*\d+\.\d+\]\s*")
_DENY_WORDS = ("DROP", "BLOCK", "REJECT", "DENY", "DENIED")
_ALLOW_WORDS = ("ACCEPT", "ALLOW", "ACC-", "PASS")
_CACHE_MAX = 4096  # bound of each per-key cache: keys come from untrusted lines

# what each field key becomes: (kind, event field); other keys become "iptables.<key>" (_OTHER)
_TEXT = cython.declare(cython.int, 1)
_INT = cython.declare(cython.int, 2)
_PROTO = cython.declare(cython.int, 3)
_LEN = cython.declare(cython.int, 4)
_MAC = cython.declare(cython.int, 5)
_OTHER = cython.declare(cython.int, 0)
_KNOWN: dict[str, tuple[int, str]] = {  # the most frequent first: fields_scan tries them in this order
    "IN": (_TEXT, "observer.ingress.interface.name"), "OUT": (_TEXT, "observer.egress.interface.name"),
    "MAC": (_MAC, ""), "SRC": (_TEXT, "source.ip"), "DST": (_TEXT, "destination.ip"),
    "LEN": (_LEN, "iptables.length"), "TOS": (_OTHER, "iptables.tos"), "PREC": (_OTHER, "iptables.prec"),
    "TTL": (_INT, "iptables.ttl"), "ID": (_INT, "iptables.id"), "PROTO": (_PROTO, "network.transport"),
    "SPT": (_INT, "source.port"), "DPT": (_INT, "destination.port"), "WINDOW": (_INT, "iptables.tcp.window"),
    "RES": (_OTHER, "iptables.res"), "URGP": (_OTHER, "iptables.urgp"), "TYPE": (_INT, "icmp.type"),
    "CODE": (_INT, "icmp.code"), "HOPLIMIT": (_INT, "iptables.ttl"), "TC": (_OTHER, "iptables.tc"),
    "FLOWLBL": (_INT, "iptables.flow_label"),
}


def _pack(key: str) -> int:
    """A key of 1-8 characters in 1..127 as one integer (base 256), -1 for any other key."""
    code = 0
    if not 0 < len(key) <= 8:
        return -1
    for c in key:
        if not 0 < ord(c) < 128:
            return -1
        code = code * 256 + ord(c)
    return code


def _code_table(known: dict[str, tuple[int, str]]) -> tuple[int, tuple]:
    """(p, table): the entry of a known key's code c is table[c % p], as (c, entry); p makes no collision."""
    codes = {_pack(k): v for k, v in known.items()}
    p = len(codes)
    while len({c % p for c in codes}) < len(codes):
        p += 1
    table: list = [None] * p
    for c, entry in codes.items():
        table[c % p] = (c, entry)
    return p, tuple(table)


_CODE_MOD, _CODE_TABLE = _code_table(_KNOWN)
# PROTO values as IANA_TRANSPORT.get(value, value.lower()) gives them, for the usual values
_TRANSPORTS = {v: IANA_TRANSPORT.get(v, v.lower()) for v in ("TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLITE", "2", "47")}
_FIELDS: dict[str, tuple[int, str]] = dict(_KNOWN)  # grows with the other keys seen, up to _CACHE_MAX
_IFACE_OK: dict[str, bool] = {}
_RULES: dict[str, tuple[str, int]] = {}  # log prefix as written -> (rule name, verdict)
_MACS: dict[str, tuple[str, str]] = {}


@cython.cfunc
def _field(key: str) -> tuple:
    """(kind, event field) of a field key."""
    fields: dict = _FIELDS
    entry = fields.get(key)
    if entry is None:
        entry = (_OTHER, "iptables." + key.lower())
        if len(fields) < len(_KNOWN) + _CACHE_MAX:
            fields[key] = entry
    return entry


@cython.cfunc
def _netfilter(ev: dict, msg: str) -> dict:
    if cython.compiled:
        skip = uptime_scan(msg)
    else:
        skip = uptime_re(msg)
    if skip:
        msg = msg[skip:]
    at = msg.find("IN=")
    if at < 0 or (at > 0 and msg[at - 1] != " " and msg[at - 1] != "]"):  # EdgeOS: "[WAN_IN-10-D]IN="
        raise ParseError("netfilter line without an IN= field")
    rule: tuple = _rule(msg[:at])
    inner: cython.Py_ssize_t = msg.find(" [SRC=", at)
    if inner > 0:  # an ICMP error quotes the offending packet: its fields must not replace the outer ones
        ev["iptables.icmp.original"] = msg[inner + 2:].rstrip(" ]")
        msg = msg[:inner]
    flags: list
    if cython.compiled:
        flags = fields_scan(ev, msg, at)
    else:
        flags = fields_split(ev, msg, at)
    _validate(ev)
    if flags:
        ev["iptables.flags"] = flags
    _verdict(ev, rule)
    return ev


def uptime_re(msg: str) -> int:
    """Length of the kernel's `[uptime] ` stamp that starts msg, 0 if none (the regex way)."""
    m = _UPTIME.match(msg)
    return 0 if m is None else m.end()


@cython.ccall
@cython.boundscheck(False)
@cython.wraparound(False)
def uptime_scan(msg: str) -> cython.Py_ssize_t:
    """What uptime_re gives, by a character scan (\\s is str.isspace, \\d str.isdecimal in re)."""
    n: cython.Py_ssize_t = len(msg)
    i: cython.Py_ssize_t = 1
    j: cython.Py_ssize_t
    if n == 0 or msg[0] != "[":
        return 0
    while i < n and msg[i].isspace():
        i += 1
    j = i
    while i < n and msg[i].isdecimal():
        i += 1
    if i == j or i >= n or msg[i] != ".":
        return 0
    i += 1
    j = i
    while i < n and msg[i].isdecimal():
        i += 1
    if i == j or i >= n or msg[i] != "]":
        return 0
    i += 1
    while i < n and msg[i].isspace():
        i += 1
    return i


def fields_split(ev: Event, msg: str, at: int) -> list[str]:
    """Sets the fields of the `KEY=value` tokens of msg[at:]; returns the bare flags (SYN, DF)."""
    flags: list[str] = []
    length_seen = False
    for token in msg[at:].split(" "):
        key, eq, value = token.partition("=")
        if not eq:
            if token.isupper() and token.isalpha():
                flags.append(token)
            continue
        if not key:
            continue
        kind, name = _field(key)
        if kind == _TEXT:
            if value:
                ev[name] = value
        elif kind == _INT:
            if value.isdecimal():
                ev[name] = int(value)
        elif kind == _PROTO:
            ev[name] = IANA_TRANSPORT.get(value, value.lower())
        elif kind == _LEN:  # the first LEN is the IP packet's, the second the TCP/UDP payload's
            if value.isdecimal():
                ev["iptables.udp.length" if length_seen else "iptables.length"] = int(value)
            length_seen = True
        elif kind == _MAC:
            _mac(ev, value)
        else:
            ev[name] = value
    return flags


@cython.ccall
@cython.boundscheck(False)
@cython.wraparound(False)
def fields_scan(ev: dict, msg: str, at: cython.Py_ssize_t) -> list:
    """What fields_split does, by one typed pass over the characters (no token list, no re).

    Per token it keeps where the '=' is, the key packed as an integer (_pack), the value as a
    number while it is all ASCII digits, and whether the token is all A-Z (a flag).
    """
    i: cython.Py_ssize_t = at
    start: cython.Py_ssize_t = at
    eq: cython.Py_ssize_t = -1
    code: cython.longlong = 0
    num: cython.longlong = 0
    numeric: cython.bint = True
    upper: cython.int = 1  # 1: only A-Z so far, 0: not a flag, 2: not ASCII (ask str)
    c: cython.Py_UCS4
    length_seen: cython.bint = False
    flags: list = []
    for c in msg[at:]:
        if c == " ":
            if i > start:
                length_seen = _token(ev, msg, flags, start, eq, i, code, num, numeric, upper, length_seen)
            start = i + 1
            eq = -1
            code = 0
            num = 0
            numeric = True
            upper = 1
        elif eq < 0:
            if c == "=":
                eq = i
            else:
                if code >= 0:
                    code = code * 256 + ord(c) if "\x00" < c < "\x80" and i - start < 8 else -1
                if c > "\x7f":
                    upper = 2
                elif upper == 1 and (c < "A" or c > "Z"):
                    upper = 0
        elif numeric:
            if "0" <= c <= "9" and i - eq <= 18:
                num = num * 10 + (ord(c) - 48)
            else:
                numeric = False
        i += 1
    if i > start:
        _token(ev, msg, flags, start, eq, i, code, num, numeric, upper, length_seen)
    return flags


@cython.cfunc
def _token(ev: dict, msg: str, flags: list, start: cython.Py_ssize_t, eq: cython.Py_ssize_t,
           end: cython.Py_ssize_t, code: cython.longlong, num: cython.longlong, numeric: cython.bint,
           upper: cython.int, length_seen: cython.bint) -> cython.bint:
    """One token msg[start:end] of fields_scan into ev or flags; returns the new length_seen."""
    entry: tuple
    kind: cython.int
    if eq < 0:
        if upper == 1:
            flags.append(msg[start:end])
        elif upper == 2:
            token = msg[start:end]
            if token.isupper() and token.isalpha():
                flags.append(token)
        return length_seen
    if eq == start:
        return length_seen
    entry: tuple = None
    slot: tuple
    table: tuple = _CODE_TABLE
    mod: cython.longlong = _CODE_MOD
    known: cython.longlong
    if code > 0:
        slot = table[code % mod]
        if slot is not None:
            known = slot[0]
            if known == code:
                entry = slot[1]
    if entry is None:
        entry = _field(msg[start:eq])
    kind = entry[0]
    if kind == _TEXT:
        if end > eq + 1:
            ev[entry[1]] = msg[eq + 1 : end]
    elif kind == _INT:
        _set_int(ev, entry[1], msg, eq, end, num, numeric)
    elif kind == _PROTO:
        value = msg[eq + 1 : end]
        transports: dict = _TRANSPORTS
        transport = transports.get(value)
        ev[entry[1]] = IANA_TRANSPORT.get(value, value.lower()) if transport is None else transport
    elif kind == _LEN:
        _set_int(ev, "iptables.udp.length" if length_seen else "iptables.length", msg, eq, end, num, numeric)
        return True
    elif kind == _MAC:
        if end - eq > 35:
            _mac(ev, msg[eq + 1 : end])
    else:
        ev[entry[1]] = msg[eq + 1 : end]
    return length_seen


@cython.cfunc
def _set_int(ev: dict, name: str, msg: str, eq: cython.Py_ssize_t, end: cython.Py_ssize_t,
             num: cython.longlong, numeric: cython.bint) -> cython.void:
    """ev[name] = int(msg[eq + 1:end]) when that is a decimal number (read during the scan if ASCII)."""
    if not numeric:
        _set_int_slow(ev, name, msg[eq + 1 : end])
    elif end > eq + 1:
        ev[name] = num


def _set_int_slow(ev: Event, name: str, value: str) -> None:
    if value.isdecimal():
        ev[name] = int(value)


@cython.cfunc
def _validate(ev: dict) -> cython.void:
    _check_iface(ev.get("observer.ingress.interface.name", ""))
    _check_iface(ev.get("observer.egress.interface.name", ""))
    if "source.ip" not in ev or "destination.ip" not in ev:
        raise ParseError("netfilter line without SRC= and DST=")


@cython.cfunc
def _check_iface(iface: str) -> cython.void:
    known: dict = _IFACE_OK
    ok = known.get(iface)
    if ok is None:
        ok = _IFACE.match(iface) is not None
        if len(known) < _CACHE_MAX:
            known[iface] = ok
    if not ok:
        raise ParseError(f"netfilter line with a malformed interface name '{iface}'")


@cython.cfunc
def _mac(ev: dict, value: str) -> cython.void:
    # dst(6 octets):src(6 octets):ethertype(2)
    known: dict = _MACS
    macs: tuple
    if len(value) >= 35:
        macs = known.get(value)
        if macs is None:
            macs = (value[0:17].upper().replace(":", "-"), value[18:35].upper().replace(":", "-"))
            if len(known) < _CACHE_MAX:
                known[value] = macs
        ev["destination.mac"] = macs[0]
        ev["source.mac"] = macs[1]


@cython.cfunc
def _rule(text: str) -> tuple:
    """(rule name, verdict) of the log prefix before IN=; verdict 1 dropped, 2 accepted, 0 logged."""
    known: dict = _RULES
    rule: tuple = known.get(text)
    if rule is None:
        rule = _judge(text.strip().strip("[]:").strip())
        if len(known) < _CACHE_MAX:
            known[text] = rule
    return rule


# Ubiquiti EdgeOS/USG names a rule RULESET-NUMBER-ACTION: "[WAN_IN-default-D]", "[LAN_LOCAL-10-A]"
_EDGEOS = re.compile(r"[\w.-]+?-(?:default|\d+)-([ADR])$")
_EDGEOS_VERDICTS = {"D": 1, "R": 1, "A": 2}


def _judge(prefix: str) -> tuple[str, int]:
    edge = _EDGEOS.match(prefix)
    if edge is not None:
        return prefix, _EDGEOS_VERDICTS[edge.group(1)]
    upper = prefix.upper()
    for word in _DENY_WORDS:
        if word in upper:
            return prefix, 1
    for word in _ALLOW_WORDS:
        if word in upper:
            return prefix, 2
    return prefix, 0


@cython.cfunc
def _verdict(ev: dict, rule: tuple) -> cython.void:
    prefix: str = rule[0]
    verdict: cython.int = rule[1]
    if prefix:
        ev["rule.name"] = prefix
    ev["event.category"] = ["network"]
    if verdict == 1:
        ev["event.action"] = "dropped"
        ev["event.type"] = ["connection", "denied"]
        ev["event.outcome"] = "failure"
    elif verdict == 2:
        ev["event.action"] = "accepted"
        ev["event.type"] = ["connection", "allowed"]
        ev["event.outcome"] = "success"
    else:
        ev["event.action"] = "logged"
        ev["event.type"] = ["connection"]


class IptablesParser(SyslogFramedParser):
    name = "iptables"
    dataset = DATASET
    aliases = ("netfilter", "ufw", "nftables")
    priority = 20
    syslog_superset = True

    not_syslog = "not a syslog line (netfilter lines come with a syslog header)"

    def _message(self, ev: Event, msg: str) -> Event:
        if " SRC=" not in msg and " PROTO=" not in msg:
            return generic_event(ev, msg)
        if "process.name" not in ev and ev.get("host.name", "").endswith(":"):
            # no host in the header ("Jan  8 03:37:09 DENY: IN=..."): the "host" is the log prefix
            msg = ev.pop("host.name") + " " + msg
        ev["event.dataset"] = DATASET
        ev["event.kind"] = "event"
        ev["observer.type"] = "firewall"
        ev["observer.product"] = "netfilter"
        if "host.name" in ev:
            ev["observer.name"] = ev["host.name"]
        ev["message"] = msg.strip()
        return _netfilter(ev, msg)

    def detects(self, line: str) -> bool:
        return "IN=" in line and " SRC=" in line and " PROTO=" in line


register(IptablesParser())
