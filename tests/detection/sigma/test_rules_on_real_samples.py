"""Our rules raise the attacks recorded in the real shared samples, once ingested as `soc ingest` does.

The Windows .evtx files (DeepBlueCLI, EVTX-to-MITRE-Attack, EVTX-ATTACK-SAMPLES), loghub's
OpenSSH_2k.log and crowdsec's web attack lines go into one real SQLite store; one detection run
(`soc detect --once`'s `run_once`) must raise an incident per recorded attack, for the right entity,
with evidence counted from the data itself.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from collectors.ingest import ingest_paths
from detection.engine import run_once
from detection.sigma.compile import load_ruleset
from soc.store.sqlite import SQLiteStore

RULES = Path(__file__).resolve().parents[3] / "rules"
SSH_FAILURE = re.compile(r"(?:Failed password|Invalid user).*? from (\d+\.\d+\.\d+\.\d+)")


@pytest.fixture(scope="module")
def detected(shared_data, tmp_path_factory):
    """(store, ruleset, incidents by rule name) after ingesting every sample and one detection run."""
    files = sorted((shared_data / "evtx").glob("*.evtx"))
    files += [shared_data / "loghub" / "OpenSSH_2k.log", shared_data / "web" / "combined_attacks.log"]
    store = SQLiteStore(tmp_path_factory.mktemp("real") / "soc.db")
    ingest_paths(files, store)
    assert store.count_dead_letters() == 0
    ruleset = load_ruleset([RULES])
    _, last = store.time_bounds()
    summary = run_once(store, ruleset, now=last + timedelta(minutes=5))
    assert summary.errors == []
    names = {r.id: r.name for r in ruleset.rules}
    by_rule: dict[str, list] = {}
    for inc in store.list_incidents():
        by_rule.setdefault(names[inc.rule_id], []).append(inc)
    yield store, by_rule
    store.close()


def entities(by_rule: dict, rule: str, field: str) -> dict[str, int]:
    """Entity value (lowercased) -> evidence count, of one rule's incidents."""
    return {str(i.entity[field]).lower(): i.evidence_count for i in by_rule.get(rule, [])}


def count(store: SQLiteStore, where: str) -> int:
    return sum(1 for _ in store.iter_events(where))


def test_smb_logon_brute_force_4625(detected):
    store, by_rule = detected
    failures = count(store, "`winlog.event_id` = 4625 AND `source.ip` = '192.168.198.149'")
    assert failures == 3561  # PROVENANCE: 3,561 x 4625 from 192.168.198.149
    assert entities(by_rule, "win_brute_force", "source.ip")["192.168.198.149"] == failures


def test_new_user_and_admin_group_membership(detected):
    _, by_rule = detected
    # new-user-security.evtx: IEUser created (4720), then added to Users and Administrators (4732)
    assert entities(by_rule, "win_user_created", "host.name") == {"ie8win7": 1}
    admins = entities(by_rule, "win_user_added_admin_group", "host.name")
    assert admins["ie8win7"] == 1  # Administrators only: Users and the 4728 to 'None' are not privileged
    assert admins["jump01.offsec.lan"] == 2  # Administrators and Backup Operators, not Users


def test_logs_cleared_1102_and_104(detected):
    store, by_rule = detected
    cleared = entities(by_rule, "win_security_log_cleared", "host.name")
    assert {"fs03.offsec.lan", "fs01.offsec.lan", "desktop-jr78rlp"} <= set(cleared)
    system_clears = count(store, "`winlog.event_id` = 104 AND `host.name` = 'fs03.offsec.lan'")
    assert system_clears == 90  # PROVENANCE: 90 x System 104
    assert entities(by_rule, "win_event_log_cleared", "host.name")["fs03.offsec.lan"] == system_clears


def test_service_installs_7045(detected):
    store, by_rule = detected
    installed = entities(by_rule, "win_service_installed", "host.name")
    assert installed["jump01.offsec.lan"] == 1  # PSEXESVC
    assert installed["win-77ltaphiq1r.example.corp"] == count(store, "`winlog.event_id` = 7045 AND `host.name` LIKE 'WIN-77%'") == 3
    assert "jump01.offsec.lan" in entities(by_rule, "win_service_psexec", "host.name")


def test_powershell_download_4104(detected):
    _, by_rule = detected
    downloads = entities(by_rule, "win_ps_download", "host.name")
    assert downloads["fs03vuln.offsec.lan"] >= 1  # Payload download via PowerShell
    assert "msedgewin10" in entities(by_rule, "win_ps_lsass_dump", "host.name")  # MiniDumpWriteDump of LSASS


def test_loghub_ssh_attackers(detected, shared_data):
    _, by_rule = detected
    failures = Counter(SSH_FAILURE.findall((shared_data / "loghub" / "OpenSSH_2k.log").read_text()))
    brute = entities(by_rule, "ssh_brute_force", "source.ip")
    heavy = {ip for ip, n in failures.items() if n >= 20}
    assert len(heavy) == 6 and "183.62.140.253" in heavy
    assert heavy <= set(brute)  # every address with 20+ failures is raised
    assert all(failures[ip] >= 10 for ip in brute)  # and nothing with fewer than the rule's 10
    assert brute["183.62.140.253"] >= 100


def test_web_attacks_sqli_xss_traversal_scanner(detected, shared_data):
    _, by_rule = detected
    lines = (shared_data / "web" / "combined_attacks.log").read_text().splitlines()
    probes = lines[:51]  # crowdsec's sqli (1-16), xss (17-42) and path traversal (43-51) probes
    assert {line.split()[0] for line in probes} == {"127.0.0.1"}
    assert entities(by_rule, "web_sql_injection", "source.ip")["127.0.0.1"] >= 7  # union select, sleep(...
    assert entities(by_rule, "web_xss", "source.ip")["127.0.0.1"] >= 5  # <script, prompt(, javascript:...
    assert entities(by_rule, "web_path_traversal", "source.ip")["127.0.0.1"] >= 9  # every traversal probe
    assert "192.168.1.3" in entities(by_rule, "web_path_traversal", "source.ip")  # FortiOS CVE-2018-13379
    nikto = sum("Nikto" in line for line in lines)
    assert entities(by_rule, "web_scanner_user_agent", "source.ip")["127.0.0.1"] == nikto == 3
