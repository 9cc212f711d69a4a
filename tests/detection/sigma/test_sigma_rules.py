"""Our rules folder: every rule loads and converts on both dialects, carries what analysts need,
and its test events pass on a real SQLite store."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from detection.ruletest import run_rule_tests, sqlite_factories
from detection.sigma import conversion_report, load_ruleset, rule_tests_path
from detection.sigma.loader import DEFAULT_RULES_DIR

VIETNAMESE = re.compile(r"[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]", re.IGNORECASE)


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset([DEFAULT_RULES_DIR])


def test_every_rule_loads_and_converts_on_both_dialects(ruleset):
    assert ruleset.errors == []
    assert len(ruleset.rules) >= 40
    report = conversion_report(ruleset)
    for dialect in ("sqlite", "elasticsearch"):
        assert report[dialect]["failed"] == []
        assert report[dialect]["converted"] == report[dialect]["total"] == len(ruleset.rules)


def test_every_rule_has_id_attack_level_descriptions_and_tests(ruleset):
    for r in ruleset.rules:
        assert str(uuid.UUID(r.id)) == r.id, r.path
        assert r.attack_techniques and r.attack_tactics, r.path
        assert r.description and VIETNAMESE.search(r.description_vi), r.path
        assert r.group_by, r.path
        assert rule_tests_path(Path(r.path)) is not None, r.path


def test_required_detections_are_present(ruleset):
    brute = ruleset.by_ref("ssh_brute_force").correlation
    assert (brute.type, brute.group_by, brute.timespan_seconds, brute.condition.op, brute.condition.value) == (
        "event_count", ["source.ip"], 300, "gte", 10.0)
    after = ruleset.by_ref("ssh_success_after_brute_force").correlation
    assert after.type == "temporal_ordered" and after.rule_refs == ["ssh_brute_force", "ssh_auth_success"]
    scan = ruleset.by_ref("fw_port_scan").correlation
    assert (scan.type, scan.condition.field, scan.condition.value, scan.timespan_seconds) == ("value_count", "destination.port", 50.0, 300)
    assert ruleset.by_ref("ssh_auth_failure").generate is False
    assert ruleset.by_ref("ssh_brute_force").generate is True  # still alerts although a correlation builds on it
    for name in ("web_sql_injection", "web_path_traversal"):
        assert ruleset.by_ref(name).level.value == "high"


def test_sql_injection_rule_on_real_store(ruleset, sqlite_store):
    from sigmakit import events

    q = ruleset.by_ref("web_sql_injection").queries["sqlite"]
    urls = ["/x?id=1%20UNION%20SELECT%201", "/x?id=1+union+select+1", "/x?q=%27%20OR%20%271%27=%271", "/x?id=(SELECT%20SLEEP(5))",
            "/x?t=INFORMATION_SCHEMA.tables", "/x?id=10", "/tin-tuc/union-select-bong-da", "/search?q=sleep+well"]
    evs = events(*({"event.dataset": "apache.access", "source.ip": "203.0.113.1", "url.original": u} for u in urls))
    sqlite_store.write_events(evs)
    found = {e["url.original"] for e in sqlite_store.iter_events(q)}
    assert found == set(urls[:5])


def test_rule_test_events_pass_on_sqlite(ruleset):
    with sqlite_factories() as factories:
        results = run_rule_tests(ruleset, factories)
    failed = [r.describe() for r in results if r.status != "passed"]
    assert failed == []
    assert len(results) == len(ruleset.rules)
