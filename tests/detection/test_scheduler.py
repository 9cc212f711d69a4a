"""The schedule: jobs persisted in the store, misfires caught up, and a `soc serve` killed
mid-stream and restarted raising exactly what one uninterrupted run raises."""

from __future__ import annotations

import base64
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from collectors.ingest import ingest_paths
from detection.engine import run_once
from detection.model import CompiledRule, RuleSet
from detection.runs import last_runs
from detection.scheduler import ServeContext, build_scheduler, sync_rule_jobs
from detection.sigma.compile import load_ruleset
from soc.incidents import Severity
from soc.store.base import IncidentFilter
from soc.store.sqlite import SQLiteStore

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parents[2]


def _rule(rule_id: str, interval: int = 60) -> CompiledRule:
    return CompiledRule(id=rule_id, title=rule_id, level=Severity.LOW, path="inline",
                        queries={"sqlite": "`user.name` = 'root'"}, group_by=["source.ip"], interval_seconds=interval)


def test_jobs_persist_in_the_store_and_keep_their_next_run_time(tmp_path):
    store = SQLiteStore(tmp_path / "soc.db")
    ctx = ServeContext(store=store, ruleset=RuleSet([_rule("a", 60), _rule("b", 300)]))
    sched = build_scheduler(ctx)
    sched.start(paused=True)
    sync_rule_jobs(sched, ctx)
    planned = {j.id: j.next_run_time for j in sched.get_jobs()}
    sched.shutdown(wait=False)
    assert set(planned) == {"rule:a", "rule:b"}
    assert set(store.list_checkpoints("job:")) == {"job:rule:a", "job:rule:b"}

    # a restart with one rule removed and one re-timed
    ctx2 = ServeContext(store=store, ruleset=RuleSet([_rule("a", 120)]))
    sched2 = build_scheduler(ctx2)
    sched2.start(paused=True)
    sync_rule_jobs(sched2, ctx2)
    jobs = {j.id: j for j in sched2.get_jobs()}
    sched2.shutdown(wait=False)
    assert set(jobs) == {"rule:a"}
    assert jobs["rule:a"].trigger.interval_length == 120


def test_a_run_missed_while_down_runs_once_at_start(tmp_path):
    store = SQLiteStore(tmp_path / "soc.db")
    store.write_events([{"@timestamp": "2026-11-20T01:00:00.000Z", "event.id": "e1", "event.dataset": "sshd.auth",
                         "user.name": "root", "source.ip": "1.2.3.4"}])
    ctx = ServeContext(store=store, ruleset=RuleSet([_rule("a", 3600)]))
    sched = build_scheduler(ctx)
    sched.start(paused=True)
    sync_rule_jobs(sched, ctx)
    state = sched.get_job("rule:a").__getstate__()
    sched.shutdown(wait=True)
    # the service was down for five hours: the persisted job is overdue
    state["next_run_time"] = datetime.now(timezone.utc) - timedelta(hours=5)
    store.set_checkpoint("job:rule:a", base64.b64encode(pickle.dumps(state)).decode())
    assert "a" not in last_runs(store)

    sched = build_scheduler(ctx)
    sched.start()
    sync_rule_jobs(sched, ctx)
    deadline = time.monotonic() + 20
    while "a" not in last_runs(store) and time.monotonic() < deadline:
        time.sleep(0.2)
    sched.shutdown(wait=True)
    run = last_runs(store)["a"]
    assert run.error is None and run.alerts == 1
    (inc,) = store.list_incidents()
    assert inc.entity == {"source.ip": "1.2.3.4"} and inc.evidence_count == 1


def _sshd(ts: datetime, text: str) -> str:
    local = ts.astimezone(ICT)
    return f"{local:%b} {local.day:2d} {local:%H:%M:%S} srv-app-01 sshd[{4000 + local.second}]: {text}\n"


