"""FortiGate (FortiOS) key=value logs: traffic, UTM (IPS, AV, web filter, app control) and event logs.

Accepted with or without a `<PRI>` prefix and with or without a syslog header in front.
Datasets: fortigate.traffic, fortigate.utm, fortigate.event. Known keys map to ECS; every other
key is kept as `fortinet.firewall.<key>` so nothing the device said is lost.
"""

from __future__ import annotations

import re

from soc.errors import ParseError
from soc.events import Event

from .base import IANA_TRANSPORT, ParseContext, Parser, fixed_offset, local_prefix, register

# key="quoted value" or key=bare; the look-behind picks the quoted branch right after `="`,
# so findall yields (key, unquoted value) pairs that dict() takes directly.
_KV = re.compile(r'([\w-]+)="?((?<==")[^"]*|[^\s"]*)"?')
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)$")
_TIME = re.compile(r"(\d\d):(\d\d):(\d\d)$")

_TYPE_DATASET = {"traffic": "fortigate.traffic", "utm": "fortigate.utm", "event": "fortigate.event",
                 # FortiOS 5.x logged UTM subtypes as their own types
                 "attack": "fortigate.utm", "virus": "fortigate.utm", "webfilter": "fortigate.utm",
                 "app-ctrl": "fortigate.utm", "dlp": "fortigate.utm", "anomaly": "fortigate.utm",
                 "emailfilter": "fortigate.utm", "dns": "fortigate.utm", "ips": "fortigate.utm"}
_FAIL_ACTIONS = frozenset({"deny", "block", "blocked", "dropped", "drop", "reset", "ssl-login-fail",
                           "login-failed", "tunnel-down", "fail", "failed", "reject", "quarantine"})
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
_INT_FIELDS = {
    "srcport": "source.port", "dstport": "destination.port", "sentbyte": "source.bytes",
    "rcvdbyte": "destination.bytes", "sentpkt": "source.packets", "rcvdpkt": "destination.packets",
    "transport": "source.nat.port", "tranport": "destination.nat.port", "remport": "source.port",
    "locport": "destination.port", "crscore": "event.risk_score",
}


class _Names(dict):
    """FortiOS key -> event field: the ECS name where one fits, else fortinet.firewall.<key>."""

    def __missing__(self, key: str) -> str:
        name = self[key] = self.default_extra(key)
        return name

    @staticmethod
    def default_extra(key: str) -> str:
        return "fortinet.firewall." + key.replace("-", "_")


# Keys read by _classify (user, action, proto, ...) are kept verbatim under fortinet.firewall.* too.
_NAMES = _Names(_TEXT_FIELDS)
_NAMES.update(_INT_FIELDS)
_INT_KEYS = frozenset(_INT_FIELDS)


def _timestamp(kv: dict[str, str], ctx: ParseContext) -> str:
    date, time = kv.get("date"), kv.get("time")
    if date is None or time is None:
        raise ParseError("FortiGate line without date= and time=")
    tz_text = kv.get("tz", "")
    key = date + time[:5] + tz_text
    prefix = ctx.ts_cache.get(key)
    if prefix is None:
        d, t = _DATE.match(date), _TIME.match(time)
        if d is None or t is None:
            raise ParseError(f"bad FortiGate date/time '{date} {time}'")
        tz = fixed_offset(tz_text) if tz_text else None
        prefix = local_prefix(ctx, int(d.group(1)), int(d.group(2)), int(d.group(3)), int(t.group(1)),
                              int(t.group(2)), tz)
        ctx.ts_cache[key] = prefix
    seconds = time[6:8]
    if len(time) != 8 or not seconds.isdigit():
        raise ParseError(f"bad FortiGate time '{time}'")
    return prefix + seconds + ".000Z"


