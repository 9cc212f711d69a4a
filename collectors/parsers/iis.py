"""IIS W3C extended access log: the `#Fields:` header (kept in ctx.state) names the columns.

IIS writes W3C dates and times in UTC. `url.original` is stem + "?" + query as logged, so the
Sigma webserver fields (cs-uri-stem, cs-uri-query) map to url.path and url.query unchanged.
"""

from __future__ import annotations

from soc.errors import ParseError
from soc.events import Event

from .base import ParseContext, Parser, is_ip, register
from .web_access import url_fields

DATASET = "iis.access"
_TEXT = {"s-ip": "destination.ip", "cs-method": "http.request.method", "cs-username": "user.name",
         "c-ip": "source.ip", "cs-host": "url.domain", "s-sitename": "iis.site_name",
         "s-computername": "host.name", "cs-version": "http.version"}
_INT = {"s-port": "destination.port", "sc-status": "http.response.status_code", "sc-bytes": "http.response.bytes",
        "cs-bytes": "http.request.bytes", "sc-substatus": "iis.sub_status", "sc-win32-status": "iis.win32_status"}
_PLUS = {"cs(User-Agent)": "user_agent.original", "cs(Referer)": "http.request.referrer", "cs(Cookie)": "iis.cookie"}


class IisParser(Parser):
    name = "iis"
    dataset = DATASET
    aliases = ("iis_w3c", "w3c")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.rstrip("\r\n")
        if not line.strip():
            return None
        if line.startswith("#"):
            if line.startswith("#Fields:"):
                ctx.state["iis_fields"] = line[len("#Fields:"):].split()
            return None
        fields = ctx.state.get("iis_fields")
        if not fields:
            raise ParseError("IIS record before its #Fields: header")
        values = line.split(" ")
        if len(values) != len(fields):
            raise ParseError(f"IIS record with {len(values)} columns, #Fields names {len(fields)}")
        rec = dict(zip(fields, values))
        date, time = rec.get("date"), rec.get("time")
        if not date or not time or len(date) != 10 or len(time) < 8:
            raise ParseError("IIS record without date and time")
        ev: Event = {"@timestamp": f"{date}T{time[:8]}.000Z", "log.original": line, "event.dataset": DATASET,
                     "event.kind": "event", "event.category": ["web"], "event.type": ["access"],
                     "event.action": "http_request", "message": line}
        digits = date[:4] + date[5:7] + date[8:] + time[:2] + time[3:5] + time[6:8]
        if not (digits.isascii() and digits.isdigit() and date[4] == date[7] == "-" and time[2] == time[5] == ":"):
            raise ParseError(f"bad IIS date/time '{date} {time}'")  # W3C: yyyy-mm-dd hh:mm:ss, in UTC
        for key, value in rec.items():
            if value == "-":
                continue
            if key in _TEXT:
                ev[_TEXT[key]] = value
            elif key in _INT:
                if value.isdigit():
                    ev[_INT[key]] = int(value)
            elif key in _PLUS:
                ev[_PLUS[key]] = value.replace("+", " ")
            elif key == "time-taken" and value.isdigit():
                ev["event.duration"] = int(value) * 1_000_000
        stem, query = rec.get("cs-uri-stem", "-"), rec.get("cs-uri-query", "-")
        if stem != "-":
            url_fields(ev, stem + ("?" + query if query != "-" else ""))
        status = ev.get("http.response.status_code")
        if isinstance(status, int):
            ev["event.outcome"] = "success" if status < 400 else "failure"
        if "source.ip" in ev and not is_ip(ev["source.ip"]):
            ev["source.domain"] = ev.pop("source.ip")
        return ev

    def detects(self, line: str) -> bool:
        if line.startswith(("#Software: Microsoft Internet Information Services", "#Fields: date time")):
            return True
        return len(line) > 20 and line[4] == "-" and line[10] == " " and line[13] == ":" and line.count(" ") >= 8


register(IisParser())
