"""Zeek logs, TSV (with `#fields` headers) and JSON: conn, dns, http, ssl, ssh, and any other log.

TSV: the `#separator`, `#fields`, `#path`... header lines return None and are remembered in
`ctx.state["zeek"]`; a record before any `#fields` header is a ParseError, so a reader that
resumes in the middle of a file must first pass the file's `#` lines through `parse` again.
JSON: one object per line; the log is `_path` when present, else guessed from its fields.
Datasets: zeek.conn, zeek.dns, zeek.http, zeek.ssl, zeek.ssh, zeek.<path>. Fields without an
ECS name are kept as `zeek.<path>.<field>`.
"""

from __future__ import annotations

from typing import Any

from soc.errors import ParseError
from soc.events import Event

from .base import ParseContext, Parser, epoch_to_ts, iso_to_ts, register
from .suricata import load_json_object
from .web_access import url_fields

_COMMON = {"uid": "zeek.session_id", "id.orig_h": "source.ip", "id.resp_h": "destination.ip",
           "proto": "network.transport", "service": "network.protocol"}
_COMMON_INT = {"id.orig_p": "source.port", "id.resp_p": "destination.port"}
_PER_PATH: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "conn": ({"conn_state": "zeek.connection.state", "history": "zeek.connection.history"},
             {"orig_bytes": "source.bytes", "resp_bytes": "destination.bytes", "orig_pkts": "source.packets",
              "resp_pkts": "destination.packets"}),
    "dns": ({"query": "dns.question.name", "qtype_name": "dns.question.type", "rcode_name": "dns.response_code",
             "trans_id": "dns.id", "qclass_name": "dns.question.class"}, {}),
    "http": ({"method": "http.request.method", "host": "url.domain", "uri": "url.original", "referrer": "http.request.referrer",
              "version": "http.version", "user_agent": "user_agent.original", "username": "user.name"},
             {"request_body_len": "http.request.body.bytes", "response_body_len": "http.response.body.bytes",
              "status_code": "http.response.status_code"}),
    "ssl": ({"version": "tls.version", "cipher": "tls.cipher", "server_name": "tls.client.server_name",
             "subject": "tls.server.subject", "issuer": "tls.server.issuer", "ja3": "tls.client.ja3"}, {}),
    "ssh": ({"client": "zeek.ssh.client", "server": "zeek.ssh.server", "version": "zeek.ssh.version"},
            {"auth_attempts": "zeek.ssh.auth_attempts"}),
}
_CATEGORY = {"conn": (["network"], ["connection"]), "dns": (["network"], ["protocol"]),
             "http": (["network", "web"], ["protocol", "access"]), "ssl": (["network"], ["protocol"]),
             "ssh": (["network"], ["protocol"]), "notice": (["intrusion_detection"], ["info"])}
_SKIP = frozenset({"ts", "_path", "_write_ts"})


def _unset(value: Any) -> bool:
    return value is None or value == "-" or value == "(empty)" or value == "" or value == []


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"T": True, "F": False}.get(value) if isinstance(value, str) else None


def _typed(value: str, ztype: str, set_sep: str) -> Any:
    """A TSV value as the JSON writer would give it, so both forms make the same event."""
    if value in ("-", "(empty)"):
        return None
    try:
        if ztype in ("count", "int", "port"):
            return int(value)
        if ztype in ("double", "interval"):
            return float(value)
        if ztype == "bool":
            return value == "T"
        if ztype.startswith(("set[", "vector[")):
            inner = ztype[ztype.index("[") + 1 : -1]
            return [_typed(v, inner, set_sep) for v in value.split(set_sep)]
    except ValueError:
        return value
    return value


def _guess_path(rec: dict[str, Any]) -> str:
    if "conn_state" in rec or "orig_bytes" in rec:
        return "conn"
    if "qtype_name" in rec or "query" in rec:
        return "dns"
    if "method" in rec or "status_code" in rec:
        return "http"
    if "auth_success" in rec or "host_key" in rec:
        return "ssh"
    if "cipher" in rec or "server_name" in rec:
        return "ssl"
    return "unknown"


def normalise(rec: dict[str, Any], path: str, ts: str, line: str) -> Event:
    """One Zeek record (TSV values as text, or JSON values) -> event."""
    category, etype = _CATEGORY.get(path, (["network"], ["info"]))
    ev: Event = {"@timestamp": ts, "log.original": line, "event.dataset": f"zeek.{path}", "event.kind": "event",
                 "event.action": path, "event.category": list(category), "event.type": list(etype),
                 "observer.vendor": "Zeek", "observer.product": "Zeek", "observer.type": "ids"}
    text_map, int_map = _PER_PATH.get(path, ({}, {}))
    for key, value in rec.items():
        if key in _SKIP or _unset(value):
            continue
        name = _COMMON.get(key) or text_map.get(key)
        if name is not None:
            ev[name] = value if isinstance(value, (str, list)) else str(value)
            continue
        name = _COMMON_INT.get(key) or int_map.get(key)
        number = _as_int(value) if name is not None else None
        if number is not None:
            ev[name] = number
        else:
            ev[f"zeek.{path}.{key}"] = value
    _specific(ev, rec, path)
    return ev


