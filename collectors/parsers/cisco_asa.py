"""Cisco ASA / FTD syslog (`%ASA-<severity>-<id>: text`).

Headers vary by device settings: `Apr 15 2013 09:36:50: `, `Apr 15 2014 09:34:34 EDT: `,
`Apr 24 2013 16:00:28 FW01 : `, RFC 3164 `<191>Aug  1 14:01:20 asa1: `, or nothing at all (then
the time is the context's `now`, i.e. when the line was received). Each known message id has
one regex with named groups; ids without one still become events carrying `event.code`.
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone

from soc.errors import ParseError
from soc.events import Event, format_ts

from .base import MONTHS, ParseContext, Parser, local_prefix, register, syslog_prefix

DATASET = "cisco.asa"
_LEVELS = ("emergency", "alert", "critical", "error", "warning", "notification", "informational", "debugging")
_TZ_ABBR = {name: timezone(timedelta(hours=h)) for name, h in (
    ("UTC", 0), ("GMT", 0), ("EST", -5), ("EDT", -4), ("CST", -6), ("CDT", -5), ("MST", -7), ("MDT", -6),
    ("PST", -8), ("PDT", -7), ("CET", 1), ("CEST", 2), ("ICT", 7))}

_TAG = re.compile(r"%?(?:ASA|FTD|PIX|FWSM)-(?:[A-Za-z]+-)?([0-7])-(\d{6}):?\s*")
_HEADER = re.compile(
    r"(?:<(\d{1,3})>)?(?:([A-Z][a-z]{2}) +(\d{1,2})(?: (\d{4}))? (\d\d):(\d\d):(\d\d)(?:\.\d+)?"
    r"(?: (" + "|".join(_TZ_ABBR) + r"))?(?: ([^\s:]+))?)?\s*:?\s*$"
)

_A = r"(?P<a_if>[^\s:]+):(?P<a_ip>[^\s/]+)/(?P<a_port>\d+)"
_B = r"(?P<b_if>[^\s:]+):(?P<b_ip>[^\s/]+)/(?P<b_port>\d+)"
_AM = r"(?: \((?P<a_mip>[^\s/]+)/(?P<a_mport>\d+)\))?(?:\([^)]*\))?"
_BM = r"(?: \((?P<b_mip>[^\s/]+)/(?P<b_mport>\d+)\))?(?:\([^)]*\))?"

# id -> (regex, static fields). Groups a_* are the source, b_* the destination (swapped for
# "Built outbound", whose first address is the foreign, responding end).
_DENY = {"event.action": "denied", "event.outcome": "failure", "event.type": ["connection", "denied"]}
_PERMIT = {"event.action": "permitted", "event.outcome": "success", "event.type": ["connection", "allowed"]}
_START = {"event.action": "connection-started", "event.type": ["connection", "start"]}
_END = {"event.action": "connection-finished", "event.type": ["connection", "end"]}
_MESSAGES: dict[str, tuple[re.Pattern[str], dict]] = {}


def _msg(ids: str, pattern: str, fields: dict) -> None:
    rx = re.compile(pattern)
    for i in ids.split():
        _MESSAGES[i] = (rx, fields)


_msg("106023", r"Deny (?P<proto>\S+) src (?P<a_if>[^\s:]+):(?P<a_ip>[^\s/]+)(?:/(?P<a_port>\d+))? "
     r"dst (?P<b_if>[^\s:]+):(?P<b_ip>[^\s/]+)(?:/(?P<b_port>\d+))?.*?by access-group \"(?P<acl>[^\"]*)\"", _DENY)
_msg("106100", r"access-list (?P<acl>\S+) (?P<verdict>permitted|denied|est-allowed) (?P<proto>\w+) "
     r"(?P<a_if>[^\s/]+)/(?P<a_ip>[^\s(]+)\((?P<a_port>\d+)\)(?:\([^)]*\))? -> "
     r"(?P<b_if>[^\s/]+)/(?P<b_ip>[^\s(]+)\((?P<b_port>\d+)\)", {})
_msg("106006 106007", r"Deny inbound (?P<proto>\w+) from (?P<a_ip>[^\s/]+)/(?P<a_port>\d+) to "
     r"(?P<b_ip>[^\s/]+)/(?P<b_port>\d+)(?: on interface (?P<a_if>\S+)| due to (?P<reason>.*))?", _DENY)
_msg("106015", r"Deny (?P<proto>\w+) \(no connection\) from (?P<a_ip>[^\s/]+)/(?P<a_port>\d+) to "
     r"(?P<b_ip>[^\s/]+)/(?P<b_port>\d+) flags (?P<flags>.*?)\s+on interface (?P<a_if>\S+)", _DENY)
_msg("106001", r"Inbound (?P<proto>\w+) connection denied from (?P<a_ip>[^\s/]+)/(?P<a_port>\d+) to "
     r"(?P<b_ip>[^\s/]+)/(?P<b_port>\d+) flags (?P<flags>.*?)\s+on interface (?P<a_if>\S+)", _DENY)
_msg("106016", r"Deny IP spoof from \((?P<a_ip>[^)]+)\) to (?P<b_ip>\S+) on interface (?P<a_if>\S+)", _DENY)
_msg("106014", r"Deny (?:inbound|outbound) (?P<proto>\w+) src (?P<a_if>[^\s:]+):(?P<a_ip>[^\s(]+) "
     r"dst (?P<b_if>[^\s:]+):(?P<b_ip>[^\s(]+)", _DENY)
_msg("106021", r"Deny (?P<proto>\w+) reverse path check from (?P<a_ip>\S+) to (?P<b_ip>\S+) "
     r"on interface (?P<a_if>\S+)", _DENY)
_msg("302013 302015", r"Built (?P<direction>inbound|outbound) (?P<proto>\w+) connection (?P<conn>\d+) for "
     + _A + _AM + " to " + _B + _BM, _START)
_msg("302014 302016", r"Teardown (?P<proto>\w+) connection (?P<conn>\d+) for " + _A
     + r"(?:\([^)]*\))?(?: (?!to )(?P<a_user>\S+))? to " + _B
     + r"(?:\([^)]*\))?(?: (?!duration )(?P<b_user>\S+))?(?: duration (?P<duration>[\d:]+) bytes (?P<bytes>\d+))?(?: (?P<reason>.+))?", _END)
_msg("302020 302021", r"(?P<verb>Built|Teardown) (?:(?P<direction>inbound|outbound) )?(?P<proto>ICMP) connection "
     r"(?:\d+ )?for faddr (?P<a_ip>[^\s/]+)/\d+(?:\([^)]*\))? gaddr (?P<a_mip>[^\s/]+)/\d+ "
     r"laddr (?P<b_ip>[^\s/]+)/\d+", {})
_msg("305011", r"Built (?:dynamic|static) (?P<proto>\w+) translation from " + _A + r"(?:\([^)]*\))? to "
     r"(?P<n_if>[^\s:]+):(?P<a_mip>[^\s/]+)/(?P<a_mport>\d+)", {"event.action": "nat-translation",
                                                               "event.type": ["connection", "start"]})
_msg("313001", r"Denied ICMP type=(?P<icmp_type>\d+), code=(?P<icmp_code>\d+) from (?P<a_ip>\S+) "
     r"on interface (?P<a_if>\S+)", _DENY)
_msg("313004", r"Denied ICMP type=(?P<icmp_type>\d+), from (?:laddr )?(?P<a_ip>\S+) on interface (?P<a_if>\S+) "
     r"to (?P<b_ip>[^\s:]+)", _DENY)
_msg("338001 338002 338003 338004 338005 338006 338007 338008",
     r"Dynamic Filter (?P<verdict>permitted|monitored|dropped) black ?listed (?P<proto>\w+) traffic from "
     + _A + _AM + " to " + _B + _BM + r", (?:source|destination) (?P<bad>\S+) resolved from (?P<list>\w+) list: "
     r"(?P<indicator>[^,\s]+)", {"event.kind": "alert", "event.category": ["network", "threat"]})
_msg("304001", r"(?:(?P<user>[^@\s]+)@)?(?P<a_ip>[^\s(]+)(?:\([^)]*\))? Accessed URL (?P<b_ip>[^\s:]+):(?P<url>\S*)",
     {"event.action": "url-accessed", "event.outcome": "success", "event.category": ["network", "web"],
      "event.type": ["access", "allowed"]})
_msg("304002", r"Access denied URL (?P<url>\S+) SRC (?P<a_ip>\S+) DEST (?P<b_ip>\S+) on interface (?P<a_if>\S+)",
     {"event.action": "url-denied", "event.outcome": "failure", "event.category": ["network", "web"],
      "event.type": ["access", "denied"]})
_msg("110002", r"Failed to locate egress interface for (?P<proto>\w+) from " + _A + r" to "
     r"(?P<b_ip>[^\s/]+)/(?P<b_port>\d+)", {"event.action": "routing-failed", "event.outcome": "failure"})
_msg("419001", r"Dropping (?P<proto>\w+) packet from " + _A + " to " + _B + r", reason: (?P<reason>.*)", _DENY)
_msg("419002", r"Duplicate (?P<proto>TCP) SYN from " + _A + " to " + _B, {"event.action": "duplicate-syn"})
_msg("402117 402119", r"IPSEC: Received an? .*?from (?P<a_ip>[\d.:a-fA-F]+)(?: \(user= (?P<user>[^)]*)\))? "
     r"to (?P<b_ip>[\d.:a-fA-F]*[\da-fA-F])", {"event.action": "ipsec-packet-rejected", "event.outcome": "failure"})
_msg("602303 602304", r"IPSEC: An? (?:inbound|outbound) .*?SA \(SPI= \S+\) between (?P<a_ip>\S+) and "
     r"(?P<b_ip>\S+) \(user= (?P<user>[^)]*)\)", {"event.action": "ipsec-sa"})
_msg("713172", r"Group = (?P<group>[^,]+), IP = (?P<a_ip>[^,]+),", {"event.action": "vpn-nat-detection"})
_msg("733100", r"\[\s*(?P<a_ip>[^\]\s]+)\s*\] drop rate-\d+ exceeded", {"event.action": "threat-detection-rate",
                                                                          "event.kind": "alert"})
# authentication and administration: what a SOC watches on a perimeter firewall
_msg("113004", r"AAA user (?P<aaa>\w+) Successful : server = +(?P<server>\S+) : user = (?P<user>\S+)",
     {"event.action": "authentication", "event.outcome": "success", "event.category": ["authentication"],
      "event.type": ["start"]})
_msg("113005", r"AAA user (?P<aaa>\w+) Rejected : reason = (?P<reason>.*?) : server = +(?P<server>\S+) : "
     r"user = (?P<user>.*?)(?: : user IP = (?P<a_ip>\S+))?$",
     {"event.action": "authentication", "event.outcome": "failure", "event.category": ["authentication"],
      "event.type": ["start"]})
_msg("605004 605005", r"Login (?P<verdict>denied|permitted) from (?P<a_ip>[^\s/]+)/(?P<a_port>\d+) to "
     r"(?P<b_if>[^\s:]+):(?P<b_ip>[^\s/]+)/(?P<service>\S+) for user \"(?P<user>[^\"]*)\"",
     {"event.action": "login", "event.category": ["authentication"], "event.type": ["start"]})
_msg("111008 111010", r"User '(?P<user>[^']*)' executed (?:the )?'?(?P<command>.*?)'? command",
     {"event.action": "command-executed", "event.category": ["configuration"], "event.type": ["change"]})

_VERDICTS = {"permitted": _PERMIT, "est-allowed": _PERMIT, "denied": _DENY, "dropped": _DENY, "monitored": {}}


def _static(ev: Event, fields: dict) -> None:
    """Copy a message's fixed fields; lists are copied so events never share them."""
    for key, value in fields.items():
        ev[key] = list(value) if isinstance(value, list) else value


