"""Incidents made by the real `apply_alerts`, so their audit trail is the one detection writes."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone
from typing import Any

from detection.incidents import RuleAlert, apply_alerts
from detection.model import CompiledRule, Condition, Correlation, RuleSet
from soc.events import event_id, format_ts
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


def failures(ip: str, n: int, step: float = 1.0) -> list[dict[str, Any]]:
    """`n` failed SSH logins from `ip`, one per `step` seconds from T0."""
    out = []
    for i in range(n):
        ts = format_ts(at(i * step))
        out.append({"@timestamp": ts, "event.id": event_id("test:sshd", f"{ts}|{ip}|{i}"),
                    "event.dataset": "sshd.auth", "event.category": ["authentication"],
                    "event.outcome": "failure", "source.ip": ip, "user.name": "root"})
    return out


def brute_force_ruleset(threshold: int = 5) -> RuleSet:
    """A base rule for failed logins and a high-severity event_count correlation over it."""
    base = CompiledRule(id="ssh_fail", name="ssh_fail", title="SSH failure", level=Severity.LOW,
                        path="rules/ssh_fail.yml", generate=False, group_by=["source.ip"],
                        queries={"sqlite": "`event.dataset` = 'sshd.auth' AND `event.outcome` = 'failure'"})
    brute = CompiledRule(
        id="ssh_brute", name="ssh_brute", title="SSH brute force", level=Severity.HIGH, path="rules/ssh_brute.yml",
        attack_techniques=["T1110.001"], group_by=["source.ip"],
        correlation=Correlation(type="event_count", rule_refs=["ssh_fail"], group_by=["source.ip"],
                                timespan_seconds=60, condition=Condition("gte", threshold)),
    )
    return RuleSet(rules=[base, brute])


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 OK"