def _scenario(t0: datetime) -> list[list[str]]:
    """30 one-second chunks: three brute forces (one ending in a login) among benign logins."""
    chunks: list[list[str]] = [[] for _ in range(30)]
    for s in range(30):
        ts = t0 + timedelta(seconds=s)
        if s % 3 == 0:
            chunks[s].append(_sshd(ts, f"Accepted publickey for admin from 10.20.1.{s} port {50000 + s} ssh2"))
        if s < 12:
            chunks[s].append(_sshd(ts, f"Failed password for root from 203.0.113.7 port {40000 + s} ssh2"))
        if s == 13:
            chunks[s].append(_sshd(ts, "Accepted password for root from 203.0.113.7 port 41000 ssh2"))
        if 8 <= s < 24:
            chunks[s].append(_sshd(ts, f"Failed password for invalid user test{s} from 198.51.100.9 port {42000 + s} ssh2"))
        if 18 <= s < 30:
            chunks[s].append(_sshd(ts, f"Failed password for oracle from 192.0.2.44 port {43000 + s} ssh2"))
    return chunks


def _serve(db: Path) -> subprocess.Popen:
    env = dict(os.environ, SOC_STORE=f"sqlite:///{db}", SOC_RULES=str(ROOT / "rules"))
    return subprocess.Popen([sys.executable, "-m", "soc.cli", "serve", "--interval", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _snapshot(store: SQLiteStore) -> set[tuple]:
    return {(i.id, i.rule_id, tuple(sorted(i.entity.items())), i.first_seen, i.last_seen, i.evidence_count)
            for i in store.list_incidents(IncidentFilter(limit=10000))}


def test_serve_killed_and_restarted_equals_one_uninterrupted_run(tmp_path):
    db = tmp_path / "served.db"
    store = SQLiteStore(db)
    logs = tmp_path / "logs"
    logs.mkdir()
    t0 = datetime.now(timezone.utc).replace(microsecond=0)
    files: list[Path] = []
    proc = _serve(db)
    try:
        for s, lines in enumerate(_scenario(t0)):
            if s == 12:  # a crash mid-stream, then a restart four seconds later
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
            if s == 16:
                proc = _serve(db)
            f = logs / f"auth-{s:02d}.log"
            f.write_text("".join(lines))
            files.append(f)
            ingest_paths([f], store, fmt="sshd")
            time.sleep(max(0.0, (t0 + timedelta(seconds=s + 1) - datetime.now(timezone.utc)).total_seconds()))
        time.sleep(8)  # the last events' second has passed; let every rule run at least twice more
    finally:
        proc.send_signal(signal.SIGTERM)
        err = proc.communicate(timeout=30)[1]
    assert proc.returncode == 0, err
    served = _snapshot(store)

    once_store = SQLiteStore(tmp_path / "once.db")
    ingest_paths(files, once_store, fmt="sshd")
    run_once(once_store, load_ruleset([ROOT / "rules"]), now=datetime.now(timezone.utc))
    once = _snapshot(once_store)

    attackers = {dict(e)["source.ip"] for _, _, e, *_ in once if "source.ip" in dict(e)}
    assert {"203.0.113.7", "198.51.100.9", "192.0.2.44"} <= attackers
    assert "10.20.1.3" not in attackers
    assert served == once
    assert all(r.error is None for r in last_runs(store).values())


def test_serve_raises_a_silent_source_as_an_incident(tmp_path):
    import json as _json

    db = tmp_path / "soc.db"
    store = SQLiteStore(db)
    hour_ago = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    store.set_checkpoint("source:fortigate-syslog", _json.dumps({
        "name": "fortigate-syslog", "type": "syslog", "received": 120, "stored": 120,
        "last_received_at": hour_ago, "first_started_at": hour_ago, "expected_interval": 900}))
    store.set_checkpoint("source:web-tail", _json.dumps({
        "name": "web-tail", "type": "file", "received": 5, "stored": 5,
        "last_received_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"), "expected_interval": 900}))
    proc = _serve(db)
    try:
        deadline = time.monotonic() + 60
        while not store.list_incidents() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        err = proc.communicate(timeout=30)[1]
    assert proc.returncode == 0, err
    (inc,) = store.list_incidents()
    assert inc.rule_id == "soc-source-silent"
    assert inc.entity == {"soc.source.name": "fortigate-syslog"}
