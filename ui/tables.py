"""Tables the console shows, built as pandas frames (pure: no Streamlit, no store).

`tr` is the translator (`ui.i18n.t`); values that come from logs stay plain strings, and
Streamlit's dataframe shows them as text.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any, Callable, Sequence

import pandas as pd

from detection.backtest import BacktestResult
from detection.model import CompiledRule
from detection.ruleedit import Problem
from detection.ruletest import RuleTestResult
from detection.runs import RunRecord
from soc.events import Event
from soc.incidents import AuditEntry, Incident, Status
from soc.posture import Posture, severity_order
from soc.store.base import DeadLetter, User
from ui.format import duration_text, entity_text, local_time

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


# --- rules ----------------------------------------------------------------------------------
BACKENDS: tuple[str, ...] = ("sqlite", "elasticsearch")


def rule_description(rule: CompiledRule, lang: str) -> str:
    """The description in the console's language, else the other one."""
    first, second = (rule.description_vi, rule.description) if lang == "vi" else (rule.description, rule.description_vi)
    return (first or second or "").strip()


def conversion(rule: CompiledRule, backend: str, tr: Translate) -> str:
    if backend in rule.errors:
        return tr("rules.not_converted", reason=rule.errors[backend])
    return tr("rules.converted")


def _window(record: RunRecord) -> str:
    return f"{local_time(record.start, seconds=True) or '…'} → {local_time(record.end, seconds=True)}"


def rules(
    items: Sequence[CompiledRule], enabled: Callable[[CompiledRule], bool], last: dict[str, RunRecord],
    tr: Translate, lang: str,
) -> pd.DataFrame:
    rows = []
    for r in items:
        run = last.get(r.id)
        rows.append({
            tr("col.title"): r.title,
            tr("col.level"): tr(f"severity.{r.level.value}"),
            tr("col.techniques"): ", ".join(r.attack_techniques),
            tr("col.enabled"): tr("yes") if enabled(r) else tr("no"),
            **{tr(f"col.{b}"): conversion(r, b, tr) for b in BACKENDS},
            tr("col.last_run"): local_time(run.ran_at) if run else "",
            # text, so a rule that never ran shows blank cells (Streamlit prints None as "None")
            tr("col.duration_ms"): f"{run.duration_ms:g}" if run else "",
            tr("col.hits"): str(run.hits) if run else "",
            tr("col.run_error"): (run.error or "") if run else "",
            tr("col.description"): rule_description(r, lang),
            tr("col.id"): r.id,
        })
    columns = ["title", "level", "techniques", "enabled", *BACKENDS, "last_run", "duration_ms", "hits", "run_error",
               "description", "id"]
    return pd.DataFrame(rows, columns=[tr(f"col.{c}") for c in columns])


def rule_fields(rule: CompiledRule, enabled: bool, tr: Translate, lang: str) -> pd.DataFrame:
    pairs: list[tuple[str, str]] = [
        (tr("field.rule_id"), rule.id),
        (tr("col.level"), tr(f"severity.{rule.level.value}")),
        (tr("col.enabled"), tr("yes") if enabled else tr("no")),
        (tr("field.file"), rule.path),
        (tr("col.techniques"), ", ".join(rule.attack_techniques)),
        (tr("field.tactics"), ", ".join(rule.attack_tactics)),
        (tr("field.group_by"), ", ".join(rule.group_by)),
        (tr("field.interval"), str(rule.interval_seconds)),
        (tr("field.correlation"), rule.correlation.type if rule.correlation else ""),
        (tr("field.raises"), tr("yes") if rule.generate else tr("no")),
        *((tr(f"col.{b}"), conversion(rule, b, tr)) for b in BACKENDS),
        (tr("field.description"), rule_description(rule, lang)),
    ]
    return pd.DataFrame([p for p in pairs if p[1]], columns=[tr("col.field"), tr("col.value")])


def load_errors(errors: Sequence[tuple[str, str]], tr: Translate) -> pd.DataFrame:
    return pd.DataFrame(list(errors), columns=[tr("col.where"), tr("col.reason")])


def problems(items: Sequence[Problem], tr: Translate) -> pd.DataFrame:
    rows = [(p.line if p.line is not None else "", p.message) for p in items]
    return pd.DataFrame(rows, columns=[tr("col.line"), tr("col.reason")])


def rule_tests(results: Sequence[RuleTestResult], tr: Translate) -> pd.DataFrame:
    rows = []
    for r in results:
        detail = r.error or "; ".join(f.describe() for f in r.failures)
        rows.append((r.dialect, tr(f"test.{r.status}"), r.checked, detail))
    return pd.DataFrame(rows, columns=[tr("col.backend"), tr("col.result"), tr("col.checked"), tr("col.detail")])


