"""Apache (2.2 and 2.4) and nginx error logs. Their timestamps have no zone: read in ctx.tz."""

from __future__ import annotations

import re

from soc.errors import ParseError
from soc.events import Event

from .base import MONTHS, ParseContext, Parser, is_ip, local_prefix, millis, register
from .web_access import url_fields

# [Sun Dec 04 04:47:44 2005] [notice] msg
# [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00124: msg
# [...] [:error] [pid 1] [client ...] ModSecurity: ...           (mod_security 2 writes no module name)
# [...] [rewrite:trace3] [pid 1:tid 2] mod_rewrite.c(470): [client 1.2.3.4:5] ...  (trace levels name the source)
_APACHE = re.compile(
    r"\[[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (\d{4})\] "
    r"\[(?:([\w-]*):)?(\w+)\](?: \[pid (\d+)(?::tid (\d+))?\])?(?: ([\w.-]+)\((\d+)\):)?"
    r"(?: \[client ([^\]]+)\])? ?(.*)",
    re.DOTALL,
)
_AH_CODE = re.compile(r"(?:\(\d+\)[^:]*: )?(AH\d{5}):")
_REFERER = ", referer: "
_USER = re.compile(r'user "?([^\s":]+)"?')
_RULE_ID = re.compile(r'\[id "(\d+)"\]')
# 2024/01/31 10:00:00 [error] 1234#0: *5 open() "/x" failed, client: 1.2.3.4, server: a, request: "GET / HTTP/1.1"
_NGINX = re.compile(r"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)", re.DOTALL)
_NGINX_CLIENT = re.compile(r", client: ([^,]+)")
_NGINX_SERVER = re.compile(r", server: ([^,]*)")
_NGINX_REQUEST = re.compile(r', request: "(\S+) (\S+)(?: HTTP/([\d.]+))?"')
_NGINX_HOST = re.compile(r', host: "([^"]*)"')
_NGINX_REFERRER = re.compile(r', referrer: "([^"]*)"')


def _base(ev: Event, dataset: str, level: str, msg: str) -> None:
    ev["event.dataset"] = dataset
    ev["event.kind"] = "event"
    ev["event.category"] = ["web"]
    ev["event.type"] = ["error"]
    ev["log.level"] = level
    ev["message"] = msg.strip()


def _server(ev: Event, server: str) -> None:
    """nginx's `server:` is a server_name, or the listen address ("0.0.0.0:443") when none matched."""
    host, _, port = server.rpartition(":") if ":" in server else (server, "", "")
    if port.isdigit() and (is_ip(host) or host.strip("[]") and is_ip(host.strip("[]"))):
        ev["destination.ip"] = host.strip("[]")
        ev["destination.port"] = int(port)
    elif is_ip(server):
        ev["destination.ip"] = server
    else:
        ev["destination.domain"] = server


def _client(ev: Event, client: str, with_port: bool = False) -> None:
    """source.ip/port of "1.2.3.4", "1.2.3.4:5678", "[::1]:5678"; Apache 2.4 (with_port) always
    appends ":port", so its "2001:db8::1:51234" is the address 2001:db8::1 and port 51234."""
    host, port = client, None
    if client.count(":") == 1:
        host, port = client.split(":")
    elif client.startswith("[") and "]:" in client:
        host, port = client[1:].split("]:")
    elif with_port and client.count(":") > 2:
        head, _, tail = client.rpartition(":")
        if tail.isdigit() and is_ip(head):
            host, port = head, tail
    if is_ip(host):
        ev["source.ip"] = host
        if port and port.isdigit():
            ev["source.port"] = int(port)
    else:
        ev["source.address"] = client


