"""The shipper: batches parsed events, gives each a deterministic id, writes them to the Store,
and sends what the store refuses to the dead-letter store. Nothing is dropped: every record
is counted as stored, duplicate or dead-lettered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from soc.events import Event, event_id, format_ts, now_utc
from soc.store.base import DeadLetter, Store


@dataclass
class ShipStats:
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    skipped: int = 0  # records that carry no event (blank lines, headers)

    def as_dict(self) -> dict[str, int]:
        return {"read": self.read, "stored": self.stored, "duplicates": self.duplicates, "dead_lettered": self.dead_lettered}


class Shipper:
    """Collects events and dead letters and flushes them to the store in batches.

    `on_flush` is called after each batch is stored: that is where a source commits its
    offset (at-least-once, made exactly-once by the deterministic ids).
    """

    def __init__(self, store: Store, batch_size: int = 2000, on_flush: Callable[[], None] | None = None) -> None:
        self.store = store
        self.batch_size = batch_size
        self.on_flush = on_flush
        self.stats = ShipStats()
        self._events: list[Event] = []
        self._dead: list[DeadLetter] = []

    def ship(self, event: Event, source_identity: str, key: str | int) -> None:
        if "event.id" not in event:
            event["event.id"] = event_id(source_identity, key)
        self._events.append(event)
        if len(self._events) >= self.batch_size:
            self.flush()

    def dead_letter(self, source: str, reason: str, raw: str, offset: int | None) -> None:
        self._dead.append(DeadLetter(source=source, reason=reason, raw=raw, offset=offset, at=format_ts(now_utc())))
        self.stats.dead_lettered += 1
        if len(self._dead) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self._events:
            result = self.store.write_events(self._events)
            self.stats.stored += result.stored
            self.stats.duplicates += result.duplicates
            for ev, reason in result.failed:
                self._dead.append(DeadLetter(
                    source=str(ev.get("log.file.path") or ev.get("log.source.address") or "-"),
                    reason=f"store refused the event: {reason}", raw=str(ev.get("log.original", ev)),
                    offset=ev.get("log.offset"), at=format_ts(now_utc()),
                ))
                self.stats.dead_lettered += 1
            self._events = []
        if self._dead:
            self.store.write_dead_letters(self._dead)
            self._dead = []
        if self.on_flush:
            self.on_flush()
