"""pfSense / OPNsense `filterlog` CSV lines (RFC 3164 or RFC 5424 syslog framing).

Field order follows Netgate's "raw filter log format": rule, sub-rule, anchor, tracker,
interface, reason, action, direction, IP version, then the IPv4 or IPv6 header fields, then
the protocol's (TCP/UDP ports, TCP flags, ICMP type). Other programs of the same syslog
stream become generic syslog events.
"""

from __future__ import annotations

from soc.errors import ParseError
from soc.events import Event

from .base import register
from .syslog import SyslogFramedParser, generic_event

DATASET = "pfsense.log"
_ACTIONS = {"block": ("failure", "denied"), "reject": ("failure", "denied"), "pass": ("success", "allowed")}


def _int(ev: Event, name: str, value: str) -> None:
    if value.isdigit():
        ev[name] = int(value)


def filterlog(ev: Event, csv: str) -> Event:
    f = csv.strip().split(",")
    if len(f) < 9 or not f[0].isdigit() and f[0] != "":
        raise ParseError(f"filterlog line with {len(f)} fields (at least 9 expected)")
    action = f[6]
    outcome_type = _ACTIONS.get(action)
    if outcome_type is None:
        raise ParseError(f"filterlog action '{action}' is not block, reject or pass")
    ev["event.dataset"] = DATASET
    ev["event.kind"] = "event"
    ev["event.category"] = ["network"]
    ev["event.action"] = action
    ev["event.outcome"], verdict = outcome_type
    ev["event.type"] = ["connection", verdict]
    ev["rule.id"] = f[0]
    if f[3]:
        ev["rule.uuid"] = f[3]
    ev["observer.type"] = "firewall"
    ev["observer.product"] = "pfSense"
    if "host.name" in ev:
        ev["observer.name"] = ev["host.name"]
    iface_field = "observer.ingress.interface.name" if f[7] == "in" else "observer.egress.interface.name"
    ev[iface_field] = f[4]
    ev["network.direction"] = "ingress" if f[7] == "in" else "egress"
    ev["event.reason"] = f[5]
    if f[8] == "4":
        _ipv4(ev, f)
    elif f[8] == "6":
        _ipv6(ev, f)
    else:
        raise ParseError(f"filterlog IP version '{f[8]}' is not 4 or 6")
    return ev


def _ipv4(ev: Event, f: list[str]) -> None:
    if len(f) < 20:
        raise ParseError(f"filterlog IPv4 line with {len(f)} fields (at least 20 expected)")
    ev["network.type"] = "ipv4"
    _int(ev, "pfsense.ip.ttl", f[11])
    ev["network.iana_number"] = f[15]
    _proto(ev, f[16].lower(), f, 17)


def _ipv6(ev: Event, f: list[str]) -> None:
    if len(f) < 17:
        raise ParseError(f"filterlog IPv6 line with {len(f)} fields (at least 17 expected)")
    ev["network.type"] = "ipv6"
    _int(ev, "pfsense.ip.ttl", f[11])
    ev["network.iana_number"] = f[13]
    _proto(ev, f[12].lower(), f, 14)


def _proto(ev: Event, proto: str, f: list[str], at: int) -> None:
    """f[at] = length, then source, destination, then the protocol's own fields."""
    ev["network.transport"] = proto
    _int(ev, "pfsense.ip.length", f[at])
    ev["source.ip"] = f[at + 1]
    ev["destination.ip"] = f[at + 2]
    rest = f[at + 3 :]
    if proto in ("tcp", "udp") and len(rest) >= 2:
        _int(ev, "source.port", rest[0])
        _int(ev, "destination.port", rest[1])
        if proto == "tcp" and len(rest) >= 4 and rest[3]:
            ev["pfsense.tcp.flags"] = rest[3]
    elif proto.startswith("icmp") and rest:
        ev["icmp.type"] = rest[0]


class PfsenseParser(SyslogFramedParser):
    name = "pfsense"
    dataset = DATASET
    aliases = ("opnsense", "filterlog")
    priority = 15
    syslog_superset = True

    not_syslog = "not a syslog line (filterlog lines come with a syslog header)"

    def _message(self, ev: Event, msg: str) -> Event:
        if ev.get("process.name") != "filterlog":
            return generic_event(ev, msg)
        ev["message"] = msg.strip()
        return filterlog(ev, msg)

    def detects(self, line: str) -> bool:
        return " filterlog" in line[:120]


register(PfsenseParser())
