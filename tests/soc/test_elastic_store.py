"""The Elasticsearch store against a real node: layout, Sigma matching details, bulk errors,
point-in-time paging, retention by whole indices, and parity with SQLite on real logs."""

from __future__ import annotations

import socket
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from soc.errors import StoreError, StoreUnavailable
from soc.events import event_id, format_ts
from soc.store.elastic import ElasticStore, dataset_slug, rewrite_query
from soc.store.sqlite import SQLiteStore

T0 = datetime(2026, 11, 20, 23, 59, 58, tzinfo=timezone.utc)


def ev(i: int, **fields) -> dict:
    base = {
        "@timestamp": format_ts(T0 + timedelta(seconds=i)),
        "event.id": event_id("es-test", i),
        "event.dataset": "sshd.auth",
        "message": f"line {i}",
    }
    base.update(fields)
    return base


@pytest.fixture
def es(es_url):
    store = ElasticStore(es_url, index_prefix=f"e{uuid.uuid4().hex[:12]}")
    yield store
    store.close()


def ids(events) -> list[str]:
    return [e["event.id"] for e in events]


# --- query routing (pure) -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query,routed",
    [
        ("user.name:/Ro.*/", "user.name.cs:/Ro.*/"),
        ("message.keyword:*Accepted*", "message:*Accepted*"),
        ("message.keyword:/.*Fail.*/", "message.cs:/.*Fail.*/"),
        ('a:"x b:/y/" AND -host.name:/W.*/', 'a:"x b:/y/" AND -host.name.cs:/W.*/'),
        ("url.original:http\\://h\\/a:/b/", "url.original:http\\://h\\/a:/b/"),
        ("source.ip:/10\\..*/ OR destination.port:22", "source.ip:/10\\..*/ OR destination.port:22"),
        ("event.id:/ab.*/ AND message.text:fail*", "event.id:/ab.*/ AND message.text:fail*"),
    ],
)
def test_query_fields_are_routed_to_the_indexed_form(query, routed):
    assert rewrite_query(query) == routed


def test_dataset_names_become_safe_index_names():
    assert dataset_slug("fortigate.traffic") == "fortigate.traffic"
    assert dataset_slug("Windows Security/4625") == "windows_security_4625"
    assert dataset_slug("---") == "unknown"


# --- layout ------------------------------------------------------------------------------------------
def test_one_index_per_dataset_and_utc_day(es):
    events = [
        ev(0),  # 2026-11-20 23:59:58
        ev(3),  # 2026-11-21 00:00:01: the next UTC day
        ev(4, **{"event.dataset": "Fortigate Traffic"}),
        {k: v for k, v in ev(5).items() if k != "event.dataset"},
        ev(6, **{"@timestamp": "2026-11-21T06:00:00+07:00"}),  # 23:00 UTC on the 20th
    ]
    assert es.write_events(events).stored == 5
    p = es.prefix
    assert es.event_indices() == [
        f"{p}-events-fortigate_traffic-2026.11.21",
        f"{p}-events-sshd.auth-2026.11.20",
        f"{p}-events-sshd.auth-2026.11.21",
        f"{p}-events-unknown-2026.11.21",
    ]
    assert dict(es.datasets()) == {"sshd.auth": 3, "Fortigate Traffic": 1, "unknown": 1}
    assert es.count(dataset="unknown") == 1
    assert es.get_events([events[4]["event.id"]]) == [events[4]]  # the offset form comes back as written


# --- Sigma matching details ----------------------------------------------------------------------------
@pytest.fixture
def people(es, sqlite_store):
    events = [
        ev(0, **{"user.name": "Root", "message": "Failed password for Root from 10.0.0.1"}),
        ev(1, **{"user.name": "root", "message": "failed password for root from 10.0.0.2"}),
        ev(2, **{"user.name": "alice", "message": "Accepted publickey for alice"}),
    ]
    for store in (es, sqlite_store):
        assert store.write_events(events).stored == 3
    return events