def _timestamp(header: str, ctx: ParseContext, ev: Event) -> str:
    if not header.strip():
        return format_ts(ctx.now)
    m = _HEADER.match(header)
    if m is None:
        raise ParseError(f"unrecognised Cisco ASA header '{header[:60]}'")
    pri, mon, day, year, hh, mm, ss, tz_name, host = m.groups()
    if pri:
        ev["log.syslog.priority"] = int(pri)
    if host:
        ev["host.name"] = host
        ev["observer.name"] = host
    if mon is None:
        return format_ts(ctx.now)
    if mon not in MONTHS:
        raise ParseError(f"bad month '{mon}' in Cisco ASA header")
    if year is None:
        key = f"{mon} {int(day):2d} {hh}:{mm}"
        prefix = ctx.ts_cache.get(key) or syslog_prefix(ctx, key)
    else:
        prefix = local_prefix(ctx, int(year), MONTHS[mon], int(day), int(hh), int(mm),
                              _TZ_ABBR[tz_name] if tz_name else None)
    return prefix + ss + ".000Z"


def _fields(ev: Event, g: dict[str, str | None]) -> None:
    a, b = "source", "destination"
    if g.get("direction") == "outbound":
        a, b = b, a
    for side, prefix in ((a, "a_"), (b, "b_")):
        ip = g.get(prefix + "ip")
        if ip:
            ev[side + ".ip"] = ip
        port = g.get(prefix + "port")
        if port:
            ev[side + ".port"] = int(port)
        mip = g.get(prefix + "mip")
        if mip and mip != ip:
            ev[side + ".nat.ip"] = mip
            mport = g.get(prefix + "mport")
            if mport:
                ev[side + ".nat.port"] = int(mport)
        iface = g.get(prefix + "if")
        if iface:
            key = "observer.ingress.interface.name" if side == "source" else "observer.egress.interface.name"
            ev[key] = iface
    proto = g.get("proto")
    if proto:
        ev["network.transport"] = proto.lower()
    for group, field in (("acl", "rule.name"), ("a_user", "source.user.name"), ("b_user", "destination.user.name"), ("user", "user.name"), ("url", "url.original"),
                         ("reason", "event.reason"), ("conn", "cisco.asa.connection_id"), ("flags", "cisco.asa.tcp_flags"),
                         ("icmp_type", "icmp.type"), ("icmp_code", "icmp.code"), ("group", "group.name"),
                         ("command", "process.command_line"), ("indicator", "threat.indicator.description"),
                         ("list", "cisco.asa.dynamic_filter.list"), ("server", "cisco.asa.aaa_server")):
        value = g.get(group)
        if value:
            ev[field] = value.strip()
    if g.get("bytes"):
        ev["network.bytes"] = int(g["bytes"])
    if g.get("duration"):
        h, m_, s = (g["duration"].split(":") + ["0", "0"])[:3]
        ev["event.duration"] = (int(h) * 3600 + int(m_) * 60 + int(s)) * 1_000_000_000
    if g.get("verb"):
        _static(ev, _START if g["verb"] == "Built" else _END)


