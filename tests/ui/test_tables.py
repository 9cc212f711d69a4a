"""What the console's tables and times look like (pure functions, no Streamlit run)."""

from __future__ import annotations

from functools import partial

import pytest

from soc.incidents import AuditEntry
from ui import tables
from ui.format import local_time
from ui.i18n import translate

tr = partial(translate, "en")


@pytest.mark.parametrize(
    "value,seconds,shown",
    [
        ("2026-11-20T01:58:03.000Z", False, "20/11/2026 08:58"),
        ("2026-12-31T17:30:59.999Z", False, "01/01/2027 00:30"),  # UTC+7 crosses the year
        ("2026-12-31T17:30:59.999Z", True, "01/01/2027 00:30:59"),
        ("2026-11-20T08:58:03+07:00", False, "20/11/2026 08:58"),
        ("", False, ""),
        (None, False, ""),
        ("yesterday", False, "yesterday"),  # unreadable values are shown as they are, not dropped
    ],
)
def test_local_time(value, seconds, shown):
    assert local_time(value, seconds=seconds) == shown


def test_evidence_columns_put_the_usual_fields_first_and_keep_values_as_text():
    events = [
        {"@timestamp": "2026-11-20T01:58:03.000Z", "event.id": "a", "message": "<b>x</b>", "source.ip": "1.2.3.4",
         "zeek.uid": "C1", "event.category": ["authentication"], "log.original": "raw <b>x</b>"},
        {"@timestamp": "2026-11-20T01:58:04.000Z", "event.id": "b", "source.port": 22, "event.dataset": "sshd.auth"},
    ]
    frame = tables.evidence(events, tr)
    assert list(frame.columns) == ["Time", "event.dataset", "source.ip", "source.port", "message", "event.category",
                                   "zeek.uid", "log.original"]
    assert frame.iloc[0].tolist() == ["20/11/2026 08:58:03", "", "1.2.3.4", "", "<b>x</b>", '["authentication"]',
                                      "C1", "raw <b>x</b>"]
    assert frame.iloc[1]["source.port"] == "22"


def test_evidence_of_no_events_is_an_empty_table():
    assert tables.evidence([], tr).empty


@pytest.mark.parametrize(
    "action,detail,shown",
    [
        ("status", {"from": "new", "to": "resolved", "note": ""}, "New → Resolved"),
        ("status", {"from": "resolved", "to": "in_progress", "note": "again"}, "Resolved → In progress: again"),
        ("assign", {"from": None, "to": "lan"}, "Unassigned → lan"),
        ("comment", {"text": "**not bold**"}, "**not bold**"),
        ("user.create", {"username": "minh", "role": "analyst"}, "role=analyst, username=minh"),
    ],
)
def test_audit_detail(action, detail, shown):
    assert tables.audit_detail(AuditEntry(at="2026-11-20T01:58:03.000Z", actor="lan", action=action,
                                          detail=detail), tr) == shown


def test_unknown_audit_action_is_shown_by_its_name():
    entry = AuditEntry(at="2026-11-20T01:58:03.000Z", actor="detection", action="incident.reopen", incident_id="INC-1")
    row = tables.audit_trail([entry], tr, with_incident=True).iloc[0].to_dict()
    assert row == {"Time": "20/11/2026 08:58:03", "By": "detection", "Action": "incident.reopen",
                   "Incident": "INC-1", "Detail": ""}
