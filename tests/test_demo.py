"""The whole path on the embedded store, as `make demo` runs it: every injected attack of the
simulator's ground truth raises an incident, and benign traffic raises none."""

import json
import os
import subprocess
import sys


def test_headless_demo_matches_ground_truth(tmp_path):
    env = dict(os.environ, SOC_HOME=str(tmp_path))
    env.pop("SOC_STORE", None)
    proc = subprocess.run([sys.executable, "-m", "soc.cli", "demo", "--headless", "--json", "--days", "3", "--seed", "11"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    truth = json.loads((tmp_path / "demo-logs" / "ground_truth.json").read_text())
    assert summary["attacks"] == len(truth) >= 5
    assert {a["kind"] for a in truth} >= {"ssh_bruteforce", "ssh_login_after_bruteforce", "sqli_scan", "port_scan"}
    assert summary["missed"] == []
    assert summary["attacks_detected"] == len(truth)
    assert summary["incidents_from_benign_sources"] == []
    assert summary["dead_letters"] == 0
    assert set(summary["events_per_dataset"]) >= {"fortigate.traffic", "sshd.auth", "nginx.access"}
    assert set(summary["users"]) == {"admin", "analyst", "manager"}
    # each attack kind is matched by the rule meant for it, not just by some rule
    incidents = json.loads(subprocess.run([sys.executable, "-m", "soc.cli", "incidents", "list", "--format", "json"],
                                          capture_output=True, text=True, env=env, timeout=120).stdout)
    by_ip: dict[str, set[str]] = {}
    for inc in incidents:
        for v in inc["entity"].values():
            by_ip.setdefault(str(v), set()).add(inc["rule_title"])
    for attack in truth:
        titles = " | ".join(sorted(by_ip.get(attack["entity"]["source.ip"], set()))).lower()
        expected = {"ssh_bruteforce": "brute force", "ssh_login_after_bruteforce": "after a brute force",
                    "sqli_scan": "sql injection", "port_scan": "port scan", "path_traversal": "traversal"}[attack["kind"]]
        assert expected in titles, (attack, titles)
