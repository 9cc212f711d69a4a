"""Tables the console shows, built as pandas frames (pure: no Streamlit, no store).

`tr` is the translator (`ui.i18n.t`); values that come from logs stay plain strings, and
Streamlit's dataframe shows them as text.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Sequence

import pandas as pd

from soc.events import Event
from soc.incidents import AuditEntry, Incident
from soc.store.base import User
from ui.format import entity_text, local_time

Translate = Callable[..., str]

# Evidence columns analysts read first; any other field of the events follows them.
EVENT_COLUMNS: tuple[str, ...] = (
    "@timestamp",
    "event.dataset",
    "event.action",
    "event.outcome",
    "source.ip",
    "source.port",
    "destination.ip",
    "destination.port",
    "user.name",
    "host.name",
    "url.original",
    "http.response.status_code",
    "message",
)
HIDDEN_EVENT_FIELDS = {"event.id", "log.original"}


def incident_queue(incidents: Sequence[Incident], tr: Translate) -> pd.DataFrame:
    rows = [
        {
            tr("col.id"): i.id,
            tr("col.title"): i.rule_title,
            tr("col.severity"): tr(f"severity.{i.severity.value}"),
            tr("col.status"): tr(f"status.{i.status.value}"),
            tr("col.entity"): entity_text(i.entity),
            tr("col.first_seen"): local_time(i.first_seen),
            tr("col.last_seen"): local_time(i.last_seen),
            tr("col.evidence"): i.evidence_count,
            tr("col.assignee"): i.assignee or "",
        }
        for i in incidents
    ]
    columns = ["id", "title", "severity", "status", "entity", "first_seen", "last_seen", "evidence", "assignee"]
    return pd.DataFrame(rows, columns=[tr(f"col.{c}") for c in columns])


def incident_fields(incident: Incident, tr: Translate) -> pd.DataFrame:
    pairs: list[tuple[str, Any]] = [
        (tr("field.rule"), incident.rule_title),
        (tr("field.rule_id"), incident.rule_id),
        (tr("col.severity"), tr(f"severity.{incident.severity.value}")),
        (tr("col.status"), tr(f"status.{incident.status.value}")),
        *((f"{tr('col.entity')}: {k}", str(v)) for k, v in sorted(incident.entity.items())),
        (tr("col.first_seen"), local_time(incident.first_seen)),
        (tr("col.last_seen"), local_time(incident.last_seen)),
        (tr("col.evidence"), str(incident.evidence_count)),
        (tr("col.assignee"), incident.assignee or tr("detail.unassigned")),
        (tr("field.tactics"), ", ".join(incident.attack_tactics)),
        (tr("field.created_at"), local_time(incident.created_at)),
        (tr("field.updated_at"), local_time(incident.updated_at)),
        (tr("field.closed_at"), local_time(incident.closed_at)),
        (tr("field.description"), incident.description),
    ]
    return pd.DataFrame([(k, v) for k, v in pairs if v not in ("", None)], columns=[tr("col.field"), tr("col.value")])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def evidence(events: Sequence[Event], tr: Translate) -> pd.DataFrame:
    """One row per event: the usual columns first, then every other field, then the raw record."""
    present = {k for e in events for k in e}
    extra = sorted(present - set(EVENT_COLUMNS) - HIDDEN_EVENT_FIELDS)
    columns = [c for c in EVENT_COLUMNS if c in present] + extra
    if "log.original" in present:
        columns.append("log.original")
    rows = []
    for e in events:
        row = {c: _cell(e.get(c)) for c in columns}
        if "@timestamp" in row:
            row["@timestamp"] = local_time(e.get("@timestamp"), seconds=True)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    return frame.rename(columns={"@timestamp": tr("col.time")})


def audit_detail(entry: AuditEntry, tr: Translate) -> str:
    d = entry.detail
    if entry.action == "status":
        text = f"{tr('status.' + str(d.get('from')))} → {tr('status.' + str(d.get('to')))}"
        return f"{text}: {d['note']}" if d.get("note") else text
    if entry.action == "assign":
        unassigned = tr("detail.unassigned")
        return f"{d.get('from') or unassigned} → {d.get('to') or unassigned}"
    if entry.action == "comment":
        return str(d.get("text", ""))
    return ", ".join(f"{k}={v}" for k, v in sorted(d.items()))


def _action_label(action: str, tr: Translate) -> str:
    key = f"action.{action}"
    text = tr(key)
    return action if text == key else text  # actions added later by detection show as they are


def audit_trail(entries: Sequence[AuditEntry], tr: Translate, with_incident: bool = False) -> pd.DataFrame:
    rows = []
    for e in entries:
        row = {
            tr("col.time"): local_time(e.at, seconds=True),
            tr("col.actor"): e.actor,
            tr("col.action"): _action_label(e.action, tr),
            tr("col.detail"): audit_detail(e, tr),
        }
        if with_incident:
            row[tr("col.incident")] = e.incident_id or ""
        rows.append(row)
    columns = [tr("col.time"), tr("col.actor"), tr("col.action")]
    columns += [tr("col.incident")] if with_incident else []
    return pd.DataFrame(rows, columns=columns + [tr("col.detail")])


def users(items: Sequence[User], tr: Translate) -> pd.DataFrame:
    rows = [
        {
            tr("col.username"): u.username,
            tr("col.display_name"): u.display_name,
            tr("col.role"): tr(f"role.{u.role}"),
            tr("col.language"): u.language,
            tr("col.active"): tr("yes") if u.active else tr("no"),
        }
        for u in items
    ]
    columns = ["username", "display_name", "role", "language", "active"]
    return pd.DataFrame(rows, columns=[tr(f"col.{c}") for c in columns])
