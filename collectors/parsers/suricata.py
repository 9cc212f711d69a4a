"""Suricata EVE JSON (one object per line): alert, flow, netflow, dns, http, tls, ssh, fileinfo, anomaly, drop, stats...

Dataset `suricata.eve`; alerts are `event.kind: alert` with the signature in `rule.*`.
Protocol sections without an ECS home are kept flattened under `suricata.eve.<section>.*`.
A line a syslog relay framed (EVE `filetype: syslog`, rsyslog forwarding, `@cee:`) is read
from its JSON object on.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import orjson

from soc.errors import ParseError
from soc.events import Event

from .base import ParseContext, Parser, is_ip, iso_to_ts, register
from .web_access import url_fields

DATASET = "suricata.eve"
_TOP = {"src_ip": "source.ip", "dest_ip": "destination.ip", "in_iface": "observer.ingress.interface.name",
        "community_id": "network.community_id", "app_proto": "network.protocol", "host": "observer.name"}
_TOP_INT = {"src_port": "source.port", "dest_port": "destination.port"}
_HTTP = {"hostname": "url.domain", "http_method": "http.request.method", "http_user_agent": "user_agent.original",
         "http_refer": "http.request.referrer", "protocol": "http.version", "http_content_type": "http.response.mime_type"}
_HTTP_INT = {"status": "http.response.status_code", "length": "http.response.body.bytes"}
_FLOW_INT = {"pkts_toserver": "source.packets", "pkts_toclient": "destination.packets",
             "bytes_toserver": "source.bytes", "bytes_toclient": "destination.bytes"}
_TLS = {"sni": "tls.client.server_name", "version": "tls.version", "subject": "tls.server.subject",
        "issuerdn": "tls.server.issuer", "fingerprint": "tls.server.hash.sha1"}
_CATEGORY = {"alert": ["intrusion_detection", "network"], "flow": ["network"], "netflow": ["network"],
             "dns": ["network"], "http": ["network", "web"], "tls": ["network"], "ssh": ["network"],
             "fileinfo": ["file", "network"], "anomaly": ["network"], "drop": ["network"],
             "smtp": ["network", "email"]}
_HANDLED = frozenset({"timestamp", "event_type", "src_ip", "dest_ip", "src_port", "dest_port", "proto", "in_iface",
                      "community_id", "app_proto", "host", "alert", "http", "flow", "dns", "tls", "flow_id",
                      "fileinfo", "netflow", "email"})
# action is in event.type/outcome; gid is 1 but for decoder and preprocessor events
_ALERT_DONE = frozenset({"signature", "category", "signature_id", "severity", "metadata", "rev", "action"})
_HTTP_DONE = frozenset(_HTTP) | frozenset(_HTTP_INT) | {"url"}
_TLS_DONE = frozenset(_TLS) | {"ja3", "ja3s", "notbefore", "notafter"}
_DNS_DONE = frozenset({"rrname", "rrtype", "rcode", "type", "id"})
_FILE_DONE = frozenset({"filename", "md5", "sha1", "sha256", "size"})
_EMAIL_DONE = frozenset({"subject", "message_id", "from", "to", "cc", "attachment"})
_TLS_VERSIONS = {"TLS 1.0": "1.0", "TLS 1.1": "1.1", "TLS 1.2": "1.2", "TLS 1.3": "1.3", "TLSv1": "1.0",
                 "TLSv1.1": "1.1", "TLSv1.2": "1.2", "TLSv1.3": "1.3", "SSLv2": "2.0", "SSLv3": "3.0"}
# First characters of a syslog header: PRI, an RFC 3164 month, an RFC 3339 date.
_RELAY_HEADS = ("<", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "1", "2")


def _copy(ev: Event, obj: dict[str, Any], names: dict[str, str]) -> None:
    for key, name in names.items():
        value = obj.get(key)
        if value not in (None, ""):
            ev[name] = value


def _copy_int(ev: Event, obj: dict[str, Any], names: dict[str, str]) -> None:
    for key, name in names.items():
        value = obj.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            ev[name] = value


def relayed_json(line: str) -> str | None:
    """The JSON object of a line a syslog relay framed (`<134>Feb  3 12:00:09 host prog[1]: {...}`), else None."""
    if not line.startswith(_RELAY_HEADS) or not line.endswith("}"):
        return None
    at = line.find(" {")
    if at < 0:
        return None
    head = line[:at]
    if not head.endswith((":", " -", "]")):
        return None
    return line[at + 1 :]


def unwrap_json(line: str) -> str:
    """`line` itself when it is a JSON object, its JSON part when a syslog relay framed it."""
    if line.startswith("{"):
        return line
    return relayed_json(line) or line


_IP6_CACHE: dict[str, str] = {}  # ipaddress costs ~100k instructions; the same addresses repeat


def ip_text(value: str) -> str:
    """An IPv6 address in its short form (older Suricata writes all eight groups); others unchanged."""
    if ":" not in value:
        return value
    short = _IP6_CACHE.get(value)
    if short is None:
        try:
            short = str(ipaddress.ip_address(value))
        except ValueError:
            short = value
        if len(_IP6_CACHE) > 50_000:
            _IP6_CACHE.clear()
        _IP6_CACHE[value] = short
    return short


def load_json_object(line: str, what: str) -> dict[str, Any]:
    """orjson.loads of one line that must hold a JSON object; ParseError otherwise."""
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"{what}: invalid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise ParseError(f"{what}: a JSON object was expected, got {type(doc).__name__}")
    return doc


class SuricataParser(Parser):
    name = "suricata"
    dataset = DATASET
    aliases = ("eve", "suricata_eve")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.strip()
        if not line:
            return None
        doc = load_json_object(unwrap_json(line), "Suricata EVE")
        etype, ts = doc.get("event_type"), doc.get("timestamp")
        if not isinstance(etype, str) or not isinstance(ts, str):
            raise ParseError("Suricata EVE object without event_type and timestamp")
        ev: Event = {"@timestamp": iso_to_ts(ts, ctx), "log.original": line, "event.dataset": DATASET,
                     "event.kind": "alert" if etype == "alert" else ("metric" if etype == "stats" else "event"),
                     "event.action": etype, "event.category": list(_CATEGORY.get(etype, ["network"])),
                     "observer.vendor": "OISF", "observer.product": "Suricata", "observer.type": "ids"}
        _copy(ev, doc, _TOP)
        _copy_int(ev, doc, _TOP_INT)
        for name in ("source.ip", "destination.ip"):
            value = ev.get(name)
            if isinstance(value, str) and ":" in value:
                ev[name] = ip_text(value)
        if isinstance(doc.get("proto"), str):
            ev["network.transport"] = doc["proto"].lower()
        if doc.get("flow_id") is not None:
            ev["suricata.eve.flow_id"] = str(doc["flow_id"])
        _sections(ev, doc, ctx)
        if etype == "drop":
            ev["event.type"] = ["denied"]
            ev["event.outcome"] = "failure"
        for key, value in doc.items():
            if key not in _HANDLED:
                if type(value) is dict:
                    flatten_into(ev, value, "suricata.eve." + key)
                else:
                    ev[f"suricata.eve.{key}"] = value
        return ev

    def detects(self, line: str) -> bool:
        head = line.lstrip()[:400]
        if not head.startswith("{"):
            body = relayed_json(line.strip())
            if body is None:
                return False
            head = body[:400]
        return head.startswith("{") and '"event_type"' in line and '"timestamp"' in head


def _sections(ev: Event, doc: dict[str, Any], ctx: ParseContext) -> None:
    alert = doc.get("alert")
    if isinstance(alert, dict):
        _alert(ev, alert)
    http = doc.get("http")
    if isinstance(http, dict):
        _http(ev, http)
    flow = doc.get("flow")
    if isinstance(flow, dict):
        _flow(ev, flow, ctx, doc)
    dns = doc.get("dns")
    if isinstance(dns, dict):
        _dns(ev, dns)
    tls = doc.get("tls")
    if isinstance(tls, dict):
        _tls(ev, tls, ctx)
    if isinstance(doc.get("email"), dict):  # smtp, and alerts or files of a mail
        _email(ev, doc["email"])
    etype = doc["event_type"]
    if etype == "alert" or etype == "flow":
        return
    if etype == "netflow" and isinstance(doc.get("netflow"), dict):
        _netflow(ev, doc["netflow"], ctx)
    elif etype == "fileinfo" and isinstance(doc.get("fileinfo"), dict):
        _fileinfo(ev, doc["fileinfo"])
    elif etype == "anomaly" and isinstance(doc.get("anomaly"), dict):
        if isinstance(doc["anomaly"].get("event"), str):
            ev["message"] = doc["anomaly"]["event"]


def _rest(ev: Event, section: dict[str, Any], done: frozenset[str], prefix: str) -> None:
    """The section's fields without an ECS home, kept flattened under `prefix`."""
    for key, value in section.items():
        if key not in done:
            if type(value) is dict:
                flatten_into(ev, value, prefix + "." + key)
            else:
                ev[prefix + "." + key] = value


