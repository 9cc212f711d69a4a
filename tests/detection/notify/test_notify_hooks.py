"""The notify hook in the engine and the scheduler: called after the run is saved, never able to break it."""

from __future__ import annotations

from notifykit import at, brute_force_ruleset, failures

import detection.scheduler as scheduler
from detection.engine import run_once, run_rule_once
from detection.notify.base import Dispatch
from detection.notify.webhook import WebhookNotifier


def test_the_scheduled_job_hands_its_incidents_to_the_hook(sqlite_store, webhook):
    sqlite_store.write_events(failures("203.0.113.7", 12))
    seen: list[list[str]] = []
    send = Dispatch(sqlite_store, [WebhookNotifier(webhook.url)])

    def hook(incidents):
        seen.append([i.id for i in incidents])
        send(incidents)

    scheduler._CONTEXT = scheduler.ServeContext(store=sqlite_store, ruleset=brute_force_ruleset(), notify=hook)
    try:
        scheduler.run_rule_job("ssh_brute")
        scheduler.run_rule_job("ssh_brute")
    finally:
        scheduler._CONTEXT = None
    [inc] = sqlite_store.list_incidents()
    assert inc.evidence_count == 12
    assert seen == [[inc.id], []]  # the second run changed nothing
    assert [r.json["id"] for r in webhook.received] == [inc.id]


def test_a_hook_that_raises_changes_nothing_in_the_run(sqlite_store):
    sqlite_store.write_events(failures("203.0.113.7", 12))
    rs = brute_force_ruleset()
    seen_saved: list[bool] = []

    def broken(incidents):
        # by the time the hook runs, the incidents and the checkpoint are saved
        seen_saved.append(all(sqlite_store.get_incident(i.id) for i in incidents))
        seen_saved.append(sqlite_store.get_checkpoint("rule:ssh_brute") is not None)
        raise RuntimeError("the notifier blew up")

    record, incidents = run_rule_once(sqlite_store, rs.by_ref("ssh_brute"), rs, at(600), notify=broken)
    assert record.error is None and record.alerts == 1 and len(incidents) == 1
    assert seen_saved == [True, True]
    summary = run_once(sqlite_store, rs, at(700), notify=broken)
    assert summary.errors == []
