"""The engine against a real SQLite store: run_rule, run_once, checkpoints, run records, errors."""

from __future__ import annotations

from rulekit import SQLI, SSH_OK, at, ruleset, simple, ssh_event, web_event

from detection.engine import run_once, run_rule, run_rule_once
from detection.model import CompiledRule, Correlation, RuleSet
from detection.runs import last_runs, run_history
from soc.events import format_ts
from soc.incidents import Severity
from soc.store.base import IncidentFilter


def attack(n: int, ip: str = "203.0.113.7", start: float = 0.0, step: float = 0.5) -> list[dict]:
    return [ssh_event(start + i * step, ip, user=f"user{i % 7}") for i in range(n)]


def test_brute_force_of_10000_lines_is_one_incident_with_capped_links(sqlite_store):
    events = attack(10_000)
    events += [ssh_event(s, "198.51.100.9") for s in (0, 300, 600)]  # three failures, far apart: no brute force
    sqlite_store.write_events(events)
    summary = run_once(sqlite_store, ruleset(), now=at(6000), evidence_cap=1000)
    assert summary.errors == []
    incs = sqlite_store.list_incidents()
    assert len(incs) == 1
    inc = incs[0]
    assert inc.rule_id == "ssh_brute" and inc.entity == {"source.ip": "203.0.113.7"}
    assert inc.evidence_count == 10_000
    assert inc.first_seen == format_ts(at(0)) and inc.last_seen == format_ts(at(9999 * 0.5))
    assert inc.attack_techniques == ["T1110.001"] and inc.severity == Severity.HIGH
    assert len(sqlite_store.list_evidence(inc.id, limit=5000)) == 1000
    audit = sqlite_store.list_audit(inc.id)
    assert [(a.actor, a.action) for a in audit] == [("detection", "created")]


def test_rerun_with_overlap_and_incremental_runs_count_each_event_once(sqlite_store):
    rs = ruleset()
    sqlite_store.write_events(attack(400, start=0, step=1))  # 0..399 s
    run_once(sqlite_store, rs, now=at(400))
    # same data again, twice: nothing changes (the window re-reads 120 s of overlap)
    run_once(sqlite_store, rs, now=at(400))
    run_once(sqlite_store, rs, now=at(450))
    [inc] = sqlite_store.list_incidents()
    assert inc.evidence_count == 400
    # the attack goes on; part of the new events fall inside the overlap of the next run
    sqlite_store.write_events(attack(300, start=400, step=1))  # 400..699 s
    run_once(sqlite_store, rs, now=at(700))
    run_once(sqlite_store, rs, now=at(760))
    [inc] = sqlite_store.list_incidents()
    assert inc.evidence_count == 700
    assert inc.last_seen == format_ts(at(699))
    assert len(sqlite_store.list_evidence(inc.id, limit=2000)) == 700


def test_a_brute_force_split_across_two_runs_is_still_seen(sqlite_store):
    rs = ruleset()
    # 3 failures before the first run, 3 after: 6 within 60 s only together
    sqlite_store.write_events([ssh_event(s, "192.0.2.1") for s in (100, 110, 120)])
    run_once(sqlite_store, rs, now=at(125))
    assert sqlite_store.list_incidents() == []
    sqlite_store.write_events([ssh_event(s, "192.0.2.1") for s in (130, 140, 150)])
    run_once(sqlite_store, rs, now=at(200))
    [inc] = sqlite_store.list_incidents()
    assert inc.evidence_count == 6 and inc.first_seen == format_ts(at(100))


def test_simple_rule_groups_every_match_by_key_and_base_rules_raise_nothing(sqlite_store):
    sqli = simple("web_sqli", SQLI, level=Severity.HIGH)
    sqlite_store.write_events([
        web_event(1, "10.1.1.1", "/search?q=1 UNION SELECT password FROM users"),
        web_event(2, "10.1.1.1", "/search?q=1 union all select 1,2"),
        web_event(3, "10.2.2.2", "/item?id=5 UnIoN SeLeCt null"),
        web_event(4, "10.3.3.3", "/about"),
        ssh_event(5, "10.1.1.1"),
    ])
    rs = ruleset(sqli)
    alerts = run_rule(sqlite_store, sqli, rs, at(0), at(10))
    assert sorted((a.entity["source.ip"], a.count) for a in alerts) == [("10.1.1.1", 2), ("10.2.2.2", 1)]
    assert run_rule(sqlite_store, rs.by_ref("ssh_fail"), rs, at(0), at(10)) == []  # generate: false
    run_once(sqlite_store, rs, now=at(10))
    incs = sqlite_store.list_incidents()
    assert sorted((i.rule_id, i.entity["source.ip"], i.evidence_count) for i in incs) == [
        ("web_sqli", "10.1.1.1", 2), ("web_sqli", "10.2.2.2", 1)]


