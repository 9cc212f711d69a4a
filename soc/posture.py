"""Security posture figures for managers, computed from incidents and the audit trail (pure).

- open incidents, and all incidents by severity x status;
- incidents per day over the last `days` days (by `first_seen`, the day the activity began,
  in the deployment's time zone), zero days included;
- top rules and top attacking source addresses over those days;
- mean time to resolve: for each incident that is closed now, from its creation to the last
  audited status change that closed it (resolved or false positive).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Sequence
from zoneinfo import ZoneInfo

from soc.events import parse_ts
from soc.incidents import AuditEntry, Incident, Severity, Status

SOURCE_FIELD = "source.ip"
CLOSED = frozenset({Status.RESOLVED.value, Status.FALSE_POSITIVE.value})


@dataclass
class Posture:
    since: date  # first day of the window (local)
    until: date  # last day of the window (local), today
    open_incidents: int = 0
    by_severity_status: dict[tuple[str, str], int] = field(default_factory=dict)  # all incidents
    per_day: list[tuple[date, int]] = field(default_factory=list)  # every day of the window
    top_rules: list[tuple[str, int]] = field(default_factory=list)  # (rule title, incidents)
    top_sources: list[tuple[str, int, int]] = field(default_factory=list)  # (address, incidents, events)
    resolved: int = 0  # incidents the mean time to resolve is taken over
    mttr_seconds: float | None = None

    @property
    def in_window(self) -> int:
        return sum(n for _, n in self.per_day)


def posture(
    incidents: Sequence[Incident], audit: Sequence[AuditEntry], now: datetime, tz: str = "UTC",
    days: int = 30, top: int = 10,
) -> Posture:
    zone = ZoneInfo(tz)
    until = now.astimezone(zone).date()
    since = until - timedelta(days=days - 1)
    out = Posture(since=since, until=until)
    out.open_incidents = sum(1 for i in incidents if i.status.is_open)
    out.by_severity_status = dict(Counter((i.severity.value, i.status.value) for i in incidents))
    recent = [(i, _day(i.first_seen, zone)) for i in incidents]
    recent = [(i, d) for i, d in recent if d is not None and since <= d <= until]
    counts = Counter(d for _, d in recent)
    out.per_day = [(since + timedelta(days=n), counts.get(since + timedelta(days=n), 0)) for n in range(days)]
    out.top_rules = _top(Counter(i.rule_title for i, _ in recent), top)
    out.top_sources = _sources([i for i, _ in recent], top)
    durations = resolve_durations(incidents, audit)
    out.resolved = len(durations)
    out.mttr_seconds = sum(durations.values()) / len(durations) if durations else None
    return out


def resolve_durations(incidents: Sequence[Incident], audit: Sequence[AuditEntry]) -> dict[str, float]:
    """Seconds from creation to the last audited close, per incident that is closed now."""
    closed_at: dict[str, datetime] = {}
    for e in audit:
        if e.action != "status" or not e.incident_id or e.detail.get("to") not in CLOSED:
            continue
        at = parse_ts(e.at)
        if e.incident_id not in closed_at or at > closed_at[e.incident_id]:
            closed_at[e.incident_id] = at
    out: dict[str, float] = {}
    for i in incidents:
        if i.status.is_open or i.id not in closed_at:
            continue
        began = parse_ts(i.created_at or i.first_seen)
        out[i.id] = max(0.0, (closed_at[i.id] - began).total_seconds())
    return out


def severity_order() -> list[str]:
    return [s.value for s in reversed(Severity)]


def _day(ts: str, zone: ZoneInfo) -> date | None:
    try:
        return parse_ts(ts).astimezone(zone).date()
    except (TypeError, ValueError, AttributeError):
        return None


def _top(counter: Counter[str], n: int) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _sources(incidents: Sequence[Incident], n: int) -> list[tuple[str, int, int]]:
    per: dict[str, list[int]] = {}
    for i in incidents:
        ip = i.entity.get(SOURCE_FIELD)
        if isinstance(ip, str) and ip:
            row = per.setdefault(ip, [0, 0])
            row[0] += 1
            row[1] += i.evidence_count
    ranked = sorted(per.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:n]
    return [(ip, c, e) for ip, (c, e) in ranked]