def flatten_into(ev: Event, obj: dict[str, Any], prefix: str) -> None:
    """soc.events.from_nested for decoded JSON (plain dicts only), written into `ev` without a generator."""
    for key, value in obj.items():
        if type(value) is dict:
            flatten_into(ev, value, prefix + "." + key)
        else:
            ev[prefix + "." + key] = value


def _alert(ev: Event, alert: dict[str, Any]) -> None:
    _copy(ev, alert, {"signature": "rule.name", "category": "rule.category"})
    if alert.get("signature_id") is not None:
        ev["rule.id"] = str(alert["signature_id"])
    if alert.get("rev") is not None:
        ev["rule.version"] = str(alert["rev"])
    if isinstance(alert.get("severity"), int):
        ev["event.severity"] = alert["severity"]
    blocked = alert.get("action") == "blocked"
    ev["event.type"] = ["denied"] if blocked else ["allowed"]
    ev["event.outcome"] = "failure" if blocked else "success"
    ev["message"] = alert.get("signature", "")
    usual = 7  # action, gid, signature_id, rev, signature, category, severity
    if isinstance(alert.get("metadata"), dict):
        flatten_into(ev, alert["metadata"], "suricata.eve.alert.metadata")
        usual = 8
    if len(alert) > usual:  # rule text, source/target, xff...: only lines that have them pay
        _rest(ev, alert, _ALERT_DONE, "suricata.eve.alert")


