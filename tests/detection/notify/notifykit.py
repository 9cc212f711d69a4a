"""Incidents made by the real `apply_alerts`, so their audit trail is the one detection writes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from detection.incidents import RuleAlert, apply_alerts
from soc.events import format_ts
from soc.incidents import Incident, Severity

T0 = datetime(2026, 11, 20, 1, 0, 0, tzinfo=timezone.utc)


def at(sec: float) -> datetime:
    return T0 + timedelta(seconds=sec)


def alert(ip: str, secs: list[float], severity: Severity = Severity.HIGH, rule_id: str = "ssh_brute",
          title: str = "SSH brute force from one address") -> RuleAlert:
    times = [format_ts(at(s)) for s in secs]
    return RuleAlert(
        rule_id=rule_id, rule_title=title, severity=severity, entity={"source.ip": ip},
        event_ids=[f"ev-{ip}-{s}" for s in secs], first_seen=times[0], last_seen=times[-1],
        attack_techniques=["T1110.001"], attack_tactics=["credential-access"], event_times=times,
    )


def raise_incident(store: Any, ip: str, secs: list[float], severity: Severity = Severity.HIGH,
                   now: float = 3600, **kw: Any) -> list[Incident]:
    """What detection does with one alert: the incidents created or changed."""
    return apply_alerts(store, [alert(ip, secs, severity, **kw)], at(now))


def audit(store: Any, incident_id: str) -> list[tuple[str, str, dict]]:
    return [(a.actor, a.action, a.detail) for a in store.list_audit(incident_id) if a.actor == "notify"]
