"""Health of the collector's sources, read back from the checkpoints `soc collect` writes.

`sources_status(store)` gives one dict per source (counters, last event, lag, silent flag); it
lives in `soc.sources`, beside the checkpoint format, so the console reads the same figures;
`silent_source_alerts(store, now)` turns each silent source into an Alert with rule_id
`soc-source-silent` for the incident pipeline (routed by detection; collectors never import it).
"""

from __future__ import annotations

from datetime import datetime

from soc.events import format_ts, now_utc
from soc.incidents import Alert, Severity
from soc.sources import DEFAULT_EXPECTED_INTERVAL, delivery_status, sources_status
from soc.store.base import Store

__all__ = ["SILENT_RULE_ID", "delivery_status", "silent_source_alerts", "sources_status"]

SILENT_RULE_ID = "soc-source-silent"
SILENT_RULE_TITLE = "Nguồn log im lặng quá lâu / Log source silent"


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
