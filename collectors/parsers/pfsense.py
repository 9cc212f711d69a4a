"""pfSense / OPNsense `filterlog` CSV lines (RFC 3164 or RFC 5424 syslog framing).

Field order follows Netgate's "raw filter log format": rule, sub-rule, anchor, tracker,
interface, reason, action, direction, IP version, then the IPv4 or IPv6 header fields, then
the protocol's (TCP/UDP ports, TCP flags, ICMP type). Other programs of the same syslog
stream become generic syslog events.
"""

from __future__ import annotations

import cython

from soc.errors import ParseError
from soc.events import Event

from .base import register
from .syslog import SyslogFramedParser, generic_event

DATASET = "pfsense.log"
_ACTIONS = {"block": ("failure", "denied"), "reject": ("failure", "denied"), "pass": ("success", "allowed")}
_PROTOS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "ipv6-icmp": "ipv6-icmp",
           "IPV6-ICMP": "ipv6-icmp", "icmpv6": "icmpv6", "ICMPV6": "icmpv6"}  # str.lower of the usual ones


@cython.cfunc
def _int(ev: dict, name: str, value: str) -> cython.void:
    if value.isdecimal():
        ev[name] = int(value)


def filterlog(ev: Event, csv: str) -> Event:
    """The event of one filterlog CSV record (the message after the syslog header)."""
    return _filterlog(ev, csv.strip())


@cython.cfunc
def _filterlog(ev: dict, csv: str) -> dict:
    f: list = csv.split(",")
    n: cython.Py_ssize_t = len(f)
    if n < 9 or not f[0].isdigit() and f[0] != "":
        raise ParseError(f"filterlog line with {n} fields (at least 9 expected)")
    action: str = f[6]
    known: dict = _ACTIONS
    outcome_type: tuple = known.get(action)
    if outcome_type is None:
        raise ParseError(f"filterlog action '{action}' is not block, reject or pass")
    ev["event.dataset"] = DATASET
    ev["event.kind"] = "event"
    ev["event.category"] = ["network"]
    ev["event.action"] = action
    ev["event.outcome"] = outcome_type[0]
    ev["event.type"] = ["connection", outcome_type[1]]
    ev["rule.id"] = f[0]
    if f[3]:
        ev["rule.uuid"] = f[3]
    ev["observer.type"] = "firewall"
    ev["observer.product"] = "pfSense"
    if "host.name" in ev:
        ev["observer.name"] = ev["host.name"]
    inbound: cython.bint = f[7] == "in"
    ev["observer.ingress.interface.name" if inbound else "observer.egress.interface.name"] = f[4]
    ev["network.direction"] = "ingress" if inbound else "egress"
    ev["event.reason"] = f[5]
    version: str = f[8]
    if version == "4":
        if n < 20:
            raise ParseError(f"filterlog IPv4 line with {n} fields (at least 20 expected)")
        ev["network.type"] = "ipv4"
        _int(ev, "pfsense.ip.ttl", f[11])
        ev["network.iana_number"] = f[15]
        _proto(ev, _lower(f[16]), f, 17)
    elif version == "6":
        if n < 17:
            raise ParseError(f"filterlog IPv6 line with {n} fields (at least 17 expected)")
        ev["network.type"] = "ipv6"
        _int(ev, "pfsense.ip.ttl", f[11])
        ev["network.iana_number"] = f[13]
        _proto(ev, _lower(f[12]), f, 14)
    else:
        raise ParseError(f"filterlog IP version '{version}' is not 4 or 6")
    return ev


@cython.cfunc
def _lower(proto: str) -> str:
    known: dict = _PROTOS
    lower = known.get(proto)
    return proto.lower() if lower is None else lower


@cython.cfunc
def _proto(ev: dict, proto: str, f: list, at: cython.Py_ssize_t) -> cython.void:
    """f[at] = length, then source, destination, then the protocol's own fields."""
    n: cython.Py_ssize_t = len(f) - at - 3  # how many protocol fields
    ev["network.transport"] = proto
    _int(ev, "pfsense.ip.length", f[at])
    ev["source.ip"] = f[at + 1]
    ev["destination.ip"] = f[at + 2]
    if (proto == "tcp" or proto == "udp") and n >= 2:
        _int(ev, "source.port", f[at + 3])
        _int(ev, "destination.port", f[at + 4])
        if proto == "tcp" and n >= 4 and f[at + 6]:
            ev["pfsense.tcp.flags"] = f[at + 6]
    elif (proto.startswith("icmp") or proto == "ipv6-icmp") and n > 0 and not f[at + 3].startswith("datalength="):
        ev["icmp.type"] = f[at + 3]


def _hostless(ev: Event) -> bool:
    """pfSense's BSD remote syslog has no host ("<134>Jul  3 19:10:30 filterlog[72237]: ..."):
    the syslog split took the tag for the host. Put it back as the program; False if it is no tag."""
    tag = ev["host.name"]
    if not tag.endswith(":"):
        return False
    tag = tag[:-1]
    pid = ""
    if tag.endswith("]") and "[" in tag:
        tag, _, pid = tag[:-1].partition("[")
    if tag != "filterlog" or (pid and not pid.isdecimal()):
        return False
    del ev["host.name"]
    ev["process.name"] = tag
    if pid:
        ev["process.pid"] = int(pid)
    return True


class PfsenseParser(SyslogFramedParser):
    name = "pfsense"
    dataset = DATASET
    aliases = ("opnsense", "filterlog")
    priority = 15
    syslog_superset = True

    not_syslog = "not a syslog line (filterlog lines come with a syslog header)"

    def _message(self, ev: Event, msg: str) -> Event:
        if ev.get("process.name") != "filterlog":
            if not ev.get("host.name", "").startswith("filterlog"):
                return generic_event(ev, msg)
            if not _hostless(ev):
                return generic_event(ev, msg)
        text = msg.strip()
        ev["message"] = text
        return _filterlog(ev, text)

    def detects(self, line: str) -> bool:
        return " filterlog" in line[:120]


register(PfsenseParser())
