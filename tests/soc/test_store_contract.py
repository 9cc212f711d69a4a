"""The Store contract, proven once per backend: SQLite and a real Elasticsearch node.

Queries are written per dialect (what the Sigma compiler emits for each), and every test
asserts that both backends return the same thing for the same question.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from soc.events import event_id, format_ts
from soc.incidents import AuditEntry, Incident, Severity, Status
from soc.store.base import DeadLetter, IncidentFilter, User

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "elasticsearch"])
def store(request, tmp_path):
    if request.param == "sqlite":
        from soc.store.sqlite import SQLiteStore

        s = SQLiteStore(str(tmp_path / "soc.db"))
    else:
        from soc.store.elastic import ElasticStore

        url = request.getfixturevalue("es_url")
        s = ElasticStore(url, index_prefix=f"t{abs(hash(request.node.nodeid)) % 10**8}")
    yield s
    s.close()


def ev(i: int, **fields) -> dict:
    base = {
        "@timestamp": format_ts(T0 + timedelta(seconds=i)),
        "event.id": event_id("test", i),
        "event.dataset": "sshd.auth",
        "message": f"line {i}",
    }
    base.update(fields)
    return base


# One query per dialect for each Sigma semantic the contract promises.
Q = {
    "eq_ci": {"sqlite": "`user.name` = 'ROOT'", "elasticsearch": "user.name:ROOT"},
    "contains": {"sqlite": "`url.original` LIKE '%union%select%' ESCAPE '\\'", "elasticsearch": "url.original:*union*select*"},
    "startswith": {"sqlite": "`host.name` LIKE 'WEB%' ESCAPE '\\'", "elasticsearch": "host.name:WEB*"},
    "endswith": {"sqlite": "`process.executable` LIKE '%\\cmd.exe' ESCAPE '\\'", "elasticsearch": "process.executable:*\\\\cmd.exe"},
    "regex": {"sqlite": "`message` REGEXP 'Fail(ed)? pass'", "elasticsearch": "message.keyword:/.*Fail(ed)? pass.*/"},
    "cidr": {"sqlite": "`source.ip` LIKE '10.%' ESCAPE '\\'", "elasticsearch": "source.ip:10.0.0.0\\/8"},
    "null": {"sqlite": "`user.name` IS NULL", "elasticsearch": "NOT _exists_:user.name"},
    "number": {"sqlite": "`destination.port` = 22", "elasticsearch": "destination.port:22"},
    "keyword": {"sqlite": "`message` LIKE '%accepted%' ESCAPE '\\'", "elasticsearch": "message.keyword:*accepted*"},
}


@pytest.fixture
def sample(store):
    events = [
        ev(0, **{"user.name": "root", "source.ip": "10.1.2.3", "destination.port": 22, "message": "Failed password for root"}),
        ev(1, **{"user.name": "Root", "source.ip": "10.200.0.1", "destination.port": 2222, "message": "Accepted password for Root"}),
        ev(2, **{"user.name": "alice", "source.ip": "192.168.1.5", "destination.port": 22, "host.name": "web-01"}),
        ev(3, **{"source.ip": "8.8.8.8", "event.dataset": "nginx.access", "url.original": "/a?id=1 UNION ALL SELECT 1", "host.name": "Web-02"}),
        ev(4, **{"source.ip": "8.8.4.4", "event.dataset": "nginx.access", "url.original": "/index.html", "host.name": "db-01"}),
        ev(5, **{"process.executable": "C:\\Windows\\System32\\CMD.EXE", "event.dataset": "windows.security", "user.name": "bob"}),
    ]
    assert store.write_events(events).stored == len(events)
    return events


@pytest.mark.parametrize(
    "name,expected",
    [
        ("eq_ci", [0, 1]),
        ("contains", [3]),
        ("startswith", [2, 3]),
        ("endswith", [5]),
        ("regex", [0]),
        ("cidr", [0, 1]),
        ("null", [3, 4]),
        ("number", [0, 2]),
        ("keyword", [1]),
    ],
)
def test_sigma_semantics_match_the_same_events(store, sample, name, expected):
    hits = list(store.iter_events(Q[name][store.dialect]))
    assert [h["event.id"] for h in hits] == [sample[i]["event.id"] for i in expected]
    assert store.count(Q[name][store.dialect]) == len(expected)


def test_events_round_trip_unchanged(store, sample):
    got = store.get_events([sample[3]["event.id"], sample[0]["event.id"], "missing"])
    assert got == [sample[0], sample[3]]


def test_replay_is_idempotent(store, sample):
    again = store.write_events(sample)
    assert (again.stored, again.duplicates) == (0, len(sample))
    assert store.count() == len(sample)


def test_paging_is_stable_and_complete(store):
    events = [ev(i // 3, **{"event.id": event_id("page", i)}) for i in range(2500)]
    store.write_events(events)
    seen, after, pages = [], None, 0
    while True:
        page = store.search(None, size=700, after=after)
        seen += [e["event.id"] for e in page.events]
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after
    assert pages == 4
    assert len(seen) == len(set(seen)) == 2500
    assert seen == [e["event.id"] for e in sorted(events, key=lambda e: (e["@timestamp"], e["event.id"]))]


def test_time_range_is_half_open(store, sample):
    start, end = T0 + timedelta(seconds=1), T0 + timedelta(seconds=3)
    assert [e["event.id"] for e in store.iter_events(None, start, end)] == [sample[1]["event.id"], sample[2]["event.id"]]
    assert store.count(None, start, end) == 2
    assert store.time_bounds() == (T0, T0 + timedelta(seconds=5))


def test_dataset_filter_and_listing(store, sample):
    assert store.count(dataset="nginx.access") == 2
    assert dict(store.datasets()) == {"sshd.auth": 3, "nginx.access": 2, "windows.security": 1}


def test_aggregations(store, sample):
    q = Q["number"][store.dialect]
    assert dict(store.terms("destination.port")) == {22: 2, 2222: 1}
    assert store.terms("source.ip", q) in ([("10.1.2.3", 1), ("192.168.1.5", 1)],)
    assert store.distinct_count("destination.port") == 2
    assert store.distinct_count("source.ip", q) == 2
    assert store.histogram(2) == [(T0, 2), (T0 + timedelta(seconds=2), 2), (T0 + timedelta(seconds=4), 2)]


def test_dead_letters_are_kept_once(store):
    bad = [DeadLetter(source="/var/log/x.log", reason="no timestamp", raw="garbage \udcff", offset=i) for i in range(3)]
    assert store.write_dead_letters(bad) == 3
    assert store.write_dead_letters(bad) == 0
    assert store.count_dead_letters() == 3
    assert store.count_dead_letters("/var/log/x.log") == 3
    listed = store.list_dead_letters(10)
    assert {d.reason for d in listed} == {"no timestamp"}
    assert {d.offset for d in listed} == {0, 1, 2}


def _incident(n: int, **kw) -> Incident:
    base = dict(
        id=f"INC-{n}", rule_id="r1", rule_title="SSH brute force", severity=Severity.HIGH, status=Status.NEW,
        entity={"source.ip": f"1.2.3.{n}"}, first_seen=format_ts(T0), last_seen=format_ts(T0 + timedelta(minutes=n)),
        evidence_count=0, attack_techniques=["T1110"],
    )
    base.update(kw)
    return Incident(**base)


def test_incidents_history_and_evidence(store, sample):
    store.save_incident(_incident(1))
    store.save_incident(_incident(2, status=Status.RESOLVED, severity=Severity.MEDIUM))
    store.save_incident(_incident(3, rule_id="r2", entity={"source.ip": "1.2.3.1"}))
    assert [i.id for i in store.list_incidents()] == ["INC-3", "INC-2", "INC-1"]
    assert [i.id for i in store.list_incidents(IncidentFilter(status=["new"]))] == ["INC-3", "INC-1"]
    assert [i.id for i in store.list_incidents(IncidentFilter(severity=["medium"]))] == ["INC-2"]
    assert [i.id for i in store.list_incidents(IncidentFilter(entity_value="1.2.3.1"))] == ["INC-3", "INC-1"]
    assert store.latest_incident("r1", "source.ip=1.2.3.2").id == "INC-2"
    assert store.latest_incident("r1", "source.ip=9.9.9.9") is None

    inc = store.get_incident("INC-1")
    inc.status, inc.assignee = Status.IN_PROGRESS, "an"
    store.save_incident(inc)
    assert store.get_incident("INC-1").status is Status.IN_PROGRESS
    assert [i.id for i in store.list_incidents(IncidentFilter(assignee="an"))] == ["INC-1"]

    ids = [e["event.id"] for e in sample]
    assert store.add_evidence("INC-1", ids[:4], cap=5) == 4
    assert store.add_evidence("INC-1", ids, cap=5) == 1
    assert store.list_evidence("INC-1") == ids[:5]

    store.append_audit(AuditEntry(at=format_ts(T0), actor="an", action="status", incident_id="INC-1", detail={"from": "new", "to": "in_progress"}))
    store.append_audit(AuditEntry(at=format_ts(T0), actor="an", action="comment", incident_id="INC-1", detail={"text": "xem"}))
    store.append_audit(AuditEntry(at=format_ts(T0), actor="admin", action="user.create", detail={"user": "b"}))
    assert [a.action for a in store.list_audit("INC-1")] == ["status", "comment"]
    assert store.list_audit()[0].action == "user.create"


def test_checkpoints_and_users(store):
    assert store.get_checkpoint("rule:x") is None
    store.set_checkpoint("rule:x", "2026-11-20T01:00:00.000Z")
    store.set_checkpoint("rule:x", "2026-11-20T02:00:00.000Z")
    store.set_checkpoint("run:x", "{}")
    assert store.get_checkpoint("rule:x") == "2026-11-20T02:00:00.000Z"
    assert store.list_checkpoints("rule:") == {"rule:x": "2026-11-20T02:00:00.000Z"}
    store.save_user(User(username="an", password_hash="h", role="analyst", display_name="Nguyễn Văn An"))
    assert store.get_user("an").display_name == "Nguyễn Văn An"
    assert [u.username for u in store.list_users()] == ["an"]


def test_retention_drops_whole_old_days(store):
    old = [ev(i, **{"@timestamp": format_ts(T0 - timedelta(days=10) + timedelta(seconds=i)), "event.id": event_id("old", i)}) for i in range(3)]
    web = [ev(i, **{"@timestamp": format_ts(T0 - timedelta(days=10)), "event.id": event_id("web", i), "event.dataset": "nginx.access"}) for i in range(2)]
    new = [ev(i, **{"event.id": event_id("new", i)}) for i in range(4)]
    store.write_events(old + web + new)
    deleted = store.apply_retention({"sshd.auth": 7}, now=T0)
    assert deleted == 3
    assert store.count(dataset="sshd.auth") == 4
    assert store.count(dataset="nginx.access") == 2
    assert store.apply_retention({}, now=T0, default_days=7) == 2


def test_dead_letter_keeps_undecodable_bytes(store):
    raw = b"Nov 16 08:01:02 host sshd[1]: \xff\xfe bad".decode("utf-8", "surrogateescape")
    store.write_dead_letters([DeadLetter(source="f", reason="bad bytes", raw=raw, offset=7)])
    (got,) = store.list_dead_letters()
    assert got.raw.encode("utf-8", "surrogateescape") == b"Nov 16 08:01:02 host sshd[1]: \xff\xfe bad"


def test_long_values_round_trip_and_match_on_their_beginning(store):
    script = "$wc = New-Object Net.WebClient; " + "A" * 40000 + " iex($x)"
    vi = "Nhật ký " * 6000  # non-ASCII: many more bytes than characters
    store.write_events([ev(0, **{"powershell.file.script_block_text": script, "message": vi})])
    (got,) = list(store.iter_events())
    assert got["powershell.file.script_block_text"] == script and got["message"] == vi
    q = {"sqlite": "`powershell.file.script_block_text` LIKE '%net.webclient%' ESCAPE '\\'",
         "elasticsearch": "powershell.file.script_block_text:*net.webclient*"}
    assert store.count(q[store.dialect]) == 1
