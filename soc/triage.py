"""What analysts do to an incident: change its status, assign it, comment on it.

Every change checks the actor's role and the status workflow, then writes an audit entry
with who, when and what changed. Pure logic over the Store; the console calls it.
"""

from __future__ import annotations

from soc.auth import can, require
from soc.errors import SocError
from soc.events import format_ts, now_utc
from soc.incidents import AuditEntry, Incident, Status, check_transition
from soc.store.base import Store, User

MAX_COMMENT_LENGTH = 5000
MAX_NOTE_LENGTH = 1000


class IncidentNotFound(SocError):
    """No incident has this id."""


class InvalidInput(SocError):
    """A comment, note or assignee that cannot be accepted."""


def _load(store: Store, incident_id: str) -> Incident:
    incident = store.get_incident(incident_id)
    if incident is None:
        raise IncidentNotFound(f"incident '{incident_id}' does not exist")
    return incident


def change_status(store: Store, incident_id: str, target: Status, actor: User, note: str = "") -> Incident:
    """Move an incident along the workflow; closing stamps `closed_at`, reopening clears it."""
    require(actor, "incident.triage")
    target = Status(target)
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"note is longer than {MAX_NOTE_LENGTH} characters")
    incident = _load(store, incident_id)
    previous = incident.status
    check_transition(previous, target)
    now = format_ts(now_utc())
    incident.status = target
    incident.updated_at = now
    incident.closed_at = None if target.is_open else now
    store.save_incident(incident)
    entry = AuditEntry(
        at=now,
        actor=actor.username,
        action="status",
        incident_id=incident.id,
        detail={"from": previous.value, "to": target.value, "note": note},
    )
    store.append_audit(entry)
    return incident


def assignable_users(store: Store) -> list[User]:
    """Active users who may triage, i.e. who can own an incident."""
    return [u for u in store.list_users() if u.active and can(u.role, "incident.triage")]


def assign(store: Store, incident_id: str, assignee: str | None, actor: User) -> Incident:
    """Give an incident to an active analyst/admin, or take it back with `assignee=None`."""
    require(actor, "incident.triage")
    if assignee is not None:
        user = store.get_user(assignee)
        if user is None or not user.active or not can(user.role, "incident.triage"):
            raise InvalidInput(f"'{assignee}' is not an active user who can handle incidents")
    incident = _load(store, incident_id)
    previous = incident.assignee
    if previous == assignee:
        return incident
    now = format_ts(now_utc())
    incident.assignee = assignee
    incident.updated_at = now
    store.save_incident(incident)
    detail = {"from": previous, "to": assignee}
    entry = AuditEntry(at=now, actor=actor.username, action="assign", incident_id=incident.id, detail=detail)
    store.append_audit(entry)
    return incident


def comment(store: Store, incident_id: str, text: str, actor: User) -> AuditEntry:
    """Add a comment; comments live in the audit trail as action 'comment'."""
    require(actor, "incident.triage")
    text = text.strip()
    if not text:
        raise InvalidInput("comment is empty")
    if len(text) > MAX_COMMENT_LENGTH:
        raise InvalidInput(f"comment is longer than {MAX_COMMENT_LENGTH} characters")
    incident = _load(store, incident_id)
    entry = AuditEntry.now(actor.username, "comment", incident.id, text=text)
    store.append_audit(entry)
    incident.updated_at = entry.at
    store.save_incident(incident)
    return entry
