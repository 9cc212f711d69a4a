"""Zeek logs, TSV (with `#fields` headers) and JSON: conn, dns, http, ssl, ssh, files, notice, weird, x509,
dhcp, smtp, ftp, and any other log.

TSV: the `#separator`, `#fields`, `#path`... header lines return None and are remembered in
`ctx.state["zeek"]`; a record before any `#fields` header is a ParseError, so a reader that
resumes in the middle of a file must first pass the file's `#` lines through `parse` again.
JSON: one object per line (`ts` epoch or ISO-8601, `id` flat or nested, behind a syslog relay's
header or not); the log is `_path` when present, else guessed from its fields.
Datasets: zeek.<path>. Fields without an ECS name are kept as `zeek.<path>.<field>`.
"""

from __future__ import annotations

from typing import Any

from soc.errors import ParseError
from soc.events import Event

from .base import ParseContext, Parser, epoch_to_ts, is_ip, iso_to_ts, register
from .suricata import load_json_object, relayed_json
from .web_access import url_fields

_COMMON = {"uid": "zeek.session_id", "id.orig_h": "source.ip", "id.resp_h": "destination.ip",
           "proto": "network.transport", "service": "network.protocol", "_system_name": "observer.hostname"}
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
             "subject": "tls.server.subject", "issuer": "tls.server.issuer", "ja3": "tls.client.ja3",
             "ja3s": "tls.server.ja3s"}, {}),
    "ssh": ({"client": "zeek.ssh.client", "server": "zeek.ssh.server", "version": "zeek.ssh.version"},
            {"auth_attempts": "zeek.ssh.auth_attempts"}),
    "files": ({"filename": "file.name", "mime_type": "file.mime_type", "md5": "file.hash.md5", "sha1": "file.hash.sha1",
               "sha256": "file.hash.sha256"}, {"total_bytes": "file.size"}),
    "notice": ({"note": "rule.name", "msg": "message"}, {}),
    "weird": ({"name": "rule.name"}, {}),
    "x509": ({"certificate.subject": "x509.subject.distinguished_name",
              "certificate.issuer": "x509.issuer.distinguished_name", "certificate.serial": "x509.serial_number",
              "certificate.sig_alg": "x509.signature_algorithm", "certificate.key_alg": "x509.public_key_algorithm",
              "san.dns": "x509.alternative_names", "fingerprint": "x509.fingerprint"},
             {"certificate.version": "x509.version_number", "certificate.key_length": "x509.public_key_size"}),
    "dhcp": ({"client_addr": "source.ip", "server_addr": "destination.ip", "mac": "source.mac",
              "host_name": "source.domain", "assigned_addr": "zeek.dhcp.assigned_addr"}, {}),
    "smtp": ({"mailfrom": "email.from.address", "rcptto": "email.to.address", "subject": "email.subject",
              "msg_id": "email.message_id", "user_agent": "user_agent.original", "helo": "zeek.smtp.helo"}, {}),
    "ftp": ({"user": "user.name", "command": "zeek.ftp.command", "arg": "zeek.ftp.arg"},
            {"reply_code": "zeek.ftp.reply_code", "file_size": "file.size"}),
}
_CATEGORY = {"conn": (["network"], ["connection"]), "dns": (["network"], ["protocol"]),
             "http": (["network", "web"], ["protocol", "access"]), "ssl": (["network"], ["protocol"]),
             "ssh": (["network"], ["protocol"]), "notice": (["intrusion_detection"], ["info"]),
             "weird": (["network"], ["info"]), "files": (["file"], ["info"]), "x509": (["network"], ["info"]),
             "dhcp": (["network"], ["protocol", "connection"]), "smtp": (["network", "email"], ["protocol"]),
             "ftp": (["network"], ["protocol"])}
# conn_state: the connection was established (success) or never was (failure); OTH is unknown.
_CONN_OUTCOME = {"SF": "success", "S1": "success", "S2": "success", "S3": "success", "RSTO": "success",
                 "RSTR": "success", "S0": "failure", "REJ": "failure", "RSTOS0": "failure", "RSTRH": "failure",
                 "SH": "failure", "SHR": "failure"}
_TLS_VERSIONS = {"TLSv10": "1.0", "TLSv11": "1.1", "TLSv12": "1.2", "TLSv13": "1.3", "SSLv2": "2.0", "SSLv3": "3.0",
                 "DTLSv10": "1.0", "DTLSv12": "1.2", "DTLSv13": "1.3"}
