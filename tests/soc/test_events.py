from datetime import datetime, timedelta, timezone

from soc.events import event_id, format_ts, from_nested, parse_ts, to_nested, ts_millis


def test_timestamps_are_utc_with_milliseconds():
    ict = timezone(timedelta(hours=7))
    assert format_ts(datetime(2026, 11, 23, 8, 30, 1, 123456, tzinfo=ict)) == "2026-11-23T01:30:01.123Z"
    assert parse_ts("2026-11-23T01:30:01.123Z") == datetime(2026, 11, 23, 1, 30, 1, 123000, tzinfo=timezone.utc)
    assert parse_ts("2026-11-23T08:30:01+07:00") == datetime(2026, 11, 23, 1, 30, 1, tzinfo=timezone.utc)
    assert ts_millis("1970-01-01T00:00:01.500Z") == 1500


def test_event_ids_are_deterministic_and_distinct():
    assert event_id("/var/log/auth.log", 120) == event_id("/var/log/auth.log", 120)
    assert event_id("/var/log/auth.log", 120) != event_id("/var/log/auth.log", 121)
    assert event_id("/var/log/auth.log", 120) != event_id("/var/log/other.log", 120)
    assert len(event_id("x", b"raw bytes")) == 32


def test_nested_round_trip():
    flat = {"@timestamp": "2026-11-23T01:30:01.123Z", "source.ip": "1.2.3.4", "source.port": 22,
            "event.category": ["authentication"], "user.name": "root"}
    nested = to_nested(flat)
    assert nested["source"] == {"ip": "1.2.3.4", "port": 22}
    assert nested["event"]["category"] == ["authentication"]
    assert from_nested(nested) == flat
