"""Alerts -> incidents on a real SQLite store: grouping, reopening, suppression, evidence counting."""

from __future__ import annotations

from datetime import timedelta

from rulekit import at, ssh_event

from detection.incidents import RuleAlert, apply_alerts
from soc.events import format_ts
from soc.incidents import Alert, Severity, Status, group_key, incident_id

NOW = at(10_000)


def alert(events: list[dict], ip: str = "203.0.113.7", severity: Severity = Severity.HIGH, cls=RuleAlert) -> Alert:
    kw = {"event_times": [e["@timestamp"] for e in events]} if cls is RuleAlert else {}
    return cls(
        rule_id="ssh_brute", rule_title="SSH brute force", severity=severity, entity={"source.ip": ip},
        event_ids=[e["event.id"] for e in events], first_seen=events[0]["@timestamp"],
        last_seen=events[-1]["@timestamp"], attack_techniques=["T1110.001"], attack_tactics=["credential-access"], **kw,
    )


def stored(store, events):
    store.write_events(events)
    return events


def close(store, inc, status: Status, when):
    inc.status = status
    inc.closed_at = format_ts(when)
    store.save_incident(inc)


def test_new_incident_has_a_deterministic_id_and_a_creation_audit(sqlite_store):
    evs = stored(sqlite_store, [ssh_event(s, "203.0.113.7") for s in range(5)])
    [inc] = apply_alerts(sqlite_store, [alert(evs)], NOW)
    assert inc.id == incident_id("ssh_brute", group_key({"source.ip": "203.0.113.7"}), evs[0]["@timestamp"])
    assert (inc.status, inc.evidence_count, inc.created_at) == (Status.NEW, 5, format_ts(NOW))
    [entry] = sqlite_store.list_audit(inc.id)
    assert (entry.actor, entry.action, entry.detail["evidence"]) == ("detection", "created", 5)


def test_open_incident_collects_new_evidence_and_ignores_repeats(sqlite_store):
    first = stored(sqlite_store, [ssh_event(s, "203.0.113.7") for s in range(5)])
    apply_alerts(sqlite_store, [alert(first)], NOW)
    more = stored(sqlite_store, [ssh_event(s, "203.0.113.7") for s in range(5, 9)])
    # the overlap re-reports the first five alongside the new four
    [inc] = apply_alerts(sqlite_store, [alert(first + more)], NOW + timedelta(minutes=1))
    assert inc.evidence_count == 9 and inc.last_seen == more[-1]["@timestamp"]
    assert apply_alerts(sqlite_store, [alert(first + more)], NOW + timedelta(minutes=2)) == []
    assert sqlite_store.get_incident(inc.id).evidence_count == 9
    assert len(sqlite_store.list_incidents()) == 1


def test_counting_past_the_cap_stays_exact_across_reruns(sqlite_store):
    evs = stored(sqlite_store, [ssh_event(s * 0.1, "203.0.113.7") for s in range(50)])
    apply_alerts(sqlite_store, [alert(evs[:30])], NOW, evidence_cap=10)
    apply_alerts(sqlite_store, [alert(evs[20:50])], NOW, evidence_cap=10)  # 10 repeated, 20 new
    apply_alerts(sqlite_store, [alert(evs)], NOW, evidence_cap=10)  # all repeated
    [inc] = sqlite_store.list_incidents()
    assert inc.evidence_count == 50
    assert sqlite_store.list_evidence(inc.id) == [e["event.id"] for e in evs[:10]]  # the first ten are kept


def test_resolved_incident_reopens_when_evidence_arrives_soon_after_closing(sqlite_store):
    first = stored(sqlite_store, [ssh_event(s, "203.0.113.7") for s in range(5)])
    [inc] = apply_alerts(sqlite_store, [alert(first)], NOW)
    close(sqlite_store, inc, Status.RESOLVED, NOW + timedelta(minutes=5))
    more = stored(sqlite_store, [ssh_event(s, "203.0.113.7") for s in range(100, 103)])
    [again] = apply_alerts(sqlite_store, [alert(more)], NOW + timedelta(minutes=30), suppression_seconds=3600)
    assert again.id == inc.id
    assert (again.status, again.closed_at, again.evidence_count) == (Status.NEW, None, 8)
    actions = [(a.action, a.detail.get("from")) for a in sqlite_store.list_audit(inc.id)]
    assert actions == [("created", None), ("reopened", "resolved")]


