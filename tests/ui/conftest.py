"""Fixtures of the console tests; the data they seed lives in uikit.py."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest
from uikit import INCIDENTS, Console, copy_rules, seed

from soc.store.elastic import ElasticStore
from soc.store.sqlite import SQLiteStore


@pytest.fixture
def console(tmp_path, monkeypatch) -> Console:
    db = tmp_path / "soc.db"
    monkeypatch.setenv("SOC_STORE", f"sqlite:///{db}")
    monkeypatch.setenv("SOC_HOME", str(tmp_path))
    monkeypatch.delenv("SOC_CONFIG", raising=False)
    monkeypatch.delenv("SOC_STORE_INDEX_PREFIX", raising=False)
    rules_dir = copy_rules(tmp_path / "rules")
    monkeypatch.setenv("SOC_RULES", str(rules_dir))
    store = SQLiteStore(str(db))
    seed(store)
    yield Console(store=store, incidents=INCIDENTS, rules_dir=rules_dir)
    store.close()


@pytest.fixture
def es_console(es_url, tmp_path, monkeypatch) -> Console:
    """The same seeded console on a real Elasticsearch node, under an index prefix of its own."""
    prefix = f"ui{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("SOC_STORE", es_url)
    monkeypatch.setenv("SOC_STORE_INDEX_PREFIX", prefix)
    monkeypatch.setenv("SOC_HOME", str(tmp_path))
    monkeypatch.delenv("SOC_CONFIG", raising=False)
    monkeypatch.setenv("SOC_RULES", str(copy_rules(tmp_path / "rules")))
    store = ElasticStore(es_url, index_prefix=prefix)
    seed(store)
    try:
        yield Console(store=store, incidents=INCIDENTS)
    finally:
        store.close()
        _drop_indices(es_url, prefix)


def _drop_indices(url: str, prefix: str) -> None:
    """Remove this test's indices (the node may be shared through SOC_TEST_ES_URL); ES refuses wildcard deletes."""
    with urllib.request.urlopen(f"{url}/_cat/indices/{prefix}-*?format=json", timeout=60) as resp:
        names = [row["index"] for row in json.load(resp)]
    if names:
        req = urllib.request.Request(f"{url}/{','.join(names)}", method="DELETE")
        urllib.request.urlopen(req, timeout=60).close()
