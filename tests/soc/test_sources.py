"""Reading the collector's per-source checkpoints (`source:<name>`) back into status rows."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from collectors import collect, status
from soc.sources import CHECKPOINT_PREFIX, delivery_status, parse_sources, sources_status

NOW = datetime(2026, 11, 23, 3, 0, 0, tzinfo=timezone.utc)

FIREWALL = {  # the shape collectors/collect.py writes
    "name": "fortigate", "type": "syslog", "received": 12000, "parsed": 11990, "stored": 11985,
    "duplicates": 5, "dead_lettered": 10, "dropped": 0, "last_event_time": "2026-11-23T02:59:58.000Z",
    "last_received_at": "2026-11-23T02:59:59.000Z", "events_per_second": 41.5, "expected_interval": 300,
    "first_started_at": "2026-11-22T00:00:00.000Z", "started_at": "2026-11-22T00:00:00.000Z",
    "updated_at": "2026-11-23T02:59:58.000Z", "stats_interval": 5.0, "store_up": True, "buffered_batches": 0,
    "detail": {"listen": "127.0.0.1:5514"},
}


def test_rows_carry_counters_lag_silence_and_running():
    web = dict(FIREWALL, name="nginx", type="file", last_received_at="2026-11-23T02:30:00.000Z",
               updated_at="2026-11-23T02:00:00.000Z", expected_interval=600)
    rows = parse_sources({"source:nginx": json.dumps(web), "source:fortigate": json.dumps(FIREWALL)}, NOW)
    assert [r["name"] for r in rows] == ["fortigate", "nginx"]
    fw, ng = rows
    assert (fw["received"], fw["stored"], fw["dead_lettered"], fw["events_per_second"]) == (12000, 11985, 10, 41.5)
    assert (fw["lag_seconds"], fw["silent"], fw["running"]) == (1.0, False, True)
    assert (ng["lag_seconds"], ng["silent"], ng["running"]) == (1800.0, True, False)


def test_damaged_records_are_left_out_and_odd_values_do_not_crash():
    rows = parse_sources({
        "source:broken": "{not json",
        "source:list": "[1, 2]",
        "source:odd": json.dumps({"received": "many", "last_received_at": 5, "updated_at": "yesterday"}),
        "source:never": json.dumps({"type": "file", "first_started_at": "2026-11-23T02:50:00.000Z"}),
    }, NOW)
    assert [r["name"] for r in rows] == ["never", "odd"]
    never, odd = rows
    assert (never["received"], never["lag_seconds"], never["silent"]) == (0, 600.0, False)
    assert (odd["received"], odd["lag_seconds"], odd["silent"], odd["running"]) == (0, None, False, False)


def test_store_reader_and_the_collector_share_the_format(sqlite_store):
    sqlite_store.set_checkpoint(CHECKPOINT_PREFIX + "fortigate", json.dumps(FIREWALL))
    sqlite_store.set_checkpoint("collector:delivery", json.dumps({"store_up": False, "buffered_batches": 3}))
    sqlite_store.set_checkpoint("rule:x", "2026-11-23T00:00:00.000Z")  # other checkpoints are not sources
    [row] = sources_status(sqlite_store, NOW)
    assert row["name"] == "fortigate" and row["detail"] == {"listen": "127.0.0.1:5514"}
    assert delivery_status(sqlite_store) == {"store_up": False, "buffered_batches": 3}
    assert status.sources_status(sqlite_store, NOW) == [row]  # `soc sources status` reads the same rows
    assert collect.CHECKPOINT_PREFIX == CHECKPOINT_PREFIX
