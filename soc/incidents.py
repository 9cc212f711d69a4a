"""The incident model: alerts, incidents, severity, the status workflow and audit entries.

Plain data with no I/O; the Store persists it and `detection.incidents` creates it.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from soc.errors import InvalidTransition
from soc.events import format_ts, parse_ts


class Severity(str, Enum):
    """Sigma levels, in rising order."""

    INFORMATIONAL = "informational"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    def raised(self, steps: int) -> "Severity":
        order = list(Severity)
        return order[max(0, min(len(order) - 1, self.rank + steps))]


class Status(str, Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    FALSE_POSITIVE = "false_positive"

    @property
    def is_open(self) -> bool:
        return self in (Status.NEW, Status.IN_PROGRESS)


# Allowed status changes. A closed incident can be reopened (to in_progress) by an analyst,
# and detection reopens it (to new) when fresh evidence arrives soon after closing.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.FALSE_POSITIVE}),
    Status.IN_PROGRESS: frozenset({Status.NEW, Status.RESOLVED, Status.FALSE_POSITIVE}),
    Status.RESOLVED: frozenset({Status.IN_PROGRESS, Status.NEW}),
    Status.FALSE_POSITIVE: frozenset({Status.IN_PROGRESS, Status.NEW}),
}


def check_transition(current: Status, target: Status) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"cannot change status from {current.value} to {target.value}")


def group_key(entity: dict[str, Any]) -> str:
    """Stable text key of a grouping entity, e.g. 'source.ip=1.2.3.4'."""
    return "|".join(f"{k}={entity[k]}" for k in sorted(entity))


def incident_id(rule_id: str, key: str, first_seen: str) -> str:
    """Deterministic incident id: re-running detection over the same data finds the same id."""
    raw = f"{rule_id}\x00{key}\x00{first_seen}".encode()
    return "INC-" + hashlib.blake2b(raw, digest_size=6).hexdigest().upper()


@dataclass
class Alert:
    """One rule hit: a group of events that together match a rule for one entity."""

    rule_id: str
    rule_title: str
    severity: Severity
    entity: dict[str, Any]
    event_ids: list[str]
    first_seen: str
    last_seen: str
    attack_techniques: list[str] = field(default_factory=list)
    attack_tactics: list[str] = field(default_factory=list)
    description: str = ""
    event_count: int | None = None  # when evidence ids are capped, the true count

    @property
    def count(self) -> int:
        return self.event_count if self.event_count is not None else len(self.event_ids)


@dataclass
class Incident:
    id: str
    rule_id: str
    rule_title: str
    severity: Severity
    status: Status
    entity: dict[str, Any]
    first_seen: str
    last_seen: str
    evidence_count: int = 0
    attack_techniques: list[str] = field(default_factory=list)
    attack_tactics: list[str] = field(default_factory=list)
    description: str = ""
    assignee: str | None = None
    created_at: str = ""
    updated_at: str = ""
    closed_at: str | None = None

    @property
    def group_key(self) -> str:
        return group_key(self.entity)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = self.severity.value
        d["status"] = self.status.value
        d["group_key"] = self.group_key
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Incident":
        names = {f for f in cls.__dataclass_fields__}
        kw = {k: v for k, v in d.items() if k in names}
        kw["severity"] = Severity(kw["severity"])
        kw["status"] = Status(kw["status"])
        return cls(**kw)


@dataclass
class AuditEntry:
    """One change, by whom and when. `incident_id` is None for changes outside incidents
    (users, rules, settings)."""

    at: str
    actor: str
    action: str
    incident_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def now(cls, actor: str, action: str, incident_id: str | None = None, **detail: Any) -> "AuditEntry":
        from soc.events import now_utc

        return cls(at=format_ts(now_utc()), actor=actor, action=action, incident_id=incident_id, detail=detail)


def seen_range(first: str, last: str, ts: str) -> tuple[str, str]:
    """Widen a first/last-seen range by one timestamp."""
    t = parse_ts(ts)
    f = first if first and parse_ts(first) <= t else ts
    l = last if last and parse_ts(last) >= t else ts
    return f, l


def iso(dt: datetime) -> str:
    return format_ts(dt)