class FortigateParser(Parser):
    name = "fortigate"
    dataset = "fortigate.traffic"
    aliases = ("fortinet", "fortios")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.rstrip("\r\n")
        if not line.strip():
            return None
        start = line.find("date=")
        if start < 0:
            raise ParseError("not a FortiGate line (no date= field)")
        kv = dict(_KV.findall(line, start))
        ftype = kv.get("type")
        if not ftype:
            raise ParseError("FortiGate line without type=")
        ev: Event = {"@timestamp": _timestamp(kv, ctx), "log.original": line,
                     "event.dataset": _TYPE_DATASET.get(ftype, "fortigate.event"), "event.kind": "event",
                     "observer.vendor": "Fortinet", "observer.product": "FortiGate", "observer.type": "firewall",
                     "fortinet.firewall.type": ftype}
        if line.startswith("<"):
            pri = line[1 : line.find(">")]
            if pri.isdigit():
                ev["log.syslog.priority"] = int(pri)
        names = _NAMES
        ev.update({names[k]: v for k, v in kv.items() if v})
        for key in _INT_KEYS.intersection(kv):
            name = _INT_FIELDS[key]
            value = kv[key]
            if value:
                if value.isdigit():
                    ev[name] = int(value)
                else:
                    del ev[name]
                    ev[names.default_extra(key)] = value
        _classify(ev, kv, ftype)
        return ev

    def detects(self, line: str) -> bool:
        return "date=" in line and " type=" in line and ("devid=" in line or "logid=" in line)


def _classify(ev: Event, kv: dict[str, str], ftype: str) -> None:
    subtype = kv.get("subtype", "")
    action = kv.get("action", "")
    if subtype:
        ev["fortinet.firewall.subtype"] = subtype
    if action:
        ev["event.action"] = action
        if action in _FAIL_ACTIONS:
            ev["event.outcome"] = "failure"
        elif action in _OK_ACTIONS:
            ev["event.outcome"] = "success"
    proto = kv.get("proto")
    if proto:
        ev["network.iana_number"] = proto
        ev["network.transport"] = IANA_TRANSPORT.get(proto, proto)
    service = kv.get("service")
    if service and service not in _NA:
        ev["network.protocol"] = service.lower()
    app = kv.get("app")
    if app and app not in _NA:
        ev["network.application"] = app.lower()
    user = kv.get("user")
    if user and user not in _NA:
        ev["user.name"] = user
    group = kv.get("group")
    if group and group not in _NA:
        ev["group.name"] = group
    msg = kv.get("msg") or kv.get("logdesc")
    if msg:
        ev["message"] = msg
    if kv.get("logdesc"):
        ev["event.reason"] = kv["logdesc"]
    duration = kv.get("duration")
    if duration and duration.isdigit():
        ev["event.duration"] = int(duration) * 1_000_000_000
    for key, field in (("srccountry", "source.geo.country_name"), ("dstcountry", "destination.geo.country_name")):
        value = kv.get(key)
        if value and value != "Reserved" and value not in _NA:
            ev[field] = value
    if "source.bytes" in ev and "destination.bytes" in ev:
        ev["network.bytes"] = ev["source.bytes"] + ev["destination.bytes"]
    denied = ev.get("event.outcome") == "failure" or kv.get("utmaction") in ("block", "blocked")
    if ftype == "traffic":
        ev["event.category"] = ["network"]
        ev["event.type"] = ["connection", "denied" if denied else "allowed"]
    elif ev["event.dataset"] == "fortigate.utm":
        signature = kv.get("attack") or kv.get("virus")
        if signature:  # the alert's rule is the signature; the policy stays in fortinet.firewall.*
            ev["fortinet.firewall.policyname"] = kv.get("policyname", "")
            ev["rule.name"] = signature
            ev["rule.id"] = kv.get("attackid") or kv.get("virusid") or ev.get("rule.id", "")
        ev["event.kind"] = "alert" if (signature or denied) else "event"
        ev["event.category"] = ["intrusion_detection", "network"]
        ev["event.type"] = ["denied"] if denied else ["info"]
    elif action.startswith(("ssl-login", "login", "logout", "tunnel")) or subtype in ("vpn", "user") and user:
        ev["event.category"] = ["authentication"]
        ev["event.type"] = ["start"] if "logout" not in action else ["end"]
    else:
        ev["event.category"] = ["configuration"] if subtype == "system" else ["host"]
        ev["event.type"] = ["info"]


register(FortigateParser())
