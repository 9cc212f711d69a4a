"""Posture figures from incidents and the audit trail."""

from __future__ import annotations

from datetime import date, datetime, timezone

from soc.incidents import AuditEntry, Incident, Severity, Status
from soc.posture import posture, resolve_durations

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=timezone.utc)  # 01:00 on the 24th in Ho Chi Minh City


def _inc(key: str, sev: Severity, status: Status, first_seen: str, ip: str | None, evidence: int,
         rule: str = "SSH brute force") -> Incident:
    return Incident(id=f"INC-{key}", rule_id=rule.lower(), rule_title=rule, severity=sev, status=status,
                    entity={"source.ip": ip} if ip else {"user.name": "root"}, first_seen=first_seen,
                    last_seen=first_seen, evidence_count=evidence, created_at="2026-11-20T00:00:00.000Z")


INCIDENTS = [
    _inc("A", Severity.HIGH, Status.NEW, "2026-11-23T17:30:00.000Z", "203.0.113.7", 50),  # the 24th locally
    _inc("B", Severity.HIGH, Status.IN_PROGRESS, "2026-11-23T01:00:00.000Z", "203.0.113.7", 10),
    _inc("C", Severity.CRITICAL, Status.RESOLVED, "2026-11-20T02:00:00.000Z", "198.51.100.23", 2, "SQL injection"),
    _inc("D", Severity.LOW, Status.FALSE_POSITIVE, "2026-11-20T03:00:00.000Z", None, 1, "SQL injection"),
    _inc("E", Severity.MEDIUM, Status.RESOLVED, "2026-09-01T00:00:00.000Z", "192.0.2.50", 5, "Port scan"),
]
AUDIT = [
    AuditEntry("2026-11-20T01:00:00.000Z", "lan", "status", "INC-C", {"from": "new", "to": "resolved"}),
    AuditEntry("2026-11-20T02:00:00.000Z", "lan", "status", "INC-C", {"from": "resolved", "to": "in_progress"}),
    AuditEntry("2026-11-20T04:00:00.000Z", "lan", "status", "INC-C", {"from": "in_progress", "to": "resolved"}),
    AuditEntry("2026-11-20T00:30:00.000Z", "lan", "status", "INC-D", {"from": "new", "to": "false_positive"}),
    AuditEntry("2026-11-20T05:00:00.000Z", "lan", "status", "INC-B", {"from": "resolved", "to": "in_progress"}),
    AuditEntry("2026-11-20T05:00:00.000Z", "lan", "comment", "INC-E", {"text": "resolved"}),
]


def test_counts_days_tops_and_time_to_resolve():
    p = posture(INCIDENTS, AUDIT, NOW, tz="Asia/Ho_Chi_Minh", days=30)
    assert (p.since, p.until) == (date(2026, 10, 26), date(2026, 11, 24))
    assert p.open_incidents == 2
    assert p.by_severity_status == {("high", "new"): 1, ("high", "in_progress"): 1, ("critical", "resolved"): 1,
                                    ("low", "false_positive"): 1, ("medium", "resolved"): 1}
    per_day = dict(p.per_day)
    assert len(p.per_day) == 30 and p.in_window == 4  # E is older than the window
    assert (per_day[date(2026, 11, 24)], per_day[date(2026, 11, 23)], per_day[date(2026, 11, 20)]) == (1, 1, 2)
    assert p.top_rules == [("SQL injection", 2), ("SSH brute force", 2)]
    assert p.top_sources == [("203.0.113.7", 2, 60), ("198.51.100.23", 1, 2)]
    # C: created 00:00, last closed 04:00 -> 4 h; D: 30 min; B is open; E has no audited close
    assert resolve_durations(INCIDENTS, AUDIT) == {"INC-C": 4 * 3600.0, "INC-D": 1800.0}
    assert (p.resolved, p.mttr_seconds) == (2, (4 * 3600 + 1800) / 2)


def test_nothing_to_show():
    p = posture([], [], NOW, days=7)
    assert p.open_incidents == 0 and p.in_window == 0 and len(p.per_day) == 7 and p.mttr_seconds is None
