"""Alerts -> incidents: grouping by rule and entity, suppression, reopening, evidence counting.

One incident per rule and grouping key (`soc.incidents.group_key` of the alert's entity):

- the latest incident of (rule, key) is open: the new evidence joins it;
- it was closed (resolved / false positive) at most `suppression_seconds` before `now`:
  it is reopened (status new, audit entry "reopened") and the evidence joins it;
- otherwise (none yet, or closed long ago): a new incident with a deterministic id.

Evidence is counted exactly once although runs overlap and links are capped. An incident's
`last_seen` is the newest @timestamp it has counted and is saved with it, so it is the
high-water mark: events after it are new; events at or before it are new only if they
were not linked yet while the incident still had room under the cap (a late event).
Counting does not depend on the links, so a crash between linking and saving neither loses
nor doubles the count. Late events at or before `last_seen` that arrive once the cap is
full cannot be told apart from counted ones and are not counted (documented limitation).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

from soc.events import format_ts, parse_ts
from soc.incidents import Alert, AuditEntry, Incident, Status, group_key, incident_id
from soc.store.base import Store


@dataclass
class RuleAlert(Alert):
    """An alert that also knows each event's @timestamp (same order as `event_ids`)."""

    event_times: list[str] = field(default_factory=list)


def apply_alerts(
    store: Store,
    alerts: Sequence[Alert],
    now: datetime,
    suppression_seconds: int = 3600,
    evidence_cap: int = 1000,
    actor: str = "detection",
) -> list[Incident]:
    """Turn alerts into new or updated incidents; returns the incidents created or changed."""
    changed: list[Incident] = []
    for alert, times in _merge(store, alerts):
        inc = _apply(store, alert, times, now, suppression_seconds, evidence_cap, actor)
        if inc is not None:
            changed.append(inc)
    return changed


def _merge(store: Store, alerts: Sequence[Alert]) -> list[tuple[Alert, list[str]]]:
    """One alert per (rule, key) with its events deduplicated and in (time, id) order."""
    groups: dict[tuple[str, str], tuple[Alert, dict[str, str]]] = {}
    for a in alerts:
        if not a.event_ids:
            continue
        times = _times(store, a)
        k = (a.rule_id, group_key(a.entity))
        if k not in groups:
            groups[k] = (copy.copy(a), {})
        else:
            first = groups[k][0]
            if a.severity.rank > first.severity.rank:
                first.severity = a.severity
        groups[k][1].update(zip(a.event_ids, times))
    out = []
    for a, pairs in groups.values():
        ordered = sorted(pairs.items(), key=lambda p: (p[1], p[0]))
        a.event_ids = [p[0] for p in ordered]
        a.first_seen, a.last_seen = ordered[0][1], ordered[-1][1]
        out.append((a, [p[1] for p in ordered]))
    return out


def _times(store: Store, alert: Alert) -> list[str]:
    """@timestamp of each event id; alerts from outside the engine are looked up in the store."""
    times = getattr(alert, "event_times", None)
    if times and len(times) == len(alert.event_ids):
        return [_norm(t) for t in times]
    found: dict[str, str] = {}
    for i in range(0, len(alert.event_ids), 1000):
        for ev in store.get_events(alert.event_ids[i : i + 1000]):
            found[ev["event.id"]] = ev["@timestamp"]
    return [_norm(found.get(eid, alert.last_seen)) for eid in alert.event_ids]


def _norm(ts: str) -> str:
    """Timestamps compare as text only in the one canonical format."""
    return ts if len(ts) == 24 and ts.endswith("Z") else format_ts(parse_ts(ts))


def _apply(
    store: Store, alert: Alert, times: list[str], now: datetime, suppression: int, cap: int, actor: str
) -> Incident | None:
    key = group_key(alert.entity)
    latest = store.latest_incident(alert.rule_id, key)
    if latest is None:
        return _create(store, alert, times, alert.event_ids, now, cap, actor)
    mark = _norm(latest.last_seen)
    fresh = [eid for eid, t in zip(alert.event_ids, times) if t > mark]
    older = [eid for eid, t in zip(alert.event_ids, times) if t <= mark]
    joins = latest.status.is_open or _closed_within(latest, now, suppression)
    if not joins:
        if not fresh:
            return None  # a re-run over events of an incident closed long ago
        # a new incident for what came after the old one: its counted events stay with it
        return _create(store, alert, [t for t in times if t > mark], fresh, now, cap, actor)
    late = store.add_evidence(latest.id, older, cap) if older else 0
    if not fresh and not late:
        return None  # nothing new: an overlapping re-run over counted events
    if fresh:
        store.add_evidence(latest.id, fresh, cap)
    return _extend(store, latest, alert, [t for t in times if t > mark], len(fresh) + late, now, actor)


