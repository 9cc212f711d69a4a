"""The console's only bridge to `soc` (and later `detection`): every read and write goes here.

The store is opened once per process from the settings (`SOC_STORE`, `SOC_HOME`, the
config file) and shared by all sessions; SQLiteStore serialises its own access.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from soc import auth, triage
from soc.config import load_settings
from soc.events import Event
from soc.incidents import TRANSITIONS, AuditEntry, Incident, Severity, Status
from soc.store import open_store
from soc.store.base import IncidentFilter, Store, User

EVIDENCE_ROWS = 500


@st.cache_resource(show_spinner=False)
def _open(url: str, options: tuple[tuple[str, str | None], ...]) -> Store:
    return open_store(url, **dict(options))


def store() -> Store:
    """The configured store (raises ConfigError/StoreError with a message for the user)."""
    settings = load_settings()
    return _open(settings.store.url, tuple(sorted(settings.store.options().items())))


# --- users and sessions -------------------------------------------------------------------
def login(username: str, password: str) -> User | None:
    return auth.authenticate(store(), username, password)


def user(username: str) -> User | None:
    """The current state of an account (role changes and disabling apply on the next click)."""
    found = store().get_user(username)
    return found if found is not None and found.active else None


def can(current: User, action: str) -> bool:
    return auth.can(current.role, action)


def users() -> list[User]:
    return store().list_users()


def assignable_users() -> list[User]:
    return triage.assignable_users(store())


def create_user(actor: User, username: str, password: str, role: str, display_name: str, language: str) -> User:
    return auth.create_user(store(), actor, username, password, role, display_name, language)


def set_active(actor: User, username: str, active: bool) -> User:
    return auth.set_active(store(), actor, username, active)


def set_password(actor: User, username: str, password: str) -> User:
    return auth.set_password(store(), actor, username, password)


# --- incidents ----------------------------------------------------------------------------
STATUSES: tuple[Status, ...] = tuple(Status)
SEVERITIES: tuple[Severity, ...] = tuple(reversed(Severity))  # critical first


def incidents(statuses: Sequence[str] = (), severities: Sequence[str] = ()) -> list[Incident]:
    flt = IncidentFilter(status=list(statuses) or None, severity=list(severities) or None)
    return store().list_incidents(flt)


def incident(incident_id: str) -> Incident | None:
    return store().get_incident(incident_id)


def next_statuses(current: Status) -> list[Status]:
    """Statuses an analyst may move an incident to, in workflow order."""
    return [s for s in Status if s in TRANSITIONS[current]]


def evidence(incident_id: str, limit: int = EVIDENCE_ROWS) -> list[Event]:
    s = store()
    return s.get_events(s.list_evidence(incident_id, limit=limit))


def audit(incident_id: str | None = None, limit: int = 500) -> list[AuditEntry]:
    return store().list_audit(incident_id, limit=limit)


def change_status(incident_id: str, target: Status, actor: User, note: str = "") -> Incident:
    return triage.change_status(store(), incident_id, target, actor, note)


def assign(incident_id: str, assignee: str | None, actor: User) -> Incident:
    return triage.assign(store(), incident_id, assignee, actor)


def comment(incident_id: str, text: str, actor: User) -> AuditEntry:
    return triage.comment(store(), incident_id, text, actor)
