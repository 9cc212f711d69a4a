"""The same compiled rules find the same events on a real Elasticsearch node as on SQLite."""

from __future__ import annotations

import json
import os
import urllib.request

import pytest
from sigmakit import compile_one, events

from soc.store.elastic import ElasticStore
from soc.store.sqlite import SQLiteStore

WEB = "{category: webserver}"

EVENTS = events(
    {"event.dataset": "nginx.access", "source.ip": "203.0.113.9", "url.original": "/a?id=12 UNION SELECT 1", "url.path": "/a",
     "http.response.status_code": 200, "user_agent.original": "sqlmap/1.7", "message": "GET /a?id=12 UNION SELECT 1"},
    {"event.dataset": "nginx.access", "source.ip": "10.20.3.4", "url.original": "/admin/Login.PHP", "url.path": "/admin/Login.PHP",
     "http.response.status_code": 404, "user_agent.original": "Mozilla/5.0 (X11; Linux)", "message": "Failed password for root"},
    {"event.dataset": "apache.access", "source.ip": "198.51.100.7", "url.original": "/x/../../etc/passwd", "url.path": "/x/../../etc/passwd",
     "http.response.status_code": 500, "user.name": "bob", "message": "authentication failure; rhost=1.2.3.4"},
    {"event.dataset": "sshd.auth", "source.ip": "203.0.113.9", "url.original": "/a?id=12 union select 1", "message": "Failed password for root"},
)

CASES = {
    "contains": ("  sel:\n    url.original|contains: 'union SELECT'\n  condition: sel", WEB, [0]),
    "startswith_endswith": ("  sel:\n    url.path|startswith: '/ADMIN'\n    url.path|endswith: '.php'\n  condition: sel", WEB, [1]),
    "all": ("  sel:\n    user_agent.original|contains|all: [mozilla, linux]\n  condition: sel", WEB, [1]),
    "re_case_sensitive": ("  sel:\n    url.original|re: 'id=[0-9]+ UNION'\n  condition: sel", WEB, [0]),
    "re_ignore_case": ("  sel:\n    url.original|re|i: 'ID=\\d+ union\\s+select'\n  condition: sel", WEB, [0]),
    "re_anchored": ("  sel:\n    url.path|re: '^/admin/[A-Z][a-z]+\\.PHP$'\n  condition: sel", WEB, [1]),
    "cidr": ("  sel:\n    source.ip|cidr: 10.20.0.0/16\n  condition: sel", WEB, [1]),
    "exists_null": ("  sel:\n    user.name|exists: true\n  none:\n    user_agent.original: null\n  condition: sel and none", WEB, [2]),
    "gte": ("  sel:\n    http.response.status_code|gte: 404\n  condition: sel", WEB, [1, 2]),
    "lt": ("  sel:\n    sc-status|lt: 404\n  condition: sel", WEB, [0]),
    "keywords": ("  keywords:\n    - 'FAILED PASSWORD'\n    - 'rhost=1.2.3.4'\n  condition: keywords", WEB, [1, 2]),
    "one_of_not": ("  a:\n    url.path|contains: admin\n  b:\n    url.path|contains: etc\n  f:\n    http.response.status_code: 500\n"
                   "  condition: 1 of a, b and not f".replace("1 of a, b", "(a or b)"), WEB, [1]),
}


def _drop(url: str, prefix: str) -> None:
    with urllib.request.urlopen(f"{url}/_cat/indices/{prefix}-*?format=json") as resp:
        names = [row["index"] for row in json.load(resp)]
    if names:
        urllib.request.urlopen(urllib.request.Request(f"{url}/{','.join(names)}", method="DELETE")).close()


@pytest.fixture(scope="module")
def stores(es_url, tmp_path_factory):
    prefix = f"sigmat{os.getpid()}"
    es = ElasticStore(es_url, index_prefix=prefix)
    lite = SQLiteStore(tmp_path_factory.mktemp("sigma-es") / "s.db")
    assert es.write_events(EVENTS).stored == len(EVENTS)
    lite.write_events(EVENTS)
    yield es, lite
    es.close()
    lite.close()
    _drop(es_url, prefix)


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_hits_on_both_stores(stores, tmp_path, case):
    detection, logsource, expected = CASES[case]
    rule = compile_one(tmp_path, detection, logsource)
    es, lite = stores
    ids = [e["event.id"] for e in EVENTS]

    def idx(store, dialect):
        return sorted(ids.index(e["event.id"]) for e in store.iter_events(rule.queries[dialect]))

    assert idx(lite, "sqlite") == expected
    assert idx(es, "elasticsearch") == expected, rule.queries["elasticsearch"]
