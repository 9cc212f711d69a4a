"""Hand-built compiled rules and events for the engine tests (no Sigma parsing involved)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from detection.model import CompiledRule, Condition, Correlation, RuleSet
from soc.events import event_id, format_ts
from soc.incidents import Severity

T0 = datetime(2026, 11, 20, 1, 0, 0, tzinfo=timezone.utc)

SSH_FAIL = "`event.dataset` = 'sshd.auth' AND `event.outcome` = 'failure'"
SSH_OK = "`event.dataset` = 'sshd.auth' AND `event.outcome` = 'success'"
SQLI = "`event.dataset` = 'nginx.access' AND `url.original` LIKE '%union%select%'"


def ssh_event(sec: float, ip: str, outcome: str = "failure", user: str = "root", **extra: Any) -> dict[str, Any]:
    ts = format_ts(T0 + timedelta(seconds=sec))
    ev = {
        "@timestamp": ts,
        "event.id": event_id("test:sshd", f"{ts}|{ip}|{outcome}|{user}|{sec}"),
        "event.dataset": "sshd.auth",
        "event.category": ["authentication"],
        "event.outcome": outcome,
        "source.ip": ip,
        "user.name": user,
        "host.name": "web01",
    }
    ev.update(extra)
    return ev


def web_event(sec: float, ip: str, url: str, **extra: Any) -> dict[str, Any]:
    ts = format_ts(T0 + timedelta(seconds=sec))
    ev = {
        "@timestamp": ts,
        "event.id": event_id("test:nginx", f"{ts}|{ip}|{url}"),
        "event.dataset": "nginx.access",
        "source.ip": ip,
        "url.original": url,
    }
    ev.update(extra)
    return ev


def simple(rule_id: str, query: str, level: Severity = Severity.MEDIUM, group_by: list[str] | None = None,
           generate: bool = True, **kw: Any) -> CompiledRule:
    return CompiledRule(
        id=rule_id, name=rule_id, title=f"Rule {rule_id}", level=level, path=kw.pop("path", f"rules/{rule_id}.yml"),
        queries={"sqlite": query}, group_by=["source.ip"] if group_by is None else group_by,
        generate=generate, attack_techniques=["T1110"], attack_tactics=["credential-access"], **kw,
    )


def brute_force(threshold: int = 5, timespan: int = 60) -> CompiledRule:
    return CompiledRule(
        id="ssh_brute", name="ssh_brute", title="SSH brute force", level=Severity.HIGH, path="rules/ssh_brute.yml",
        attack_techniques=["T1110.001"], attack_tactics=["credential-access"], group_by=["source.ip"],
        correlation=Correlation(type="event_count", rule_refs=["ssh_fail"], group_by=["source.ip"],
                                timespan_seconds=timespan, condition=Condition("gte", threshold)),
    )


def ruleset(*extra: CompiledRule, threshold: int = 5) -> RuleSet:
    base = simple("ssh_fail", SSH_FAIL, generate=False)
    return RuleSet(rules=[base, brute_force(threshold), *extra])


def at(sec: float) -> datetime:
    return T0 + timedelta(seconds=sec)