def test_false_positive_reopens_too_but_a_rerun_over_old_events_does_not(sqlite_store):
    first = stored(sqlite_store, [ssh_event(s, "203.0.113.7") for s in range(5)])
    [inc] = apply_alerts(sqlite_store, [alert(first)], NOW)
    close(sqlite_store, inc, Status.FALSE_POSITIVE, NOW)
    assert apply_alerts(sqlite_store, [alert(first)], NOW + timedelta(minutes=1)) == []
    assert sqlite_store.get_incident(inc.id).status == Status.FALSE_POSITIVE
    more = stored(sqlite_store, [ssh_event(50, "203.0.113.7")])
    [again] = apply_alerts(sqlite_store, [alert(more)], NOW + timedelta(minutes=2))
    assert again.id == inc.id and again.status == Status.NEW


def test_evidence_long_after_closing_opens_a_new_incident(sqlite_store):
    first = stored(sqlite_store, [ssh_event(s, "203.0.113.7") for s in range(5)])
    [old] = apply_alerts(sqlite_store, [alert(first)], NOW)
    close(sqlite_store, old, Status.RESOLVED, NOW)
    more = stored(sqlite_store, [ssh_event(s, "203.0.113.7") for s in range(7200, 7203)])
    # the alert still carries two old events from the correlation's lookback: they stay with the old incident
    [new] = apply_alerts(sqlite_store, [alert(first[-2:] + more)], NOW + timedelta(hours=2), suppression_seconds=3600)
    assert new.id != old.id
    assert (new.status, new.evidence_count, new.first_seen) == (Status.NEW, 3, more[0]["@timestamp"])
    assert sqlite_store.get_incident(old.id).status == Status.RESOLVED
    assert sqlite_store.get_incident(old.id).evidence_count == 5


def test_groups_are_separate_and_alerts_of_one_group_merge(sqlite_store):
    a = stored(sqlite_store, [ssh_event(s, "10.0.0.1") for s in range(3)])
    b = stored(sqlite_store, [ssh_event(s, "10.0.0.2") for s in range(4)])
    incs = apply_alerts(sqlite_store, [alert(a[:2], ip="10.0.0.1"), alert(b, ip="10.0.0.2"), alert(a[1:], ip="10.0.0.1")], NOW)
    assert sorted((i.entity["source.ip"], i.evidence_count) for i in incs) == [("10.0.0.1", 3), ("10.0.0.2", 4)]


def test_severity_only_rises_and_the_rise_is_audited(sqlite_store):
    first = stored(sqlite_store, [ssh_event(s, "203.0.113.7") for s in range(3)])
    [inc] = apply_alerts(sqlite_store, [alert(first, severity=Severity.HIGH)], NOW)
    crit = stored(sqlite_store, [ssh_event(10, "203.0.113.7", **{"destination.soc.asset.criticality": "critical"})])
    [inc] = apply_alerts(sqlite_store, [alert(crit, severity=Severity.CRITICAL)], NOW)
    assert inc.severity == Severity.CRITICAL
    later = stored(sqlite_store, [ssh_event(20, "203.0.113.7")])
    [inc] = apply_alerts(sqlite_store, [alert(later, severity=Severity.HIGH)], NOW)
    assert inc.severity == Severity.CRITICAL
    assert [a.action for a in sqlite_store.list_audit(inc.id)] == ["created", "severity_raised"]


def test_plain_alerts_without_event_times_are_looked_up_in_the_store(sqlite_store):
    evs = stored(sqlite_store, [ssh_event(s, "203.0.113.7") for s in (30, 10, 20)])
    [inc] = apply_alerts(sqlite_store, [alert(evs, cls=Alert)], NOW)
    assert inc.first_seen == format_ts(at(10)) and inc.last_seen == format_ts(at(30))
    assert apply_alerts(sqlite_store, [alert(evs, cls=Alert)], NOW) == []