def _specific(ev: Event, rec: dict[str, Any], path: str) -> None:
    duration = rec.get("duration")
    if not _unset(duration):
        try:
            ev["event.duration"] = int(float(duration) * 1_000_000_000)
        except (TypeError, ValueError):
            pass
    if "source.bytes" in ev and "destination.bytes" in ev:
        ev["network.bytes"] = ev["source.bytes"] + ev["destination.bytes"]
    if path == "http" and not _unset(rec.get("uri")):
        url_fields(ev, str(rec["uri"]))
    elif path == "ssl" and "tls.client.server_name" in ev:
        ev["destination.domain"] = ev["tls.client.server_name"]
        established = _as_bool(rec.get("established"))
        if established is not None:
            ev["tls.established"] = established
    elif path == "ssh":
        success = _as_bool(rec.get("auth_success"))
        if success is not None:
            ev["event.outcome"] = "success" if success else "failure"
            ev["event.category"] = ["network", "authentication"]
    elif path == "dns":
        answers = rec.get("answers")
        if isinstance(answers, str) and not _unset(answers):
            answers = answers.split(",")
        if isinstance(answers, list) and answers:
            ev["dns.answers.data"] = [str(a) for a in answers]
        for flag in ("AA", "TC", "RD", "RA"):
            if _as_bool(rec.get(flag)):
                ev.setdefault("dns.header_flags", []).append(flag)


class ZeekParser(Parser):
    name = "zeek"
    dataset = "zeek.conn"
    aliases = ("bro", "zeek_json", "zeek_tsv")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.rstrip("\r\n")
        if not line.strip():
            return None
        if line.startswith("#"):
            self._header(line, ctx)
            return None
        if line.lstrip().startswith("{"):
            return self._json(line.strip(), ctx)
        return self._tsv(line, ctx)

    @staticmethod
    def _header(line: str, ctx: ParseContext) -> None:
        state = ctx.state.setdefault("zeek", {"sep": "\t", "set_sep": ","})
        if line.startswith("#separator"):
            raw = line[len("#separator"):].strip()
            state["sep"] = raw.encode().decode("unicode_escape") if raw.startswith("\\x") else (raw or "\t")
            return
        key, _, rest = line[1:].partition(state["sep"])
        if key == "fields":
            state["fields"] = rest.split(state["sep"])
        elif key == "path":
            state["path"] = rest.strip()
        elif key == "types":
            state["types"] = rest.split(state["sep"])
        elif key == "set_separator":
            state["set_sep"] = rest
        elif key == "unset_field":
            state["unset"] = rest

    @staticmethod
    def _tsv(line: str, ctx: ParseContext) -> Event:
        state = ctx.state.get("zeek")
        if not state or "fields" not in state:
            raise ParseError("Zeek TSV record before its #fields header")
        values = line.split(state["sep"])
        fields = state["fields"]
        if len(values) != len(fields):
            raise ParseError(f"Zeek TSV record with {len(values)} columns, #fields names {len(fields)}")
        types = state.get("types")
        if types and len(types) == len(fields):
            rec = {f: _typed(v, t, state["set_sep"]) for f, v, t in zip(fields, values, types)}
        else:
            rec = dict(zip(fields, values))
        path = state.get("path") or _guess_path(rec)
        ts = rec.get("ts")
        return normalise(rec, path, epoch_to_ts(ts if ts is not None else ""), line)

    @staticmethod
    def _json(line: str, ctx: ParseContext) -> Event:
        rec = load_json_object(line, "Zeek JSON")
        ts = rec.get("ts")
        if isinstance(ts, (int, float)) and not isinstance(ts, bool):
            stamp = epoch_to_ts(ts)
        elif isinstance(ts, str):
            stamp = iso_to_ts(ts, ctx) if "T" in ts or "-" in ts else epoch_to_ts(ts)
        else:
            raise ParseError("Zeek JSON record without ts")
        path = rec.get("_path") if isinstance(rec.get("_path"), str) else _guess_path(rec)
        return normalise(rec, path, stamp, line)

    def detects(self, line: str) -> bool:
        if line.startswith(("#separator", "#fields", "#path", "#types", "#open", "#set_separator",
                            "#empty_field", "#unset_field", "#close")):
            return True
        if line.startswith("{"):
            return '"id.orig_h"' in line and '"uid"' in line
        head, _, _ = line.partition("\t")
        return line.count("\t") >= 5 and head.replace(".", "", 1).isdigit() and len(head) >= 10


register(ZeekParser())

