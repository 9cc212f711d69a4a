"""Apache (2.2 and 2.4) and nginx error logs. Their timestamps have no zone: read in ctx.tz."""

from __future__ import annotations

import re

from soc.errors import ParseError
from soc.events import Event

from .base import MONTHS, ParseContext, Parser, is_ip, local_prefix, millis, register
from .web_access import url_fields

# [Sun Dec 04 04:47:44 2005] [notice] msg
# [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00124: msg
_APACHE = re.compile(
    r"\[[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (\d{4})\] "
    r"\[(?:([\w-]+):)?(\w+)\](?: \[pid (\d+)(?::tid (\d+))?\])?(?: \[client ([^\]]+)\])? ?(.*)",
    re.DOTALL,
)
# 2024/01/31 10:00:00 [error] 1234#0: *5 open() "/x" failed, client: 1.2.3.4, server: a, request: "GET / HTTP/1.1"
_NGINX = re.compile(r"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)", re.DOTALL)
_NGINX_CLIENT = re.compile(r", client: ([^,]+)")
_NGINX_SERVER = re.compile(r", server: ([^,]*)")
_NGINX_REQUEST = re.compile(r', request: "(\S+) (\S+)(?: HTTP/([\d.]+))?"')
_NGINX_HOST = re.compile(r', host: "([^"]*)"')


def _base(ev: Event, dataset: str, level: str, msg: str) -> None:
    ev["event.dataset"] = dataset
    ev["event.kind"] = "event"
    ev["event.category"] = ["web"]
    ev["event.type"] = ["error"]
    ev["log.level"] = level
    ev["message"] = msg.strip()


def _client(ev: Event, client: str) -> None:
    host, port = client, None
    if client.count(":") == 1:
        host, port = client.split(":")
    elif client.startswith("[") and "]:" in client:
        host, port = client[1:].split("]:")
    if is_ip(host):
        ev["source.ip"] = host
        if port and port.isdigit():
            ev["source.port"] = int(port)
    else:
        ev["source.address"] = client


class ApacheErrorParser(Parser):
    name = "apache_error"
    dataset = "apache.error"
    aliases = ("httpd_error",)
    priority = 30

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.rstrip("\r\n")
        if not line.strip():
            return None
        m = _APACHE.match(line)
        if m is None:
            raise ParseError("not an Apache error-log line ('[Www Mmm dd HH:MM:SS yyyy] [level] ...' expected)")
        mon, day, hh, mm, ss, frac, year, module, level, pid, tid, client, msg = m.groups()
        if mon not in MONTHS:
            raise ParseError(f"bad month '{mon}' in Apache error-log timestamp")
        prefix = local_prefix(ctx, int(year), MONTHS[mon], int(day), int(hh), int(mm))
        ev: Event = {"@timestamp": prefix + ss + millis(frac), "log.original": line}
        _base(ev, self.dataset, level, msg)
        if module:
            ev["apache.error.module"] = module
        if pid:
            ev["process.pid"] = int(pid)
        if tid:
            ev["process.thread.id"] = int(tid)
        if client:
            _client(ev, client)
        return ev

    def detects(self, line: str) -> bool:
        return _APACHE.match(line) is not None


class NginxErrorParser(Parser):
    name = "nginx_error"
    dataset = "nginx.error"
    priority = 30

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.rstrip("\r\n")
        if not line.strip():
            return None
        m = _NGINX.match(line)
        if m is None:
            raise ParseError("not an nginx error-log line ('yyyy/mm/dd HH:MM:SS [level] pid#tid: ...' expected)")
        year, mon, day, hh, mm, ss, level, pid, tid, conn, msg = m.groups()
        prefix = local_prefix(ctx, int(year), int(mon), int(day), int(hh), int(mm))
        ev: Event = {"@timestamp": prefix + ss + ".000Z", "log.original": line}
        _base(ev, self.dataset, level, msg)
        ev["process.pid"] = int(pid)
        ev["process.thread.id"] = int(tid)
        if conn:
            ev["nginx.error.connection_id"] = int(conn)
        c = _NGINX_CLIENT.search(msg)
        if c:
            _client(ev, c.group(1))
        s = _NGINX_SERVER.search(msg)
        if s and s.group(1):
            ev["destination.domain"] = s.group(1)
        r = _NGINX_REQUEST.search(msg)
        if r:
            ev["http.request.method"] = r.group(1)
            url_fields(ev, r.group(2))
            if r.group(3):
                ev["http.version"] = r.group(3)
        h = _NGINX_HOST.search(msg)
        if h:
            ev["url.domain"] = h.group(1)
        return ev

    def detects(self, line: str) -> bool:
        return _NGINX.match(line) is not None


register(ApacheErrorParser())
register(NginxErrorParser())
