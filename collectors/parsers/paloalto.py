"""Palo Alto Networks PAN-OS syslog CSV: TRAFFIC and THREAT (other types keep the common fields).

Column positions follow PAN-OS's syslog field descriptions (8.x–11.x; later versions only
append columns). The device's CSV times carry no zone: they are read in ctx.tz, unless the
syslog header in front has an RFC 3339 timestamp with an offset, which is then used.
Datasets: paloalto.traffic, paloalto.threat, paloalto.<type>.
"""

from __future__ import annotations

import csv
import re

from soc.errors import ParseError
from soc.events import Event

from .base import ParseContext, Parser, local_prefix, register
from .syslog import split_syslog

_START = re.compile(r"\d+,(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d),")
_THREAT_NAME = re.compile(r"(.*?)\s*\((\d+)\)$")
_FAIL = ("deny", "drop", "reset", "block", "sinkhole")

# common columns (0-based) of TRAFFIC, THREAT and most other types
_COMMON = {2: "observer.serial_number", 7: "source.ip", 8: "destination.ip", 9: "source.nat.ip",
           10: "destination.nat.ip", 11: "rule.name", 12: "source.user.name", 13: "destination.user.name",
           14: "network.application", 15: "panw.panos.vsys", 16: "observer.ingress.zone",
           17: "observer.egress.zone", 18: "observer.ingress.interface.name",
           19: "observer.egress.interface.name", 22: "panw.panos.session_id"}
_COMMON_INT = {24: "source.port", 25: "destination.port", 26: "source.nat.port", 27: "destination.nat.port"}
_TRAFFIC_INT = {31: "network.bytes", 32: "source.bytes", 33: "destination.bytes", 34: "network.packets",
                44: "source.packets", 45: "destination.packets"}
_TRAFFIC = {37: "panw.panos.url_category", 41: "source.geo.name", 42: "destination.geo.name",
            46: "event.reason"}
_THREAT = {31: "url.original", 33: "panw.panos.url_category", 34: "panw.panos.severity",
           35: "panw.panos.direction", 38: "source.geo.name", 39: "destination.geo.name"}


def _put(ev: Event, f: list[str], columns: dict[int, str]) -> None:
    n = len(f)
    for i, name in columns.items():
        if i < n and f[i] and f[i] not in ("0.0.0.0", "any"):
            ev[name] = f[i]


def _put_int(ev: Event, f: list[str], columns: dict[int, str]) -> None:
    n = len(f)
    for i, name in columns.items():
        if i < n and f[i].isdigit():
            ev[name] = int(f[i])


class PaloAltoParser(Parser):
    name = "paloalto"
    dataset = "paloalto.traffic"
    aliases = ("panos", "pan-os", "panw")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.rstrip("\r\n")
        if not line.strip():
            return None
        m = _START.search(line)
        if m is None:
            raise ParseError("not a PAN-OS CSV line (no 'n,yyyy/mm/dd HH:MM:SS,' start)")
        f = next(csv.reader([line[m.start():]]))
        if len(f) < 31:
            raise ParseError(f"PAN-OS line with {len(f)} columns (at least 31 expected)")
        ev: Event = {"log.original": line}
        header = line[: m.start()].strip()
        if header:
            parts = split_syslog(header + " -", ctx)
            if parts is not None:
                if header[:1].isdigit() or header.startswith("<"):  # RFC 3339/5424: the offset is known
                    ev["@timestamp"] = parts[0]["@timestamp"]
                if "host.name" in parts[0]:
                    ev["host.name"] = parts[0]["host.name"]
        if "@timestamp" not in ev:
            g = _START.match(line, m.start()) or m
            y, mo, d, hh, mm, ss = (int(x) for x in g.groups())
            ev["@timestamp"] = local_prefix(ctx, y, mo, d, hh, mm) + f"{ss:02d}.000Z"
        log_type = f[3].upper()
        ev.update({"event.dataset": "paloalto." + log_type.lower(), "event.kind": "event",
                   "observer.vendor": "Palo Alto Networks", "observer.product": "PAN-OS", "observer.type": "firewall",
                   "panw.panos.type": log_type, "panw.panos.sub_type": f[4]})
        _put(ev, f, _COMMON)
        _put_int(ev, f, _COMMON_INT)
        if f[29]:
            ev["network.transport"] = f[29].lower()
        action = f[30]
        if action:
            ev["event.action"] = action
            ev["event.outcome"] = "failure" if action.startswith(_FAIL) else "success"
        if log_type == "TRAFFIC":
            self._traffic(ev, f)
        elif log_type == "THREAT":
            self._threat(ev, f)
        else:
            ev["event.category"] = ["network"]
            ev["event.type"] = ["info"]
        if "host.name" in ev:
            ev["observer.name"] = ev["host.name"]
        return ev

    @staticmethod
    def _traffic(ev: Event, f: list[str]) -> None:
        _put(ev, f, _TRAFFIC)
        _put_int(ev, f, _TRAFFIC_INT)
        denied = f[4] in ("deny", "drop") or ev.get("event.outcome") == "failure"
        ev["event.category"] = ["network"]
        kind = {"start": "start", "end": "end"}.get(f[4], "info")
        ev["event.type"] = ["connection", "denied" if denied else "allowed", kind]
        if len(f) > 36 and f[36].isdigit():
            ev["event.duration"] = int(f[36]) * 1_000_000_000

    @staticmethod
    def _threat(ev: Event, f: list[str]) -> None:
        _put(ev, f, _THREAT)
        name = f[32] if len(f) > 32 else ""
        if "rule.name" in ev:  # the alert's rule is the signature; the policy keeps its own field
            ev["panw.panos.rule_name"] = ev["rule.name"]
        m = _THREAT_NAME.match(name)
        if m:
            ev["rule.name"], ev["rule.id"] = m.group(1), m.group(2)
        elif name:
            ev["rule.name"] = name
        ev["event.kind"] = "alert"
        ev["event.category"] = ["intrusion_detection", "network"]
        ev["event.type"] = ["denied"] if ev.get("event.outcome") == "failure" else ["allowed"]
        ev["panw.panos.threat.category"] = f[4]

    def detects(self, line: str) -> bool:
        return (",TRAFFIC," in line or ",THREAT," in line or ",SYSTEM," in line) and _START.search(line) is not None


register(PaloAltoParser())
