"""Status changes, assignment and comments, each written to the audit trail."""

from __future__ import annotations

import pytest

from soc import triage
from soc.errors import InvalidTransition, PermissionDenied
from soc.events import parse_ts
from soc.incidents import Incident, Severity, Status
from soc.store.base import User

INC = "INC-0A1B2C3D4E5F"


def _user(role: str, name: str | None = None, active: bool = True) -> User:
    return User(username=name or role, password_hash="$2b$04$x", role=role, active=active)


@pytest.fixture
def store(sqlite_store):
    sqlite_store.save_incident(
        Incident(
            id=INC,
            rule_id="ssh-bruteforce",
            rule_title="SSH brute force",
            severity=Severity.HIGH,
            status=Status.NEW,
            entity={"source.ip": "203.0.113.7"},
            first_seen="2026-11-23T01:00:00.000Z",
            last_seen="2026-11-23T01:05:00.000Z",
            evidence_count=42,
            created_at="2026-11-23T01:06:00.000Z",
            updated_at="2026-11-23T01:06:00.000Z",
        )
    )
    for u in (_user("analyst", "lan"), _user("admin", "admin"), _user("manager", "ha"), _user("analyst", "old", False)):
        sqlite_store.save_user(u)
    return sqlite_store


def test_status_change_updates_incident_and_audits(store):
    lan = store.get_user("lan")
    inc = triage.change_status(store, INC, Status.IN_PROGRESS, lan, note="  checking  ")
    assert inc.status is Status.IN_PROGRESS and inc.closed_at is None
    stored = store.get_incident(INC)
    assert stored.status is Status.IN_PROGRESS
    assert parse_ts(stored.updated_at) > parse_ts("2026-11-23T01:06:00.000Z")
    [entry] = store.list_audit(INC)
    assert (entry.actor, entry.action, entry.incident_id) == ("lan", "status", INC)
    assert entry.detail == {"from": "new", "to": "in_progress", "note": "checking"}
    assert entry.at == stored.updated_at


@pytest.mark.parametrize("closing", [Status.RESOLVED, Status.FALSE_POSITIVE])
def test_closing_stamps_closed_at_and_reopening_clears_it(store, closing):
    lan = store.get_user("lan")
    closed = triage.change_status(store, INC, closing, lan)
    assert closed.closed_at == closed.updated_at and store.get_incident(INC).closed_at == closed.closed_at
    reopened = triage.change_status(store, INC, Status.IN_PROGRESS, lan)
    assert reopened.closed_at is None and store.get_incident(INC).closed_at is None
    assert [e.detail["to"] for e in store.list_audit(INC)] == [closing.value, "in_progress"]


def test_invalid_transition_changes_nothing(store):
    lan = store.get_user("lan")
    triage.change_status(store, INC, Status.RESOLVED, lan)
    with pytest.raises(InvalidTransition):
        triage.change_status(store, INC, Status.FALSE_POSITIVE, lan)
    with pytest.raises(InvalidTransition):
        triage.change_status(store, INC, Status.RESOLVED, lan)
    assert store.get_incident(INC).status is Status.RESOLVED
    assert len(store.list_audit(INC)) == 1


@pytest.mark.parametrize("who", ["ha", "old"])  # a manager; a disabled analyst
def test_who_may_not_triage_changes_nothing(store, who):
    actor = store.get_user(who)
    with pytest.raises(PermissionDenied):
        triage.change_status(store, INC, Status.IN_PROGRESS, actor)
    with pytest.raises(PermissionDenied):
        triage.assign(store, INC, "lan", actor)
    with pytest.raises(PermissionDenied):
        triage.comment(store, INC, "hello", actor)
    assert store.get_incident(INC).status is Status.NEW and store.get_incident(INC).assignee is None
    assert store.list_audit(INC) == []


def test_assign_and_unassign(store):
    admin = store.get_user("admin")
    inc = triage.assign(store, INC, "lan", admin)
    assert inc.assignee == "lan" and store.get_incident(INC).assignee == "lan"
    triage.assign(store, INC, "lan", admin)  # no change, no audit entry
    triage.assign(store, INC, None, admin)
    assert store.get_incident(INC).assignee is None
    assert [(e.actor, e.action, e.detail) for e in store.list_audit(INC)] == [
        ("admin", "assign", {"from": None, "to": "lan"}),
        ("admin", "assign", {"from": "lan", "to": None}),
    ]


@pytest.mark.parametrize("assignee", ["ha", "old", "nobody"])
def test_assign_refuses_who_cannot_handle_incidents(store, assignee):
    with pytest.raises(triage.InvalidInput):
        triage.assign(store, INC, assignee, store.get_user("lan"))
    assert store.get_incident(INC).assignee is None


def test_assignable_users_are_active_triagers(store):
    assert sorted(u.username for u in triage.assignable_users(store)) == ["admin", "lan"]


def test_comment_is_an_audit_entry_kept_verbatim(store):
    lan = store.get_user("lan")
    text = "Đã chặn IP trên FortiGate <script>alert(1)</script>"
    entry = triage.comment(store, INC, f"  {text}\n", lan)
    [stored] = store.list_audit(INC)
    assert (stored.actor, stored.action, stored.detail) == ("lan", "comment", {"text": text})
    assert stored.at == entry.at == store.get_incident(INC).updated_at


@pytest.mark.parametrize("text", ["", "   \n", "x" * 5001])
def test_comment_refuses_empty_or_huge(store, text):
    with pytest.raises(triage.InvalidInput):
        triage.comment(store, INC, text, store.get_user("lan"))
    assert store.list_audit(INC) == []


def test_unknown_incident(store):
    with pytest.raises(triage.IncidentNotFound):
        triage.change_status(store, "INC-NOPE", Status.IN_PROGRESS, store.get_user("lan"))
    with pytest.raises(triage.IncidentNotFound):
        triage.comment(store, "INC-NOPE", "hi", store.get_user("lan"))