_SKIP = frozenset({"ts", "_path", "_write_ts"})
_FIVE = frozenset({"conn", "dns", "http", "ssl", "ssh"})
_RELAY_FIRST = frozenset("<JFMASOND12")


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


# (path, keys a record must all have, keys of which it needs one), tried in order
_PATH_HINTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("conn", (), ("conn_state", "orig_bytes")),
    ("dns", (), ("qtype_name", "query")),
    ("http", (), ("method", "status_code")),
    ("ssh", (), ("auth_success", "host_key")),
    ("ssl", (), ("cipher", "server_name")),
    ("files", ("fuid",), ("analyzers", "seen_bytes", "tx_hosts")),
    ("notice", (), ("note",)),
    ("x509", (), ("certificate.subject", "certificate.serial")),
    ("dhcp", (), ("msg_types", "assigned_addr")),
    ("smtp", (), ("mailfrom", "rcptto")),
    ("ftp", ("reply_code", "command"), ()),
    ("weird", ("name",), ("notice", "peer")),
)


def _has_any(rec: dict[str, Any], keys: tuple[str, ...]) -> bool:
    for key in keys:
        if key in rec:
            return True
    return False


def _guess_path(rec: dict[str, Any]) -> str:
    """The log a record without `_path` came from, by the fields only that log has."""
    for path, needs_all, needs_one in _PATH_HINTS:
        if _all_in(rec, needs_all) and (not needs_one or _has_any(rec, needs_one)):
            return path
    return "unknown"


def _all_in(rec: dict[str, Any], keys: tuple[str, ...]) -> bool:
    for key in keys:
        if key not in rec:
            return False
    return True


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
    if path not in _FIVE:
        _other(ev, rec, path)
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
    if path == "conn":
        outcome = _CONN_OUTCOME.get(str(rec.get("conn_state")))
        if outcome:
            ev["event.outcome"] = outcome
    elif path == "http":
        if not _unset(rec.get("uri")):
            url_fields(ev, str(rec["uri"]))
        status = ev.get("http.response.status_code")
        if isinstance(status, int):
            ev["event.outcome"] = "success" if status < 400 else "failure"
    elif path == "ssl":
        _ssl(ev, rec)
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
            # Zeek writes addresses canonical; a name ends in a letter (the cheap test first)
            resolved = [a for a in ev["dns.answers.data"] if (a[-1:].isdigit() or ":" in a) and is_ip(a)]
            if resolved:
                ev["dns.resolved_ip"] = resolved
        for flag in ("AA", "TC", "RD", "RA"):
            if _as_bool(rec.get(flag)):
                ev.setdefault("dns.header_flags", []).append(flag)
        rcode = rec.get("rcode_name")
        if isinstance(rcode, str) and not _unset(rcode):
            ev["event.outcome"] = "success" if rcode == "NOERROR" else "failure"


def _ssl(ev: Event, rec: dict[str, Any]) -> None:
    if "tls.client.server_name" in ev:
        ev["destination.domain"] = ev["tls.client.server_name"]
    established = _as_bool(rec.get("established"))
    if established is not None:
        ev["tls.established"] = established
        ev["event.outcome"] = "success" if established else "failure"
    version = rec.get("version")
    if isinstance(version, str) and version in _TLS_VERSIONS:
        ev["tls.version"] = _TLS_VERSIONS[version]
        ev["tls.version_protocol"] = "ssl" if version.startswith("SSL") else version[:-3].lower()


