"""What Dispatch sends, and what it never sends twice: a real SQLite store, a real HTTP receiver."""

from __future__ import annotations

import json

from notifykit import at, audit, raise_incident

from detection.notify.base import PENDING_KEY, Dispatch, decide
from detection.notify.webhook import WebhookNotifier
from soc.events import format_ts
from soc.incidents import Severity, Status
from soc.store.sqlite import SQLiteStore


def dispatch(store, url: str, **kw) -> Dispatch:
    kw.setdefault("backoff_seconds", 0.01)
    return Dispatch(store, [WebhookNotifier(url, timeout_seconds=2)], **kw)


def test_a_new_high_incident_is_sent_once_across_reruns_new_evidence_and_a_restart(webhook, sqlite_store, tmp_path):
    notify = dispatch(sqlite_store, webhook.url)
    first = raise_incident(sqlite_store, "183.62.140.253", [0, 1, 2])
    notify(first)
    assert [r.json["kind"] for r in webhook.received] == ["created"]
    notify(first)  # the same run handed over again
    more = raise_incident(sqlite_store, "183.62.140.253", [3, 4], now=3700)  # new evidence only
    assert more[0].evidence_count == 5
    notify(more)
    sqlite_store.close()
    with SQLiteStore(str(tmp_path / "soc.db")) as reopened:  # a restart: new store object, new Dispatch
        dispatch(reopened, webhook.url)(more)
        assert len(webhook.received) == 1
        inc_id = first[0].id
        assert json.loads(reopened.get_checkpoint(f"notified:{inc_id}")) == {"webhook": ["0:created:high"]}
        [(actor, action, detail)] = audit(reopened, inc_id)
        assert (actor, action) == ("notify", "notify.sent")
        assert detail == {"notifier": "webhook", "kind": "created", "severity": "high", "attempts": 1}


def test_medium_incidents_are_not_sent_until_raised_to_high(webhook, sqlite_store):
    notify = dispatch(sqlite_store, webhook.url)
    medium = raise_incident(sqlite_store, "10.0.0.5", [0, 1], severity=Severity.MEDIUM)
    notify(medium)
    assert webhook.received == [] and audit(sqlite_store, medium[0].id) == []
    # the same entity touches a critical asset: the incident is raised to high
    raised = raise_incident(sqlite_store, "10.0.0.5", [2], severity=Severity.HIGH, now=3700)
    notify(raised)
    [got] = webhook.received
    assert (got.json["kind"], got.json["severity"], got.json["id"]) == ("escalated", "high", medium[0].id)


def test_a_raise_from_high_to_critical_is_sent_again_but_only_once(webhook, sqlite_store):
    notify = dispatch(sqlite_store, webhook.url)
    notify(raise_incident(sqlite_store, "198.51.100.9", [0]))
    critical = raise_incident(sqlite_store, "198.51.100.9", [10], severity=Severity.CRITICAL, now=3700)
    notify(critical)
    notify(raise_incident(sqlite_store, "198.51.100.9", [20], severity=Severity.CRITICAL, now=3800))
    assert [(r.json["kind"], r.json["severity"]) for r in webhook.received] == [("created", "high"),
                                                                                 ("escalated", "critical")]


def test_a_reopened_incident_is_sent_each_time_detection_reopens_it(webhook, sqlite_store):
    notify = dispatch(sqlite_store, webhook.url)
    [inc] = raise_incident(sqlite_store, "192.0.2.44", [0, 1])
    notify([inc])
    for n, (sec, now) in enumerate([(100, 3700), (200, 3800)], start=1):
        inc.status, inc.closed_at = Status.RESOLVED, format_ts(at(now - 50))  # an analyst closes it
        sqlite_store.save_incident(inc)
        [inc] = raise_incident(sqlite_store, "192.0.2.44", [sec], now=now)  # fresh evidence soon after
        assert inc.status == Status.NEW
        notify([inc])
        notify([inc])
        assert [r.json["kind"] for r in webhook.received] == ["created"] + ["reopened"] * n
    record = json.loads(sqlite_store.get_checkpoint(f"notified:{inc.id}"))
    assert record == {"webhook": ["0:created:high", "1:reopened:high", "2:reopened:high"]}