class CiscoAsaParser(Parser):
    name = "cisco_asa"
    dataset = DATASET
    aliases = ("asa", "cisco", "cisco_ftd")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.rstrip("\r\n")
        if not line.strip():
            return None
        tag = _TAG.search(line)
        if tag is None:
            raise ParseError("not a Cisco ASA line (no %ASA-<level>-<id> tag)")
        severity, msg_id = tag.groups()
        text = line[tag.end():].rstrip()
        ev: Event = {"log.original": line}
        ev["@timestamp"] = _timestamp(line[: tag.start()], ctx, ev)
        ev.update({"event.dataset": DATASET, "event.kind": "event", "event.code": msg_id,
                   "event.severity": int(severity), "log.level": _LEVELS[int(severity)],
                   "event.category": ["network"], "observer.vendor": "Cisco", "observer.product": "ASA",
                   "observer.type": "firewall", "message": text})
        known = _MESSAGES.get(msg_id)
        if known is not None:
            m = known[0].search(text)
            if m is not None:
                groups = m.groupdict()
                _static(ev, known[1])
                verdict = groups.get("verdict")
                if verdict:
                    action = ev.get("event.action")
                    _static(ev, _VERDICTS.get(verdict, {}))
                    if ev.get("event.kind") == "alert":
                        ev["event.action"] = "dynamic-filter-" + verdict
                    elif action:
                        ev["event.action"] = action
                _fields(ev, groups)
        return ev

    def detects(self, line: str) -> bool:
        return _TAG.search(line[:120]) is not None


register(CiscoAsaParser())