def test_asset_criticality_raises_severity_one_level(sqlite_store):
    sqli = simple("web_sqli", SQLI, level=Severity.MEDIUM)
    sqlite_store.write_events([
        web_event(1, "10.1.1.1", "/a?x=union select", **{"destination.soc.asset.criticality": "critical"}),
        web_event(2, "10.2.2.2", "/a?x=union select", **{"destination.soc.asset.criticality": "low"}),
        web_event(3, "10.3.3.3", "/a?x=union select", **{"destination.soc.asset.security_level": 4}),
        web_event(4, "10.4.4.4", "/a?x=union select", **{"destination.soc.asset.security_level": 2}),
    ])
    alerts = {a.entity["source.ip"]: a.severity for a in run_rule(sqlite_store, sqli, RuleSet([sqli]), at(0), at(10))}
    assert alerts == {"10.1.1.1": Severity.HIGH, "10.2.2.2": Severity.MEDIUM,
                      "10.3.3.3": Severity.HIGH, "10.4.4.4": Severity.MEDIUM}


def test_success_after_brute_force_chains_correlations(sqlite_store):
    ok = simple("ssh_ok", SSH_OK, generate=False)
    after = CompiledRule(
        id="ssh_success_after_brute", name="ssh_success_after_brute", title="SSH login after brute force",
        level=Severity.CRITICAL, path="rules/x.yml", group_by=["source.ip"],
        correlation=Correlation(type="temporal_ordered", rule_refs=["ssh_brute", "ssh_ok"],
                                group_by=["source.ip"], timespan_seconds=300),
    )
    rs = ruleset(ok, after)
    events = attack(20, ip="203.0.113.50", start=0, step=2)  # 0..38 s
    events.append(ssh_event(100, "203.0.113.50", outcome="success"))
    events.append(ssh_event(50, "198.51.100.1", outcome="success"))  # a normal login, no failures
    sqlite_store.write_events(events)
    alerts = run_rule(sqlite_store, after, rs, at(0), at(200))
    assert len(alerts) == 1
    a = alerts[0]
    assert a.entity == {"source.ip": "203.0.113.50"} and a.count == 21
    assert a.last_seen == format_ts(at(100))


def test_run_once_from_the_earliest_event_sets_checkpoints_and_records_runs(sqlite_store):
    rs = ruleset()
    summary = run_once(sqlite_store, rs, now=at(100))  # empty store: nothing to read, no checkpoint
    assert [r.note for r in summary.runs] == ["the store holds no events yet"]
    assert sqlite_store.get_checkpoint("rule:ssh_brute") is None
    sqlite_store.write_events(attack(10, start=3600))  # an hour later than the first "now"
    summary = run_once(sqlite_store, rs, now=at(7200))
    assert summary.runs[0].start == format_ts(at(3600)) and summary.runs[0].hits == 10
    assert sqlite_store.get_checkpoint("rule:ssh_brute") == format_ts(at(7200))
    summary = run_once(sqlite_store, rs, now=at(7300))
    assert summary.runs[0].start == format_ts(at(7200 - 120))
    runs = last_runs(sqlite_store)
    assert set(runs) == {"ssh_brute"} and runs["ssh_brute"].end == format_ts(at(7300))
    assert [r.end for r in run_history(sqlite_store, "ssh_brute")] == [format_ts(at(t)) for t in (7300, 7200, 100)]


def test_an_error_in_one_rule_does_not_stop_the_others(sqlite_store):
    broken = simple("broken", "`source.ip` = = 'x' ((")
    missing = CompiledRule(id="es_only", title="ES only", level=Severity.LOW, path="rules/es.yml",
                           queries={"elasticsearch": "source.ip:1.2.3.4"}, errors={"sqlite": "unsupported modifier"})
    sqli = simple("web_sqli", SQLI)
    rs = RuleSet([broken, missing, *ruleset().rules, sqli])
    sqlite_store.write_events(attack(10) + [web_event(1, "10.9.9.9", "/?q=union select")])
    summary = run_once(sqlite_store, rs, now=at(60))
    errors = {r.rule_id: r.error for r in summary.runs if r.error}
    assert set(errors) == {"broken", "es_only"}
    assert "unsupported modifier" in errors["es_only"]
    assert sqlite_store.get_checkpoint("rule:broken") is None  # retried next time
    assert sorted(i.rule_id for i in sqlite_store.list_incidents()) == ["ssh_brute", "web_sqli"]
    assert last_runs(sqlite_store)["broken"].error
    d = summary.as_dict()
    assert (d["rules_run"], len(d["errors"]), len(d["incidents"])) == (4, 2, 2)
    assert "error in es_only: RuleError" in summary.describe()