def _http(ev: Event, http: dict[str, Any]) -> None:
    _copy(ev, http, _HTTP)
    _copy_int(ev, http, _HTTP_INT)
    status = http.get("status")
    if isinstance(status, str) and status.isdigit():  # Suricata 2.x wrote the status as text
        ev["http.response.status_code"] = int(status)
    version = ev.get("http.version")
    if isinstance(version, str) and version.startswith("HTTP/"):
        ev["http.version"] = version[5:]
    status = ev.get("http.response.status_code")
    if isinstance(status, int) and not isinstance(status, bool):
        ev["event.outcome"] = "success" if status < 400 else "failure"
    if isinstance(http.get("url"), str):
        url_fields(ev, http["url"])
    _rest(ev, http, _HTTP_DONE, "suricata.eve.http")


def _flow(ev: Event, flow: dict[str, Any], ctx: ParseContext, doc: dict[str, Any]) -> None:
    _copy_int(ev, flow, _FLOW_INT)
    if "source.bytes" in ev and "destination.bytes" in ev:
        ev["network.bytes"] = ev["source.bytes"] + ev["destination.bytes"]
    if "source.packets" in ev and "destination.packets" in ev:
        ev["network.packets"] = ev["source.packets"] + ev["destination.packets"]
    for key in ("state", "reason", "alerted", "age"):
        if key in flow:
            ev[f"suricata.eve.flow.{key}"] = flow[key]
    start = flow.get("start")
    if isinstance(start, str) and "end" not in flow:  # an alert's flow: started in the alert's minute, mostly
        same = _same_minute(start, doc["timestamp"], ev["@timestamp"])
        if same is not None:
            ev["event.start"] = same
            return
    _start_end(ev, flow, ctx, "suricata.eve.flow")


def _same_minute(value: str, ts: str, stamp: str) -> str | None:
    """`@timestamp` of `value` when it has the shape of `ts` and falls in its minute (same zone), else None."""
    if len(value) != len(ts) or len(ts) < 24 or value[:17] != ts[:17]:
        return None
    tail = 6 if ts[-3] == ":" else 5
    if ts[-tail] not in "+-" or value[-tail:] != ts[-tail:]:
        return None
    if not ("0" <= value[17] <= "5" and value[18].isdigit() and value[19] == "." and value[20:23].isdigit()):
        return None
    return stamp[:17] + value[17:19] + "." + value[20:23] + "Z"


def _start_end(ev: Event, section: dict[str, Any], ctx: ParseContext, prefix: str) -> None:
    for key, name in (("start", "event.start"), ("end", "event.end")):
        value = section.get(key)
        if isinstance(value, str):
            try:
                ev[name] = iso_to_ts(value, ctx)
            except ParseError:
                ev[f"{prefix}.{key}"] = value


def _netflow(ev: Event, netflow: dict[str, Any], ctx: ParseContext) -> None:
    """A netflow record counts one direction only: src -> dest."""
    _copy_int(ev, netflow, {"pkts": "source.packets", "bytes": "source.bytes"})
    _copy_int(ev, netflow, {"pkts": "network.packets", "bytes": "network.bytes"})
    _start_end(ev, netflow, ctx, "suricata.eve.netflow")
    _rest(ev, netflow, frozenset({"pkts", "bytes", "start", "end"}), "suricata.eve.netflow")


