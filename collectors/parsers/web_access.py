"""nginx / Apache / Tomcat access logs: NCSA common and combined formats.

`url.original`, `url.path` and `url.query` keep the text exactly as logged (percent-encoding
included), because SigmaHQ's web rules list both the encoded and the decoded forms of an
attack and match them against the logged URI. When the URI holds percent escapes,
`soc.url.decoded` carries the decoded text too, so our own rules can look at either.
A request line that is not `METHOD URI PROTOCOL` (binary TLS bytes sent to a plain HTTP
port, say) still makes an event: the request text goes to `http.request.line`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from soc.errors import ParseError
from soc.events import Event

from .base import MONTHS, ParseContext, Parser, fixed_offset, is_ip, register, utc_minute_prefix

_Q = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
# host ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status bytes ["referrer" "user agent"] [extra]
_ACCESS = re.compile(
    r"(\S+) (\S+) (\S+) \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d(?:\.\d+)? [+-]\d{4})\] +" + _Q
    + r" (\d{3}|-) (\d+|-)(?: " + _Q + " " + _Q + r")?(.*)",
    re.DOTALL,
)
# Tomcat and some appliances do not escape '"' inside the request: take the request up to the
# last quote that is followed by status and size.
_ACCESS_LOOSE = re.compile(
    r"(\S+) (\S+) (\S+) \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d(?:\.\d+)? [+-]\d{4})\] +\"(.*)\""
    r" (\d{3}|-) (\d+|-)(?: " + _Q + " " + _Q + r")?(\s*)$",
    re.DOTALL,
)
_METHOD = re.compile(r"[A-Z][A-Z_-]{0,19}$")
# where the three NCSA fields end: what stands before them is a prefix (vhost, X-Forwarded-For list)
_TS_OPEN = re.compile(r" \[\d\d/[A-Z][a-z]{2}/\d{4}:")
_QUOTED = re.compile(r'"([^"]*)"')


def access_ts(text: str, ctx: ParseContext) -> str:
    """`@timestamp` of "17/May/2015:10:05:03 +0000" (offset kept), cached per minute and offset."""
    key = text[:17] + text[-6:]
    prefix = ctx.ts_cache.get(key)
    if prefix is None:
        try:
            prefix = utc_minute_prefix(int(text[7:11]), MONTHS[text[3:6]], int(text[0:2]), int(text[12:14]),
                                       int(text[15:17]), fixed_offset(text[-5:]))
        except (KeyError, ValueError) as exc:
            raise ParseError(f"bad access-log timestamp '{text}'") from exc
        ctx.ts_cache[key] = prefix
    frac = text[20:-6]
    return prefix + text[18:20] + ((frac + "000")[:4] + "Z" if frac else ".000Z")


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\") if "\\" in text else text


def parse_access(line: str, ctx: ParseContext, dataset: str) -> Event | None:
    line = line.rstrip("\r\n")
    if not line.strip():
        return None
    prefix = None
    m = _ACCESS.match(line) or _ACCESS_LOOSE.match(line)
    if m is None:
        prefix, m = _match_prefixed(line)
        if m is None:
            raise ParseError("not an access-log line (common/combined format expected)")
    host, _ident, user, ts, request, status, size, referrer, agent, extra = m.groups()
    ev: Event = {
        "@timestamp": access_ts(ts, ctx),
        "event.dataset": dataset,
        "event.kind": "event",
        "event.category": ["web"],
        "event.type": ["access"],
        "event.action": "http_request",
        "log.original": line,
        "message": line,
    }
    if is_ip(host):
        ev["source.ip"] = host
    elif host != "-":
        ev["source.domain"] = host
    if user[:1] == '"':  # some log formats quote $remote_user
        user = user.strip('"')
    if user and user != "-":
        ev["user.name"] = user
    _request(ev, _unescape(request))
    if status != "-":
        code = int(status)
        ev["http.response.status_code"] = code
        ev["event.outcome"] = "success" if code < 400 else "failure"
    if size != "-":
        ev["http.response.body.bytes"] = int(size)
    if referrer and referrer != "-":
        ev["http.request.referrer"] = _unescape(referrer)
    if agent and agent != "-":
        ev["user_agent.original"] = _unescape(agent)
    if prefix is not None:
        _prefix_fields(ev, prefix, host)
    elif extra and '"' in extra:
        _appended_xff(ev, extra, host)
    return ev


def _match_prefixed(line: str) -> tuple[str | None, re.Match | None]:
    """Lines with fields before `client ident user [time]`: Apache's vhost_combined (`%v:%p %h ...`),
    nginx's `$proxy_add_x_forwarded_for` (`a, b, client ...`) or a quoted X-Forwarded-For first."""
    t = _TS_OPEN.search(line)
    if t is None:
        return None, None
    parts = line[: t.start()].rsplit(" ", 3)
    if len(parts) != 4 or not parts[0].strip():
        return None, None
    rest = line[len(parts[0]) + 1 :]
    return parts[0].strip(), _ACCESS.match(rest) or _ACCESS_LOOSE.match(rest)