def test_one_rule_can_run_on_its_own(sqlite_store):
    sqli = simple("web_sqli", SQLI)
    rs = ruleset(sqli)
    sqlite_store.write_events(attack(10) + [web_event(1, "10.9.9.9", "/?q=union select")])
    summary = run_once(sqlite_store, rs, now=at(60), rule_ids={"web_sqli"})
    assert [r.rule_id for r in summary.runs] == ["web_sqli"]
    assert sqlite_store.get_checkpoint("rule:ssh_brute") is None
    record, incidents = run_rule_once(sqlite_store, rs.by_ref("ssh_brute"), rs, now=at(60))
    assert (record.start, record.hits, record.error) == (format_ts(at(0)), 10, None)
    assert [i.entity for i in incidents] == [{"source.ip": "203.0.113.7"}]
    assert last_runs(sqlite_store)["ssh_brute"].incidents == [incidents[0].id]


def test_disabled_rules_do_not_run(sqlite_store):
    sqli = simple("web_sqli", SQLI, enabled=False)
    sqlite_store.write_events([web_event(1, "10.9.9.9", "/?q=union select")])
    summary = run_once(sqlite_store, RuleSet([sqli]), now=at(60))
    assert summary.runs == [] and sqlite_store.list_incidents(IncidentFilter(rule_id="web_sqli")) == []


def test_late_events_inside_the_overlap_are_counted_once(sqlite_store):
    rs = ruleset()
    sqlite_store.write_events(attack(200, start=0, step=1))  # 0..199 s
    run_once(sqlite_store, rs, now=at(200))
    # stored after that run but stamped inside the attack, within the next run's 120 s overlap:
    # older than the incident's last_seen, so they count because they were not linked yet
    sqlite_store.write_events([ssh_event(s, "203.0.113.7", user="late") for s in (150.5, 160.5, 170.5)])
    run_once(sqlite_store, rs, now=at(260))
    run_once(sqlite_store, rs, now=at(270))
    [inc] = sqlite_store.list_incidents()
    assert inc.evidence_count == 203
    assert inc.last_seen == format_ts(at(199))


def test_timestamps_older_than_the_overlap_are_the_documented_gap(sqlite_store):
    rs = ruleset()
    sqlite_store.write_events(attack(10, start=0, step=1, ip="192.0.2.10"))
    run_once(sqlite_store, rs, now=at(1000))
    sqlite_store.write_events(attack(10, start=500, step=1, ip="192.0.2.20"))  # late by 500 s
    run_once(sqlite_store, rs, now=at(1060))
    assert [i.entity["source.ip"] for i in sqlite_store.list_incidents()] == ["192.0.2.10"]
    # a run over that period (what a catch-up or first_start does) finds it
    alerts = run_rule(sqlite_store, rs.by_ref("ssh_brute"), rs, at(0), at(1060))
    assert sorted(a.entity["source.ip"] for a in alerts) == ["192.0.2.10", "192.0.2.20"]


def test_correlation_rules_reading_before_start_report_only_windows_firing_after(sqlite_store):
    rs = ruleset()
    sqlite_store.write_events(attack(6, start=0, step=1))
    brute = rs.by_ref("ssh_brute")
    assert len(run_rule(sqlite_store, brute, rs, at(0), at(60))) == 1
    assert run_rule(sqlite_store, brute, rs, at(10), at(60)) == []  # fired at 4 s and 5 s, before start
    assert run_rule(sqlite_store, brute, rs, at(5), at(60))[0].count == 6  # fired at 5 s: whole window


def test_run_history_is_bounded_and_survives_a_damaged_record(sqlite_store):
    from detection.runs import HISTORY

    sqli = simple("web_sqli", SQLI)
    sqlite_store.write_events([web_event(1, "10.9.9.9", "/?q=union select")])
    for minute in range(HISTORY + 5):
        run_once(sqlite_store, RuleSet([sqli]), now=at(60 * (minute + 1)))
    history = run_history(sqlite_store, "web_sqli")
    assert len(history) == HISTORY and history[0].end == format_ts(at(60 * (HISTORY + 5)))
    sqlite_store.set_checkpoint("run:other", "{not json")
    assert set(last_runs(sqlite_store)) == {"web_sqli"}
