"""Linux netfilter (iptables/nftables LOG target, UFW, SuSEfirewall2) kernel lines.

`Mmm dd HH:MM:SS host kernel: [uptime] PREFIX IN=eth0 OUT= MAC=... SRC=... DST=... PROTO=TCP SPT=.. DPT=..`
The log prefix (`[UFW BLOCK]`, `IPTABLES-DROP:`, `SFW2-INext-DROP-DEFLT`) names the rule and tells
whether the packet was dropped. Other kernel and daemon lines of the same file become generic
syslog events; a line that has packet fields but no valid `IN=` is malformed (ParseError).
"""

from __future__ import annotations

import re

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

_TEXT = {"IN": "observer.ingress.interface.name", "OUT": "observer.egress.interface.name",
         "SRC": "source.ip", "DST": "destination.ip"}
_INT = {"SPT": "source.port", "DPT": "destination.port", "TTL": "iptables.ttl", "ID": "iptables.id",
        "WINDOW": "iptables.tcp.window", "TYPE": "icmp.type", "CODE": "icmp.code", "HOPLIMIT": "iptables.ttl",
        "FLOWLBL": "iptables.flow_label"}


def _netfilter(ev: Event, msg: str) -> Event:
    m = _UPTIME.match(msg)
    if m is not None:
        msg = msg[m.end():]
    at = msg.find("IN=")
    if at < 0 or (at > 0 and msg[at - 1] != " "):
        raise ParseError("netfilter line without an IN= field")
    prefix = msg[:at].strip().strip("[]:").strip()
    flags: list[str] = []
    length_seen = False
    for token in msg[at:].split(" "):
        key, eq, value = token.partition("=")
        if not eq:
            if token.isupper() and token.isalpha():
                flags.append(token)
            continue
        name = _TEXT.get(key)
        if name is not None:
            if value:
                ev[name] = value
        elif key in _INT:
            if value.isdigit():
                ev[_INT[key]] = int(value)
        elif key == "PROTO":
            ev["network.transport"] = IANA_TRANSPORT.get(value, value.lower())
        elif key == "LEN":  # the first LEN is the IP packet's, the second the TCP/UDP payload's
            if value.isdigit():
                ev["iptables.udp.length" if length_seen else "iptables.length"] = int(value)
            length_seen = True
        elif key == "MAC":
            _mac(ev, value)
        elif key:
            ev["iptables." + key.lower()] = value
    _validate(ev)
    if flags:
        ev["iptables.flags"] = flags
    _verdict(ev, prefix)
    return ev


def _validate(ev: Event) -> None:
    for name in ("observer.ingress.interface.name", "observer.egress.interface.name"):
        iface = ev.get(name, "")
        if not _IFACE.match(iface):
            raise ParseError(f"netfilter line with a malformed interface name '{iface}'")
    if "source.ip" not in ev or "destination.ip" not in ev:
        raise ParseError("netfilter line without SRC= and DST=")


def _mac(ev: Event, value: str) -> None:
    # dst(6 octets):src(6 octets):ethertype(2)
    if len(value) >= 35:
        ev["destination.mac"] = value[0:17].upper().replace(":", "-")
        ev["source.mac"] = value[18:35].upper().replace(":", "-")


def _verdict(ev: Event, prefix: str) -> None:
    upper = prefix.upper()
    if prefix:
        ev["rule.name"] = prefix
    ev["event.category"] = ["network"]
    if any(w in upper for w in _DENY_WORDS):
        ev["event.action"] = "dropped"
        ev["event.type"] = ["connection", "denied"]
        ev["event.outcome"] = "failure"
    elif any(w in upper for w in _ALLOW_WORDS):
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