@pytest.mark.parametrize(
    "lucene,sql,expected",
    [
        # Sigma |re is case-sensitive: only the capitalised spelling matches
        ("user.name:/R.*/", "`user.name` REGEXP '^R'", [0]),
        ("user.name:/[A-Z].*/", "`user.name` REGEXP '^[A-Z]'", [0]),
        # escapes keep their meaning (a lowercasing normalizer would turn \\S into \\s)
        ("message:/\\S+ password .*/", "`message` REGEXP '^\\S+ password '", [0, 1]),
        ("message:/.*\\D1/", "`message` REGEXP '\\D1$'", [0]),
        # everything else ignores case, over the whole value, on every string field
        ("user.name:ROOT", "`user.name` = 'ROOT'", [0, 1]),
        ("message:*PASSWORD\\ FOR\\ ROOT*", "`message` LIKE '%PASSWORD FOR ROOT%'", [0, 1]),
        ("message.keyword:accepted*", "`message` LIKE 'accepted%'", [2]),
    ],
)
def test_matching_is_the_same_on_both_stores(es, sqlite_store, people, lucene, sql, expected):
    want = [people[i]["event.id"] for i in expected]
    assert ids(es.iter_events(lucene)) == want
    assert ids(sqlite_store.iter_events(sql)) == want


def test_query_dsl_is_accepted_and_bad_queries_fail_loudly(es, people):
    assert es.count({"query": {"term": {"user.name": "ROOT"}}}) == 2
    assert es.count({"prefix": {"message": "accepted"}}) == 1
    with pytest.raises(StoreError, match="parse"):
        es.count("user.name:(")


def test_terms_group_case_insensitively_and_keep_a_real_spelling(es, people):
    assert es.terms("user.name") == [("Root", 2), ("alice", 1)]
    assert es.distinct_count("user.name") == 2


# --- writes ----------------------------------------------------------------------------------------------
def test_bad_documents_are_reported_one_by_one_and_the_rest_stored(es):
    good = ev(0, **{"user.name": "x"})
    odd_port = ev(1, **{"source.port": "not-a-port"})  # kept: the field is just not indexed
    bad_day = ev(2, **{"@timestamp": "2026-13-45T00:00:00.000Z"})  # looks canonical, the node refuses it
    no_time = ev(3, **{"@timestamp": "yesterday"})
    no_id = {k: v for k, v in ev(4).items() if k != "event.id"}
    bad_bytes = ev(5, **{"log.original": "\udcff"})
    first = es.write_events([good, odd_port, no_time, no_id, bad_bytes])
    second = es.write_events([bad_day])
    assert (first.stored, first.duplicates) == (2, 0)
    assert [e for e, _ in first.failed] == [no_time, no_id, bad_bytes]
    assert all(reason.startswith("invalid event") for _, reason in first.failed)
    assert second.stored == 0 and second.failed[0][0] == bad_day
    assert "rejected by Elasticsearch" in second.failed[0][1] and "@timestamp" in second.failed[0][1]
    assert es.get_events([odd_port["event.id"]]) == [odd_port]
    again = es.write_events([good, odd_port])
    assert (again.stored, again.duplicates, again.failed) == (0, 2, [])


def test_unreachable_node_is_store_unavailable_not_data_loss():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    store = ElasticStore(f"http://127.0.0.1:{port}", index_prefix="down")
    with pytest.raises(StoreUnavailable):
        store.write_events([ev(0)])
    with pytest.raises(StoreUnavailable):
        store.count()


# --- reads -----------------------------------------------------------------------------------------------
def test_iteration_reads_one_point_in_time(es):
    first = [ev(i, **{"event.id": event_id("pit", i)}) for i in range(250)]
    es.write_events(first)
    it = es.iter_events(page_size=100)
    seen = [next(it)["event.id"]]
    es.write_events([ev(i, **{"event.id": event_id("late", i)}) for i in range(50)])  # lands mid-iteration
    seen += ids(it)
    assert seen == ids(sorted(first, key=lambda e: (e["@timestamp"], e["event.id"])))
    assert es.count() == 300


def test_pages_larger_than_the_result_window(es):
    events = [ev(i % 60, **{"event.id": event_id("big", i)}) for i in range(10_500)]
    assert es.write_events(events).stored == 10_500
    page = es.search(size=10_200)
    assert len(page.events) == 10_200 and page.next_after is not None
    rest = es.search(size=10_200, after=page.next_after)
    assert len(rest.events) == 300 and rest.next_after is None
    assert len(set(ids(page.events)) | set(ids(rest.events))) == 10_500