def _prefix_fields(ev: Event, prefix: str, client: str) -> None:
    """An X-Forwarded-For list (its first address is the original client) or the virtual host."""
    text = prefix.strip('"')
    if not text:
        return
    items = [i for i in (x.strip() for x in text.split(",")) if i]
    if prefix.endswith(",") or "," in text or (items and is_ip(items[0]) and len(items) == 1):
        _forwarded(ev, items + ([client] if prefix.endswith(",") else []), client)
        return
    host, _, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    ev["destination.domain"] = host
    if port.isdigit():
        ev["destination.port"] = int(port)


def _appended_xff(ev: Event, extra: str, client: str) -> None:
    """nginx formats that append "$http_x_forwarded_for" after the user agent."""
    for value in _QUOTED.findall(extra):
        items = [i.strip() for i in value.split(",")]
        if items[0] != "-" and all(is_ip(i) for i in items):
            _forwarded(ev, items, client)
            return


def _forwarded(ev: Event, items: list[str], client: str) -> None:
    ips = [i for i in items if is_ip(i)]
    if not ips:
        return
    ev["network.forwarded_ip"] = ips[0]
    related = ips if client in ips or not is_ip(client) else [*ips, client]
    ev["related.ip"] = list(dict.fromkeys(related))


def _request(ev: Event, request: str) -> None:
    parts = request.split(" ")
    if 2 <= len(parts) <= 3 and _METHOD.match(parts[0]) and (len(parts) == 2 or parts[2].startswith("HTTP/")):
        ev["http.request.method"] = parts[0]
        url_fields(ev, parts[1])
        if len(parts) == 3:
            ev["http.version"] = parts[2][5:]
    elif len(parts) > 3 and _METHOD.match(parts[0]) and parts[-1].startswith("HTTP/"):
        # an unescaped space in the URI (scanners send these): the URI is everything between
        ev["http.request.method"] = parts[0]
        url_fields(ev, " ".join(parts[1:-1]))
        ev["http.version"] = parts[-1][5:]
        ev["http.request.line"] = request
    elif request and request != "-":
        ev["http.request.line"] = request


def url_fields(ev: Event, url: str) -> None:
    """url.original as logged, url.path / url.query split at '?', soc.url.decoded when escaped."""
    ev["url.original"] = url
    q = url.find("?")
    if q >= 0:
        ev["url.path"] = url[:q]
        ev["url.query"] = url[q + 1 :]
    else:
        ev["url.path"] = url
    if "%" in url:
        decoded = unquote(url, errors="replace")
        if "%" in decoded:  # double encoding (%252e) is an evasion trick: decode once more
            decoded = unquote(decoded, errors="replace")
        ev["soc.url.decoded"] = decoded


class _AccessParser(Parser):
    priority = 30

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        return parse_access(line, ctx, self.dataset)

    def detects(self, line: str) -> bool:
        return _ACCESS.match(line) is not None or _match_prefixed(line)[1] is not None


class NginxAccessParser(_AccessParser):
    name = "nginx"
    dataset = "nginx.access"
    aliases = ("nginx_access", "combined", "common", "access")


class ApacheAccessParser(_AccessParser):
    name = "apache_access"
    dataset = "apache.access"
    aliases = ("apache", "httpd", "httpd_access")
    priority = 31


class TomcatAccessParser(_AccessParser):
    name = "tomcat_access"
    dataset = "tomcat.access"
    aliases = ("tomcat",)
    priority = 32


register(NginxAccessParser())
register(ApacheAccessParser())
register(TomcatAccessParser())
