"""Loading: errors carry path and line, nothing is dropped silently, SigmaHQ-shaped rules load
unmodified, correlations and filters are linked, the conversion report lists every failure."""

from __future__ import annotations

from pathlib import Path

from sigmakit import compile_rules

from detection.sigma import conversion_report, load_ruleset
from detection.sigma.attack import from_tags, tactic_name, technique_name
from detection.sigma.compile import seconds

GOOD = """title: Good
id: 0b1c2d3e-0000-4000-8000-000000000001
name: good
logsource: {category: webserver}
detection:
  sel:
    url.original|contains: '/etc/passwd'
  condition: sel
level: high
tags: [attack.initial-access, attack.t1190]
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def test_bad_yaml_and_bad_rules_become_path_line_errors(tmp_path):
    d = tmp_path / "r"
    write(d, "good.yml", GOOD)
    write(d, "broken.yml", "title: x\nlogsource:\n  category: webserver\n detection: [\n")
    write(d, "modifier.yml", GOOD.replace("name: good", "name: m").replace("0001", "0002").replace("|contains", "|contians"))
    write(d, "nocondition.yml", "title: y\nid: 0b1c2d3e-0000-4000-8000-000000000003\nlogsource: {category: webserver}\n"
                                 "detection:\n  sel:\n    url.path: /x\nlevel: low\n")
    write(d, "list.yml", "- just\n- a list\n")
    rs = load_ruleset([d])
    assert [r.name for r in rs.rules] == ["good"]
    errors = dict(rs.errors)
    assert errors[f"{d / 'broken.yml'}:4"].startswith("invalid YAML")
    assert errors[f"{d / 'modifier.yml'}:7"] == "Unknown modifier 'contians'"
    assert any(k.startswith(f"{d / 'nocondition.yml'}:") and "condition" in v.lower() for k, v in errors.items())
    assert errors[f"{d / 'list.yml'}:1"] == "a Sigma rule must be a YAML mapping"
    assert len(rs.errors) == 4


def test_tests_files_are_not_rules_and_env_chooses_folders(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    write(a, "good.yml", GOOD)
    write(a, "good.tests.yml", "match:\n  - {url.original: /etc/passwd}\n")
    write(b, "other.yaml", GOOD.replace("name: good", "name: other").replace("0001", "0009"))
    monkeypatch.setenv("SOC_RULES", f"{a}:{b}")
    rs = load_ruleset()
    assert sorted(r.name for r in rs.rules) == ["good", "other"] and rs.errors == []


def test_missing_folder_and_duplicate_ids_are_reported(tmp_path):
    d = tmp_path / "r"
    write(d, "one.yml", GOOD)
    write(d, "two.yml", GOOD.replace("title: Good", "title: Copy"))
    rs = load_ruleset([d, tmp_path / "nope"])
    assert [r.title for r in rs.rules] == ["Good"]
    reasons = [why for _, why in rs.errors]
    assert any("duplicate rule id 0b1c2d3e-0000-4000-8000-000000000001" in w for w in reasons)
    assert (str(tmp_path / "nope"), "rule folder does not exist") in rs.errors


def test_metadata_attack_custom_and_default_grouping(tmp_path):
    rs = compile_rules(tmp_path, GOOD.replace("level: high", "level: high\ndescription_vi: Tệp hệ thống\ninterval: 5m\nenabled: false"))
    r = rs.rules[0]
    assert (r.attack_techniques, r.attack_tactics) == (["T1190"], ["initial-access"])
    assert r.description_vi == "Tệp hệ thống" and r.custom["description_vi"] == "Tệp hệ thống"
    assert r.interval_seconds == 300 and r.enabled is False
    assert r.group_by == ["source.ip"]  # webserver stream implies the client address
    assert r.level.value == "high"


def test_attack_tags_and_names():
    assert from_tags(["attack.t1110.001", "attack.credential_access", "attack.T1110.001", "car.2013-04-002"]) == (
        ["T1110.001"], ["credential-access"])
    assert technique_name("T1110.001") == "Password Guessing"
    assert tactic_name("credential-access") == "Credential Access"
    assert (seconds("30s"), seconds("2h"), seconds(45), seconds("soon")) == (30, 7200, 45, 60)


SIGMAHQ_KEYWORDS = """title: Suspicious OpenSSH Daemon Error
id: e76b413a-83d0-4b94-8e4c-85db4a5b8bdc
status: test
description: Detects suspicious SSH / SSHD error keywords that indicate strange behavior
references:
    - https://github.com/openssh/openssh-portable/blob/master/ssherr.c
author: Florian Roth (Nextron Systems)
date: 2017-06-30
modified: 2021-11-27
tags:
    - attack.initial-access
    - attack.t1190
logsource:
    product: linux
    service: sshd
