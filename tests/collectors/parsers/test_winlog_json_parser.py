"""Windows event JSON parser: real EVTX records (rendered by the evtx package), Winlogbeat and NXLog shapes."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest
from evtx import PyEvtxParser

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError


def _records(path):
    return [r["data"] for r in PyEvtxParser(str(path)).records_json()]


def _events(path):
    parser, ctx = get_parser("winlog_json"), ParseContext()
    return [parser.parse(r, ctx) for r in _records(path)]


def test_smb_bruteforce_4625(shared_data):
    events = _events(shared_data / "evtx" / "bruteforce_smb_4625.evtx")
    assert len(events) == 3561
    assert all((e["event.dataset"], e["winlog.event_id"], e["event.action"], e["event.outcome"]) ==
               ("windows.security", 4625, "logon-failed", "failure") for e in events)
    assert Counter(e["source.ip"] for e in events) == {"192.168.198.149": 3561}
    assert {e["winlog.event_data.LogonType"] for e in events} == {"3"}
    first = events[0]
    assert first["@timestamp"] == "2016-09-19T16:50:06.477Z"
    assert (first["host.name"], first["winlog.channel"], first["winlog.record_id"]) == ("DESKTOP-M5SN04R", "Security", 2455)
    assert (first["source.port"], first["winlog.event_data.Status"]) == (50249, "0xc000006d")
    orjson.dumps(first)


def test_account_group_service_and_log_clearing(shared_data):
    created = _events(shared_data / "evtx" / "new_user_admin_group_4720_4728_4732.evtx")
    assert Counter(e["event.action"] for e in created if "event.action" in e)["added-member-to-group"] == 3
    user = next(e for e in created if e["winlog.event_id"] == 4720)
    # ECS: user.* is who acted, user.target.* the account created
    assert user["event.category"] == ["iam"] and user["user.target.name"] == user["winlog.event_data.TargetUserName"]
    assert user["user.name"] == user["winlog.event_data.SubjectUserName"]
    service = [e for e in _events(shared_data / "evtx" / "service_install_psexec_7045.evtx") if e["winlog.event_id"] == 7045]
    assert service[0]["service.name"] == "PSEXESVC" and service[0]["event.dataset"] == "windows.system"
    cleared = _events(shared_data / "evtx" / "eventlog_cleared_104_1102.evtx")
    assert Counter(e["winlog.event_id"] for e in cleared) == {104: 90, 1102: 1}
    c104 = next(e for e in cleared if e["winlog.event_id"] == 104)
    assert c104["winlog.user_data.SubjectUserName"] == "admmig" and c104["user.name"] == "admmig"


def test_powershell_and_sysmon(shared_data):
    ps = _events(shared_data / "evtx" / "powershell_invoke_obfuscation_4104.evtx")
    assert len(ps) == 302 and all(e["event.dataset"] == "windows.powershell" for e in ps)
    assert all(e["powershell.file.script_block_text"] for e in ps)
    lsass = _events(shared_data / "evtx" / "sysmon_10_lsass_mimikatz.evtx")[0]
    assert (lsass["event.dataset"], lsass["winlog.event_id"], lsass["event.action"]) == (
        "windows.sysmon", 10, lsass["event.action"])
    assert lsass["event.action"]
    assert lsass["winlog.event_data.TargetImage"].lower().endswith("lsass.exe")
    msf = _events(shared_data / "evtx" / "sysmon_metasploit.evtx")
    procs = [e for e in msf if e["winlog.event_id"] == 1]
    assert len(procs) == 33 and all(e["process.executable"] and "process.command_line" in e for e in procs)


def test_winlogbeat_and_nxlog_shapes_agree():
    winlogbeat = orjson.dumps({
        "@timestamp": "2024-01-31T03:00:00.000Z", "message": "An account failed to log on.",
        "winlog": {"event_id": 4625, "channel": "Security", "provider_name": "Microsoft-Windows-Security-Auditing",
                   "computer_name": "DC01.so.gov.vn", "record_id": 99,
                   "event_data": {"TargetUserName": "admin", "IpAddress": "203.0.113.7", "IpPort": "4242",
                                  "LogonType": "3"}}}).decode()
    nxlog = orjson.dumps({
        "EventTime": "2024-01-31 10:00:00", "Hostname": "DC01.so.gov.vn", "EventID": 4625, "Channel": "Security",
        "SourceName": "Microsoft-Windows-Security-Auditing", "RecordNumber": 99, "Message": "An account failed to log on.",
        "TargetUserName": "admin", "IpAddress": "203.0.113.7", "IpPort": "4242", "LogonType": "3"}).decode()
    parser = get_parser("winlogbeat")
    a, b = parser.parse(winlogbeat, ParseContext()), parser.parse(nxlog, ParseContext())  # NXLog time is local (UTC+7)
    strip = lambda e: {k: v for k, v in e.items() if k != "log.original"}  # noqa: E731
    assert strip(a) == strip(b)
    assert (a["@timestamp"], a["user.name"], a["source.ip"], a["source.port"], a["event.outcome"]) == (
        "2024-01-31T03:00:00.000Z", "admin", "203.0.113.7", 4242, "failure")
    assert detect_format([winlogbeat, nxlog]) == "winlog_json"


def test_bad_windows_json():
    parser = get_parser("winlog_json")
    with pytest.raises(ParseError, match="neither"):
        parser.parse('{"foo": 1}', ParseContext())
    with pytest.raises(ParseError, match="without EventID"):
        parser.parse('{"Event": {"System": {"Channel": "Security"}}}', ParseContext())
    with pytest.raises(ParseError, match="invalid JSON"):
        parser.parse('{"Event": ', ParseContext())
