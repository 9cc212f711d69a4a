"""Windows .evtx files -> flat ECS events, one per record, through the Rust-backed `evtx` package.

The records come out as JSON text (`PyEvtxParser.records_json`); `collectors.winlog_ecs` maps
them to ECS, the same mapping the Winlogbeat/NXLog JSON parser uses. A corrupt record or chunk
does not stop the file: the parser's error is recorded as a `BadRecord` in the caller's
`errors` list (for the dead-letter store) and reading goes on with the next record.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import orjson
from evtx import PyEvtxParser

from collectors.winlog_ecs import winlog_to_ecs
from soc.events import Event, event_id

log = logging.getLogger(__name__)

# The Rust parser moves past a bad record or chunk on the next call; this bounds a file that
# is garbage throughout so that reading it still ends quickly.
_MAX_CONSECUTIVE_ERRORS = 1000
_RECORD_NO = re.compile(r"record number (\d+)")


@dataclass(frozen=True)
class BadRecord:
    """A record (or a whole chunk, or the file) that could not be read, with the reason."""

    path: str
    reason: str
    record_id: int | None = None
    raw: str = ""


def read_evtx(path: Path, errors: list[BadRecord] | None = None, threads: int = 1) -> Iterator[Event]:
    """Every readable record of an .evtx file as an ECS event, in file order.

    Unreadable records are appended to `errors` (logged when no list is given); nothing is raised.
    `threads` is the Rust parser's worker count (0 = one per core).
    """
    source = str(Path(path).resolve())
    sink = errors if errors is not None else _LoggingList()
    try:
        records = PyEvtxParser(source, number_of_threads=threads).records_json()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic arrives as pyo3's PanicException(BaseException)
        sink.append(BadRecord(source, f"cannot open as EVTX: {exc}"))
        return
    consecutive = 0
    while consecutive < _MAX_CONSECUTIVE_ERRORS:
        try:
            record = next(records)
        except StopIteration:
            return
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - parse errors, and Rust panics (see above)
            consecutive += 1
            sink.append(BadRecord(source, f"unreadable EVTX data: {exc}", _record_no(str(exc))))
            continue
        consecutive = 0
        event = _to_event(record, source, sink)
        if event is not None:
            yield event
    sink.append(BadRecord(source, f"stopped after {_MAX_CONSECUTIVE_ERRORS} unreadable records in a row"))


def record_to_event(data: dict[str, Any], raw: str, source: str, record_id: int | None = None) -> Event:
    """One decoded record (`{"Event": {"System": ..., "EventData"|"UserData": ...}}`) -> ECS event.

    Raises KeyError/TypeError/ValueError for a record without the System fields every event has.
    """
    root = data["Event"]
    system = root["System"]
    eid = system["EventID"]
    if isinstance(eid, dict):  # classic events: {"#attributes": {"Qualifiers": ...}, "#text": 7045}
        eid = eid["#text"]
    provider = system.get("Provider") or {}
    attrs = provider.get("#attributes") or {}
    rid = system.get("EventRecordID", record_id)
    event = winlog_to_ecs(
        channel=str(system.get("Channel") or ""),
        event_id=int(eid),
        provider=str(attrs.get("Name") or attrs.get("EventSourceName") or ""),
        computer=str(system.get("Computer") or ""),
        record_id=int(rid) if rid is not None else None,
        event_data=event_fields(root),
        system_time=system["TimeCreated"]["#attributes"]["SystemTime"],
    )
    event["log.original"] = raw
    event["log.file.path"] = source
    event["event.id"] = event_id(source, rid if rid is not None else raw)
    return event


def event_fields(root: dict[str, Any]) -> dict[str, Any]:
    """The named fields of EventData or UserData; unnamed `<Data>` values become param1..N as in Winlogbeat."""
    out: dict[str, Any] = {}
    event_data = root.get("EventData")
    if isinstance(event_data, dict):
        for name, value in event_data.items():
            if name == "#attributes":
                continue
            if name == "Data" and not _is_named(value):
                out.update(_unnamed(value))
            else:
                out[name] = value
    user_data = root.get("UserData")
    if isinstance(user_data, dict):
        for inner in user_data.values():  # one element named by the provider, e.g. LogFileCleared
            if isinstance(inner, dict):
                out.update((k, v) for k, v in inner.items() if k != "#attributes")
    return out


def _is_named(value: Any) -> bool:
    return not (isinstance(value, (list, str)) or (isinstance(value, dict) and "#text" in value))


def _unnamed(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        value = value.get("#text")
    values = value if isinstance(value, list) else [value]
    return {f"param{i}": v for i, v in enumerate(values, 1) if v is not None}


def _to_event(record: dict[str, Any], source: str, sink: list[BadRecord]) -> Event | None:
    raw = record.get("data", "")
    rid = record.get("event_record_id")
    try:
        return record_to_event(orjson.loads(raw), raw, source, rid)
    except (KeyError, TypeError, ValueError, AttributeError, orjson.JSONDecodeError) as exc:
        sink.append(BadRecord(source, f"record without the fields of a Windows event: {type(exc).__name__}: {exc}",
                              rid, raw))
        return None


def _record_no(message: str) -> int | None:
    m = _RECORD_NO.search(message)
    return int(m.group(1)) if m else None


class _LoggingList(list):
    def append(self, item: BadRecord) -> None:  # type: ignore[override]
        log.warning("%s: %s (record %s)", item.path, item.reason, item.record_id)
