"""The engine gives the same incidents on both backends (real SQLite file, real Elasticsearch node)."""

from __future__ import annotations

import itertools
import json
import os
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from rulekit import at, ssh_event

from collectors.ingest import ingest_paths
from detection.engine import run_once
from detection.ruletest import run_rule_tests
from detection.sigma.compile import load_ruleset
from soc.store.elastic import ElasticStore
from soc.store.sqlite import SQLiteStore

RULES = Path(__file__).resolve().parents[2] / "rules"
_seq = itertools.count()


def _drop_indices(url: str, prefix: str) -> None:
    """Remove this test's indices from the node (it may be shared through SOC_TEST_ES_URL)."""
    with urllib.request.urlopen(f"{url}/_cat/indices/{prefix}-*?format=json") as resp:
        names = [row["index"] for row in json.load(resp)]
    if names:
        req = urllib.request.Request(f"{url}/{','.join(names)}", method="DELETE")
        urllib.request.urlopen(req).close()


@pytest.fixture
def es_stores(es_url):
    """A factory of fresh Elasticsearch stores (own index prefix each), all dropped afterwards."""
    made: list[tuple[ElasticStore, str]] = []

    def make() -> ElasticStore:
        prefix = f"engt{os.getpid()}x{next(_seq)}"
        store = ElasticStore(es_url, index_prefix=prefix)
        made.append((store, prefix))
        return store

    yield make
    for store, prefix in made:
        store.close()
        _drop_indices(es_url, prefix)


def incident_rows(store) -> list[tuple]:
    return sorted(
        (i.id, i.rule_id, json.dumps(i.entity, sort_keys=True), i.evidence_count, i.first_seen, i.last_seen, i.severity.value)
        for i in store.list_incidents()
    )


def test_loghub_sshd_incidents_are_identical_on_both_backends(shared_data, tmp_path, es_stores):
    ruleset = load_ruleset([RULES])
    path = shared_data / "loghub" / "OpenSSH_2k.log"
    lite, es = SQLiteStore(tmp_path / "soc.db"), es_stores()
    for store in (lite, es):
        ingest_paths([path], store)
    _, last = lite.time_bounds()
    now = last + timedelta(minutes=5)
    sl, se = run_once(lite, ruleset, now=now), run_once(es, ruleset, now=now)
    assert sl.errors == [] and se.errors == []
    rows = incident_rows(lite)
    assert rows == incident_rows(es)
    assert any('"183.62.140.253"' in r[2] for r in rows)  # the address that hammers the server
    # a second run over the same data changes nothing on either backend
    assert run_once(es, ruleset, now=now + timedelta(minutes=1)).incidents == []
    assert incident_rows(es) == rows
    lite.close()


def test_ten_thousand_line_brute_force_on_elasticsearch(tmp_path, es_stores):
    ruleset = load_ruleset([RULES])
    brute = next(r for r in ruleset.rules if r.name == "ssh_brute_force")
    store = es_stores()
    store.write_events([
        ssh_event(i * 0.5, "203.0.113.7", user=f"u{i % 9}", **{"event.action": "ssh_login", "message": "Failed password"})
        for i in range(10_000)
    ])
    run_once(store, ruleset, now=at(6000), evidence_cap=1000, rule_ids={brute.id})
    run_once(store, ruleset, now=at(6030), evidence_cap=1000, rule_ids={brute.id})
    [inc] = store.list_incidents()
    assert (inc.rule_id, inc.entity, inc.evidence_count) == (brute.id, {"source.ip": "203.0.113.7"}, 10_000)
    assert len(store.list_evidence(inc.id, limit=5000)) == 1000


def test_every_rules_test_events_pass_on_both_backends(tmp_path, es_stores):
    """No rule is excused on either store: every rule with test events passes on SQLite and Elasticsearch."""
    ruleset = load_ruleset([RULES])
    lite = itertools.count()
    results = run_rule_tests(ruleset, {
        "sqlite": lambda: SQLiteStore(tmp_path / f"rt{next(lite)}.db"),
        "elasticsearch": es_stores,
    })
    failed = [r.describe() for r in results if r.status != "passed"]
    assert failed == [], "\n".join(failed)
    with_tests = len(list(RULES.rglob("*.tests.yml")))
    assert with_tests >= 50
    for dialect in ("sqlite", "elasticsearch"):
        assert sum(r.dialect == dialect and r.status == "passed" for r in results) == with_tests
