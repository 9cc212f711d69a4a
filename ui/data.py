"""The console's only bridge to `soc` and `detection`: every read and write goes here.

The store is opened once per process from the settings (`SOC_STORE`, `SOC_HOME`, the
config file) and shared by all sessions; SQLiteStore serialises its own access.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st

from detection import overrides, ruleedit, runs
from detection.backtest import BacktestResult, backtest
from detection.model import CompiledRule, RuleSet
from detection.ruletest import RuleTestResult, run_rule_tests, sqlite_factories
from detection.runs import RunRecord
from detection.sigma.compile import load_ruleset
from soc import auth, triage
from soc import posture as soc_posture
from soc import sources as soc_sources
from soc.config import load_settings
from soc.errors import SocError
from soc.events import Event, now_utc
from soc.incidents import TRANSITIONS, AuditEntry, Incident, Severity, Status
from soc.posture import Posture
from soc.store import open_store
from soc.store.base import DeadLetter, IncidentFilter, Store, User

EVIDENCE_ROWS = 500
DEAD_LETTER_ROWS = 100
POSTURE_DAYS = 30
POSTURE_INCIDENTS = 10_000  # the dashboard reads at most this many incidents...
POSTURE_AUDIT = 20_000  # ...and audit entries (newest first)


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


# --- rules ----------------------------------------------------------------------------------
def rule_dirs() -> tuple[Path, ...]:
    return tuple(load_settings().detection.rules)


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def _fingerprint(dirs: tuple[Path, ...]) -> tuple[tuple[str, int, int, int], ...]:
    """What changes when any file under the rule folders changes (a save replaces the inode)."""
    stats = ((p, p.stat()) for d in dirs for p in _files(d))
    return tuple((str(p), s.st_mtime_ns, s.st_size, s.st_ino) for p, s in stats)


@st.cache_resource(show_spinner=False, max_entries=2)
def _ruleset(dirs: tuple[Path, ...], fingerprint: tuple) -> RuleSet:  # noqa: ARG001 - the cache key
    return load_ruleset(list(dirs))


def ruleset() -> RuleSet:
    """Every configured rule, compiled; loaded again only when a rule file changed. Shared, do not modify."""
    dirs = rule_dirs()
    return _ruleset(dirs, _fingerprint(dirs))


def rule(rule_id: str) -> CompiledRule | None:
    return next((r for r in ruleset().rules if r.id == rule_id), None)


def rule_switches() -> dict[str, bool]:
    return overrides.overrides(store())


def rule_enabled(item: CompiledRule, switches: dict[str, bool]) -> bool:
    return overrides.effective(item, switches)


def set_rule_enabled(actor: User, rule_id: str, enabled: bool) -> None:
    overrides.set_enabled(store(), rule_id, enabled, actor)


def rule_text(item: CompiledRule) -> str:
    try:
        return ruleedit.read_rule(item.path)
    except (OSError, UnicodeDecodeError) as exc:
        raise SocError(f"cannot read {item.path}: {exc}") from exc


def validate_rule(item: CompiledRule, text: str) -> ruleedit.Validation:
    return ruleedit.validate_text(text, item.path, rule_dirs())


def save_rule(actor: User, item: CompiledRule, text: str) -> ruleedit.Validation:
    """Save the edited text if it validates (then `.ok`); otherwise the file is untouched and the
    result holds the problems. A refused actor or an unwritable file raises SocError."""
    try:
        return ruleedit.save_rule(store(), item.path, text, rule_dirs(), actor)
    except ruleedit.InvalidRule as exc:
        return exc.validation
    except OSError as exc:
        raise SocError(f"cannot write {item.path}: {exc}") from exc


def rule_tests(item: CompiledRule) -> list[RuleTestResult]:
    """The rule's test events run on a fresh temporary SQLite store."""
    with sqlite_factories() as factories:
        return run_rule_tests(ruleset(), factories, rules=[item])


def backtest_rule(item: CompiledRule, days: int) -> BacktestResult:
    """What the rule would have raised over the last `days` x 24 hours, per local day. Raises nothing."""
    end = now_utc()
    return backtest(store(), item, ruleset(), end - timedelta(days=days), end, tz=load_settings().timezone)


def local_days(days: int) -> tuple[date, date]:
    """The first and last local calendar days the last `days` x 24 hours touch."""
    zone = ZoneInfo(load_settings().timezone)
    end = now_utc()
    return (end - timedelta(days=days)).astimezone(zone).date(), end.astimezone(zone).date()


def last_runs() -> dict[str, RunRecord]:
    return runs.last_runs(store())


def run_history(rule_ids: Sequence[str] = ()) -> list[RunRecord]:
    """Recent runs of the rules (every rule that ran when none is given), newest first."""
    s = store()
    ids = list(rule_ids) or list(runs.last_runs(s))
    found = [r for rid in ids for r in runs.run_history(s, rid)]
    return sorted(found, key=lambda r: r.ran_at, reverse=True)


# --- sources and health -------------------------------------------------------------------
def sources() -> list[dict[str, Any]]:
    return soc_sources.sources_status(store())


def delivery() -> dict[str, Any]:
    return soc_sources.delivery_status(store())


def datasets() -> list[tuple[str, int]]:
    return sorted(store().datasets(), key=lambda kv: (-kv[1], kv[0]))


def dead_letters(limit: int = DEAD_LETTER_ROWS) -> list[DeadLetter]:
    return store().list_dead_letters(limit=limit)


def dead_letter_count() -> int:
    return store().count_dead_letters()


# --- posture --------------------------------------------------------------------------------
def posture(days: int = POSTURE_DAYS) -> Posture:
    s = store()
    incidents_ = s.list_incidents(IncidentFilter(limit=POSTURE_INCIDENTS))
    audit_ = s.list_audit(None, limit=POSTURE_AUDIT)
    return soc_posture.posture(incidents_, audit_, now_utc(), tz=load_settings().timezone, days=days)