detection:
    keywords:
        - 'unexpected internal error'
        - 'unknown or unsupported key type'
        - 'invalid certificate signing key'
        - 'invalid elliptic curve value'
    condition: keywords
falsepositives:
    - Unknown
level: medium
"""

SIGMAHQ_WINDOWS = """title: Suspicious Encoded PowerShell Command Line
id: ca2092a1-c273-4878-9b4b-0d60115bf5ea
status: test
description: Detects suspicious powershell process starts with base64 encoded commands
author: Florian Roth (Nextron Systems), Markus Neis
date: 2018-09-03
tags:
    - attack.execution
    - attack.t1059.001
logsource:
    category: process_creation
    product: windows
detection:
    selection_img:
        - Image|endswith: '\\\\powershell.exe'
        - OriginalFileName: 'PowerShell.EXE'
    selection_cli_enc:
        CommandLine|contains|windash: ' -e'
    condition: all of selection_*
level: high
"""

SIGMAHQ_SECURITY = """title: Security Eventlog Cleared
id: d99b79d2-0a6f-4f46-ad8b-260b6e17f982
status: test
description: One of the Windows Eventlogs has been cleared
author: Florian Roth (Nextron Systems)
date: 2017-01-10
tags:
    - attack.defense-evasion
    - attack.t1070.001
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 517
            - 1102
        Provider_Name: Microsoft-Windows-Eventlog
    condition: selection
level: high
"""

SIGMAHQ_CLOUD = """title: AWS CloudTrail Important Change
id: 4db60cc0-36fb-42b7-9b58-a5b53019fb74
status: test
description: Detects disabling, deleting and updating of a Trail
author: vitaliy0x1
date: 2020-01-21
tags:
    - attack.defense-evasion
    - attack.t1562.001
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName:
            - StopLogging
            - UpdateTrail
    condition: selection
level: medium
"""


def test_sigmahq_shaped_rules_load_unmodified(tmp_path):
    d = tmp_path / "sigmahq" / "rules"
    write(d / "linux" / "builtin" / "sshd", "lnx_sshd_susp_ssh.yml", SIGMAHQ_KEYWORDS)
    write(d / "windows" / "process_creation", "proc_creation_win_powershell_enc.yml", SIGMAHQ_WINDOWS)
    write(d / "windows" / "builtin" / "security", "win_security_event_log_cleared.yml", SIGMAHQ_SECURITY)
    write(d / "cloud" / "aws", "aws_cloudtrail_disable_logging.yml", SIGMAHQ_CLOUD)
    rs = load_ruleset([tmp_path / "sigmahq"])
    assert rs.errors == []
    by_title = {r.title: r for r in rs.rules}
    kw = by_title["Suspicious OpenSSH Daemon Error"]
    assert "`message` LIKE '%unexpected internal error%'" in kw.queries["sqlite"]
    enc = by_title["Suspicious Encoded PowerShell Command Line"]
    assert "`process.executable` LIKE '%\\\\powershell.exe'" in enc.queries["sqlite"]
    assert "`process.pe.original_file_name`='PowerShell.EXE'" in enc.queries["sqlite"]
    sec = by_title["Security Eventlog Cleared"].queries["sqlite"]
    assert "`winlog.channel`='Security'" in sec and "`winlog.event_id`=1102" in sec
    assert "`winlog.provider_name`='Microsoft-Windows-Eventlog'" in sec
    cloud = by_title["AWS CloudTrail Important Change"]
    assert cloud.queries == {}
    assert set(cloud.errors) == {"sqlite", "elasticsearch"}
    assert "log source {product: aws, service: cloudtrail} is not collected" in cloud.errors["sqlite"]

    report = conversion_report(rs)
    for dialect in ("sqlite", "elasticsearch"):
        assert report[dialect]["total"] == 4 and report[dialect]["converted"] == 3
        [failed] = report[dialect]["failed"]
        assert failed["rule"].startswith("AWS CloudTrail Important Change (") and "not collected" in failed["reason"]


def test_report_counts_load_errors_as_failures(tmp_path):
    d = tmp_path / "r"
    write(d, "good.yml", GOOD)
    write(d, "bad.yml", "title: [unclosed\n")
    report = conversion_report(load_ruleset([d]))
    assert report["sqlite"]["total"] == 2 and report["sqlite"]["converted"] == 1
    [failed] = report["sqlite"]["failed"]
    assert failed["rule"] == f"{d / 'bad.yml'}:2"  # where YAML saw the flow sequence left open
    assert failed["reason"].startswith("invalid YAML: expected ',' or ']'")


CORR_BASE = """title: Failed SSH
id: 0b1c2d3e-0000-4000-8000-0000000000a1
name: failed_ssh
logsource: {product: linux, service: sshd}
detection:
  sel: {event.outcome: failure}
  condition: sel