def test_a_500_is_retried_with_backoff_then_succeeds(webhook, sqlite_store):
    pauses: list[float] = []
    webhook.statuses.extend([500, 503])
    notify = dispatch(sqlite_store, webhook.url, backoff_seconds=0.5, sleep=pauses.append)
    [inc] = raise_incident(sqlite_store, "203.0.113.7", [0])
    notify([inc])
    assert len(webhook.received) == 3
    assert pauses == [0.5, 1.0]  # doubling backoff between the three attempts
    [(_, action, detail)] = audit(sqlite_store, inc.id)
    assert action == "notify.sent" and detail["attempts"] == 3
    assert sqlite_store.get_checkpoint(PENDING_KEY) is None


def test_a_dead_webhook_is_recorded_retried_in_a_later_run_and_given_up_after_bounded_rounds(
        webhook, closed_url, sqlite_store):
    now = [0.0]
    notify = dispatch(sqlite_store, closed_url, attempts=2, max_rounds=3, retry_seconds=60, clock=lambda: now[0])
    [a] = raise_incident(sqlite_store, "203.0.113.7", [0])
    [b] = raise_incident(sqlite_store, "203.0.113.8", [0])
    notify([a, b])
    [(_, action, detail)] = audit(sqlite_store, a.id)
    assert action == "notify.failed" and detail["attempts"] == 2
    assert "Connection refused" in detail["error"]
    # the endpoint is known to be down: b is not tried in this call, but the trail says so
    [(_, action, detail)] = audit(sqlite_store, b.id)
    assert action == "notify.failed" and detail["attempts"] == 0 and detail["error"].startswith("not tried: webhook")
    assert json.loads(sqlite_store.get_checkpoint(PENDING_KEY)) == {a.id: 1, b.id: 1}
    assert sqlite_store.get_checkpoint(f"notified:{a.id}") is None

    notify([])  # too soon: no retry
    assert len(audit(sqlite_store, a.id)) == 1
    # the receiver is back: the next run after retry_seconds delivers both, once
    now[0] = 61
    notify.notifiers = [WebhookNotifier(webhook.url)]
    notify([])
    assert sorted(r.json["id"] for r in webhook.received) == sorted([a.id, b.id])
    assert json.loads(sqlite_store.get_checkpoint(PENDING_KEY)) == {}
    now[0] = 200
    notify([])
    assert len(webhook.received) == 2

    # an incident whose receiver never comes back is given up after max_rounds rounds
    [c] = raise_incident(sqlite_store, "203.0.113.9", [0])
    notify.notifiers = [WebhookNotifier(closed_url, timeout_seconds=2)]
    notify([c])
    for k in range(1, 4):
        now[0] = 200 + 61 * k
        notify([])
    actions = [(act, d.get("gave_up", False)) for _, act, d in audit(sqlite_store, c.id)]
    assert actions == [("notify.failed", False)] * 3 + [("notify.failed", True)]
    assert c.id not in json.loads(sqlite_store.get_checkpoint(PENDING_KEY))


def test_decide_is_pure_and_follows_the_occasions(sqlite_store):
    [inc] = raise_incident(sqlite_store, "203.0.113.7", [0])
    high, crit = Severity.HIGH, Severity.CRITICAL
    assert decide(inc, 0, high, [], high) == "created"
    assert decide(inc, 0, Severity.LOW, [], high) == "escalated"
    assert decide(inc, 0, high, ["0:created:high"], high) is None
    assert decide(inc, 1, high, ["0:created:high"], high) == "reopened"
    assert decide(inc, 0, high, [], crit) is None  # below the minimum
    inc.severity = crit
    assert decide(inc, 0, high, ["0:created:high"], high) == "escalated"
    inc.status = Status.RESOLVED
    assert decide(inc, 0, high, [], high) is None  # closed incidents are not announced