# (what the message says, event.action, event.category, event.type), first match wins; only lines
# naming a client are looked at (every refusal, login failure, WAF hit and 404 does)
_DENIED = ["web"], ["access", "denied"]
_AUTH = ["authentication", "web"], ["start"]
_NOT_FOUND = ["web"], ["error"]
_KINDS: tuple[tuple[str, str, list[str], list[str]], ...] = (
    ("ModSecurity: Access denied", "waf_block", ["intrusion_detection", "web"], ["denied"]),
    ("ModSecurity: ", "waf_alert", ["intrusion_detection", "web"], ["info"]),
    ("denied by server configuration", "access_denied", *_DENIED),
    ("forbidden", "access_denied", *_DENIED),
    ("authentication failure", "authentication_failure", *_AUTH),
    ("ismatch", "authentication_failure", *_AUTH),  # Apache "Password Mismatch", nginx "password mismatch"
    ("not found", "authentication_failure", *_AUTH),  # "user x not found", "user "x" was not found in"
    ("File does not exist", "file_not_found", *_NOT_FOUND),
    ("No such file", "file_not_found", *_NOT_FOUND),
    ("limiting ", "rate_limited", ["web"], ["denied"]),
    ("Invalid URI in request", "bad_request", ["web"], ["error"]),
    ("client sent invalid", "bad_request", ["web"], ["error"]),
)


def _classify(ev: Event, msg: str) -> None:
    """event.action (and outcome, for refusals and failures) from the message; else "error_log"."""
    for text, action, category, etype in _KINDS:
        if text in msg:
            user = None
            if text == "not found":  # a user "not found", else a missing file or script
                user = _USER.search(msg)
                if user is None:
                    if "is not found" not in msg and "script not found" not in msg:
                        continue  # a CGI's "/bin/sh: x: not found" and the like
                    action = "file_not_found"
                    category, etype = _NOT_FOUND
            elif action == "authentication_failure":
                user = _USER.search(msg)
            ev["event.action"] = action
            ev["event.category"] = category
            ev["event.type"] = etype
            ev["event.outcome"] = "success" if action == "waf_alert" else "failure"
            if user is not None:
                ev["user.name"] = user.group(1)
            elif action[0] == "w":
                r = _RULE_ID.search(msg)
                if r:
                    ev["rule.id"] = r.group(1)
            return
    ev["event.action"] = "error_log"


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
        mon, day, hh, mm, ss, frac, year, module, level, pid, tid, src_file, src_line, client, msg = m.groups()
        if mon not in MONTHS:
            raise ParseError(f"bad month '{mon}' in Apache error-log timestamp")
        prefix = local_prefix(ctx, int(year), MONTHS[mon], int(day), int(hh), int(mm))
        ev: Event = {"@timestamp": prefix + ss + millis(frac), "log.original": line}
        _base(ev, self.dataset, level, msg)
        if module:  # "" for mod_security's "[:error]"
            ev["apache.error.module"] = module
        if pid:
            ev["process.pid"] = int(pid)
        if tid:
            ev["process.thread.id"] = int(tid)
        if src_file:
            ev["log.origin.file.name"] = src_file
            ev["log.origin.file.line"] = int(src_line)
        if module is not None:  # 2.4: "AH00126: ..." names the message
            c = _AH_CODE.match(msg)
            if c:
                ev["error.code"] = c.group(1)
        if client:
            _client(ev, client, module is not None)
            ref = msg.rfind(_REFERER)
            if ref > 0:
                ev["http.request.referrer"] = msg[ref + len(_REFERER) :].strip()
            _classify(ev, msg)
        else:
            ev["event.action"] = "error_log"
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
            _classify(ev, msg)
        else:
            ev["event.action"] = "error_log"
        s = _NGINX_SERVER.search(msg)
        if s and s.group(1) and s.group(1) != "_":  # "_" is the catch-all server_name
            _server(ev, s.group(1))
        r = _NGINX_REQUEST.search(msg)
        if r:
            ev["http.request.method"] = r.group(1)
            url_fields(ev, r.group(2))
            if r.group(3):
                ev["http.version"] = r.group(3)
        h = _NGINX_HOST.search(msg)
        if h:
            host, _, port = h.group(1).rpartition(":") if h.group(1).count(":") == 1 else (h.group(1), "", "")
            ev["url.domain"] = host
            if port.isdigit():
                ev["url.port"] = int(port)
        f = _NGINX_REFERRER.search(msg)
        if f:
            ev["http.request.referrer"] = f.group(1)
        return ev

    def detects(self, line: str) -> bool:
        return _NGINX.match(line) is not None


register(ApacheErrorParser())
register(NginxErrorParser())
