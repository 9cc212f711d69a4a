"""Health of the collector's sources, read back from the checkpoints `soc collect` writes.

`sources_status(store)` gives one dict per source (counters, last event, lag, silent flag);
`silent_source_alerts(store, now)` turns each silent source into an Alert with rule_id
`soc-source-silent` for the incident pipeline (routed by detection; collectors never import it).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from collectors.collect import CHECKPOINT_PREFIX, DEFAULT_EXPECTED_INTERVAL, DELIVERY_CHECKPOINT
from soc.events import format_ts, now_utc, parse_ts
from soc.incidents import Alert, Severity
from soc.store.base import Store

SILENT_RULE_ID = "soc-source-silent"
SILENT_RULE_TITLE = "Nguồn log im lặng quá lâu / Log source silent"


def sources_status(store: Store, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per source: received, stored, dead_lettered, dropped, last_event_time, events_per_second,
    `lag_seconds` (now - last record received), `silent` (lag > expected_interval) and
    `running` (the collector updated it within three stats intervals). Sorted by name."""
    now = now or now_utc()
    out = []
    for key, raw in sorted(store.list_checkpoints(CHECKPOINT_PREFIX).items()):
        try:
            rec = json.loads(raw)
        except ValueError:
            continue
        rec.setdefault("name", key[len(CHECKPOINT_PREFIX):])
        expected = float(rec.get("expected_interval") or DEFAULT_EXPECTED_INTERVAL)
        since = rec.get("last_received_at") or rec.get("first_started_at")
        lag = (now - parse_ts(since)).total_seconds() if since else None
        rec["lag_seconds"] = round(lag, 1) if lag is not None else None
        rec["silent"] = lag is not None and lag > expected
        updated = rec.get("updated_at")
        interval = float(rec.get("stats_interval") or 5.0)
        rec["running"] = bool(updated) and (now - parse_ts(updated)).total_seconds() <= 3 * interval + 5
        out.append(rec)
    return out


def delivery_status(store: Store) -> dict[str, Any]:
    """The collector's delivery state (store reachable, batches and bytes waiting on disk)."""
    raw = store.get_checkpoint(DELIVERY_CHECKPOINT)
    return json.loads(raw) if raw else {}


def silent_source_alerts(store: Store, now: datetime | None = None) -> list[Alert]:
    """An alert per silent source. `first_seen` is when the silence began (last record, or
    the first start when nothing ever came), so re-running finds the same incident."""
    now = now or now_utc()
    alerts = []
    for rec in sources_status(store, now):
        if not rec["silent"]:
            continue
        began = rec.get("last_received_at") or rec.get("first_started_at")
        minutes = int((rec["lag_seconds"] or 0) // 60)
        alerts.append(Alert(
            rule_id=SILENT_RULE_ID,
            rule_title=SILENT_RULE_TITLE,
            severity=Severity.MEDIUM,
            entity={"soc.source.name": rec["name"]},
            event_ids=[],
            first_seen=began,
            last_seen=format_ts(now),
            description=(f"Nguồn log '{rec['name']}' không gửi dữ liệu trong {minutes} phút "
                         f"(ngưỡng {int(float(rec.get('expected_interval') or DEFAULT_EXPECTED_INTERVAL) // 60)} phút). "
                         f"Source '{rec['name']}' ({rec.get('type')}) sent nothing for {minutes} min; "
                         f"last record at {rec.get('last_received_at') or 'never'}."),
            event_count=0,
        ))
    return alerts