level: low
"""

CORR_COUNT = """title: Many failures
id: 0b1c2d3e-0000-4000-8000-0000000000a2
name: many_failures
correlation:
  type: value_count
  rules: [failed_ssh]
  group-by: [source.ip]
  timespan: 10m
  condition: {gte: 5, field: user.name}
level: high
"""

CORR_TEMPORAL = """title: Success after failures
id: 0b1c2d3e-0000-4000-8000-0000000000a4
correlation:
  type: temporal_ordered
  rules: [many_failures, ok_ssh]
  group-by: [source.ip]
  timespan: 1h
level: critical
"""

CORR_OK = """title: Good SSH
id: 0b1c2d3e-0000-4000-8000-0000000000a3
name: ok_ssh
logsource: {product: linux, service: sshd}
detection:
  sel: {event.outcome: success}
  condition: sel
level: low
"""


def test_correlations_are_mapped_to_the_model(tmp_path):
    rs = compile_rules(tmp_path, CORR_BASE, CORR_COUNT, CORR_OK, CORR_TEMPORAL)
    assert rs.errors == []
    count, temporal = rs.by_ref("many_failures"), rs.by_ref("0b1c2d3e-0000-4000-8000-0000000000a4")
    c = count.correlation
    assert (c.type, c.rule_refs, c.group_by, c.timespan_seconds) == ("value_count", ["failed_ssh"], ["source.ip"], 600)
    assert (c.condition.op, c.condition.value, c.condition.field) == ("gte", 5.0, "user.name")
    assert count.queries == {} and count.errors == {} and count.generate is True
    assert {"source.ip", "user.name", "event.outcome", "event.dataset"} <= set(count.fields)
    t = temporal.correlation
    assert (t.type, t.rule_refs, t.timespan_seconds, t.condition) == ("temporal_ordered", ["many_failures", "ok_ssh"], 3600, None)
    assert rs.by_ref("failed_ssh").generate is False and rs.by_ref("ok_ssh").generate is False
    assert rs.by_ref("failed_ssh").queries["sqlite"].endswith("`event.outcome`='failure'")
    report = conversion_report(rs)
    assert report["sqlite"]["converted"] == 4 and report["sqlite"]["failed"] == []


def test_correlation_with_unknown_reference_is_an_error(tmp_path):
    rs = compile_rules(tmp_path, CORR_COUNT)
    assert rs.rules == []
    [(where, why)] = rs.errors
    assert where.endswith("rule.yml:1") and "failed_ssh" in why


def test_sigmahq_correlation_group_by_is_mapped_to_ecs(tmp_path):
    base = SIGMAHQ_SECURITY.replace("title: Security Eventlog Cleared", "title: Logon failure\nname: win_fail").replace(
        "EventID:\n            - 517\n            - 1102\n        Provider_Name: Microsoft-Windows-Eventlog", "EventID: 4625")
    corr = ("title: Windows brute force\nid: 0b1c2d3e-0000-4000-8000-0000000000b2\ncorrelation:\n  type: event_count\n"
            "  rules: [win_fail]\n  group-by: [IpAddress, TargetUserName]\n  timespan: 5m\n  condition: {gte: 10}\nlevel: high\n")
    rs = compile_rules(tmp_path, base, corr)
    assert rs.errors == []
    assert rs.by_ref("0b1c2d3e-0000-4000-8000-0000000000b2").correlation.group_by == ["source.ip", "winlog.event_data.TargetUserName"]


FILTER = """title: Allow the monitoring host
id: 0b1c2d3e-0000-4000-8000-0000000000f1
logsource: {category: webserver}
filter:
  rules: [good]
  selection:
    source.ip: 10.9.9.9
  condition: not selection
"""


def test_filters_are_anded_into_their_rules(tmp_path, sqlite_store):
    d = tmp_path / "r"
    write(d, "good.yml", GOOD)
    write(d / "filters", "allow.yml", FILTER)
    rs = load_ruleset([d])
    [r] = rs.rules
    assert r.custom["filters"] == ["0b1c2d3e-0000-4000-8000-0000000000f1"]
    assert "NOT COALESCE((`source.ip`='10.9.9.9'), 0)" in r.queries["sqlite"]
    assert "NOT source.ip:10.9.9.9" in r.queries["elasticsearch"]
    from sigmakit import events

    evs = events({"event.dataset": "nginx.access", "source.ip": "10.9.9.9", "url.original": "/../etc/passwd"},
                 {"event.dataset": "nginx.access", "source.ip": "10.9.9.8", "url.original": "/../etc/passwd"})
    sqlite_store.write_events(evs)
    assert [e["source.ip"] for e in sqlite_store.iter_events(r.queries["sqlite"])] == ["10.9.9.8"]
