"""Rule test events run on fresh real SQLite stores; failures name the rule, the list and the event."""

from __future__ import annotations

from pathlib import Path

import pytest
from rulekit import SQLI, SSH_FAIL, brute_force, simple

from detection.model import RuleSet
from detection.ruletest import BASE_TIME, run_rule_tests, sqlite_factories, find_tests_file
from soc.events import format_ts


@pytest.fixture
def factories():
    with sqlite_factories() as f:
        yield f


def write(folder: Path, name: str, tests: str | None) -> str:
    rule_path = folder / f"{name}.yml"
    rule_path.write_text("title: placeholder, the rule is compiled by hand in these tests\n")
    if tests is not None:
        (folder / f"{name}.tests.yml").write_text(tests)
    return str(rule_path)


SQLI_TESTS = """
match:
  - {event.dataset: nginx.access, source.ip: 10.0.0.1, url.original: "/s?q=1 UNION SELECT pass FROM users"}
  - event: {dataset: nginx.access}
    source: {ip: 10.0.0.2}
    url: {original: "/x?id=1 union all select null"}
no_match:
  - {event.dataset: nginx.access, source.ip: 10.0.0.3, url.original: "/unions/members?sort=name"}
  - {event.dataset: nginx.access, source.ip: 10.0.0.4, url.original: "/about"}
"""


def test_passing_rule_checks_every_event(tmp_path, factories):
    rule = simple("web_sqli", SQLI, path=write(tmp_path, "web_sqli", SQLI_TESTS))
    [res] = run_rule_tests(RuleSet([rule]), factories)
    assert (res.status, res.dialect, res.checked, res.failures) == ("passed", "sqlite", 4, [])
    assert res.tests_path == str(tmp_path / "web_sqli.tests.yml")


def test_failures_name_the_list_and_the_event(tmp_path, factories):
    tests = SQLI_TESTS.replace("/about", "/about?q=union select 1")  # no_match[1] now matches
    tests = tests.replace("1 UNION SELECT pass FROM users", "1 OR 1=1")  # match[0] no longer matches
    rule = simple("web_sqli", SQLI, path=write(tmp_path, "web_sqli", tests))
    [res] = run_rule_tests(RuleSet([rule]), factories)
    assert res.status == "failed" and not res.passed
    assert [f.describe() for f in res.failures] == [
        "match[0]: the rule did not match this event",
        "no_match[1]: the rule matched this event",
    ]
    assert res.failures[0].event["url.original"] == "/s?q=1 OR 1=1"
    text = res.describe().splitlines()
    assert text[0].startswith("FAIL     sqlite") and "[web_sqli]" in text[0] and "web_sqli.yml" in text[0]
    assert text[1].startswith("    match[0]: the rule did not match this event | ") and "url.original='/s?q=1 OR 1=1'" in text[1]
    assert res.failures[0].event["@timestamp"] == format_ts(BASE_TIME)  # filled: base time + 0 s


BRUTE_TESTS = """
match:
""" + "".join(f"  - {{event.dataset: sshd.auth, event.outcome: failure, source.ip: 203.0.113.7, user.name: u{i}}}\n" for i in range(5)) + """
no_match:
""" + "".join(
    f"  - {{'@timestamp': '2026-01-05T02:0{i}:00Z', event.dataset: sshd.auth, event.outcome: failure, source.ip: 203.0.113.8}}\n"
    for i in range(5)
)


def test_correlation_tests_run_each_list_together(tmp_path, factories):
    path = write(tmp_path, "ssh_brute", BRUTE_TESTS)
    base = simple("ssh_fail", SSH_FAIL, generate=False, path=path)
    corr = brute_force()
    corr.path = path
    results = run_rule_tests(RuleSet([base, corr]), factories)
    # the tests file targets the generating rule of the file: the correlation
    assert [(r.rule_id, r.status, r.checked) for r in results] == [("ssh_brute", "passed", 10)]
    # one minute apart the no_match failures never make 5 in 60 s; one second apart they would
    tight = BRUTE_TESTS.replace("2026-01-05T02:0", "2026-01-05T02:00:0")
    (tmp_path / "ssh_brute.tests.yml").write_text(tight)
    [res] = run_rule_tests(RuleSet([base, corr]), factories)
    assert [f.describe() for f in res.failures] == ["no_match: the correlation fired for source.ip=203.0.113.8"]


def test_rules_without_tests_bad_files_and_unconverted_rules(tmp_path, factories):
    no_tests = simple("plain", SQLI, path=write(tmp_path, "plain", None))
    bad_yaml = simple("bad", SQLI, path=write(tmp_path, "bad", "match: [ {unclosed"))
    wrong_key = simple("wrong", SQLI, path=write(tmp_path, "wrong", "matches: []\n"))
    es_only = simple("es_only", SQLI, path=write(tmp_path, "es_only", SQLI_TESTS))
    es_only.queries, es_only.errors = {"elasticsearch": "q"}, {"sqlite": "unsupported modifier 'cased'"}
    bad_event = simple("bad_event", SQLI, path=write(tmp_path, "bad_event", "match:\n  - just a string\n"))
    res = {r.rule_id: r for r in run_rule_tests(RuleSet([no_tests, bad_yaml, wrong_key, es_only, bad_event]), factories)}
    assert res["plain"].status == "no_tests" and res["plain"].passed
    assert res["bad"].status == "error" and res["bad"].error.startswith(f"{tmp_path / 'bad.tests.yml'}:1: invalid YAML")
    assert res["wrong"].status == "error" and "unknown keys ['matches']" in res["wrong"].error
    assert res["es_only"].status == "error" and "unsupported modifier 'cased'" in res["es_only"].error
    assert res["bad_event"].status == "failed"
    assert res["bad_event"].failures[0].describe().startswith("match[0]: the test event is not a mapping")


def test_tests_file_is_found_beside_the_rule(tmp_path):
    path = write(tmp_path, "r", "match: [{a: 1}]\n")
    assert find_tests_file(path) == tmp_path / "r.tests.yml"
    assert find_tests_file(write(tmp_path, "s", None)) is None


def test_lists_share_one_store_without_disturbing_each_other(tmp_path, factories):
    # two correlations over the same base rule; B's four failures from the same address at the
    # same filled times as A's five would fire B if B saw A's events too
    five = "".join(f"  - {{event.dataset: sshd.auth, event.outcome: failure, source.ip: 203.0.113.7, user.name: a{i}}}\n" for i in range(5))
    four = "".join(f"  - {{event.dataset: sshd.auth, event.outcome: failure, source.ip: 203.0.113.7, user.name: b{i}}}\n" for i in range(4))
    base = simple("ssh_fail", SSH_FAIL, generate=False, path=write(tmp_path, "ssh_fail", None))
    a, b = brute_force(), brute_force()
    a.id, a.path = "brute_a", write(tmp_path, "brute_a", "match:\n" + five)
    b.id, b.path = "brute_b", write(tmp_path, "brute_b", "no_match:\n" + four)
    calls = []

    def counting():
        calls.append(1)
        return factories["sqlite"]()

    results = run_rule_tests(RuleSet([base, a, b]), {"sqlite": counting})
    assert [(r.rule_id, r.status) for r in results] == [("ssh_fail", "no_tests"), ("brute_a", "passed"), ("brute_b", "passed")]
    assert len(calls) == 1  # one fresh store per backend
