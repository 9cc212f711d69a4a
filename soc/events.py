"""ECS event helpers: timestamps, deterministic ids, flat <-> nested conversion, field types.

An event is a flat dict keyed by dotted ECS names. Flat keys keep parsers fast and make
Sigma field names line up one to one; `to_nested` gives the JSON shape ECS tools expect.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping

Event = dict[str, Any]

UTC = timezone.utc

# ECS types of the fields we produce or query. Used by the Elasticsearch mapping and by
# value coercion; fields not listed are keywords.
FIELD_TYPES: dict[str, str] = {
    "@timestamp": "date",
    "event.created": "date",
    "event.ingested": "date",
    "event.start": "date",
    "event.end": "date",
    "event.duration": "long",
    "event.severity": "long",
    "event.risk_score": "float",
    "message": "text",
    "source.ip": "ip",
    "destination.ip": "ip",
    "client.ip": "ip",
    "server.ip": "ip",
    "host.ip": "ip",
    "observer.ip": "ip",
    "source.nat.ip": "ip",
    "destination.nat.ip": "ip",
    "related.ip": "ip",
    "source.port": "long",
    "destination.port": "long",
    "client.port": "long",
    "server.port": "long",
    "source.nat.port": "long",
    "destination.nat.port": "long",
    "source.bytes": "long",
    "destination.bytes": "long",
    "source.packets": "long",
    "destination.packets": "long",
    "network.bytes": "long",
    "network.packets": "long",
    "http.response.status_code": "long",
    "http.response.body.bytes": "long",
    "http.response.bytes": "long",
    "http.request.bytes": "long",
    "process.pid": "long",
    "process.parent.pid": "long",
    "log.offset": "long",
    "winlog.event_id": "long",
    "winlog.record_id": "long",
    "dns.answers.ttl": "long",
    "soc.asset.security_level": "long",
    "source.soc.asset.security_level": "long",
    "destination.soc.asset.security_level": "long",
}


def format_ts(dt: datetime) -> str:
    """UTC ISO-8601 with milliseconds and Z: the one timestamp format events carry."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_ts(value: str | datetime) -> datetime:
    """Parse an event timestamp (any ISO-8601 form) into an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def ts_millis(value: str | datetime) -> int:
    """Epoch milliseconds of a timestamp."""
    return int(parse_ts(value).timestamp() * 1000)


def from_millis(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def now_utc() -> datetime:
    return datetime.now(tz=UTC)


def event_id(source_identity: str, key: str | int | bytes) -> str:
    """Deterministic id of an event: the same record from the same place always gets the same id.

    `source_identity` names where the record came from (file path, listener + peer, ...);
    `key` is its offset in that source or, where there is none, its content.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(source_identity.encode("utf-8", "surrogateescape"))
    h.update(b"\x00")
    h.update(key if isinstance(key, bytes) else str(key).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def to_nested(event: Mapping[str, Any]) -> dict[str, Any]:
    """Flat dotted keys -> nested ECS JSON. `@timestamp` stays a top-level key."""
    out: dict[str, Any] = {}
    for key, value in event.items():
        parts = key.split(".") if key != "@timestamp" else [key]
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {} if child is None else {"value": child}
                node[part] = child
            node = child
        leaf = parts[-1]
        if isinstance(node.get(leaf), dict):
            node[leaf]["value"] = value
        else:
            node[leaf] = value
    return out


def from_nested(doc: Mapping[str, Any], prefix: str = "") -> Event:
    """Nested ECS JSON -> flat dotted keys. Lists are kept as values."""
    return dict(_flatten(doc, prefix))


def _flatten(doc: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for key, value in doc.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            yield from _flatten(value, name)
        else:
            yield name, value
