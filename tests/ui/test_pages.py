"""Rules, detection runs, sources and posture pages through AppTest, over a real SQLite store."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from uikit import ROOT_LOGIN_ID, Console

from detection.engine import run_once
from detection.runs import RunRecord, save_run
from detection.sigma.compile import load_ruleset
from soc import triage
from soc.errors import PermissionDenied
from soc.events import event_id, format_ts, now_utc, parse_ts
from soc.incidents import Status
from soc.store.base import DeadLetter, IncidentFilter
from ui import data
from ui.i18n import translate

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT_LOGIN = "Direct SSH login as root"


def _texts(at) -> str:
    kinds = ("title", "subheader", "markdown", "caption", "text", "info", "warning", "error", "success", "code")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def _rules_page(console: Console, username: str, rule_id: str | None = None):
    at = console.login(username).switch_page("views/rules.py").run()
    if rule_id:
        at.selectbox(key="rules_pick").select(rule_id).run()
    assert not at.exception, at.exception
    return at


def _root_login(offset: timedelta, port: int) -> dict:
    ts = format_ts(now_utc() - offset)
    line = f"Accepted password for root from 10.0.5.5 port {port} ssh2"
    return {"@timestamp": ts, "event.id": event_id("test:ui", f"{ts}|{port}"), "event.dataset": "sshd.auth",
            "event.kind": "event", "event.category": ["authentication"], "event.action": "ssh_login",
            "event.outcome": "success", "source.ip": "10.0.5.5", "source.port": port, "user.name": "root",
            "host.name": "portal-app01", "message": line, "log.original": line}


# --- rules ----------------------------------------------------------------------------------
def test_rules_list_shows_level_techniques_description_conversion_and_last_run(console):
    save_run(console.store, RunRecord(rule_id=ROOT_LOGIN_ID, start="2026-11-23T01:00:00.000Z",
                                      end="2026-11-23T01:01:00.000Z", ran_at="2026-11-23T01:01:00.000Z",
                                      duration_ms=12.5, hits=3, alerts=1))
    at = _rules_page(console, "lan")
    assert at.caption[0].value == "3 luật đã nạp, 0 luật đang tắt" and not at.warning
    table = at.dataframe[0].value
    assert list(table["Tiêu đề"]) == ["SSH authentication failure", "SSH brute force from one address", ROOT_LOGIN]
    row = table[table["Mã"] == ROOT_LOGIN_ID].iloc[0]
    assert (row["Mức độ"], row["Kỹ thuật ATT&CK"], row["Đang bật"]) == ("Trung bình", "T1078.003", "Có")
    assert (row["SQLite"], row["Elasticsearch"]) == ("Đã chuyển đổi", "Đã chuyển đổi")
    last_run = (row["Lần chạy cuối"], row["Thời lượng (ms)"], row["Số sự kiện khớp"])
    assert last_run == ("23/11/2026 08:01", "12.5", "3")
    assert row["Mô tả"].startswith("Đăng nhập SSH thành công trực tiếp vào tài khoản root")
    at.selectbox(key="rules_pick").select(ROOT_LOGIN_ID).run()
    [run] = at.dataframe[2].value.to_dict("records")  # the rule's recent runs, under its YAML
    assert (run["Khoảng thời gian"], run["Số cảnh báo"]) == ("23/11/2026 08:00:00 → 23/11/2026 08:01:00", 1)
    at.sidebar.segmented_control[0].set_value("en").run()
    en = at.dataframe[0].value
    assert en[en["ID"] == ROOT_LOGIN_ID].iloc[0]["Description"].startswith("A successful SSH login straight into")


def test_rule_detail_shows_the_yaml_as_code_and_runs_its_test_events(console):
    at = _rules_page(console, "ha", ROOT_LOGIN_ID)
    [code] = at.code
    yaml_text = (console.rules_dir / "linux/sshd/ssh_root_login.yml").read_text()
    assert code.language == "yaml" and code.value == yaml_text.rstrip("\n")
    fields = dict(at.dataframe[1].value.values.tolist())
    assert fields["Tệp luật"].endswith("linux/sshd/ssh_root_login.yml")
    assert fields["Nhóm sự cố theo"] == "source.ip"
    at.button(key="rules_test").click().run()
    assert [s.value for s in at.success] == ["Mọi sự kiện kiểm thử đều đạt."]
    results = at.dataframe[-1].value
    assert results.values.tolist() == [["sqlite", "Đạt", 4, ""]]  # 2 must match, 2 must not


def test_analyst_and_manager_cannot_edit_or_switch_rules(console):
    for username in ("lan", "ha"):
        at = _rules_page(console, username, ROOT_LOGIN_ID)
        assert not at.text_area and "rules_switch" not in [b.key for b in at.button]
        assert "Sửa luật (YAML)" not in [s.value for s in at.subheader]
    analyst = console.store.get_user("lan")
    with pytest.raises(PermissionDenied):
        data.set_rule_enabled(analyst, ROOT_LOGIN_ID, False)
    with pytest.raises(PermissionDenied):
        data.save_rule(analyst, data.rule(ROOT_LOGIN_ID), "title: x\n")
    assert console.store.list_checkpoints("rule-enabled:") == {}
    assert [e.action for e in console.store.list_audit(None)] == ["auth.login"] * 2


def test_admin_switch_is_audited_and_honoured_by_run_once(console):
    console.store.write_events([_root_login(timedelta(hours=2), 40001)])
    ruleset = load_ruleset([console.rules_dir])
    at = _rules_page(console, "quan", ROOT_LOGIN_ID)
    assert at.button(key="rules_switch").label == "Tắt luật này"
    at.button(key="rules_switch").click().run()
    assert [s.value for s in at.success] == ["Đã tắt luật."]
    assert at.caption[0].value == "3 luật đã nạp, 1 luật đang tắt"
    entry = console.store.list_audit(None)[0]
    assert (entry.actor, entry.action, entry.incident_id, entry.detail) == ("quan", "rule.disable", None,
                                                                            {"rule_id": ROOT_LOGIN_ID})
    summary = run_once(console.store, ruleset, now_utc())
    assert ROOT_LOGIN_ID not in [r.rule_id for r in summary.runs]
    assert console.store.list_incidents(IncidentFilter(rule_id=ROOT_LOGIN_ID)) == []

    at.button(key="rules_switch").click().run()
    assert at.button(key="rules_switch").label == "Tắt luật này"
    assert [e.action for e in console.store.list_audit(None)][:2] == ["rule.enable", "rule.disable"]
    run_once(console.store, ruleset, now_utc())
    [incident] = console.store.list_incidents(IncidentFilter(rule_id=ROOT_LOGIN_ID))
    assert incident.entity == {"source.ip": "10.0.5.5"} and incident.evidence_count == 1
    at.switch_page("views/audit.py").run()
    assert list(at.dataframe[0].value["Thao tác"])[:3] == ["Tạo sự cố", "Bật luật", "Tắt luật"]


def test_invalid_edit_is_refused_with_its_line_and_a_valid_one_is_saved(console):
    path = console.rules_dir / "linux/sshd/ssh_root_login.yml"
    original = path.read_text()
    at = _rules_page(console, "quan", ROOT_LOGIN_ID)
    editor = at.text_area(key=f"rules_yaml_{ROOT_LOGIN_ID}")
    assert editor.value == original
    editor.input(original.replace("  condition: selection", "  condition: selection and\n  - ["))
    at.button(key="rules_save").click().run()
    assert [e.value for e in at.error] == ["Luật không hợp lệ (1 lỗi), chưa được lưu:"]
    problem = at.dataframe[-1].value.iloc[0]
    assert problem["Dòng"] == 24 and problem["Lý do"].startswith("invalid YAML")
    assert path.read_text() == original
    assert "rule.edit" not in [e.action for e in console.store.list_audit(None)]

    edited = original.replace("level: medium", "level: high")
    at.text_area(key=f"rules_yaml_{ROOT_LOGIN_ID}").input(edited)
    at.button(key="rules_validate").click().run()
    assert [s.value for s in at.success] == ["Luật hợp lệ."] and path.read_text() == original
    at.button(key="rules_save").click().run()
    assert [s.value for s in at.success] == ["Đã lưu luật."] and path.read_text() == edited
    entry = console.store.list_audit(None)[0]
    assert (entry.actor, entry.action, entry.detail["rule_ids"]) == ("quan", "rule.edit", [ROOT_LOGIN_ID])
    table = at.dataframe[0].value
    assert table[table["Mã"] == ROOT_LOGIN_ID].iloc[0]["Mức độ"] == "Cao"  # reloaded from the saved file


def test_backtest_shows_hits_per_day_and_per_key_and_raises_nothing(console):
    offsets = [timedelta(days=1, hours=1), timedelta(days=3), timedelta(days=3, minutes=5), timedelta(days=20)]
    events = [_root_login(o, 41000 + n) for n, o in enumerate(offsets)]
    console.store.write_events(events)
    at = _rules_page(console, "lan", ROOT_LOGIN_ID)
    at.number_input(key="rules_days").set_value(7)
    at.button(key="rules_backtest").click().run()
    assert not at.exception
    recent = [e for e in events if parse_ts(e["@timestamp"]) >= now_utc() - timedelta(days=7)]
    days = Counter(parse_ts(e["@timestamp"]).astimezone(LOCAL).strftime("%d/%m/%Y") for e in recent)
    per_day = at.dataframe[-2].value
    assert dict(per_day.values.tolist()) == dict(days) and sum(days.values()) == 3
    assert at.dataframe[-1].value.values.tolist() == [["source.ip=10.0.5.5", 3]]
    assert "3 sự kiện khớp trong 1 cảnh báo" in at.caption[-1].value
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert console.store.list_incidents(IncidentFilter(rule_id=ROOT_LOGIN_ID)) == []


# --- detection runs ---------------------------------------------------------------------------
def test_runs_page_lists_recent_runs_with_errors_first(console):
    ok = RunRecord(rule_id=ROOT_LOGIN_ID, start="2026-11-23T01:00:00.000Z", end="2026-11-23T01:01:00.000Z",
                   ran_at="2026-11-23T01:01:00.000Z", duration_ms=8.0, hits=2, alerts=1, incidents=["INC-1"])
    bad = RunRecord(rule_id=ROOT_LOGIN_ID, start="2026-11-23T01:01:00.000Z", end="2026-11-23T01:02:00.000Z",
                    ran_at="2026-11-23T01:02:00.000Z", duration_ms=3.0, error="StoreError: database is locked")
    save_run(console.store, ok)
    save_run(console.store, bad)
    at = console.login("lan").switch_page("views/runs.py").run()
    assert not at.exception
    assert [e.value for e in at.error] == ["1 lượt chạy bị lỗi:"]
    failed, every = at.dataframe[0].value, at.dataframe[1].value
    assert list(failed["Lỗi khi chạy"]) == ["StoreError: database is locked"]
    assert list(every["Chạy lúc"]) == ["23/11/2026 08:02:00", "23/11/2026 08:01:00"]
    first = every.iloc[1]
    assert (first["Tiêu đề"], first["Số sự kiện khớp"], first["Số sự cố"]) == (ROOT_LOGIN, 2, 1)
    assert first["Khoảng thời gian"] == "23/11/2026 08:00:00 → 23/11/2026 08:01:00"
    at.toggle(key="runs_errors").set_value(True).run()
    assert len(at.dataframe[1].value) == 1


# --- sources ----------------------------------------------------------------------------------
def test_sources_page_shows_source_checkpoints_datasets_and_dead_letters_as_text(console):
    last = now_utc() - timedelta(minutes=20)
    record = {"name": "fortigate-hcm", "type": "syslog", "received": 1500, "parsed": 1490, "stored": 1488,
              "dead_lettered": 10, "dropped": 2, "events_per_second": 12.5,
              "last_event_time": "2026-11-23T02:15:00.000Z", "last_received_at": format_ts(last),
              "expected_interval": 600, "updated_at": format_ts(now_utc()), "stats_interval": 5.0}
    console.store.set_checkpoint("source:fortigate-hcm", json.dumps(record))
    console.store.write_dead_letters([DeadLetter(source="/var/log/fw.log", reason="no parser recognised the line",
                                                 raw=console.xss, offset=4096, at="2026-11-23T02:16:00.000Z")])
    at = console.login("ha").switch_page("views/sources.py").run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["1 nguồn im lặng quá thời gian cho phép."]
    row = at.dataframe[0].value.iloc[0].to_dict()
    assert row == {"Nguồn": "fortigate-hcm", "Loại": "syslog", "Đã nhận": 1500, "Đã lưu": 1488,
                   "Không phân tích được": 10, "Bị bỏ": 2, "Sự kiện/giây": 12.5,
                   "Sự kiện cuối": "23/11/2026 09:15",
                   "Độ trễ": "20 phút", "Im lặng": "Có", "Đang chạy": "Có"}
    assert dict(at.dataframe[1].value.values.tolist()) == {"sshd.auth": 5, "fortigate.traffic": 5, "nginx.access": 2}
    letters = at.dataframe[2].value
    assert letters.iloc[0].to_dict() == {"Thời gian": "23/11/2026 09:16:00", "Nguồn": "/var/log/fw.log",
                                         "Vị trí (offset)": 4096, "Lý do": "no parser recognised the line",
                                         "Bản ghi gốc": console.xss}
    assert "<script" not in _texts(at) and not at.get("html")


# --- posture ----------------------------------------------------------------------------------
def test_posture_figures_equal_counts_from_the_seeded_incidents(console):
    admin = console.store.get_user("quan")
    triage.change_status(console.store, console.id("ssh"), Status.RESOLVED, admin)
    at = console.login("ha").switch_page("views/posture.py").run()
    assert not at.exception
    incidents = console.store.list_incidents()
    open_now = sum(1 for i in incidents if i.status.is_open)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sự cố đang mở"] == str(open_now) == "1"
    by = at.dataframe[0].value.set_index("Mức độ")
    for i in incidents:
        sev, status = f"severity.{i.severity.value}", f"status.{i.status.value}"
        expected = sum(1 for j in incidents if (j.severity, j.status) == (i.severity, i.status))
        assert by.loc[translate("vi", sev), translate("vi", status)] == expected
    assert by["Tổng"].sum() == len(incidents) == 4

    today = now_utc().astimezone(LOCAL).date()
    window = [i for i in incidents if 0 <= (today - parse_ts(i.first_seen).astimezone(LOCAL).date()).days < 30]
    per_day = dict(at.dataframe[1].value.values.tolist())
    assert len(per_day) == 30 and sum(per_day.values()) == len(window)
    for day, n in Counter(parse_ts(i.first_seen).astimezone(LOCAL).strftime("%d/%m/%Y") for i in window).items():
        assert per_day[day] == n
    rules = dict(at.dataframe[2].value.values.tolist())
    assert rules == dict(Counter(i.rule_title for i in window))
    sources = at.dataframe[3].value.values.tolist()
    by_ip = Counter(i.entity["source.ip"] for i in window)
    assert {ip: n for ip, n, _ in sources} == dict(by_ip)
    assert [ip for ip, _, _ in sources][0] == "198.51.100.23"  # two incidents, the others one each
    # one incident closed through the audit trail: from its creation to that close
    [closed] = [e for e in console.store.list_audit(console.id("ssh")) if e.action == "status"]
    hours = (parse_ts(closed.at) - parse_ts(console.incidents["ssh"].created_at)).total_seconds() / 3600
    assert metrics["Thời gian xử lý trung bình"].startswith(f"{int(hours // 24)} ngày")
    assert at.caption[1].value.startswith("Tính trên 1 sự cố đã đóng")