def _closed_within(inc: Incident, now: datetime, seconds: int) -> bool:
    closed = inc.closed_at or inc.updated_at
    if not closed:
        return False
    return (now - parse_ts(closed)).total_seconds() <= seconds


def _create(
    store: Store, alert: Alert, times: list[str], ids: list[str], now: datetime, cap: int, actor: str
) -> Incident:
    stamp = format_ts(now)
    inc = Incident(
        id=incident_id(alert.rule_id, group_key(alert.entity), times[0]),
        rule_id=alert.rule_id,
        rule_title=alert.rule_title,
        severity=alert.severity,
        status=Status.NEW,
        entity=dict(alert.entity),
        first_seen=times[0],
        last_seen=times[-1],
        evidence_count=len(ids),
        attack_techniques=list(alert.attack_techniques),
        attack_tactics=list(alert.attack_tactics),
        description=alert.description,
        created_at=stamp,
        updated_at=stamp,
    )
    existing = store.get_incident(inc.id)
    if existing is not None:  # same rule, key and first event: a re-run after a crash before linking
        return existing
    store.add_evidence(inc.id, ids, cap)
    store.save_incident(inc)
    store.append_audit(
        AuditEntry(at=stamp, actor=actor, action="created", incident_id=inc.id,
                   detail={"rule_id": inc.rule_id, "entity": inc.entity, "severity": inc.severity.value,
                           "evidence": len(ids)})
    )
    return inc


def _extend(
    store: Store, inc: Incident, alert: Alert, fresh_times: list[str], new_count: int, now: datetime, actor: str
) -> Incident:
    stamp = format_ts(now)
    before_status, before_sev = inc.status, inc.severity
    inc.evidence_count += new_count
    if fresh_times:
        inc.last_seen = max(_norm(inc.last_seen), fresh_times[-1])
    if alert.first_seen < _norm(inc.first_seen):
        inc.first_seen = alert.first_seen
    if alert.severity.rank > inc.severity.rank:
        inc.severity = alert.severity
    inc.attack_techniques = list(dict.fromkeys([*inc.attack_techniques, *alert.attack_techniques]))
    inc.attack_tactics = list(dict.fromkeys([*inc.attack_tactics, *alert.attack_tactics]))
    inc.updated_at = stamp
    if not before_status.is_open:
        inc.status = Status.NEW
        inc.closed_at = None
    store.save_incident(inc)
    if not before_status.is_open:
        store.append_audit(AuditEntry(at=stamp, actor=actor, action="reopened", incident_id=inc.id,
                                      detail={"from": before_status.value, "new_evidence": new_count}))
    if inc.severity != before_sev:
        store.append_audit(AuditEntry(at=stamp, actor=actor, action="severity_raised", incident_id=inc.id,
                                      detail={"from": before_sev.value, "to": inc.severity.value}))
    return inc


def apply_condition_alerts(store: Store, alerts: Sequence[Alert], now: datetime, actor: str = "detection") -> list[Incident]:
    """Alerts about a state rather than events (a log source gone silent): one incident per
    state that began at `alert.first_seen`, kept open while it lasts. Re-running finds the same
    incident; one closed by an analyst is not raised again for the same state."""
    changed = []
    stamp = format_ts(now)
    for alert in alerts:
        key = group_key(alert.entity)
        inc_id = incident_id(alert.rule_id, key, alert.first_seen)
        inc = store.get_incident(inc_id)
        if inc is None:
            inc = Incident(id=inc_id, rule_id=alert.rule_id, rule_title=alert.rule_title, severity=alert.severity,
                           status=Status.NEW, entity=dict(alert.entity), first_seen=alert.first_seen,
                           last_seen=alert.last_seen, description=alert.description, created_at=stamp,
                           updated_at=stamp)
            store.save_incident(inc)
            store.append_audit(AuditEntry(at=stamp, actor=actor, action="created", incident_id=inc_id,
                                          detail={"rule_id": alert.rule_id}))
        elif inc.status.is_open:
            inc.last_seen, inc.description, inc.updated_at = alert.last_seen, alert.description, stamp
            store.save_incident(inc)
        else:
            continue
        changed.append(inc)
    return changed
