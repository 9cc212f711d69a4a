"""The .evtx reader on every real sample in shared/data/evtx: counts per EventID from PROVENANCE.md,
named ECS fields of specific records, corrupt records reported without stopping the file."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.sources.evtx import BadRecord, read_evtx
from collectors.winlog_ecs import dataset_for, winlog_to_ecs
from soc.events import event_id

# file -> {EventID: count}, as listed in shared/data/PROVENANCE.md (and read from the files)
EXPECTED_IDS = {
    "bruteforce_smb_4625.evtx": {4625: 3561},
    "password_spray_4648.evtx": {4648: 294, 1102: 1},
    "bruteforce_openssh_nonexistent_users_4625.evtx": {
        4625: 5, 4776: 5, 4624: 1, 4648: 1, 4672: 1, 4688: 2, 1102: 1, 4717: 1, 4718: 1, 4673: 1, 4627: 1},
    "bruteforce_kerberos_4771.evtx": {4771: 54},
    "new_user_admin_group_4720_4728_4732.evtx": {4720: 1, 4728: 1, 4732: 2},
    "user_added_local_admins_4732.evtx": {4732: 3},
    "service_install_psexec_7045.evtx": {7045: 1, 7036: 2, 104: 1},
    "service_install_remote_7045.evtx": {7045: 3},
    "powershell_payload_download_4103_4104.evtx": {4104: 2, 4103: 1},
    "powershell_minidump_lsass_4104.evtx": {4104: 1, 40961: 1, 40962: 1, 53504: 1},
    "powershell_invoke_obfuscation_4104.evtx": {4104: 302},
    "eventlog_cleared_104_1102.evtx": {104: 90, 1102: 1},
    "scheduled_task_4698_4699.evtx": {4698: 1, 4699: 1},
    "sysmon_10_lsass_mimikatz.evtx": {10: 1},
    "sysmon_metasploit.evtx": {1: 33, 10: 16, 13: 3, 11: 2, 8: 2, 3: 1, 22: 1, 27: 1},
}


def _read(shared_data: Path, name: str) -> list[dict]:
    errors: list[BadRecord] = []
    events = list(read_evtx(shared_data / "evtx" / name, errors))
    assert errors == []
    return events


@pytest.mark.parametrize("name", sorted(EXPECTED_IDS))
def test_every_record_of_every_sample_becomes_one_event(shared_data, name):
    events = _read(shared_data, name)
    assert Counter(e["winlog.event_id"] for e in events) == EXPECTED_IDS[name]
    path = str((shared_data / "evtx" / name).resolve())
    for e in events:
        assert e["event.code"] == str(e["winlog.event_id"])
        assert e["event.id"] == event_id(path, e["winlog.record_id"])
        assert e["@timestamp"].endswith("Z") and len(e["@timestamp"]) == 24
        assert e["host.name"] == e["winlog.computer_name"]
        assert e["event.dataset"] == dataset_for(e["winlog.channel"])
        assert json.loads(e["log.original"])["Event"]["System"]["EventRecordID"] == e["winlog.record_id"]
    assert len({e["event.id"] for e in events}) == len(events)


def test_smb_password_guessing_4625(shared_data):
    events = _read(shared_data, "bruteforce_smb_4625.evtx")
    assert all(e["source.ip"] == "192.168.198.149" for e in events)
    assert all(e["winlog.event_data.LogonType"] == "3" for e in events)
    assert all((e["event.action"], e["event.outcome"]) == ("logon-failed", "failure") for e in events)
    assert all(e["event.category"] == ["authentication"] and e["event.dataset"] == "windows.security" for e in events)
    # every guess but the first (a random probe name) targets Administrator
    assert Counter(e["user.name"] for e in events) == {"Administrator": 3560, "JcDfcZTc": 1}
    first, last = events[0], events[-1]
    assert (first["@timestamp"], first["winlog.record_id"], first["source.port"]) == (
        "2016-09-19T16:50:06.477Z", 2455, 50249)
    assert last["@timestamp"] == "2016-09-19T16:52:49.399Z"  # 2m43s of guessing
    assert first["winlog.event_data.SubStatus"] == "0xc0000064"
    assert first["winlog.logon.type"] == "Network"
    assert first["winlog.provider_name"] == "Microsoft-Windows-Security-Auditing"


def test_new_user_and_group_membership(shared_data):
    by_id = {e["winlog.event_id"]: e for e in _read(shared_data, "new_user_admin_group_4720_4728_4732.evtx")}
    created = by_id[4720]
    assert created["event.action"] == "user-account-created"
    assert created["user.target.name"] == "IEUser" == created["winlog.event_data.SamAccountName"]
    assert created["user.name"] == "WIN-QALA5Q3KJ43$"
    assert by_id[4728]["event.action"] == "added-member-to-group"
    groups = [e for e in _read(shared_data, "new_user_admin_group_4720_4728_4732.evtx") if e["winlog.event_id"] == 4732]
    assert [g["group.name"] for g in groups] == ["Users", "Administrators"]
    assert all(g["user.target.id"] == created["winlog.event_data.TargetSid"] for g in groups)
    admins = _read(shared_data, "user_added_local_admins_4732.evtx")
    assert [e["group.name"] for e in admins] == ["Users", "Administrators", "Backup Operators"]
    assert {e["user.name"] for e in admins} == {"admmig"}


def test_log_cleared_1102_and_104(shared_data):
    events = _read(shared_data, "eventlog_cleared_104_1102.evtx")
    (sec,) = [e for e in events if e["winlog.event_id"] == 1102]
    assert sec["event.dataset"] == "windows.security"
    assert sec["event.action"] == "audit-log-cleared"
    system = [e for e in events if e["winlog.event_id"] == 104]
    assert {e["event.dataset"] for e in system} == {"windows.system"}
    assert {e["event.action"] for e in system} == {"audit-log-cleared"}
    assert {e["user.name"] for e in system} == {"admmig"}
    assert "winlog.event_data.Channel" in system[0]  # UserData fields land in event_data


def test_psexec_service_install_7045(shared_data):
    events = _read(shared_data, "service_install_psexec_7045.evtx")
    (svc,) = [e for e in events if e["winlog.event_id"] == 7045]
    assert svc["service.name"] == "PSEXESVC"
    assert svc["winlog.event_data.ImagePath"] == "%SystemRoot%\\PSEXESVC.exe"
    assert svc["event.action"] == "service-installed"
    assert svc["winlog.channel"] == "System" and svc["event.dataset"] == "windows.system"
    remote = _read(shared_data, "service_install_remote_7045.evtx")
    assert [e["service.name"] for e in remote][0] == "spoolfool"


def test_powershell_4104_download_cradle(shared_data):
    events = _read(shared_data, "powershell_payload_download_4103_4104.evtx")
    blocks = [e for e in events if e["winlog.event_id"] == 4104]
    download = [e for e in blocks if "downloadString" in e["powershell.file.script_block_text"]]
    assert len(download) == 1
    (ev,) = download
    assert "IEX(New-Object Net.WebClient).downloadString('https://miro.medium.com/" in ev["message"]
    assert ev["event.dataset"] == "windows.powershell"
    assert ev["winlog.event_data.ScriptBlockText"] == ev["powershell.file.script_block_text"]
    (module,) = [e for e in events if e["winlog.event_id"] == 4103]
    assert module["user.name"] == "admmig" and "downloadString" in module["message"]
    lsass = [e for e in _read(shared_data, "powershell_minidump_lsass_4104.evtx") if e["winlog.event_id"] == 4104]
    assert "MiniDumpWriteDump" in lsass[0]["powershell.file.script_block_text"]
    assert lsass[0]["file.path"] == "C:\\Users\\Public\\lsass_wer_ps.ps1"


def test_sysmon_lsass_access_and_process_creation(shared_data):
    (ev,) = _read(shared_data, "sysmon_10_lsass_mimikatz.evtx")
    assert ev["event.dataset"] == "windows.sysmon"
    assert ev["winlog.event_data.TargetImage"].lower().endswith("\\lsass.exe")
    assert ev["winlog.event_data.GrantedAccess"] == "0x1010"
    assert ev["process.name"] == "mimikatz.exe" and ev["process.pid"] == 3588
    events = _read(shared_data, "sysmon_metasploit.evtx")
    first = events[0]
    assert first["winlog.event_id"] == 1
    assert first["process.executable"] == "C:\\Windows\\System32\\wevtutil.exe"
    assert first["process.command_line"] == '"C:\\WINDOWS\\system32\\wevtutil.exe" cl security'
    assert first["process.pid"] == 9044 and first["winlog.event_data.ProcessId"] == "9044"
    assert first["process.parent.name"] == "powershell.exe"
    assert first["process.hash.md5"] == "53748b0cd4c78af5ef1d4e77f3c873af"
    assert (first["user.domain"], first["user.name"]) == ("VALKYRIE", "fgaeta")
    (conn,) = [e for e in events if e["winlog.event_id"] == 3]
    assert (conn["source.ip"], conn["destination.ip"], conn["destination.port"]) == (
        "192.168.37.237", "192.168.37.203", 8080)
    assert conn["winlog.event_data.Initiated"] == "true"
    lsass = [e for e in events if e["winlog.event_id"] == 10 and e["winlog.event_data.TargetImage"].endswith("lsass.exe")]
    assert any(e["process.name"] == "hello.exe" for e in lsass)


def test_security_4688_process_and_kerberos_4771(shared_data):
    events = _read(shared_data, "bruteforce_openssh_nonexistent_users_4625.evtx")
    procs = [e for e in events if e["winlog.event_id"] == 4688]
    assert procs[0]["process.executable"] == "C:\\Program Files\\OpenSSH-Win64\\sshd.exe"
    assert procs[0]["process.pid"] == 0x16D8
    assert procs[0]["process.command_line"].endswith("sshd.exe\" -R")
    failed = [e for e in events if e["winlog.event_id"] == 4625]
    assert {e["winlog.event_data.LogonType"] for e in failed} == {"8"}
    assert all("source.ip" not in e for e in failed)  # IpAddress is "-"
    krb = _read(shared_data, "bruteforce_kerberos_4771.evtx")
    assert {(e["user.name"], e["source.ip"]) for e in krb} >= {("admin-hacker", "10.23.123.11")}
    assert {e["event.outcome"] for e in krb} == {"failure"}


def test_password_spray_4648_targets(shared_data):
    events = [e for e in _read(shared_data, "password_spray_4648.evtx") if e["winlog.event_id"] == 4648]
    assert len({e["user.name"] for e in events}) > 40
    assert {e["user.effective.name"] for e in events} == {"jwrig"}
    assert {e["destination.ip"] for e in events} == {"172.16.144.128"}


def test_corrupt_record_is_reported_and_the_rest_is_read(shared_data, tmp_path):
    data = bytearray((shared_data / "evtx" / "bruteforce_smb_4625.evtx").read_bytes())
    chunk2 = 4096 + 65536
    records = [i for i in range(chunk2, chunk2 + 65536) if data[i:i + 4] == b"**\x00\x00"]
    start = records[10] + 24 + 30  # inside the 11th record's XML body
    data[start:start + 30] = b"\xff" * 30
    bad = tmp_path / "corrupt.evtx"
    bad.write_bytes(bytes(data))
    errors: list[BadRecord] = []
    events = list(read_evtx(bad, errors))
    assert len(events) == 3560
    (err,) = errors
    assert err.path == str(bad.resolve()) and "record" in err.reason


def test_a_file_that_is_not_evtx_raises_nothing(tmp_path):
    f = tmp_path / "fake.evtx"
    f.write_bytes(b"this is not an event log\n" * 100)
    errors: list[BadRecord] = []
    assert list(read_evtx(f, errors)) == []
    assert len(errors) == 1 and "EVTX" in errors[0].reason


def test_mapping_accepts_winlogbeat_json_values():
    """The shared mapping as the JSON parser calls it: typed values, 7-digit fractions, a datetime."""
    ev = winlog_to_ecs("Security", 4625, "Microsoft-Windows-Security-Auditing", "DC1", 7,
                       {"TargetUserName": "bob", "IpAddress": "::ffff:10.0.0.5", "IpPort": "-", "LogonType": 10,
                        "Flag": True, "Empty": None}, "2024-01-02T03:04:05.1234567Z")
    assert ev["@timestamp"] == "2024-01-02T03:04:05.123Z"
    assert (ev["user.name"], ev["source.ip"]) == ("bob", "10.0.0.5") and "source.port" not in ev
    assert ev["winlog.event_data.LogonType"] == "10" and ev["winlog.logon.type"] == "RemoteInteractive"
    assert ev["winlog.event_data.Flag"] == "true" and "winlog.event_data.Empty" not in ev
    other = winlog_to_ecs("Microsoft-Windows-TaskScheduler/Operational", 106, "x", "h", None, {},
                          datetime(2024, 1, 2, 10, 0, tzinfo=timezone.utc))
    assert other["event.dataset"] == "windows.microsoft_windows_taskscheduler_operational"
    assert other["@timestamp"] == "2024-01-02T10:00:00.000Z" and "winlog.record_id" not in other


def test_soc_ingest_stores_evtx_records_once_and_dead_letters_corrupt_ones(shared_data, sqlite_store, tmp_path):
    from collectors.binary import binary_reader
    from collectors.ingest import ingest_paths

    path = shared_data / "evtx" / "new_user_admin_group_4720_4728_4732.evtx"
    assert binary_reader(path).name == "evtx"
    (first,) = ingest_paths([path], sqlite_store)
    assert (first.format, first.stats.read, first.stats.stored) == ("evtx", 4, 4)
    (again,) = ingest_paths([path], sqlite_store, fmt="sshd")  # binary content is never read as lines
    assert (again.format, again.stats.stored, again.stats.duplicates) == ("evtx", 0, 4)
    assert sqlite_store.count("`winlog.event_id` = 4732") == 2
    data = bytearray((shared_data / "evtx" / "bruteforce_smb_4625.evtx").read_bytes())
    chunk2 = 4096 + 65536
    record = [i for i in range(chunk2, chunk2 + 65536) if data[i:i + 4] == b"**\x00\x00"][10]
    data[record + 54:record + 84] = b"\xff" * 30
    bad = tmp_path / "corrupt.evtx"
    bad.write_bytes(bytes(data))
    (res,) = ingest_paths([bad], sqlite_store)
    assert (res.stats.read, res.stats.stored, res.stats.dead_lettered) == (3561, 3560, 1)
    (dl,) = sqlite_store.list_dead_letters()
    assert dl.source == str(bad.resolve()) and "record" in dl.reason


_SMALL = "new_user_admin_group_4720_4728_4732.evtx"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_damage_never_raises(shared_data, tmp_path, data):
    raw = bytearray((shared_data / "evtx" / _SMALL).read_bytes())
    for _ in range(data.draw(st.integers(1, 20))):
        pos = data.draw(st.integers(0, 4096 + 8192))  # header, chunk header and the records
        raw[pos] = data.draw(st.integers(0, 255))
    f = tmp_path / "damaged.evtx"
    f.write_bytes(bytes(raw))
    errors: list[BadRecord] = []
    events = list(read_evtx(f, errors))
    assert len(events) <= 4
    assert all(isinstance(e["winlog.event_id"], int) for e in events)


_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                       max_leaves=6)
_names = st.sampled_from(["TargetUserName", "SubjectUserName", "IpAddress", "IpPort", "LogonType", "NewProcessId",
                          "ProcessId", "ProcessName", "CommandLine", "Image", "User", "Hashes", "SourceIp",
                          "SourcePort", "DestinationIp", "Initiated", "ScriptBlockText", "MessageNumber",
                          "MessageTotal", "ContextInfo", "Payload", "ServiceName", "Status", "MemberName",
                          "QueryName", "TargetFilename", "TargetObject", "Protocol"]) | st.text(max_size=10)


@settings(max_examples=300, deadline=None)
@given(channel=st.sampled_from(["Security", "System", "Microsoft-Windows-Sysmon/Operational",
                                "Microsoft-Windows-PowerShell/Operational", "Application", ""]),
       eid=st.sampled_from([1, 3, 8, 10, 11, 13, 22, 104, 1102, 4103, 4104, 4624, 4625, 4648, 4688, 4720,
                            4732, 4771, 4776, 7045, 0]),
       event_data=st.dictionaries(_names, _values, max_size=8))
def test_mapping_never_raises_on_any_event_data(channel, eid, event_data):
    ev = winlog_to_ecs(channel, eid, "p", "h", 1, event_data, "2024-01-02T03:04:05Z")
    assert ev["winlog.event_id"] == eid
    assert all(isinstance(v, str) for k, v in ev.items() if k.startswith("winlog.event_data."))
