"""An admin's enable/disable switch: kept in the store, audited, honoured by every way rules run."""

from __future__ import annotations

import pytest
from rulekit import SQLI, at, simple, web_event

from detection import scheduler
from detection.engine import run_once, run_rule_once
from detection.model import RuleSet
from detection.overrides import effective, is_enabled, overrides, set_enabled
from soc.errors import PermissionDenied
from soc.store.base import IncidentFilter, User

ADMIN = User(username="quan", password_hash="x", role="admin")
ANALYST = User(username="lan", password_hash="x", role="analyst")


def _attack(store):
    store.write_events([web_event(1, "10.9.9.9", "/?q=union select"), web_event(2, "10.9.9.9", "/?q=union+select")])


def test_switch_off_is_audited_and_run_once_raises_nothing(sqlite_store):
    sqli = simple("web_sqli", SQLI)
    _attack(sqlite_store)
    set_enabled(sqlite_store, "web_sqli", False, ADMIN)
    assert not is_enabled(sqlite_store, sqli) and overrides(sqlite_store) == {"web_sqli": False}
    [entry] = sqlite_store.list_audit(None)
    assert (entry.actor, entry.action, entry.incident_id, entry.detail) == ("quan", "rule.disable", None,
                                                                            {"rule_id": "web_sqli"})
    summary = run_once(sqlite_store, RuleSet([sqli]), now=at(60))
    assert summary.runs == [] and sqlite_store.list_incidents() == []
    assert sqlite_store.get_checkpoint("rule:web_sqli") is None  # the window stays for when it is back on

    set_enabled(sqlite_store, "web_sqli", True, "cli")
    assert [e.action for e in sqlite_store.list_audit(None)] == ["rule.enable", "rule.disable"]
    summary = run_once(sqlite_store, RuleSet([sqli]), now=at(60))
    [inc] = sqlite_store.list_incidents(IncidentFilter(rule_id="web_sqli"))
    assert summary.hits == 2 and inc.evidence_count == 2


def test_switch_on_overrides_enabled_false_in_the_yaml(sqlite_store):
    sqli = simple("web_sqli", SQLI, enabled=False)
    _attack(sqlite_store)
    assert run_once(sqlite_store, RuleSet([sqli]), now=at(60)).runs == []
    set_enabled(sqlite_store, "web_sqli", True, ADMIN)
    assert effective(sqli, overrides(sqlite_store))
    assert run_once(sqlite_store, RuleSet([sqli]), now=at(60)).alerts == 1


def test_run_rule_once_skips_a_disabled_rule_without_a_record(sqlite_store):
    sqli = simple("web_sqli", SQLI)
    _attack(sqlite_store)
    set_enabled(sqlite_store, "web_sqli", False, ADMIN)
    record, incidents = run_rule_once(sqlite_store, sqli, RuleSet([sqli]), at(60))
    assert incidents == [] and record.note == "the rule is disabled" and record.hits == 0
    assert sqlite_store.list_checkpoints("run:") == {} and sqlite_store.list_incidents() == []


def test_scheduled_job_honours_the_switch_at_run_time(sqlite_store):
    sqli = simple("web_sqli", SQLI, enabled=False)
    _attack(sqlite_store)
    ctx = scheduler.ServeContext(store=sqlite_store, ruleset=RuleSet([sqli]))
    scheduler.build_scheduler(ctx)  # sets the job context, does not start
    assert [r.id for r in scheduler.scheduled_rules(ctx.ruleset)] == ["web_sqli"]  # a job exists to switch on
    scheduler.run_rule_job("web_sqli")
    assert sqlite_store.list_incidents() == []
    set_enabled(sqlite_store, "web_sqli", True, ADMIN)
    scheduler.run_rule_job("web_sqli")
    assert len(sqlite_store.list_incidents(IncidentFilter(rule_id="web_sqli"))) == 1


def test_only_admins_switch_rules(sqlite_store):
    with pytest.raises(PermissionDenied):
        set_enabled(sqlite_store, "web_sqli", False, ANALYST)
    assert overrides(sqlite_store) == {} and sqlite_store.list_audit(None) == []
