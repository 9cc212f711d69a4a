"""The console on the production store: a real Elasticsearch node, seeded as the SQLite tests are."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.elasticsearch


def test_console_on_elasticsearch_logs_in_and_opens_the_queue_and_an_incident(es_console):
    at = es_console.login("lan")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Hàng đợi sự cố"]
    queue = at.dataframe[0].value
    assert list(queue["Mã"]) == [es_console.id("sqli"), es_console.id("ssh")]
    assert queue[queue["Mã"] == es_console.id("ssh")].iloc[0]["Lần đầu"] == "20/11/2026 08:58"

    at = es_console.open_incident(at, es_console.id("ssh"))
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [f"Sự cố {es_console.id('ssh')}"]
    evidence = at.dataframe[1].value
    assert list(evidence["source.port"]) == ["51000", "51001", "51002", "51003", "51004"]
    hostile = f"Failed password for invalid user {es_console.xss} from 203.0.113.7 port 51002 ssh2"
    assert evidence["message"][2] == hostile

    at.selectbox[0].select("in_progress")
    at.button[0].click().run()
    assert [s.value for s in at.success] == ["Đã cập nhật trạng thái."]
    assert es_console.store.get_incident(es_console.id("ssh")).status.value == "in_progress"
    [entry] = es_console.store.list_audit(es_console.id("ssh"))
    assert (entry.actor, entry.action, entry.detail["to"]) == ("lan", "status", "in_progress")
