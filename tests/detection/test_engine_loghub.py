"""Real sshd logs (loghub OpenSSH_2k) through ingest, a real Sigma correlation rule and the engine."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest

from collectors.ingest import ingest_paths
from detection.engine import run_once
from detection.sigma.compile import load_ruleset
from soc.store.sqlite import SQLiteStore

RULES = """
title: SSH failed password
id: 5b0c1d0e-0000-4000-8000-000000000001
name: ssh_failed_password
status: test
logsource:
  product: linux
  service: sshd
detection:
  selection:
    event.action: ssh_login
    event.outcome: failure
  condition: selection
level: low
---
title: SSH brute force
id: 5b0c1d0e-0000-4000-8000-000000000002
status: test
correlation:
  type: event_count
  rules:
    - ssh_failed_password
  group-by:
    - source.ip
  timespan: 1m
  condition:
    gte: 5
level: high
tags:
  - attack.credential-access
  - attack.t1110.001
"""
BRUTE = "5b0c1d0e-0000-4000-8000-000000000002"


@pytest.fixture(scope="module")
def loaded(shared_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("loghub")
    (folder / "rules").mkdir()
    (folder / "rules" / "ssh_brute.yml").write_text(RULES)
    store = SQLiteStore(folder / "soc.db")
    ingest_paths([shared_data / "loghub" / "OpenSSH_2k.log"], store)
    yield store, load_ruleset([folder / "rules"]), shared_data / "loghub" / "OpenSSH_2k.log"
    store.close()


def failed_password_by_ip(path) -> Counter:
    return Counter(re.findall(r"Failed password for .* from (\d+\.\d+\.\d+\.\d+) port", path.read_text()))


def fresh_copy(store, tmp_path):
    """A new store holding the same events and no detection state."""
    copy = SQLiteStore(tmp_path / "copy.db")
    copy.write_events(list(store.iter_events()))
    return copy


def test_the_addresses_that_hammer_the_server_get_one_incident_each(loaded, tmp_path):
    store, ruleset, path = loaded
    store = fresh_copy(store, tmp_path)
    _, last = store.time_bounds()
    summary = run_once(store, ruleset, now=last + timedelta(minutes=5))
    assert summary.errors == []
    incs = {i.entity["source.ip"]: i for i in store.list_incidents() if i.rule_id == BRUTE}
    raw = failed_password_by_ip(path)
    # the four heaviest attackers of the file fail continuously: every failed password is evidence
    for ip, n in raw.most_common(4):
        assert incs[ip].evidence_count == n, ip
        assert incs[ip].attack_techniques == ["T1110.001"]
    assert incs["183.62.140.253"].evidence_count == 286
    # 52.80.34.196 failed five times, but never five within a minute
    assert raw["52.80.34.196"] == 5 and "52.80.34.196" not in incs
    # the second run over the same data (the overlap re-reads its tail) changes nothing
    before = {i.id: i.evidence_count for i in store.list_incidents()}
    assert run_once(store, ruleset, now=last + timedelta(minutes=10)).incidents == []
    assert {i.id: i.evidence_count for i in store.list_incidents()} == before


def test_scheduled_runs_every_minute_equal_one_run_over_everything(loaded, tmp_path):
    store, ruleset, _ = loaded
    one = fresh_copy(store, tmp_path)
    first, last = one.time_bounds()
    run_once(one, ruleset, now=last + timedelta(minutes=1))
    expected = sorted((i.id, i.entity["source.ip"], i.evidence_count, i.first_seen, i.last_seen) for i in one.list_incidents())
    stepped = SQLiteStore(tmp_path / "stepped.db")
    stepped.write_events(list(one.iter_events()))
    now = first + timedelta(seconds=30)
    runs = 0
    while now <= last + timedelta(minutes=1):
        run_once(stepped, ruleset, now=now)
        now += timedelta(minutes=1)
        runs += 1
    got = sorted((i.id, i.entity["source.ip"], i.evidence_count, i.first_seen, i.last_seen) for i in stepped.list_incidents())
    assert runs > 200 and len(expected) >= 8
    assert got == expected
