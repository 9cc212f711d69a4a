"""The command line as scripts use it: real processes, a real SQLite file, JSON outputs."""

import json
import subprocess
import sys

import pytest


def soc(*args, env_store=None, check=True):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    if env_store:
        env["SOC_STORE"] = env_store
    proc = subprocess.run([sys.executable, "-m", "soc.cli", *args], capture_output=True, text=True, env=env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"soc {' '.join(args)} failed: {proc.stderr}")
    return proc


@pytest.fixture
def store_url(tmp_path):
    return f"sqlite:///{tmp_path / 'soc.db'}"


def test_ingest_json_counts_and_events_interfaces(shared_data, store_url):
    path = str(shared_data / "loghub" / "OpenSSH_2k.log")
    first = json.loads(soc("ingest", path, "--json", env_store=store_url).stdout.strip().splitlines()[-1])
    assert first["read"] == 2000 and first["stored"] >= 1980
    assert first["stored"] + first["dead_lettered"] <= 2000
    second = json.loads(soc("ingest", path, "--json", env_store=store_url).stdout.strip().splitlines()[-1])
    assert second == {"read": 2000, "stored": 0, "duplicates": first["stored"], "dead_lettered": second["dead_lettered"]}
    count = json.loads(soc("events", "count", "--dataset", "sshd.auth", "--json", env_store=store_url).stdout)
    assert 0 < count["count"] <= first["stored"]
    lines = soc("events", "export", "--dataset", "sshd.auth", env_store=store_url).stdout.splitlines()
    assert len(lines) == count["count"]
    doc = json.loads(lines[0])
    assert doc["event"]["dataset"] == "sshd.auth" and "@timestamp" in doc and doc["log"]["original"]


def test_incidents_list_json_is_a_list(store_url):
    assert json.loads(soc("incidents", "list", "--format", "json", env_store=store_url).stdout) == []


@pytest.mark.parametrize(
    "args,needle",
    [
        (("ingest", "/nonexistent/file.log"), "no such file"),
        (("--store", "ftp://x", "events", "count"), "store.url"),
        (("ingest", "--format", "bogus", "/etc/hostname"), "unknown log format"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(args, needle, store_url):
    proc = soc(*args, env_store=store_url, check=False)
    assert proc.returncode != 0
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_every_command_has_help():
    for args in (["--help"], ["ingest", "--help"], ["events", "count", "--help"], ["detect", "--help"],
                 ["incidents", "list", "--help"], ["rules", "test", "--help"], ["simulate", "--help"], ["demo", "--help"]):
        proc = soc(*args)
        assert "Usage:" in proc.stdout


def test_ingest_enriches_from_the_configured_asset_inventory_and_indicators(shared_data, tmp_path):
    assets = tmp_path / "assets.csv"
    assets.write_text("address,name,department,security_level,criticality\n"
                      "192.168.122.0/24,may-tram-ke-toan,Phòng Kế toán,3,high\n", encoding="utf-8")
    iocs = tmp_path / "iocs.txt"
    iocs.write_text("homealldaylong.com\n")
    cfg = tmp_path / "soc.toml"
    cfg.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "soc.db"}"\n'
                   f'[enrichment]\nassets = "{assets}"\nindicators = "{iocs}"\n')
    soc("--config", str(cfg), "ingest", str(shared_data / "pcap" / "cryptowall4_c2.pcapng"), "--json")
    lines = soc("--config", str(cfg), "events", "export", "--dataset", "pcap.http").stdout.splitlines()
    docs = [json.loads(x) for x in lines]
    beacon = [d for d in docs if d.get("url", {}).get("domain") == "homealldaylong.com"]
    assert beacon, "the C2 requests were not ingested"
    for d in beacon:
        assert d["source"]["soc"]["asset"]["name"] == "may-tram-ke-toan"
        assert d["source"]["soc"]["asset"]["criticality"] == "high"
        assert "threat-intel" in d["tags"]
