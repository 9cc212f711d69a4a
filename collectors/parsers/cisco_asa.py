"""Cisco ASA / FTD syslog (`%ASA-<severity>-<id>: text`).

Headers vary by device settings: `Apr 15 2013 09:36:50: `, `Apr 15 2014 09:34:34 EDT: `,
`Apr 24 2013 16:00:28 FW01 : `, RFC 3164 `<191>Aug  1 14:01:20 asa1: `, or nothing at all (then
the time is the context's `now`, i.e. when the line was received). Each known message id has
one regex with named groups; ids without one still become events carrying `event.code`.

Speed (the module is compiled by Cython, see setup.py): the tag, the common header shapes and the
most frequent message ids are cut with `str.find` and slicing, which gives exactly what the
regexes give; anything those fast paths do not recognise falls back to the regexes, so the
regexes stay the reference. `parse_line(line, ctx, fast=False)` runs the regex path alone (the
tests compare the two on real and mutated lines).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import cython

from soc.errors import ParseError
from soc.events import Event, format_ts

from .base import (IANA_TRANSPORT, MONTHS, ParseContext, Parser, is_ip, iso_to_ts, local_prefix, register,
                   syslog_prefix)
from .syslog import split_syslog

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


_msg("106023", r"Deny (?:protocol (?P<proto_num>\d+)|(?P<proto>\S+)) src (?P<a_if>[^\s:]+):(?P<a_ip>[^\s/]+)(?:/(?P<a_port>\d+))? "
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
     + _A + _AM + " to " + _B + _BM + r", (?:source|destination) (?P<bad>.*?) resolved from (?P<list>\w+(?: or \w+)?) list: "
     r"(?P<indicator>[^,\s]+)", {"event.kind": "alert", "event.category": ["network", "threat"]})
_msg("304001", r"(?:(?P<user>[^@\s]+)@)?(?P<a_ip>[^\s(]+)(?:\([^)]*\))? Accessed (?:JAVA )?URL (?P<b_ip>[^\s:]+):(?P<url>\S*)",
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
_msg("113004", r"AAA user (?P<aaa>\w+) Successful ?: server = +(?P<server>\S+) ?[:,] [Uu]ser = (?P<user>\S+)",
     {"event.action": "authentication", "event.outcome": "success", "event.category": ["authentication"],
      "event.type": ["start"]})
_msg("113005", r"AAA user (?P<aaa>\w+) Rejected ?: reason = (?P<reason>.*?) ?: server = +(?P<server>\S+) ?: "
     r"user = ?(?P<user>.*?)(?: ?: user IP = (?P<a_ip>\S+))?$",
     {"event.action": "authentication", "event.outcome": "failure", "event.category": ["authentication"],
      "event.type": ["start"]})
_msg("605004 605005", r"Login (?P<verdict>denied|permitted) from (?P<a_ip>[^\s/]+)(?:/(?P<a_port>\d+))? to "
     r"(?:(?P<b_if>[^\s:]+):(?P<b_ip>[^\s/]+)/(?P<service>\S+)|\S+) for user \"(?P<user>[^\"]*)\"",
     {"event.action": "login", "event.category": ["authentication"], "event.type": ["start"]})
_msg("111008 111010", r"User '(?P<user>[^']*)' executed (?:the )?'?(?P<command>.*?)'? command",
     {"event.action": "command-executed", "event.category": ["configuration"], "event.type": ["change"]})

_AUTH_OK = {"event.action": "authentication", "event.outcome": "success", "event.category": ["authentication"],
            "event.type": ["start"]}
_AUTH_FAIL = {"event.action": "authentication", "event.outcome": "failure", "event.category": ["authentication"],
              "event.type": ["start"]}
_msg("113012", r"AAA user (?P<aaa>\w+) Successful ?: local database ?: user = (?P<user>\S+)", _AUTH_OK)
_msg("113015", r"AAA user (?P<aaa>\w+) Rejected ?: reason = (?P<reason>.*?) ?: local database ?: "
     r"user = ?(?P<user>.*?)(?: ?: user IP = (?P<a_ip>\S+))?$", _AUTH_FAIL)
_msg("113008", r"AAA transaction status ACCEPT ?: user = (?P<user>\S+)", dict(_AUTH_OK, **{"event.action": "authorization"}))
_msg("113006", r"User '(?P<user>[^']*)' locked out", {"event.action": "account-locked", "event.outcome": "failure",
                                                       "event.category": ["authentication"], "event.type": ["info"]})
_msg("611101", r"User authentication succeeded: (?:IP address: (?P<a_ip>[^,\s]+), )?Uname: (?P<user>\S+)", _AUTH_OK)
_msg("611102", r"User authentication failed: (?:IP address: (?P<a_ip>[^,\s]+), )?Uname: (?P<user>\S+)", _AUTH_FAIL)
_msg("611103", r"User logged out: Uname: (?P<user>\S+)", {"event.action": "logout", "event.outcome": "success",
                                                          "event.category": ["authentication"], "event.type": ["end"]})
_msg("111009 111010", r"User '(?P<user>[^']*)'(?:, running '[^']*' from IP (?P<a_ip>[^,\s]+),)? executed "
     r"(?:cmd: )?'?(?P<command>.*?)'?$", {"event.action": "command-executed", "event.category": ["configuration"],
                                          "event.type": ["change"]})
_msg("106010", r"Deny (?:inbound|outbound) (?:protocol (?P<proto_num>\d+)|(?P<proto>\w+)) src "
     r"(?P<a_if>[^\s:]+):(?P<a_ip>[^\s/]+)(?:/(?P<a_port>\d+))? dst (?P<b_if>[^\s:]+):(?P<b_ip>[^\s/]+)(?:/(?P<b_port>\d+))?",
     _DENY)
_msg("710003", r"(?P<proto>\w+) access denied by ACL from (?P<a_ip>[^\s/]+)/(?P<a_port>\d+) to " + _B, _DENY)
_msg("305012", r"Teardown (?:dynamic|static) (?P<proto>\w+) translation from " + _A + r"(?:\([^)]*\))? to "
     r"(?P<n_if>[^\s:]+):(?P<a_mip>[^\s/]+)/(?P<a_mport>\d+)(?: duration (?P<duration>[\d:]+))?",
     {"event.action": "nat-translation-end", "event.type": ["connection", "end"]})
_msg("313005", r"No matching connection for ICMP error message: icmp src (?P<a_if>[^\s:]+):(?P<a_ip>[^\s(]+)"
     r"(?:\([^)]*\))? dst (?P<b_if>[^\s:]+):(?P<b_ip>[^\s(]+)(?: ?\(type (?P<icmp_type>\d+), code (?P<icmp_code>\d+)\))?",
     dict(_DENY, **{"network.transport": "icmp"}))
_msg("110003", r"Routing failed to locate next hop for (?P<proto>\w+) from " + _A + " to " + _B,
     {"event.action": "routing-failed", "event.outcome": "failure"})
_msg("734001", r"DAP: User (?P<user>[^,]+), Addr (?P<a_ip>[^,\s]+), Connection (?P<conn_type>[^:]+): .*?selected "
     r"for this connection: (?P<dap>.*)", {"event.action": "dap-record-selected", "event.category": ["network", "session"]})
_msg("113019", r"Group = (?P<group>[^,]+), Username = (?P<user>[^,]+), IP = (?P<a_ip>[^,]+), Session disconnected\."
     r"(?: Session Type: [^,]+, Duration: [^,]+, Bytes xmt: (?P<bytes_out>\d+), Bytes rcv: (?P<bytes_in>\d+), "
     r"Reason: (?P<reason>.*))?", {"event.action": "vpn-session-disconnected", "event.category": ["network", "session"],
                                    "event.type": ["end"]})
_msg("402116 402117 402119", r"IPSEC: Received an? .*?from (?P<a_ip>[\d.:a-fA-F]+)(?: \(user= (?P<user>[^)]*)\))? "
     r"to (?P<b_ip>[\d.:a-fA-F]*[\da-fA-F])", {"event.action": "ipsec-packet-rejected", "event.outcome": "failure"})

# families: ids without a regex of their own, read by the shape their family shares
_FAMILIES: dict[str, tuple[re.Pattern[str], dict]] = {
    # IKE/IPsec: "Group = 81.2.69.144, [Username = u, ]IP = 81.2.69.144, ..."
    "713": (re.compile(r"(?:Group = (?P<group>[^,]+), )?(?:Username = (?P<user>[^,]+), )?IP = (?P<a_ip>[^,\s]+),"),
            {"event.action": "ipsec-negotiation", "event.category": ["network", "session"]}),
    # AnyConnect/SVC and WebVPN: "Group <g> User <u> IP <a>" or without the brackets
    "722": (re.compile(r"Group <?(?P<group>[^<>]*?)>? User <?(?P<user>[^<>]*?)>? IP <?(?P<a_ip>[^<>\s]+)>?"),
            {"event.action": "vpn-session", "event.category": ["network", "session"]}),
    "716": (re.compile(r"Group <?(?P<group>[^<>]*?)>? User <?(?P<user>[^<>]*?)>? IP <?(?P<a_ip>[^<>\s]+)>?"),
            {"event.action": "webvpn-session", "event.category": ["network", "session"]}),
    # IPS signatures (400000-400050): "IPS:2003 ICMP redirect from 10.4.1.2 to 10.2.1.1 on interface dmz"
    "400": (re.compile(r"IPS:(?P<sig>\d+) (?P<sig_name>.*?) from (?P<a_ip>\S+) to (?P<b_ip>\S+) on interface (?P<a_if>\S+)"),
            {"event.action": "ips-signature", "event.kind": "alert", "event.category": ["network", "intrusion_detection"],
             "event.type": ["info"]}),
}
# the static fields of a few ids of a family (their own words for what happened)
_FAMILY_IDS: dict[str, dict] = {
    "716001": {"event.action": "webvpn-session-started", "event.type": ["start"]},
    "716002": {"event.action": "webvpn-session-terminated", "event.type": ["end"]},
    "716039": {"event.action": "authentication", "event.outcome": "failure", "event.category": ["authentication"],
               "event.type": ["start"]},
    "722022": {"event.action": "vpn-connection-established", "event.type": ["start"]},
    "722023": {"event.action": "vpn-connection-terminated", "event.type": ["end"]},
    "722028": {"event.action": "vpn-connection-closed", "event.type": ["end"]},
    "722037": {"event.action": "vpn-connection-closed", "event.type": ["end"]},
    "722051": {"event.action": "vpn-address-assigned", "event.type": ["start"]},
    "713049": {"event.action": "ipsec-negotiation-complete", "event.outcome": "success"},
    "713120": {"event.action": "ipsec-phase2-complete", "event.outcome": "success"},
}

# (ip, port, interface, NAT ip, NAT port) field names of each end
_SRC = ("source.ip", "source.port", "observer.ingress.interface.name", "source.nat.ip", "source.nat.port")
_DST = ("destination.ip", "destination.port", "observer.egress.interface.name", "destination.nat.ip",
        "destination.nat.port")
# regex group -> field that takes its stripped text
_TEXT_GROUPS = (("acl", "rule.name"), ("a_user", "source.user.name"), ("b_user", "destination.user.name"),
                ("user", "user.name"), ("url", "url.original"), ("reason", "event.reason"),
                ("conn", "cisco.asa.connection_id"), ("flags", "cisco.asa.tcp_flags"), ("icmp_type", "icmp.type"),
                ("icmp_code", "icmp.code"), ("group", "group.name"), ("command", "process.command_line"),
                ("indicator", "threat.indicator.description"), ("list", "cisco.asa.dynamic_filter.list"),
                ("server", "cisco.asa.aaa_server"), ("sig", "rule.id"), ("sig_name", "rule.name"),
                ("dap", "cisco.asa.dap_records"), ("conn_type", "network.protocol"))
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
        return _relay_header(header, ctx, ev)
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


def _relay_header(header: str, ctx: ParseContext, ev: Event) -> str:
    """A header written by a relay (rsyslog's RFC 3339 or RFC 5424 template) in front of the tag."""
    parts = split_syslog(header.strip(), ctx)
    if parts is None:
        return _bare_header(header, ctx, ev)
    head = parts[0]
    for key in ("log.syslog.priority", "host.name"):
        if key in head:
            ev[key] = head[key]
    if "host.name" in head:
        ev["observer.name"] = head["host.name"]
    return head["@timestamp"]


# FTD connection/intrusion events (430001-430005): "Key: value, Key: value, ..."; a value may hold
# ", " itself (UserAgent, URL), so a cell starts only where a CamelCase key and ": " follow.
_FTD_CELL = re.compile(r"(?:^|, )([A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)?): ")
_FTD_FIELDS = {"SrcIP": "source.ip", "DstIP": "destination.ip", "IngressInterface": "observer.ingress.interface.name",
               "EgressInterface": "observer.egress.interface.name", "IngressZone": "observer.ingress.zone",
               "EgressZone": "observer.egress.zone", "AccessControlRuleName": "rule.name", "ACPolicy": "rule.ruleset",
               "ApplicationProtocol": "network.protocol", "URL": "url.original", "UserAgent": "user_agent.original",
               "ConnectionID": "cisco.asa.connection_id", "DeviceUUID": "observer.serial_number",
               "AccessControlRuleReason": "event.reason", "SignatureID": "rule.id", "Message": "rule.description",
               "Classification": "rule.category", "Client": "cisco.ftd.client", "Priority": "cisco.ftd.priority",
               "SSLCertificate": "cisco.ftd.ssl_certificate", "FileName": "file.name", "SHA_Disposition": "cisco.ftd.sha_disposition",
               "URLCategory": "cisco.ftd.url_category", "DNSQuery": "dns.question.name"}
_FTD_INTS = {"SrcPort": "source.port", "DstPort": "destination.port", "InitiatorBytes": "source.bytes",
             "ResponderBytes": "destination.bytes", "InitiatorPackets": "source.packets",
             "ResponderPackets": "destination.packets"}
_FTD_NO_USER = frozenset(("No Authentication Required", "Not Found", "Unknown", "No Authentication"))
_FTD_ACTIONS = {"430001": "intrusion-detected", "430002": "connection-started", "430003": "connection-finished",
                "430004": "file-detected", "430005": "file-malware-detected"}


def _ftd_event(ev: Event, msg_id: str, text: str) -> None:
    cells = _FTD_CELL.split(text)
    if len(cells) < 3:
        return
    kv = dict(zip(cells[1::2], cells[2::2]))
    for key, field in _FTD_FIELDS.items():
        value = kv.get(key)
        if value:
            ev[field] = value.strip()
    for key, field in _FTD_INTS.items():
        value = kv.get(key, "").strip()
        if value.isdecimal() and value.isascii():
            ev[field] = int(value)
    proto = kv.get("Protocol", "").strip()
    if proto:
        ev["network.transport"] = IANA_TRANSPORT.get(proto, proto.lower())
    user = kv.get("User", "").strip()
    if user and user not in _FTD_NO_USER:
        ev["user.name"] = user
    duration = kv.get("ConnectionDuration", "").strip()
    if duration.isdecimal() and duration.isascii():
        ev["event.duration"] = int(duration) * 1_000_000_000
    ev["event.action"] = _FTD_ACTIONS.get(msg_id, "ftd-event")
    verdict = kv.get("AccessControlRuleAction", kv.get("InlineResult", "")).strip().lower()
    if msg_id == "430001":
        ev["event.kind"] = "alert"
        ev["event.category"] = ["network", "intrusion_detection"]
    if verdict in ("allow", "trust", "fastpath", "allowed"):
        ev["event.outcome"] = "success"
        ev["event.type"] = ["connection", "allowed"]
    elif verdict in ("block", "block with reset", "blocked", "drop", "dropped", "would block", "interactive block"):
        ev["event.outcome"] = "failure"
        ev["event.type"] = ["connection", "denied"]
    if verdict:
        ev["cisco.ftd.rule_action"] = verdict


_BARE = re.compile(r"\s*(?:<(\d{1,3})>)?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*?)?[\s:]*$")


def _bare_header(header: str, ctx: ParseContext, ev: Event) -> str:
    """A header without a device id: `<166>2024-06-26T01:35:42Z: `, `<185>2020-07-24T13:13:45Z   `, `<166>:: `."""
    m = _BARE.match(header)
    if m is None:
        raise ParseError(f"unrecognised Cisco ASA header '{header[:60]}'")
    pri, stamp = m.groups()
    if pri:
        ev["log.syslog.priority"] = int(pri)
    return iso_to_ts(stamp, ctx) if stamp else format_ts(ctx.now)


def _set_duration(ev: Event, text: str) -> None:
    """"h:mm:ss" -> event.duration in nanoseconds; a malformed value ("1::2") sets nothing."""
    h, m_, s = (text.split(":") + ["0", "0"])[:3]
    if h.isdecimal() and m_.isdecimal() and s.isdecimal():
        ev["event.duration"] = (int(h) * 3600 + int(m_) * 60 + int(s)) * 1_000_000_000


@cython.cfunc
def _side(ev: dict, g: dict, ip_group: str, port_group: str, mip_group: str, mport_group: str, if_group: str,
          keys: tuple) -> None:
    """One end's address, port, NAT address and interface (keys: see _SRC) from the regex groups."""
    ip = g.get(ip_group)
    if ip:
        ev[keys[0]] = ip
    port = g.get(port_group)
    if port:
        ev[keys[1]] = int(port)
    mip = g.get(mip_group)
    if mip and mip != ip:
        ev[keys[3]] = mip
        mport = g.get(mport_group)
        if mport:
            ev[keys[4]] = int(mport)
    iface = g.get(if_group)
    if iface:
        ev[keys[2]] = iface


@cython.cfunc
def _fields(ev: dict, g: dict) -> None:
    """Fields from a message regex's groups: a_* is the source, b_* the destination (but for outbound)."""
    outbound: cython.bint = g.get("direction") == "outbound"
    _side(ev, g, "a_ip", "a_port", "a_mip", "a_mport", "a_if", _DST if outbound else _SRC)
    _side(ev, g, "b_ip", "b_port", "b_mip", "b_mport", "b_if", _SRC if outbound else _DST)
    proto = g.get("proto")
    if proto:
        ev["network.transport"] = proto.lower()
    elif g.get("proto_num"):
        ev["network.transport"] = IANA_TRANSPORT.get(g["proto_num"], g["proto_num"])
        ev["network.iana_number"] = g["proto_num"]
    if g.get("bytes_out"):
        ev["source.bytes"] = int(g["bytes_out"])
        ev["destination.bytes"] = int(g["bytes_in"])
    for group, field in _TEXT_GROUPS:
        value = g.get(group)
        if value:
            ev[field] = value.strip()
    if g.get("bytes"):
        ev["network.bytes"] = int(g["bytes"])
    if g.get("duration"):
        _set_duration(ev, g["duration"])
    if g.get("verb"):
        _static(ev, _START if g["verb"] == "Built" else _END)


@cython.cfunc
def _regex_message(ev: dict, msg_id: str, text: str) -> None:
    """The reference path: the message id's regex, its static fields, then the captured groups."""
    messages: dict = _MESSAGES
    known = messages.get(msg_id)
    if known is None:
        if msg_id.startswith("4300"):
            _ftd_event(ev, msg_id, text)
            return
        known = _FAMILIES.get(msg_id[:3])
        if known is None:
            return
        m = known[0].search(text)
        if m is None:
            return
        _static(ev, known[1])
        _static(ev, _FAMILY_IDS.get(msg_id, {}))
        _fields(ev, m.groupdict())
        return
    m = known[0].search(text)
    if m is None:
        return
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


# ---------------------------------------------------------------- fast paths
# Every fast function reads a message text that is printable ASCII (checked once per line), where
# the regexes' \s is only " ", \d only 0-9 and \w only [A-Za-z0-9_]. Each one accepts exactly the
# texts its regex matches at position 0 and returns False otherwise (the regex then decides).
# A fast function may add new keys before it fails (the caller removes them) but changes the
# existing ones (event.action, event.kind, ...) only once it has succeeded.

_VENDORS = ("ASA-", "FTD-", "PIX-", "FWSM-")
_HEADER_TOKENS = frozenset(_TZ_ABBR)
_CACHE_LIMIT = 200_000  # as base.py bounds ctx.ts_cache
# every event starts as a copy of this (the None values are always replaced)
_EVENT = {"log.original": None, "@timestamp": None, "event.dataset": DATASET, "event.kind": "event",
          "event.code": None, "event.severity": None, "log.level": None, "event.category": None,
          "observer.vendor": "Cisco", "observer.product": "ASA", "observer.type": "firewall", "message": None}
_now_text: tuple = (None, "")  # (ctx.now, its @timestamp): header-less lines all carry it


@cython.cfunc
def _tag_at(line: str, p: cython.Py_ssize_t, n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """Index of the severity digit when a tag continues at p (just after its vendor), else -1."""
    q: cython.Py_ssize_t = p
    k: cython.Py_ssize_t
    c: cython.Py_UCS4
    while q < n:
        c = line[q]
        if not ("A" <= c <= "Z" or "a" <= c <= "z"):
            break
        q += 1
    if q > p:
        if q >= n or line[q] != "-":
            return -1
        q += 1
    if q + 8 > n:
        return -1
    c = line[q]
    if c < "0" or c > "7" or line[q + 1] != "-":
        return -1
    for k in range(q + 2, q + 8):
        c = line[k]
        if not ("0" <= c <= "9" or (c > "~" and c.isdecimal())):
            return -1
    return q


@cython.cfunc
def _find_tag(line: str, n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """Where the vendor of the leftmost valid tag starts (what `_TAG.search` finds, less its "%"), or -1."""
    best: cython.Py_ssize_t = -1
    limit: cython.Py_ssize_t = n
    j: cython.Py_ssize_t
    k: cython.Py_ssize_t
    vendor: str
    for vendor in _VENDORS:
        if best >= 0 and line.find("-", 0, best) < 0:
            break  # every vendor ends with "-": none starts before the one found
        j = line.find(vendor, 0, limit + 5)
        while 0 <= j < limit:
            k = _tag_at(line, j + len(vendor), n)
            if k >= 0:
                best = j
                limit = j
                break
            j = line.find(vendor, j + 1, limit + 5)
    return best


@cython.cfunc
def _now_ts(ctx: ParseContext) -> str:
    global _now_text
    now = ctx.now
    cached: tuple = _now_text
    if cached[0] is now:
        return cached[1]
    text: str = format_ts(now)
    _now_text = (now, text)
    return text


@cython.cfunc
def _digit(c: cython.Py_UCS4) -> cython.bint:
    return "0" <= c <= "9"


@cython.cfunc
def _digits(s: str, i: cython.Py_ssize_t, j: cython.Py_ssize_t) -> cython.bint:
    """s[i:j] is all ASCII digits (True when empty)."""
    while i < j:
        if not _digit(s[i]):
            return False
        i += 1
    return True


@cython.cfunc
def _plain(s: str) -> cython.bint:
    """s is ASCII without control characters: there the regexes' \\s is " " alone and \\d is 0-9."""
    c: cython.Py_UCS4
    if cython.compiled:
        for c in s:
            if c < " " or c > "~":
                return False
        return True
    return s.isascii() and s.isprintable()


@cython.cfunc
def _header_fast(line: str, start: cython.Py_ssize_t, ctx: ParseContext, ev: dict) -> cython.bint:
    """Set @timestamp (and priority, host) from a `[<pri>]Mmm dd [yyyy ]HH:MM:SS[ zone| host][ ]: ` header.

    The header is line[:start], printable ASCII. False (ev untouched) for any other shape:
    `_timestamp` then reads the header with the regex.
    """
    p: cython.Py_ssize_t = 0
    t: cython.Py_ssize_t
    i: cython.Py_ssize_t
    tok: cython.Py_ssize_t
    tok_end: cython.Py_ssize_t
    if line[0] == "<":
        p = line.find(">", 1, 5) + 1
        if p < 3 or p >= start or not _digits(line, 1, p - 1):
            return False
    if start - p >= 20 and line[p + 11] == " " and line[p + 14] == ":" and line[p + 17] == ":":
        t = p + 20  # Mmm dd yyyy HH:MM:SS
    elif start - p >= 15 and line[p + 9] == ":" and line[p + 12] == ":":
        t = p + 15  # Mmm dd HH:MM:SS
    else:
        return False
    i = tok = tok_end = t
    if i + 1 < start and line[i] == " " and line[i + 1] != " " and line[i + 1] != ":":
        tok = i = i + 1
        while i < start and line[i] != " " and line[i] != ":":
            i += 1
        tok_end = i
    while i < start and line[i] == " ":
        i += 1
    if i < start and line[i] == ":":
        i += 1
    while i < start and line[i] == " ":
        i += 1
    if i != start:
        return False
    zone = host = None
    if tok_end > tok:
        word = line[tok:tok_end]
        if word in _HEADER_TOKENS:
            zone = word
        else:
            host = word
    ts = _second_ts(line[p:t], zone, ctx)
    if ts is None:
        return False
    ev["@timestamp"] = ts
    if p > 0:
        ev["log.syslog.priority"] = int(line[1:p - 1])
    if host is not None:
        ev["host.name"] = host
        ev["observer.name"] = host
    return True


@cython.cfunc
def _second_ts(key: str, zone: object, ctx: ParseContext) -> object:
    """@timestamp of a header's "Mmm dd [yyyy ]HH:MM:SS" (+ zone), cached in ctx; None for a bad shape."""
    cache: dict = ctx.ts_cache
    yearless: cython.bint = len(key) == 15
    full: str = key if yearless or zone is None else key + " " + zone
    ts = cache.get(full)
    if ts is not None:
        return ts
    h: cython.Py_ssize_t = 7 if yearless else 12  # where HH starts
    if not (key[:3] in MONTHS and key[3] == " " and (key[4] == " " or _digit(key[4])) and _digit(key[5])
            and key[6] == " " and _digits(key, h, h + 2) and key[h + 2] == ":" and _digits(key, h + 3, h + 5)
            and key[h + 5] == ":" and _digits(key, h + 6, h + 8)):
        return None
    if yearless:
        # the same minute key as the regex path (it writes "Aug 01" as "Aug  1")
        prefix = syslog_prefix(ctx, key[:4] + " " + key[5:12] if key[4] == "0" else key[:12])
    elif _digits(key, 7, 11):
        prefix = local_prefix(ctx, int(key[7:11]), MONTHS[key[:3]], int(key[4:6]), int(key[12:14]),
                              int(key[15:17]), _TZ_ABBR[zone] if zone is not None else None)
    else:
        return None
    ts = prefix + key[h + 6:h + 8] + ".000Z"
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    cache[full] = ts
    return ts


@cython.cfunc
def _int(s: str, i: cython.Py_ssize_t, j: cython.Py_ssize_t) -> object:
    """int(s[i:j]) of ASCII digits."""
    v: cython.longlong = 0
    if cython.compiled and j - i <= 18:
        while i < j:
            v = v * 10 + (cython.cast(cython.int, s[i]) - 48)
            i += 1
        return v
    return int(s[i:j])


@cython.cfunc
def _space(s: str, i: cython.Py_ssize_t, n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """Index of the first space at or after i, or n."""
    j: cython.Py_ssize_t = s.find(" ", i)
    return n if j < 0 else j


@cython.cfunc
def _digits_end(s: str, i: cython.Py_ssize_t, n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    while i < n and _digit(s[i]):
        i += 1
    return i


@cython.cfunc
def _word(s: str, i: cython.Py_ssize_t, j: cython.Py_ssize_t) -> cython.bint:
    """s[i:j] matches \\w+ (ASCII)."""
    c: cython.Py_UCS4
    if i >= j:
        return False
    while i < j:
        c = s[i]
        if not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9" or c == "_"):
            return False
        i += 1
    return True


@cython.cfunc
def _endpoint(ev: dict, s: str, i: cython.Py_ssize_t, n: cython.Py_ssize_t, keys: tuple) -> cython.Py_ssize_t:
    """`if:ip/port` at i (`[^\\s:]+:[^\\s/]+/\\d+`) into keys' ip, port, interface; index after the port or -1."""
    sp: cython.Py_ssize_t = _space(s, i, n)
    colon: cython.Py_ssize_t = s.find(":", i, sp)
    if colon <= i:
        return -1
    slash: cython.Py_ssize_t = s.find("/", colon + 1, sp)
    if slash <= colon + 1:
        return -1
    e: cython.Py_ssize_t = _digits_end(s, slash + 1, n)
    if e == slash + 1:
        return -1
    ev[keys[2]] = s[i:colon]
    ev[keys[0]] = s[colon + 1:slash]
    ev[keys[1]] = _int(s, slash + 1, e)
    return e


@cython.cfunc
def _addr_port(ev: dict, s: str, i: cython.Py_ssize_t, n: cython.Py_ssize_t, keys: tuple) -> cython.Py_ssize_t:
    """`ip/port` at i (`[^\\s/]+/\\d+`) into keys' ip and port; index after the port or -1."""
    sp: cython.Py_ssize_t = _space(s, i, n)
    slash: cython.Py_ssize_t = s.find("/", i, sp)
    if slash <= i:
        return -1
    e: cython.Py_ssize_t = _digits_end(s, slash + 1, n)
    if e == slash + 1:
        return -1
    ev[keys[0]] = s[i:slash]
    ev[keys[1]] = _int(s, slash + 1, e)
    return e


@cython.cfunc
def _nat(ev: dict, s: str, e: cython.Py_ssize_t, n: cython.Py_ssize_t, keys: tuple) -> cython.Py_ssize_t:
    """` (ip/port)` at e: the side's NAT address when it differs from its address; index after ")" or -1."""
    m: cython.Py_ssize_t = e + 2
    sp: cython.Py_ssize_t = _space(s, m, n)
    slash: cython.Py_ssize_t = s.find("/", m, sp)
    if slash <= m:
        return -1
    d: cython.Py_ssize_t = _digits_end(s, slash + 1, n)
    if d == slash + 1 or d >= n or s[d] != ")":
        return -1
    mip = s[m:slash]
    if mip != ev.get(keys[0]):
        ev[keys[3]] = mip
        ev[keys[4]] = _int(s, slash + 1, d)
    return d + 1


@cython.cfunc
def _skip_paren(s: str, e: cython.Py_ssize_t, n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """After an optional `\\([^)]*\\)` at e: e itself when none, -1 for "(" never closed."""
    if e < n and s[e] == "(":
        q: cython.Py_ssize_t = s.find(")", e + 1)
        return q + 1 if q >= 0 else -1
    return e


@cython.cfunc
def _proto_end(s: str, i: cython.Py_ssize_t, n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """End of a `\\w+` word at i followed by a space, or -1."""
    j: cython.Py_ssize_t = s.find(" ", i)
    return j if j > i and _word(s, i, j) else -1


@cython.cfunc
def _deny(ev: dict) -> None:
    ev["event.action"] = "denied"
    ev["event.outcome"] = "failure"
    ev["event.type"] = ["connection", "denied"]


@cython.cfunc
def _permit(ev: dict) -> None:
    ev["event.action"] = "permitted"
    ev["event.outcome"] = "success"
    ev["event.type"] = ["connection", "allowed"]


@cython.cfunc
def _m106023(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # Deny tcp src dmz:10.1.2.30/63016 dst outside:192.0.0.8/53 by access-group "acl_dmz" [...]
    if not s.startswith("Deny "):
        return False
    j: cython.Py_ssize_t = s.find(" ", 5)
    if j <= 5 or not s.startswith("src ", j + 1):
        return False
    e: cython.Py_ssize_t = _endpoint_opt(ev, s, j + 5, n, _SRC)
    if e < 0 or not s.startswith(" dst ", e):
        return False
    e = _endpoint_opt(ev, s, e + 5, n, _DST)
    if e < 0:
        return False
    k: cython.Py_ssize_t = s.find('by access-group "', e)
    if k < 0:
        return False
    q: cython.Py_ssize_t = s.find('"', k + 17)
    if q < 0:
        return False
    _deny(ev)
    ev["network.transport"] = s[5:j].lower()
    if q > k + 17:
        ev["rule.name"] = s[k + 17:q].strip()
    return True


@cython.cfunc
def _endpoint_opt(ev: dict, s: str, i: cython.Py_ssize_t, n: cython.Py_ssize_t, keys: tuple) -> cython.Py_ssize_t:
    """`if:ip[/port]` at i (`[^\\s:]+:[^\\s/]+(?:/\\d+)?`); index after it or -1."""
    sp: cython.Py_ssize_t = _space(s, i, n)
    colon: cython.Py_ssize_t = s.find(":", i, sp)
    if colon <= i:
        return -1
    slash: cython.Py_ssize_t = s.find("/", colon + 1, sp)
    end: cython.Py_ssize_t = sp if slash < 0 else slash
    if end <= colon + 1:
        return -1
    ev[keys[2]] = s[i:colon]
    ev[keys[0]] = s[colon + 1:end]
    if slash >= 0:
        e: cython.Py_ssize_t = _digits_end(s, slash + 1, n)
        if e > slash + 1:
            ev[keys[1]] = _int(s, slash + 1, e)
            return e
    return end


@cython.cfunc
def _m106100(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # access-list acl_in permitted tcp inside/10.1.2.16(2241) -> outside/192.0.0.89(2000) hit-cnt 1 ...
    if not s.startswith("access-list "):
        return False
    j: cython.Py_ssize_t = s.find(" ", 12)
    if j <= 12:
        return False
    v: cython.Py_ssize_t = s.find(" ", j + 1)
    if v < 0:
        return False
    verdict = s[j + 1:v]
    if verdict != "permitted" and verdict != "denied" and verdict != "est-allowed":
        return False
    p: cython.Py_ssize_t = _proto_end(s, v + 1, n)
    if p < 0:
        return False
    e: cython.Py_ssize_t = _slash_endpoint(ev, s, p + 1, n, _SRC)
    if e < 0:
        return False
    e = _skip_paren(s, e, n)
    if e < 0 or not s.startswith(" -> ", e):
        return False
    if _slash_endpoint(ev, s, e + 4, n, _DST) < 0:
        return False
    if verdict == "denied":
        _deny(ev)
    else:
        _permit(ev)
    ev["network.transport"] = s[v + 1:p].lower()
    ev["rule.name"] = s[12:j]
    return True


@cython.cfunc
def _slash_endpoint(ev: dict, s: str, i: cython.Py_ssize_t, n: cython.Py_ssize_t, keys: tuple) -> cython.Py_ssize_t:
    """`if/ip(port)` at i (`[^\\s/]+/[^\\s(]+\\(\\d+\\)`); index after ")" or -1."""
    sp: cython.Py_ssize_t = _space(s, i, n)
    slash: cython.Py_ssize_t = s.find("/", i, sp)
    if slash <= i:
        return -1
    paren: cython.Py_ssize_t = s.find("(", slash + 1, sp)
    if paren <= slash + 1:
        return -1
    e: cython.Py_ssize_t = _digits_end(s, paren + 1, n)
    if e == paren + 1 or e >= n or s[e] != ")":
        return -1
    ev[keys[2]] = s[i:slash]
    ev[keys[0]] = s[slash + 1:paren]
    ev[keys[1]] = _int(s, paren + 1, e)
    return e + 1


@cython.cfunc
def _conn_id(s: str, i: cython.Py_ssize_t, n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """`<proto> connection <id> for ` at i: index after "for " (the word and id are re-read), or -1."""
    p: cython.Py_ssize_t = _proto_end(s, i, n)
    if p < 0 or not s.startswith("connection ", p + 1):
        return -1
    e: cython.Py_ssize_t = _digits_end(s, p + 12, n)
    if e == p + 12 or not s.startswith(" for ", e):
        return -1
    return e + 5


@cython.cfunc
def _m302013(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # Built outbound TCP connection 89743274 for outside:192.0.2.43/443 (192.0.2.43/443) to outside:10.1.3.4/4952 (...)
    i: cython.Py_ssize_t
    a: tuple
    b: tuple
    if s.startswith("Built outbound "):
        i, a, b = 15, _DST, _SRC
    elif s.startswith("Built inbound "):
        i, a, b = 14, _SRC, _DST
    else:
        return False
    f: cython.Py_ssize_t = _conn_id(s, i, n)
    if f < 0:
        return False
    e: cython.Py_ssize_t = _endpoint(ev, s, f, n, a)
    if e < 0:
        return False
    if s.startswith(" (", e):
        e = _nat(ev, s, e, n, a)
        if e < 0:
            return False
    e = _skip_paren(s, e, n)
    if e < 0 or not s.startswith(" to ", e):
        return False
    e = _endpoint(ev, s, e + 4, n, b)
    if e < 0:
        return False
    if s.startswith(" (", e):
        _nat(ev, s, e, n, b)  # optional: no NAT fields when it is not `(ip/port)`
    ev["event.action"] = "connection-started"
    ev["event.type"] = ["connection", "start"]
    p: cython.Py_ssize_t = s.find(" ", i)
    ev["network.transport"] = s[i:p].lower()
    ev["cisco.asa.connection_id"] = s[p + 12:f - 5]
    return True


@cython.cfunc
def _m302014(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # Teardown TCP connection 447236 for outside:192.0.2.222/1234 [user] to dmz:192.168.1.34/5678 [user]
    #   [duration 0:00:00 bytes 14804] [reason]
    if not s.startswith("Teardown "):
        return False
    f: cython.Py_ssize_t = _conn_id(s, 9, n)
    if f < 0:
        return False
    e: cython.Py_ssize_t = _endpoint(ev, s, f, n, _SRC)
    if e < 0:
        return False
    e = _skip_paren(s, e, n)
    if e < 0:
        return False
    u: cython.Py_ssize_t
    if s.startswith(" to ", e):
        e += 4
    else:
        if e + 1 >= n or s[e] != " " or s[e + 1] == " ":
            return False
        u = _space(s, e + 1, n)
        if not s.startswith(" to ", u):
            return False
        ev["source.user.name"] = s[e + 1:u]
        e = u + 4
    e = _endpoint(ev, s, e, n, _DST)
    if e < 0:
        return False
    u = _skip_paren(s, e, n)
    if u >= 0:
        e = u
    if e + 1 < n and s[e] == " " and s[e + 1] != " " and not s.startswith("duration ", e + 1):
        u = _space(s, e + 1, n)
        ev["destination.user.name"] = s[e + 1:u]
        e = u
    duration = nbytes = None
    if s.startswith(" duration ", e):
        d: cython.Py_ssize_t = e + 10
        while d < n and (_digit(s[d]) or s[d] == ":"):
            d += 1
        if d > e + 10 and s.startswith(" bytes ", d):
            b: cython.Py_ssize_t = _digits_end(s, d + 7, n)
            if b > d + 7:
                duration = s[e + 10:d]
                nbytes = s[d + 7:b]
                e = b
    if e + 1 < n and s[e] == " ":
        ev["event.reason"] = s[e + 1:].strip()
    ev["event.action"] = "connection-finished"
    ev["event.type"] = ["connection", "end"]
    p: cython.Py_ssize_t = s.find(" ", 9)
    ev["network.transport"] = s[9:p].lower()
    ev["cisco.asa.connection_id"] = s[p + 12:f - 5]
    if nbytes is not None:
        ev["network.bytes"] = int(nbytes)
        _set_duration(ev, duration)
    return True


@cython.cfunc
def _flags_iface(ev: dict, s: str, f: cython.Py_ssize_t, n: cython.Py_ssize_t) -> cython.bint:
    """`(?P<flags>.*?)\\s+on interface (?P<a_if>\\S+)` from f."""
    q: cython.Py_ssize_t = s.find("on interface ", f)
    p: cython.Py_ssize_t
    while q >= 0:
        if q > f and s[q - 1] == " " and q + 13 < n and s[q + 13] != " ":
            p = q - 1
            while p > f and s[p - 1] == " ":
                p -= 1
            if p > f:
                ev["cisco.asa.tcp_flags"] = s[f:p].strip()
            ev["observer.ingress.interface.name"] = s[q + 13:_space(s, q + 13, n)]
            return True
        q = s.find("on interface ", q + 1)
    return False


@cython.cfunc
def _from_to(ev: dict, s: str, i: cython.Py_ssize_t, n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """`ip/port to ip/port` at i; index after the second port or -1."""
    e: cython.Py_ssize_t = _addr_port(ev, s, i, n, _SRC)
    if e < 0 or not s.startswith(" to ", e):
        return -1
    return _addr_port(ev, s, e + 4, n, _DST)


@cython.cfunc
def _m106006(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # Deny inbound UDP from 192.0.0.66/12981 to 10.1.2.60/53 (on interface inside| due to DNS Query)
    if not s.startswith("Deny inbound "):
        return False
    p: cython.Py_ssize_t = _proto_end(s, 13, n)
    if p < 0 or not s.startswith("from ", p + 1):
        return False
    e: cython.Py_ssize_t = _from_to(ev, s, p + 6, n)
    if e < 0:
        return False
    if s.startswith(" on interface ", e) and e + 14 < n and s[e + 14] != " ":
        ev["observer.ingress.interface.name"] = s[e + 14:_space(s, e + 14, n)]
    elif s.startswith(" due to ", e) and e + 8 < n:
        ev["event.reason"] = s[e + 8:].strip()
    _deny(ev)
    ev["network.transport"] = s[13:p].lower()
    return True


@cython.cfunc
def _proto_flags_iface(ev: dict, s: str, n: cython.Py_ssize_t, head: str, middle: str) -> cython.bint:
    """`<head><PROTO> <middle><addr>/<port> to <addr>/<port> flags <flags> on interface <if>`: a denial."""
    h: cython.Py_ssize_t = len(head)
    if not s.startswith(head):
        return False
    p: cython.Py_ssize_t = _proto_end(s, h, n)
    if p < 0 or not s.startswith(middle, p + 1):
        return False
    e: cython.Py_ssize_t = _from_to(ev, s, p + 1 + len(middle), n)
    if e < 0 or not s.startswith(" flags ", e) or not _flags_iface(ev, s, e + 7, n):
        return False
    _deny(ev)
    ev["network.transport"] = s[h:p].lower()
    return True


@cython.cfunc
def _m106016(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # Deny IP spoof from (0.0.0.0) to 192.88.99.47 on interface Mobile_Traffic
    if not s.startswith("Deny IP spoof from ("):
        return False
    q: cython.Py_ssize_t = s.find(")", 20)
    if q <= 20 or not s.startswith(" to ", q + 1):
        return False
    b: cython.Py_ssize_t = _space(s, q + 5, n)
    if b == q + 5 or not s.startswith(" on interface ", b) or b + 14 >= n or s[b + 14] == " ":
        return False
    ev["source.ip"] = s[20:q]
    ev["destination.ip"] = s[q + 5:b]
    ev["observer.ingress.interface.name"] = s[b + 14:_space(s, b + 14, n)]
    _deny(ev)
    return True


@cython.cfunc
def _m305011(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # Built dynamic TCP translation from outside:10.123.3.42/4952 to outside:192.0.2.130/12834
    i: cython.Py_ssize_t
    if s.startswith("Built dynamic "):
        i = 14
    elif s.startswith("Built static "):
        i = 13
    else:
        return False
    p: cython.Py_ssize_t = _proto_end(s, i, n)
    if p < 0 or not s.startswith("translation from ", p + 1):
        return False
    e: cython.Py_ssize_t = _endpoint(ev, s, p + 18, n, _SRC)
    if e < 0:
        return False
    e = _skip_paren(s, e, n)
    if e < 0 or not s.startswith(" to ", e):
        return False
    m: cython.Py_ssize_t = e + 4
    sp: cython.Py_ssize_t = _space(s, m, n)
    colon: cython.Py_ssize_t = s.find(":", m, sp)
    if colon <= m:
        return False
    slash: cython.Py_ssize_t = s.find("/", colon + 1, sp)
    if slash <= colon + 1:
        return False
    d: cython.Py_ssize_t = _digits_end(s, slash + 1, n)
    if d == slash + 1:
        return False
    mip = s[colon + 1:slash]
    if mip != ev["source.ip"]:
        ev["source.nat.ip"] = mip
        ev["source.nat.port"] = _int(s, slash + 1, d)
    ev["event.action"] = "nat-translation"
    ev["event.type"] = ["connection", "start"]
    ev["network.transport"] = s[i:p].lower()
    return True


@cython.cfunc
def _m110002(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # Failed to locate egress interface for TCP from inside:91.240.17.178/7777 to 192.168.2.2/123412
    if not s.startswith("Failed to locate egress interface for "):
        return False
    p: cython.Py_ssize_t = _proto_end(s, 38, n)
    if p < 0 or not s.startswith("from ", p + 1):
        return False
    e: cython.Py_ssize_t = _endpoint(ev, s, p + 6, n, _SRC)
    if e < 0 or not s.startswith(" to ", e) or _addr_port(ev, s, e + 4, n, _DST) < 0:
        return False
    ev["event.action"] = "routing-failed"
    ev["event.outcome"] = "failure"
    ev["network.transport"] = s[38:p].lower()
    return True


@cython.cfunc
def _m733100(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # [192.168.2.2] drop rate-1 exceeded. Current burst rate is 0 per second, ...
    if not s.startswith("["):
        return False
    i: cython.Py_ssize_t = 1
    while i < n and s[i] == " ":
        i += 1
    j: cython.Py_ssize_t = i
    while j < n and s[j] != "]" and s[j] != " ":
        j += 1
    k: cython.Py_ssize_t = j
    while k < n and s[k] == " ":
        k += 1
    if j == i or not s.startswith("] drop rate-", k):
        return False
    d: cython.Py_ssize_t = _digits_end(s, k + 12, n)
    if d == k + 12 or not s.startswith(" exceeded", d):
        return False
    ev["source.ip"] = s[i:j]
    ev["event.action"] = "threat-detection-rate"
    ev["event.kind"] = "alert"
    return True


@cython.cfunc
def _aaa(ev: dict, outcome: str) -> None:
    ev["event.action"] = "authentication"
    ev["event.outcome"] = outcome
    ev["event.category"] = ["authentication"]
    ev["event.type"] = ["start"]


@cython.cfunc
def _server_user(ev: dict, s: str, r: cython.Py_ssize_t, n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """` : server = +(\\S+) : user = ` at r: the server into ev, index of the user or -1."""
    i: cython.Py_ssize_t = r + 11
    if not s.startswith(" : server =", r) or i >= n or s[i] != " ":
        return -1
    while i < n and s[i] == " ":
        i += 1
    k: cython.Py_ssize_t = _space(s, i, n)
    if k == i or not s.startswith(" : user = ", k):
        return -1
    ev["cisco.asa.aaa_server"] = s[i:k]
    return k + 10


@cython.cfunc
def _m113004(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # AAA user authentication Successful : server =  10.1.1.1 : user = admin
    if not s.startswith("AAA user "):
        return False
    p: cython.Py_ssize_t = _proto_end(s, 9, n)
    if p < 0 or not s.startswith("Successful", p + 1):
        return False
    u: cython.Py_ssize_t = _server_user(ev, s, p + 11, n)
    if u < 0 or u >= n or s[u] == " ":
        return False
    ev["user.name"] = s[u:_space(s, u, n)]
    _aaa(ev, "success")
    return True


@cython.cfunc
def _m113005(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # AAA user authentication Rejected : reason = AAA failure : server = 10.0.0.5 : user = admin : user IP = 1.2.3.4
    if not s.startswith("AAA user "):
        return False
    p: cython.Py_ssize_t = _proto_end(s, 9, n)
    if p < 0 or not s.startswith("Rejected : reason = ", p + 1):
        return False
    r0: cython.Py_ssize_t = p + 21
    r: cython.Py_ssize_t = s.find(" : server =", r0)
    u: cython.Py_ssize_t = -1
    while r >= 0:
        u = _server_user(ev, s, r, n)
        if u >= 0:
            break
        r = s.find(" : server =", r + 1)
    if u < 0:
        return False
    if r > r0:
        ev["event.reason"] = s[r0:r].strip()
    k: cython.Py_ssize_t = s.rfind(": user IP = ")  # "user = : user IP = x" is an empty user
    end: cython.Py_ssize_t = n
    if k >= u and k + 12 < n and s.find(" ", k + 12) < 0:
        ev["source.ip"] = s[k + 12:]
        end = k
    if end > u:
        ev["user.name"] = s[u:end].strip()
    _aaa(ev, "failure")
    return True


@cython.cfunc
def _m605004(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # Login denied from 10.1.1.1/53713 to inside:10.1.1.2/ssh for user "admin"
    i: cython.Py_ssize_t
    permitted: cython.bint
    if s.startswith("Login denied from "):
        i, permitted = 18, False
    elif s.startswith("Login permitted from "):
        i, permitted = 21, True
    else:
        return False
    e: cython.Py_ssize_t = _addr_port(ev, s, i, n, _SRC)
    if e < 0 or not s.startswith(" to ", e):
        return False
    m: cython.Py_ssize_t = e + 4
    sp: cython.Py_ssize_t = _space(s, m, n)
    colon: cython.Py_ssize_t = s.find(":", m, sp)
    if colon <= m:
        return False
    slash: cython.Py_ssize_t = s.find("/", colon + 1, sp)
    if slash <= colon + 1 or sp == slash + 1 or not s.startswith(' for user "', sp):
        return False
    q: cython.Py_ssize_t = s.find('"', sp + 11)
    if q < 0:
        return False
    ev["observer.egress.interface.name"] = s[m:colon]
    ev["destination.ip"] = s[colon + 1:slash]
    if q > sp + 11:
        ev["user.name"] = s[sp + 11:q].strip()
    if permitted:
        _permit(ev)
    else:
        _deny(ev)
    ev["event.action"] = "login"
    ev["event.category"] = ["authentication"]
    return True


@cython.cfunc
def _m111008(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # User 'enable_15' executed the 'configure terminal' command.
    if not s.startswith("User '"):
        return False
    q: cython.Py_ssize_t = s.find("'", 6)
    if q < 0 or not s.startswith("' executed ", q):
        return False
    c0: cython.Py_ssize_t = q + 11
    if s.startswith("the ", c0):
        c0 += 4
    if c0 < n and s[c0] == "'":
        c0 += 1
    a: cython.Py_ssize_t = s.find(" command", c0)
    b: cython.Py_ssize_t = s.find("' command", c0)
    if a < 0 or 0 <= b < a:
        a = b
    if a < 0:
        return False
    if q > 6:
        ev["user.name"] = s[6:q].strip()
    if a > c0:
        ev["process.command_line"] = s[c0:a].strip()
    ev["event.action"] = "command-executed"
    ev["event.category"] = ["configuration"]
    ev["event.type"] = ["change"]
    return True


@cython.cfunc
def _m304001(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # [user@]10.5.111.32[(LOCAL\\user)] Accessed URL 192.0.2.32:http://example.com
    sp: cython.Py_ssize_t = _space(s, 0, n)
    at: cython.Py_ssize_t = s.find("@", 0, sp)
    i: cython.Py_ssize_t = at + 1 if at > 0 else 0
    e: cython.Py_ssize_t = i
    while e < n and s[e] != " " and s[e] != "(":
        e += 1
    if e == i:
        return False
    a: cython.Py_ssize_t = _skip_paren(s, e, n)
    if a < 0 or not s.startswith(" Accessed URL ", a):
        return False
    b: cython.Py_ssize_t = a + 14
    sp = _space(s, b, n)
    colon: cython.Py_ssize_t = s.find(":", b, sp)
    if colon <= b:
        return False
    ev["source.ip"] = s[i:e]
    ev["destination.ip"] = s[b:colon]
    if at > 0:
        ev["user.name"] = s[:at]
    if sp > colon + 1:
        ev["url.original"] = s[colon + 1:sp]
    ev["event.action"] = "url-accessed"
    ev["event.outcome"] = "success"
    ev["event.category"] = ["network", "web"]
    ev["event.type"] = ["access", "allowed"]
    return True


@cython.cfunc
def _m313001(ev: dict, s: str, n: cython.Py_ssize_t) -> cython.bint:
    # Denied ICMP type=3, code=3 from 10.2.3.5 on interface Outside
    if not s.startswith("Denied ICMP type="):
        return False
    t: cython.Py_ssize_t = _digits_end(s, 17, n)
    if t == 17 or not s.startswith(", code=", t):
        return False
    c: cython.Py_ssize_t = _digits_end(s, t + 7, n)
    if c == t + 7 or not s.startswith(" from ", c):
        return False
    a: cython.Py_ssize_t = _space(s, c + 6, n)
    if a == c + 6 or not s.startswith(" on interface ", a) or a + 14 >= n or s[a + 14] == " ":
        return False
    ev["icmp.type"] = s[17:t]
    ev["icmp.code"] = s[t + 7:c]
    ev["source.ip"] = s[c + 6:a]
    ev["observer.ingress.interface.name"] = s[a + 14:_space(s, a + 14, n)]
    _deny(ev)
    return True


# message id -> fast function number (see `_fast_message`)
_FAST: dict[str, int] = {
    "106023": 1, "106100": 2, "302013": 3, "302015": 3, "302014": 4, "302016": 4, "106006": 5, "106007": 5,
    "106015": 6, "106001": 7, "106016": 8, "305011": 9, "110002": 10, "733100": 11, "113004": 12, "113005": 13,
    "605004": 14, "605005": 14, "111008": 15, "111010": 15, "304001": 16, "313001": 17,
}


@cython.cfunc
def _fast_message(ev: dict, kind: cython.int, s: str) -> cython.bint:
    n: cython.Py_ssize_t = len(s)
    if kind == 1:
        return _m106023(ev, s, n)
    if kind == 2:
        return _m106100(ev, s, n)
    if kind == 3:
        return _m302013(ev, s, n)
    if kind == 4:
        return _m302014(ev, s, n)
    if kind == 5:
        return _m106006(ev, s, n)
    if kind == 6:
        # Deny TCP (no connection) from 192.0.2.222/1234 to 192.168.1.34/5679 flags RST  on interface outside
        return _proto_flags_iface(ev, s, n, "Deny ", "(no connection) from ")
    if kind == 7:
        # Inbound TCP connection denied from 192.168.2.2/43803 to 10.10.10.10/14322 flags SYN on interface out111
        return _proto_flags_iface(ev, s, n, "Inbound ", "connection denied from ")
    if kind == 8:
        return _m106016(ev, s, n)
    if kind == 9:
        return _m305011(ev, s, n)
    if kind == 10:
        return _m110002(ev, s, n)
    if kind == 11:
        return _m733100(ev, s, n)
    if kind == 12:
        return _m113004(ev, s, n)
    if kind == 13:
        return _m113005(ev, s, n)
    if kind == 14:
        return _m605004(ev, s, n)
    if kind == 15:
        return _m111008(ev, s, n)
    if kind == 16:
        return _m304001(ev, s, n)
    if kind == 17:
        return _m313001(ev, s, n)
    return False


def parse_line(line: str, ctx: ParseContext, fast: bool = True) -> Event | None:
    """One ASA line -> event (None for a blank line); `fast=False` uses the regexes alone."""
    return _parse_line(line, ctx, fast)


@cython.cfunc
def _parse_line(line: str, ctx: ParseContext, fast: cython.bint) -> object:
    n: cython.Py_ssize_t = len(line)
    if n > 0 and (line[n - 1] == "\n" or line[n - 1] == "\r"):
        line = line.rstrip("\r\n")
        n = len(line)
    if n == 0 or (line[0].isspace() and line.isspace()):
        return None
    at: cython.Py_ssize_t
    start: cython.Py_ssize_t
    end: cython.Py_ssize_t
    if fast:
        start = _find_tag(line, n)
        if start < 0:
            raise ParseError("not a Cisco ASA line (no %ASA-<level>-<id> tag)")
        at = _tag_at(line, start + (5 if line.startswith("FWSM-", start) else 4), n)
        if start > 0 and line[start - 1] == "%":
            start -= 1
        end = at + 8
        if end < n and line[end] == ":":
            end += 1
        while end < n and line[end].isspace():
            end += 1
    else:
        tag = _TAG.search(line)
        if tag is None:
            raise ParseError("not a Cisco ASA line (no %ASA-<level>-<id> tag)")
        start, end, at = tag.start(), tag.end(), tag.start(1)
    severity: cython.int = ord(line[at]) - 48
    msg_id: str = line[at + 2:at + 8]
    text: str = line[end:]
    if end < n and line[n - 1].isspace():
        text = text.rstrip()
    template: dict = _EVENT
    ev: dict = template.copy()  # copying a dict's keys table beats inserting them one by one
    ev["log.original"] = line
    ev["event.code"] = msg_id
    ev["event.severity"] = severity
    ev["log.level"] = _LEVELS[severity]
    ev["event.category"] = ["network"]
    ev["message"] = text
    plain: cython.bint = fast and _plain(line)
    if start == 0:
        ev["@timestamp"] = _now_ts(ctx) if fast else format_ts(ctx.now)
    elif not (plain and _header_fast(line, start, ctx, ev)):
        ev["@timestamp"] = _timestamp(line[:start], ctx, ev)
    fast_ids: dict = _FAST
    kind: cython.int = fast_ids.get(msg_id, 0) if plain else 0
    if kind != 0:
        size: cython.Py_ssize_t = len(ev)
        if _fast_message(ev, kind, text):
            _names_out_of_ip_fields(ev)
            return ev
        while len(ev) > size:  # drop what the fast path added before it gave up
            ev.popitem()
    _regex_message(ev, msg_id, text)
    if "event.action" not in ev:  # an id no regex reads: still says what it is
        ev["event.action"] = "asa-" + msg_id
    _names_out_of_ip_fields(ev)
    return ev


_IP_FIELDS = (("source.ip", "source.address"), ("destination.ip", "destination.address"),
              ("source.nat.ip", "cisco.asa.source_nat_name"), ("destination.nat.ip", "cisco.asa.destination_nat_name"))
@cython.cfunc
def _names_out_of_ip_fields(ev: dict) -> None:
    for ip_field, name_field in _IP_FIELDS:
        value = ev.get(ip_field)
        if value is not None and not is_ip(value):
            ev[name_field] = ev.pop(ip_field)


class CiscoAsaParser(Parser):
    name = "cisco_asa"
    dataset = DATASET
    aliases = ("asa", "cisco", "cisco_ftd")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        return _parse_line(line, ctx, True)

    def detects(self, line: str) -> bool:
        return _TAG.search(line[:120]) is not None


register(CiscoAsaParser())
