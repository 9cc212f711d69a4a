"""Backtest over a real SQLite store: hits per day and per key, and nothing raised."""

from __future__ import annotations

from rulekit import SQLI, at, ruleset, simple, ssh_event, web_event

from detection.backtest import backtest
from detection.model import CompiledRule, RuleSet
from soc.incidents import Severity

DAY = 86_400


def test_backtest_counts_hits_per_day_and_key_and_raises_nothing(sqlite_store):
    rs = ruleset()
    # T0 is 01:00 UTC: day 0 has a 6-line burst from .7, day 1 a 10-line burst from .7 and 5 lines from .8
    events = [ssh_event(s, "203.0.113.7") for s in range(6)]
    events += [ssh_event(DAY + s, "203.0.113.7") for s in range(10)]
    events += [ssh_event(DAY + 3600 + s, "203.0.113.8") for s in range(5)]
    events += [ssh_event(2 * DAY + s * 100, "203.0.113.9") for s in range(5)]  # too slow to count
    sqlite_store.write_events(events)
    res = backtest(sqlite_store, rs.by_ref("ssh_brute"), rs, at(-60), at(3 * DAY))
    assert res.error is None and res.would_raise
    assert res.hits == 21
    assert res.per_day == [("2026-11-20", 6), ("2026-11-21", 15)]
    assert res.per_key == [("source.ip=203.0.113.7", 16), ("source.ip=203.0.113.8", 5)]
    assert sqlite_store.list_incidents() == []
    assert sqlite_store.list_checkpoints() == {}
    text = res.describe()
    assert "21 matching events in 3 alerts" in text and "  2026-11-21  15" in text and "  source.ip=203.0.113.8  5" in text


def test_backtest_days_follow_the_time_zone(sqlite_store):
    sqli = simple("web_sqli", SQLI, level=Severity.HIGH)
    # 16:30 and 17:30 UTC on the 20th: the second is already the 21st in Ho Chi Minh City (UTC+7)
    sqlite_store.write_events([web_event(15.5 * 3600, "10.0.0.1", "/?q=union select"),
                               web_event(16.5 * 3600, "10.0.0.1", "/?q=union select")])
    utc = backtest(sqlite_store, sqli, RuleSet([sqli]), None, at(DAY))
    vn = backtest(sqlite_store, sqli, RuleSet([sqli]), None, at(DAY), tz="Asia/Ho_Chi_Minh")
    assert utc.per_day == [("2026-11-20", 2)]
    assert vn.per_day == [("2026-11-20", 1), ("2026-11-21", 1)]


def test_backtest_of_a_hidden_base_rule_shows_its_hits(sqlite_store):
    rs = ruleset()
    sqlite_store.write_events([ssh_event(s, "203.0.113.7") for s in range(3)])
    res = backtest(sqlite_store, rs.by_ref("ssh_fail"), rs, None, at(60))
    assert (res.would_raise, res.hits) == (False, 3)


def test_backtest_reports_errors_instead_of_raising(sqlite_store):
    es_only = CompiledRule(id="es_only", title="ES only", level=Severity.LOW, path="rules/es.yml",
                           queries={"elasticsearch": "x:1"}, errors={"sqlite": "unsupported modifier 'cased'"})
    res = backtest(sqlite_store, es_only, RuleSet([es_only]), None, at(60))
    assert "unsupported modifier 'cased'" in res.error and res.hits == 0
    broken = simple("broken", "`a` = = (")
    assert "SQLite query failed" in backtest(sqlite_store, broken, RuleSet([broken]), None, at(60)).error
    assert "No time zone" in backtest(sqlite_store, broken, RuleSet([broken]), None, at(60), tz="Mars/Base").error
