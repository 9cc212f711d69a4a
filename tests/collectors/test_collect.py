"""Source health (status, silence alerts), the CLI commands, the drop folder, config errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from collectors.collect import CollectOptions, run_collect
from collectors.status import SILENT_RULE_ID, silent_source_alerts, sources_status
from soc.config import load_settings
from soc.errors import ConfigError
from soc.events import now_utc
from soc.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
SSHD = "Nov 23 05:01:{:02d} web01 sshd[77]: Accepted password for alice from 10.20.1.{} port {} ssh2"


def config(tmp: Path, sources: str) -> Path:
    cfg = tmp / "soc.toml"
    cfg.write_text(f'home = "{tmp / "home"}"\n[store]\nurl = "sqlite:///{tmp / "home" / "soc.db"}"\n{sources}')
    return cfg


def run_for(cfg: Path, until, timeout: float = 10):
    settings = load_settings(cfg, env={})
    store = SQLiteStore(str(settings.home / "soc.db"))
    stop, ready, out = threading.Event(), threading.Event(), {}
    t = threading.Thread(target=lambda: out.update(s=run_collect(settings, store, stop, CollectOptions(stats_interval=0.2),
                                                                  ready)), daemon=True)
    t.start()
    assert ready.wait(10)
    end = time.monotonic() + timeout
    while not until(store) and time.monotonic() < end:
        time.sleep(0.05)
    stop.set()
    t.join(30)
    return store, out["s"]


def test_status_reports_counts_lag_and_silence_and_silent_sources_become_alerts(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "auth.log").write_text("".join(SSHD.format(i, i, 40000 + i) + "\n" for i in range(30)) + "garbage\n")
    cfg = config(tmp_path, f'[[sources]]\ntype = "file"\nname = "auth"\npath = "{logs}/*.log"\nformat = "sshd"\n'
                           f'expected_interval = 600\n[[sources]]\ntype = "file"\nname = "quiet"\n'
                           f'path = "{tmp_path}/none/*.log"\nexpected_interval = 1\n')
    store, _ = run_for(cfg, lambda s: s.count() == 30 and s.count_dead_letters() == 1)
    now = now_utc()
    by = {r["name"]: r for r in sources_status(store, now)}
    auth = by["auth"]
    assert (auth["received"], auth["stored"], auth["dead_lettered"], auth["dropped"]) == (31, 30, 1, 0)
    assert auth["last_event_time"].endswith(":01:29.000Z") and auth["type"] == "file"
    assert 0 <= auth["lag_seconds"] < 10 and not auth["silent"]
    assert by["quiet"]["received"] == 0 and by["quiet"]["last_received_at"] is None
    later = now + timedelta(minutes=5)
    by_later = {r["name"]: r for r in sources_status(store, later)}
    assert by_later["quiet"]["silent"] and not by_later["auth"]["silent"] and not by_later["auth"]["running"]
    [alert] = silent_source_alerts(store, later)
    assert alert.rule_id == SILENT_RULE_ID and alert.entity == {"soc.source.name": "quiet"}
    assert alert.first_seen == by["quiet"]["first_started_at"] and "quiet" in alert.description
    assert len(silent_source_alerts(store, now + timedelta(hours=2))) == 2
    store.close()


def test_cli_collect_until_sigterm_then_sources_status_json(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.log").write_text("".join(SSHD.format(i, i, 40000 + i) + "\n" for i in range(50)))
    cfg = config(tmp_path, f'[[sources]]\ntype = "file"\npath = "{logs}/*.log"\n')
    env = dict(os.environ, SOC_STATS_INTERVAL="0.3")
    env.pop("SOC_STORE", None)
    proc = subprocess.Popen([sys.executable, "-m", "soc.cli", "collect", "--config", str(cfg)], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True)
    store = SQLiteStore(str(tmp_path / "home" / "soc.db"))
    end = time.monotonic() + 20
    while store.count() < 50 and time.monotonic() < end:
        time.sleep(0.1)
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"file:{logs}/*.log: received 50, stored 50" in err
    out = subprocess.run([sys.executable, "-m", "soc.cli", "--config", str(cfg), "sources", "status", "--json"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    [rec] = json.loads(out)
    assert rec["name"] == f"file:{logs}/*.log"
    assert (rec["received"], rec["stored"], rec["dead_lettered"]) == (50, 50, 0)
    assert rec["last_event_time"].endswith(":01:49.000Z")
    text = subprocess.run([sys.executable, "-m", "soc.cli", "--config", str(cfg), "sources", "status"], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=True).stdout
    assert "received 50, stored 50, dead-lettered 0" in text
    store.close()


def test_cli_collect_rejects_a_bad_source_with_its_key(tmp_path):
    cfg = config(tmp_path, '[[sources]]\ntype = "syslog"\nlisten = "nowhere"\n')
    res = subprocess.run([sys.executable, "-m", "soc.cli", "collect", "--config", str(cfg)], cwd=ROOT,
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 1 and "sources.listen" in res.stderr


@pytest.mark.parametrize("sources,key", [
    ('[[sources]]\ntype = "kafka"\n', "sources[0].type"),
    ('[[sources]]\ntype = "file"\npath = "/x/*.log"\n[[sources]]\ntype = "file"\npath = "/x/*.log"\n', "sources[1].name"),
    ('[[sources]]\ntype = "file"\npath = "/x/*.log"\nexpected_interval = -5\n', "sources[0].expected_interval"),
    ('[[sources]]\ntype = "file"\npath = "/x/*.log"\nformat = "klingon"\n', None),
])
def test_config_errors_name_the_key(tmp_path, sources, key):
    settings = load_settings(config(tmp_path, sources), env={})
    store = SQLiteStore(str(tmp_path / "soc.db"))
    with pytest.raises((ConfigError, Exception)) as info:
        run_collect(settings, store, threading.Event(), CollectOptions())
    if key:
        assert isinstance(info.value, ConfigError) and info.value.key == key
    else:
        assert "klingon" in str(info.value)
    store.close()


def test_drop_folder_fails_an_unreadable_capture_once_with_a_dead_letter(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "dc01-security.evtx").write_bytes(b"ElfFile\x00 not really an event log")
    (drop / "notes.txt").write_text("ignored: not a capture")
    cfg = config(tmp_path, f'[[sources]]\ntype = "dropfolder"\nname = "drop"\nfolder = "{drop}"\n'
                           'settle_seconds = 0.2\npoll_interval = 0.1\nafter = "move"\n')
    store, summary = run_for(cfg, lambda s: s.count_dead_letters() == 1 and (drop / "failed").exists())
    [d] = store.list_dead_letters()
    assert d.source == str(drop / "dc01-security.evtx") and "evtx" in d.reason
    assert (drop / "failed" / "dc01-security.evtx").exists() and (drop / "notes.txt").exists()
    assert summary.sources["drop"]["detail"]["files_failed"] == 1
    store.close()
    # the same content dropped again (another name) is known by its hash: not read twice
    (drop / "again.evtx").write_bytes(b"ElfFile\x00 not really an event log")
    store, summary = run_for(cfg, lambda s: False, timeout=1.5)
    assert store.count_dead_letters() == 1 and summary.sources["drop"]["detail"]["files_failed"] == 1
    store.close()


def test_drop_folder_reads_real_evtx_and_pcap_files_once(tmp_path, shared_data):
    import shutil

    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copyfile(shared_data / "evtx" / "new_user_admin_group_4720_4728_4732.evtx", drop / "dc01.evtx")
    shutil.copyfile(shared_data / "pcap" / "dns_lab.pcapng", drop / "lab.pcapng")
    cfg = config(tmp_path, f'[[sources]]\ntype = "dropfolder"\nname = "drop"\nfolder = "{drop}"\n'
                           'settle_seconds = 0.2\npoll_interval = 0.1\n')
    store, summary = run_for(cfg, lambda s: s.count() == 4 + 33, timeout=30)
    assert dict(store.datasets()) == {"windows.security": 4, "pcap.dns": 22, "pcap.flow": 11}
    codes = sorted(e["winlog.event_id"] for e in store.iter_events(dataset="windows.security"))
    assert codes == [4720, 4728, 4732, 4732]
    assert {e["dns.question.name"] for e in store.iter_events(dataset="pcap.dns")} >= {"microsoft.com", "google.com"}
    assert summary.sources["drop"]["detail"]["files_done"] == 2
    store.close()
    store, summary = run_for(cfg, lambda s: False, timeout=1.0)  # a restart reads neither again
    assert summary.sources["drop"]["received"] == 37 and summary.sources["drop"]["duplicates"] == 0
    store.close()