def backtest_days(result: BacktestResult, tr: Translate) -> pd.DataFrame:
    rows = [(_dmy(day), n) for day, n in result.per_day]
    return pd.DataFrame(rows, columns=[tr("col.day"), tr("col.hits")])


def backtest_chart(result: BacktestResult, start: date, end: date, tr: Translate) -> pd.DataFrame:
    """Hits for every day from `start` to `end` (days without hits as 0), labelled dd/mm, in order."""
    hits = dict(result.per_day)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    rows = [(d.strftime("%d/%m"), hits.get(d.isoformat(), 0)) for d in days]
    return pd.DataFrame(rows, columns=[tr("col.day"), tr("col.hits")])


def backtest_keys(result: BacktestResult, tr: Translate) -> pd.DataFrame:
    rows = [(key.replace("|", ", "), n) for key, n in result.per_key]
    return pd.DataFrame(rows, columns=[tr("col.entity"), tr("col.hits")])


def _dmy(day: str) -> str:
    """'2026-11-20' -> '20/11/2026'."""
    y, m, d = day.split("-")
    return f"{d}/{m}/{y}"


def runs(records: Sequence[RunRecord], titles: dict[str, str], tr: Translate) -> pd.DataFrame:
    rows = [
        {
            tr("col.ran_at"): local_time(r.ran_at, seconds=True),
            tr("col.title"): titles.get(r.rule_id, r.rule_id),
            tr("col.window"): _window(r),
            tr("col.duration_ms"): r.duration_ms,
            tr("col.hits"): r.hits,
            tr("col.alerts"): r.alerts,
            tr("col.incidents"): len(r.incidents),
            tr("col.run_error"): r.error or "",
            tr("col.note"): r.note or "",
        }
        for r in records
    ]
    columns = ["ran_at", "title", "window", "duration_ms", "hits", "alerts", "incidents", "run_error", "note"]
    return pd.DataFrame(rows, columns=[tr(f"col.{c}") for c in columns])


# --- sources and health ---------------------------------------------------------------------
def sources(rows: Sequence[dict[str, Any]], tr: Translate) -> pd.DataFrame:
    out = [
        {
            tr("col.source"): str(r.get("name", "")),
            tr("col.type"): str(r.get("type") or ""),
            tr("col.received"): r["received"],
            tr("col.stored"): r["stored"],
            tr("col.dead_lettered"): r["dead_lettered"],
            tr("col.dropped"): r["dropped"],
            tr("col.rate"): r.get("events_per_second"),
            tr("col.last_event"): local_time(r.get("last_event_time")),
            tr("col.lag"): duration_text(r.get("lag_seconds"), tr),
            tr("col.silent"): tr("yes") if r["silent"] else tr("no"),
            tr("col.running"): tr("yes") if r["running"] else tr("no"),
        }
        for r in rows
    ]
    columns = ["source", "type", "received", "stored", "dead_lettered", "dropped", "rate", "last_event", "lag",
               "silent", "running"]
    return pd.DataFrame(out, columns=[tr(f"col.{c}") for c in columns])


def datasets(items: Sequence[tuple[str, int]], tr: Translate) -> pd.DataFrame:
    return pd.DataFrame(list(items), columns=[tr("col.dataset"), tr("col.events")])


def dead_letters(items: Sequence[DeadLetter], tr: Translate) -> pd.DataFrame:
    rows = [(local_time(d.at, seconds=True), d.source, d.offset, d.reason, d.raw) for d in items]
    columns = ["time", "source", "offset", "reason", "raw"]
    return pd.DataFrame(rows, columns=[tr(f"col.{c}") for c in columns])


# --- posture --------------------------------------------------------------------------------
def severity_status(p: Posture, tr: Translate) -> pd.DataFrame:
    """Rows: severities (critical first); columns: statuses, then the total."""
    statuses = [s.value for s in Status]
    rows = []
    for sev in severity_order():
        counts = [p.by_severity_status.get((sev, st), 0) for st in statuses]
        rows.append([tr(f"severity.{sev}"), *counts, sum(counts)])
    columns = [tr("col.severity"), *(tr(f"status.{s}") for s in statuses), tr("col.total")]
    return pd.DataFrame(rows, columns=columns)


def incidents_per_day(p: Posture, tr: Translate, for_chart: bool = False) -> pd.DataFrame:
    rows = [(d.strftime("%d/%m" if for_chart else "%d/%m/%Y"), n) for d, n in p.per_day]
    return pd.DataFrame(rows, columns=[tr("col.day"), tr("col.incidents")])


def top_rules(p: Posture, tr: Translate) -> pd.DataFrame:
    return pd.DataFrame(p.top_rules, columns=[tr("col.title"), tr("col.incidents")])


def top_sources(p: Posture, tr: Translate) -> pd.DataFrame:
    return pd.DataFrame(p.top_sources, columns=[tr("col.source_ip"), tr("col.incidents"), tr("col.evidence")])
