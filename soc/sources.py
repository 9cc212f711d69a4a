"""Health of the collector's sources, read back from the checkpoints `soc collect` writes.

The collector (collectors/collect.py) saves each source's lifetime counters every few seconds
as checkpoint `source:<name>`, a JSON object:

    {"name", "type", "received", "parsed", "stored", "duplicates", "dead_lettered", "dropped",
     "last_event_time", "last_received_at", "events_per_second", "expected_interval",
     "first_started_at", "started_at", "updated_at", "stats_interval", "store_up",
     "buffered_batches", "detail"}

and its delivery state as `collector:delivery`. Reading them lives here, in the kernel, so
`soc sources status` (through collectors.status) and the console (which may not import
collectors) show the same figures.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping

from soc.events import now_utc, parse_ts
from soc.store.base import Store

CHECKPOINT_PREFIX = "source:"
DELIVERY_CHECKPOINT = "collector:delivery"
DEFAULT_EXPECTED_INTERVAL = 900  # seconds of silence before a source counts as silent
DEFAULT_STATS_INTERVAL = 5.0
COUNTERS = ("received", "parsed", "stored", "duplicates", "dead_lettered", "dropped")


def parse_sources(checkpoints: Mapping[str, str], now: datetime) -> list[dict[str, Any]]:
    """Per source (sorted by name): the saved record plus `lag_seconds` (now - last record
    received, or - first start when nothing came), `silent` (lag > expected_interval) and
    `running` (updated within three stats intervals). Damaged records are left out; missing
    counters read as 0 and unreadable times as unknown."""
    out = []
    for key, raw in sorted(checkpoints.items()):
        if not key.startswith(CHECKPOINT_PREFIX):
            continue
        try:
            rec = json.loads(raw)
        except (TypeError, ValueError):
            continue
        if isinstance(rec, dict):
            out.append(_status(key[len(CHECKPOINT_PREFIX):], rec, now))
    return out


def _status(name: str, rec: dict[str, Any], now: datetime) -> dict[str, Any]:
    rec.setdefault("name", name)
    for c in COUNTERS:
        rec[c] = _number(rec.get(c), 0)
    expected = _number(rec.get("expected_interval"), DEFAULT_EXPECTED_INTERVAL) or DEFAULT_EXPECTED_INTERVAL
    since = _time(rec.get("last_received_at")) or _time(rec.get("first_started_at"))
    lag = (now - since).total_seconds() if since else None
    rec["lag_seconds"] = round(lag, 1) if lag is not None else None
    rec["silent"] = lag is not None and lag > expected
    updated = _time(rec.get("updated_at"))
    interval = _number(rec.get("stats_interval"), DEFAULT_STATS_INTERVAL) or DEFAULT_STATS_INTERVAL
    rec["running"] = updated is not None and (now - updated).total_seconds() <= 3 * interval + 5
    return rec


def _number(value: Any, default: float) -> Any:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return parse_ts(value)
    except (TypeError, ValueError, AttributeError):
        return None


def sources_status(store: Store, now: datetime | None = None) -> list[dict[str, Any]]:
    """`parse_sources` over the store's `source:` checkpoints."""
    return parse_sources(store.list_checkpoints(CHECKPOINT_PREFIX), now or now_utc())


def delivery_status(store: Store) -> dict[str, Any]:
    """The collector's delivery state (store reachable, batches and bytes waiting on disk); {} if none."""
    raw = store.get_checkpoint(DELIVERY_CHECKPOINT)
    try:
        doc = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}
