"""The Store contract: one interface, two backends (SQLite, Elasticsearch), one test suite.

Queries are backend-native: a compiled Sigma rule is a SQL boolean expression for SQLite
(field names in backticks, as pySigma's SQLite backend writes them) and a Lucene query
string for Elasticsearch. `Store.dialect` says which one a store accepts; detection
compiles for it. `query=None` means every event.

Time ranges are half-open: start <= @timestamp < end; None leaves that side open.
Results of `search` are ordered by (@timestamp, event.id) so paging is stable.
"""

from __future__ import annotations

import base64
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator, Mapping, Sequence

from soc.events import Event
from soc.incidents import AuditEntry, Incident

Query = str | dict[str, Any] | None
Cursor = tuple[Any, ...]


@dataclass
class WriteResult:
    stored: int = 0
    duplicates: int = 0
    failed: list[tuple[Event, str]] = field(default_factory=list)

    def add(self, other: "WriteResult") -> None:
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.failed.extend(other.failed)


@dataclass
class Page:
    events: list[Event]
    next_after: Cursor | None  # pass back as `after` for the next page; None when done


@dataclass
class DeadLetter:
    """A record that could not become a stored event, with why and where it came from."""

    source: str  # file path, listener address, ...
    reason: str
    raw: str
    offset: int | None = None
    at: str = ""  # when it was dead-lettered (ISO UTC)
    id: str = ""  # deterministic: replaying the same bad line does not duplicate it

    def to_doc(self) -> dict[str, Any]:
        """JSON-safe form. Raw bytes that are not UTF-8 (kept as surrogate escapes) go base64,
        so the original record can be restored byte for byte."""
        doc = dict(self.__dict__)
        try:
            self.raw.encode("utf-8")
        except UnicodeEncodeError:
            doc["raw"] = self.raw.encode("utf-8", "backslashreplace").decode("utf-8")
            doc["raw_b64"] = base64.b64encode(self.raw.encode("utf-8", "surrogateescape")).decode()
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> "DeadLetter":
        doc = dict(doc)
        b64 = doc.pop("raw_b64", None)
        if b64:
            doc["raw"] = base64.b64decode(b64).decode("utf-8", "surrogateescape")
        return cls(**doc)


@dataclass
class User:
    username: str
    password_hash: str
    role: str  # analyst | admin | manager
    display_name: str = ""
    language: str = "vi"
    active: bool = True


@dataclass
class IncidentFilter:
    status: Sequence[str] | None = None
    severity: Sequence[str] | None = None
    rule_id: str | None = None
    assignee: str | None = None
    entity_value: str | None = None  # incidents whose entity has this value
    limit: int = 1000


class Store(ABC):
    """Everything the product persists. Both backends must behave the same."""

    dialect: str = ""
    url: str = ""

    # --- events -------------------------------------------------------------------------
    @abstractmethod
    def write_events(self, events: Sequence[Event]) -> WriteResult:
        """Store a batch. Each event has `event.id`; an id already stored counts as a duplicate."""

    @abstractmethod
    def search(
        self,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        size: int = 500,
        after: Cursor | None = None,
        dataset: str | None = None,
    ) -> Page:
        """One page of matching events in (@timestamp, event.id) order."""

    def iter_events(
        self,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        page_size: int = 1000,
        dataset: str | None = None,
    ) -> Iterator[Event]:
        after: Cursor | None = None
        while True:
            page = self.search(query, start, end, size=page_size, after=after, dataset=dataset)
            yield from page.events
            if page.next_after is None:
                return
            after = page.next_after

    @abstractmethod
    def count(
        self,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        dataset: str | None = None,
    ) -> int: ...

    @abstractmethod
    def terms(
        self,
        field: str,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        size: int = 100,
    ) -> list[tuple[Any, int]]:
        """Counts by value of one field, largest first (events without the field are left out)."""

    @abstractmethod
    def histogram(
        self,
        interval_seconds: int,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[tuple[datetime, int]]:
        """Event counts per time bucket (bucket start, count), buckets aligned to epoch, empty ones left out."""

    @abstractmethod
    def distinct_count(
        self,
        field: str,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int: ...

    @abstractmethod
    def time_bounds(self, query: Query = None) -> tuple[datetime | None, datetime | None]:
        """Earliest and latest @timestamp of matching events."""

    @abstractmethod
    def get_events(self, ids: Sequence[str]) -> list[Event]:
        """Events by `event.id`, in @timestamp order; unknown ids are left out."""

    @abstractmethod
    def datasets(self) -> list[tuple[str, int]]:
        """(event.dataset, count) for every stored dataset."""

    # --- dead letters -------------------------------------------------------------------
    @abstractmethod
    def write_dead_letters(self, items: Sequence[DeadLetter]) -> int:
        """Store bad records; returns how many were new."""

    @abstractmethod
    def list_dead_letters(self, limit: int = 100, source: str | None = None) -> list[DeadLetter]: ...

    @abstractmethod
    def count_dead_letters(self, source: str | None = None) -> int: ...

    # --- incidents ----------------------------------------------------------------------
    @abstractmethod
    def save_incident(self, incident: Incident) -> None:
        """Insert or replace by id."""

    @abstractmethod
    def get_incident(self, incident_id: str) -> Incident | None: ...

    @abstractmethod
    def list_incidents(self, flt: IncidentFilter | None = None) -> list[Incident]:
        """Newest `last_seen` first."""

    @abstractmethod
    def latest_incident(self, rule_id: str, group_key: str) -> Incident | None:
        """The most recent incident of a rule for one grouping key (any status)."""

    @abstractmethod
    def add_evidence(self, incident_id: str, event_ids: Sequence[str], cap: int) -> int:
        """Link events to an incident, keeping at most `cap` links; returns how many links were new."""

    @abstractmethod
    def list_evidence(self, incident_id: str, limit: int = 1000) -> list[str]: ...

    @abstractmethod
    def append_audit(self, entry: AuditEntry) -> None: ...

    @abstractmethod
    def list_audit(self, incident_id: str | None = None, limit: int = 500) -> list[AuditEntry]:
        """Oldest first for one incident; newest first when `incident_id` is None."""

    # --- checkpoints and small state -----------------------------------------------------
    @abstractmethod
    def get_checkpoint(self, key: str) -> str | None: ...

    @abstractmethod
    def set_checkpoint(self, key: str, value: str) -> None: ...

    @abstractmethod
    def list_checkpoints(self, prefix: str = "") -> dict[str, str]: ...

    # --- users --------------------------------------------------------------------------
    @abstractmethod
    def save_user(self, user: User) -> None: ...

    @abstractmethod
    def get_user(self, username: str) -> User | None: ...

    @abstractmethod
    def list_users(self) -> list[User]: ...

    # --- retention and lifecycle ----------------------------------------------------------
    @abstractmethod
    def apply_retention(self, days: Mapping[str, int], now: datetime, default_days: int | None = None) -> int:
        """Delete events older than `days[dataset]` (or `default_days`); returns how many went."""

    def close(self) -> None:  # noqa: B027 - optional for backends
        """Release connections."""

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