# --- retention ---------------------------------------------------------------------------------------------
def test_retention_deletes_whole_daily_indices(es):
    now = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
    days = [now - timedelta(days=d) for d in (9, 8, 7, 1)]
    events = [ev(0, **{"@timestamp": format_ts(t), "event.id": event_id("ret", n)}) for n, t in enumerate(days)]
    events.append(ev(0, **{"@timestamp": format_ts(days[0]), "event.id": "web", "event.dataset": "nginx.access"}))
    es.write_events(events)
    assert es.apply_retention({"sshd.auth": 7}, now=now) == 2  # the 21st and 22nd; the 23rd is the cutoff day
    p = es.prefix
    assert es.event_indices() == [
        f"{p}-events-nginx.access-2026.11.21",
        f"{p}-events-sshd.auth-2026.11.23",
        f"{p}-events-sshd.auth-2026.11.29",
    ]


# --- the same answers as SQLite over real logs ---------------------------------------------------------------
@pytest.fixture(scope="module")
def real_pair(es_url, shared_data, tmp_path_factory):
    from collectors.ingest import ingest_paths

    files = [shared_data / "loghub" / "OpenSSH_2k.log", shared_data / "web" / "combined_attacks.log"]
    sqlite = SQLiteStore(str(tmp_path_factory.mktemp("pair") / "soc.db"))
    es = ElasticStore(es_url, index_prefix=f"real{uuid.uuid4().hex[:8]}")
    for store in (sqlite, es):
        ingest_paths(files, store)
    yield sqlite, es
    sqlite.close()
    es.close()


PAIRS = [
    ("`event.action` = 'ssh_login' AND `event.outcome` = 'failure'", "event.action:ssh_login AND event.outcome:failure"),
    ("`user.name` = 'ROOT'", "user.name:ROOT"),
    ("`message` LIKE '%POSSIBLE BREAK-IN%'", "message:*POSSIBLE\\ BREAK\\-IN*"),
    ("`source.ip` LIKE '173.234.31.%'", "source.ip:173.234.31.0\\/24"),
    ("`url.original` LIKE '%../%' OR `url.original` LIKE '%union%select%'", "url.original:(*..\\/* OR *union*select*)"),
    ("`http.response.status_code` = 404", "http.response.status_code:404"),
]


def test_real_logs_give_the_same_answers_on_both_stores(real_pair):
    sqlite, es = real_pair
    assert es.count() == sqlite.count() > 2000
    assert es.datasets() == sqlite.datasets()
    assert es.time_bounds() == sqlite.time_bounds()
    assert es.histogram(3600) == sqlite.histogram(3600)
    assert es.terms("source.ip", size=10) == sqlite.terms("source.ip", size=10)
    assert es.distinct_count("source.ip") == sqlite.distinct_count("source.ip")
    assert es.count_dead_letters() == sqlite.count_dead_letters()
    for sql, lucene in PAIRS:
        want = ids(sqlite.iter_events(sql))
        assert want, sql  # every question has answers in the data
        assert ids(es.iter_events(lucene)) == want, lucene
        assert es.terms("user.name", lucene, size=5) == sqlite.terms("user.name", sql, size=5)


def test_replaying_a_real_file_stores_nothing_twice(real_pair, shared_data):
    from collectors.ingest import ingest_paths

    sqlite, es = real_pair
    before = es.count()
    (result,) = ingest_paths([shared_data / "loghub" / "OpenSSH_2k.log"], es)
    assert es.count() == before
    assert result.stats.read == 2000


def test_count_ties_in_terms_are_broken_as_on_sqlite(es, sqlite_store):
    # ES orders ip keys by address (9.x before 10.x); SQLite orders the text ("10..." before "9...")
    events = [ev(i, **{"source.ip": ip}) for i, ip in enumerate(["9.9.9.9", "10.0.0.1", "192.168.0.1", "10.0.0.1"])]
    for store in (es, sqlite_store):
        store.write_events(events)
    assert es.terms("source.ip", size=2) == sqlite_store.terms("source.ip", size=2) == [("10.0.0.1", 2), ("192.168.0.1", 1)]