def _dns(ev: Event, dns: dict[str, Any]) -> None:
    _copy(ev, dns, {"rrname": "dns.question.name", "rrtype": "dns.question.type", "rcode": "dns.response_code",
                    "type": "dns.type"})
    if dns.get("id") is not None:
        ev["dns.id"] = str(dns["id"])
    queries = dns.get("queries")  # EVE dns v3 (Suricata 8)
    if "dns.question.name" not in ev and isinstance(queries, list) and queries and isinstance(queries[0], dict):
        _copy(ev, queries[0], {"rrname": "dns.question.name", "rrtype": "dns.question.type"})
    answers = _dns_answers(dns)
    if answers:
        ev["dns.answers.data"] = answers
        resolved = [ip_text(a) for a in answers if is_ip(a)]
        if resolved:
            ev["dns.resolved_ip"] = resolved
    flags = [f.upper() for f in ("aa", "tc", "rd", "ra") if dns.get(f) is True]
    if flags:
        ev["dns.header_flags"] = flags
    rcode = dns.get("rcode")
    if isinstance(rcode, str):
        ev["event.outcome"] = "success" if rcode == "NOERROR" else "failure"
    _rest(ev, dns, _DNS_DONE, "suricata.eve.dns")


def _dns_answers(dns: dict[str, Any]) -> list[str]:
    """Answer data of every EVE dns shape: v1 one `rdata` per event, v2/v3 `answers` list or only `grouped`."""
    if isinstance(dns.get("rdata"), str):
        return [dns["rdata"]]
    answers = dns.get("answers")
    if isinstance(answers, list):
        return [str(a["rdata"]) for a in answers if isinstance(a, dict) and a.get("rdata") is not None]
    grouped = dns.get("grouped")
    if isinstance(grouped, dict):
        return [str(v) for values in grouped.values() if isinstance(values, list) for v in values]
    return []


def _tls(ev: Event, tls: dict[str, Any], ctx: ParseContext) -> None:
    _copy(ev, tls, _TLS)
    if isinstance(tls.get("sni"), str):
        ev["destination.domain"] = tls["sni"]
    version = tls.get("version")
    if isinstance(version, str) and version in _TLS_VERSIONS:
        ev["tls.version"] = _TLS_VERSIONS[version]
        ev["tls.version_protocol"] = "ssl" if version.startswith("SSL") else "tls"
    for key, name in (("ja3", "tls.client.ja3"), ("ja3s", "tls.server.ja3s")):
        value = tls.get(key)
        if isinstance(value, dict) and value.get("hash"):
            ev[name] = value["hash"]
            if value.get("string"):
                ev[f"suricata.eve.tls.{key}.string"] = value["string"]
    for key, name in (("notbefore", "tls.server.not_before"), ("notafter", "tls.server.not_after")):
        value = tls.get(key)
        if isinstance(value, str):  # Suricata writes them in UTC without a zone
            try:
                ev[name] = iso_to_ts(value if value.endswith("Z") else value + "Z", ctx)
            except ParseError:
                ev[f"suricata.eve.tls.{key}"] = value
    _rest(ev, tls, _TLS_DONE, "suricata.eve.tls")


def _fileinfo(ev: Event, info: dict[str, Any]) -> None:
    name = info.get("filename")
    if isinstance(name, str) and name:
        ev["file.path"] = name
        ev["file.name"] = name.replace("\\", "/").rsplit("/", 1)[-1] or name
    for algo in ("md5", "sha1", "sha256"):
        if isinstance(info.get(algo), str):
            ev[f"file.hash.{algo}"] = info[algo]
    _copy_int(ev, info, {"size": "file.size"})
    _rest(ev, info, _FILE_DONE, "suricata.eve.fileinfo")


def _email(ev: Event, email: dict[str, Any]) -> None:
    _copy(ev, email, {"subject": "email.subject", "message_id": "email.message_id"})
    for key, name in (("from", "email.from.address"), ("to", "email.to.address"), ("cc", "email.cc.address")):
        value = email.get(key)
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and value:
            ev[name] = [_address(str(v)) for v in value]
    if isinstance(email.get("attachment"), list):
        ev["email.attachments.file.name"] = [str(a) for a in email["attachment"]]
    _rest(ev, email, _EMAIL_DONE, "suricata.eve.email")


def _address(text: str) -> str:
    """`"Name" <a@b>` -> a@b."""
    lt, gt = text.rfind("<"), text.rfind(">")
    return text[lt + 1 : gt] if 0 <= lt < gt else text.strip()


register(SuricataParser())
