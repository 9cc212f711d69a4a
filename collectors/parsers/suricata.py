"""Suricata EVE JSON (one object per line): alert, flow, dns, http, tls, ssh, fileinfo, anomaly, stats...

Dataset `suricata.eve`; alerts are `event.kind: alert` with the signature in `rule.*`.
Protocol sections without an ECS home are kept flattened under `suricata.eve.<section>.*`.
"""

from __future__ import annotations

from typing import Any

import orjson

from soc.errors import ParseError
from soc.events import Event, from_nested

from .base import ParseContext, Parser, iso_to_ts, register
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
             "fileinfo": ["file", "network"], "anomaly": ["network"], "drop": ["network"]}
_HANDLED = frozenset({"timestamp", "event_type", "src_ip", "dest_ip", "src_port", "dest_port", "proto", "in_iface",
                      "community_id", "app_proto", "host", "alert", "http", "flow", "dns", "tls", "flow_id"})


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
        doc = load_json_object(line, "Suricata EVE")
        etype, ts = doc.get("event_type"), doc.get("timestamp")
        if not isinstance(etype, str) or not isinstance(ts, str):
            raise ParseError("Suricata EVE object without event_type and timestamp")
        ev: Event = {"@timestamp": iso_to_ts(ts, ctx), "log.original": line, "event.dataset": DATASET,
                     "event.kind": "alert" if etype == "alert" else ("metric" if etype == "stats" else "event"),
                     "event.action": etype, "event.category": list(_CATEGORY.get(etype, ["network"])),
                     "observer.vendor": "OISF", "observer.product": "Suricata", "observer.type": "ids"}
        _copy(ev, doc, _TOP)
        _copy_int(ev, doc, _TOP_INT)
        if isinstance(doc.get("proto"), str):
            ev["network.transport"] = doc["proto"].lower()
        if doc.get("flow_id") is not None:
            ev["suricata.eve.flow_id"] = str(doc["flow_id"])
        self._sections(ev, doc)
        for key, value in doc.items():
            if key not in _HANDLED:
                if isinstance(value, dict):
                    ev.update(from_nested(value, f"suricata.eve.{key}"))
                else:
                    ev[f"suricata.eve.{key}"] = value
        return ev

    @staticmethod
    def _sections(ev: Event, doc: dict[str, Any]) -> None:
        alert = doc.get("alert")
        if isinstance(alert, dict):
            _copy(ev, alert, {"signature": "rule.name", "category": "rule.category"})
            if alert.get("signature_id") is not None:
                ev["rule.id"] = str(alert["signature_id"])
            if isinstance(alert.get("severity"), int):
                ev["event.severity"] = alert["severity"]
            blocked = alert.get("action") == "blocked"
            ev["event.type"] = ["denied"] if blocked else ["allowed"]
            ev["message"] = alert.get("signature", "")
            if isinstance(alert.get("metadata"), dict):
                ev.update(from_nested(alert["metadata"], "suricata.eve.alert.metadata"))
        http = doc.get("http")
        if isinstance(http, dict):
            _copy(ev, http, _HTTP)
            _copy_int(ev, http, _HTTP_INT)
            if isinstance(http.get("url"), str):
                url_fields(ev, http["url"])
        flow = doc.get("flow")
        if isinstance(flow, dict):
            _copy_int(ev, flow, _FLOW_INT)
            if "source.bytes" in ev and "destination.bytes" in ev:
                ev["network.bytes"] = ev["source.bytes"] + ev["destination.bytes"]
            for key in ("state", "reason", "alerted"):
                if key in flow:
                    ev[f"suricata.eve.flow.{key}"] = flow[key]
            for key, name in (("start", "event.start"), ("end", "event.end")):
                if isinstance(flow.get(key), str):
                    ev[name] = flow[key]
        dns = doc.get("dns")
        if isinstance(dns, dict):
            _copy(ev, dns, {"rrname": "dns.question.name", "rrtype": "dns.question.type", "rcode": "dns.response_code",
                            "type": "dns.type"})
            if dns.get("id") is not None:
                ev["dns.id"] = str(dns["id"])
            ev.update(from_nested({k: v for k, v in dns.items() if k not in ("rrname", "rrtype", "rcode", "type", "id")},
                                  "suricata.eve.dns"))
        tls = doc.get("tls")
        if isinstance(tls, dict):
            _copy(ev, tls, _TLS)
            if isinstance(tls.get("sni"), str):
                ev["destination.domain"] = tls["sni"]
            ja3 = tls.get("ja3")
            if isinstance(ja3, dict) and ja3.get("hash"):
                ev["tls.client.ja3"] = ja3["hash"]

    def detects(self, line: str) -> bool:
        head = line.lstrip()[:400]
        return head.startswith("{") and '"event_type"' in line and '"timestamp"' in head


register(SuricataParser())