def _other(ev: Event, rec: dict[str, Any], path: str) -> None:
    """The logs past the five common ones: who, what and how it ended."""
    if path == "notice":
        ev["event.kind"] = "alert"
        for key, name in (("src", "source.ip"), ("dst", "destination.ip")):  # the notice's own hosts, when no conn
            if name not in ev and isinstance(rec.get(key), str) and not _unset(rec[key]):
                ev[name] = rec[key]
        if "destination.port" not in ev and _as_int(rec.get("p")) is not None:
            ev["destination.port"] = _as_int(rec["p"])
    elif path == "weird":
        if "rule.name" in ev:
            ev["message"] = ev["rule.name"]
    elif path == "files":
        for key, name in (("tx_hosts", "source.ip"), ("rx_hosts", "destination.ip")):
            hosts = rec.get(key)
            if name not in ev and isinstance(hosts, list) and hosts:
                ev[name] = str(hosts[0])
        if "file.name" not in ev and isinstance(rec.get("filename"), str):
            ev["file.name"] = rec["filename"]
    elif path == "x509":
        for key, name in (("certificate.not_valid_before", "x509.not_before"),
                          ("certificate.not_valid_after", "x509.not_after")):
            value = rec.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ev[name] = epoch_to_ts(value)
    elif path == "ftp":
        code = ev.get("zeek.ftp.reply_code")
        if isinstance(code, int):
            ev["event.outcome"] = "success" if code < 400 else "failure"
        if "zeek.ftp.command" in ev:
            ev["event.action"] = "ftp-" + str(ev["zeek.ftp.command"]).lower()
    elif path == "dhcp":
        types = rec.get("msg_types")
        if isinstance(types, list) and types:
            ev["event.action"] = "dhcp-" + str(types[-1]).lower()
            if "NAK" in types:
                ev["event.outcome"] = "failure"
            elif "ACK" in types:
                ev["event.outcome"] = "success"
    elif path == "smtp":
        for key in ("email.from.address", "email.to.address"):
            if key in ev:
                values = ev[key] if isinstance(ev[key], list) else [ev[key]]
                ev[key] = [_address(str(v)) for v in values]
        reply = rec.get("last_reply")
        if isinstance(reply, str) and reply[:1].isdigit():
            ev["event.outcome"] = "success" if reply[0] in "23" else "failure"


def _address(text: str) -> str:
    lt, gt = text.rfind("<"), text.rfind(">")
    return text[lt + 1 : gt] if 0 <= lt < gt else text.strip()


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
        if "\t" not in line and line[:1] in _RELAY_FIRST:  # a JSON record behind a syslog relay's header
            body = relayed_json(line.strip())
            if body is not None:
                return self._json(body, ctx, line)
        return self._tsv(line, ctx)

    @staticmethod
    def _header(line: str, ctx: ParseContext) -> None:
        if line.startswith("#separator"):  # a new file's header: nothing of the previous one holds
            raw = line[len("#separator"):].strip()
            sep = raw.encode().decode("unicode_escape") if raw.startswith("\\x") else (raw or "\t")
            ctx.state["zeek"] = {"sep": sep, "set_sep": ","}
            return
        state = ctx.state.setdefault("zeek", {"sep": "\t", "set_sep": ","})
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
        if isinstance(ts, str) and ts[4:5] == "-":  # an ISO time a site's LogAscii::time_format chose
            return normalise(rec, path, iso_to_ts(ts, ctx), line)
        return normalise(rec, path, epoch_to_ts(ts if ts is not None else ""), line)

    @staticmethod
    def _json(line: str, ctx: ParseContext, original: str | None = None) -> Event:
        rec = load_json_object(line, "Zeek JSON")
        conn_id = rec.get("id")
        if isinstance(conn_id, dict):  # nested `id` record (Zeek's JSON writer flattens it; some shippers don't)
            del rec["id"]
            rec.update({f"id.{k}": v for k, v in conn_id.items()})
        ts = rec.get("ts")
        if isinstance(ts, (int, float)) and not isinstance(ts, bool):
            stamp = epoch_to_ts(ts)
        elif isinstance(ts, str):
            stamp = iso_to_ts(ts, ctx) if "T" in ts or "-" in ts else epoch_to_ts(ts)
        else:
            raise ParseError("Zeek JSON record without ts")
        path = rec.get("_path") if isinstance(rec.get("_path"), str) else _guess_path(rec)
        return normalise(rec, path, stamp, original or line)

    def detects(self, line: str) -> bool:
        if line.startswith(("#separator", "#fields", "#path", "#types", "#open", "#set_separator",
                            "#empty_field", "#unset_field", "#close")):
            return True
        if line.startswith("{"):
            return ('"id.orig_h"' in line and '"uid"' in line) or line.startswith(('{"_path":', '{"ts":'))
        if "\t" not in line:
            body = relayed_json(line.strip())
            return body is not None and self.detects(body)
        head, _, _ = line.partition("\t")
        return line.count("\t") >= 5 and head.replace(".", "", 1).isdigit() and len(head) >= 10


register(ZeekParser())

