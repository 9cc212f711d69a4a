"""`|expand` placeholders filled from the configured lists, run for real on a SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sigmakit import events

from detection.sigma import load_ruleset
from detection.sigma.placeholders import PLACEHOLDERS_ENV, load_placeholders, placeholder_dirs
from soc.errors import ConfigError
from soc.store.sqlite import SQLiteStore

RULES = Path(__file__).resolve().parents[3] / "rules"


def rule(name: str, detection: str, logsource: str = "{category: firewall}") -> str:
    return (f"title: {name}\nname: {name}\nlogsource: {logsource}\ndetection:\n{detection}\nlevel: high\n")


BAD = rule("bad", "  a:\n    source.ip|expand: '%bad_ips%'\n  b:\n    destination.ip|expand: '%bad_ips%'\n  condition: a or b")
PORTS = rule("ports", "  sel:\n    destination.port|expand: '%admin_ports%'\n  condition: sel")
MISSING = rule("missing", "  sel:\n    source.ip|expand: '%nope%'\n  condition: sel")


def folder(tmp_path: Path, lists: dict[str, str], *docs: str) -> Path:
    d = tmp_path / "rules"
    (d / "placeholders").mkdir(parents=True)
    for name, text in lists.items():
        (d / "placeholders" / name).write_text(text)
    for i, doc in enumerate(docs):
        (d / f"r{i}.yml").write_text(doc)
    return d


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "p.db")
    yield s
    s.close()


def hits(store: SQLiteStore, query: str, evs: list[dict]) -> list[int]:
    store.write_events(evs)
    found = {e["event.id"] for e in store.iter_events(query)}
    return [i for i, e in enumerate(evs) if e["event.id"] in found]


def fw(src: str, dst: str, port: int = 443) -> dict:
    return {"event.dataset": "fortigate.traffic", "event.category": ["network"], "source.ip": src,
            "destination.ip": dst, "destination.port": port}


def test_address_list_with_cidr_matches_on_sqlite(tmp_path, store, monkeypatch):
    monkeypatch.delenv(PLACEHOLDERS_ENV, raising=False)
    d = folder(tmp_path, {"bad_ips.txt": "# feed\n198.51.100.66\n\n203.0.113.128/28   # a network\n"}, BAD)
    [r] = load_ruleset([d]).rules
    assert r.errors == {}
    assert "source.ip:203.0.113.128\\/28" in r.queries["elasticsearch"]  # a CIDR query on the ip field
    evs = events(fw("10.0.0.5", "198.51.100.66"), fw("198.51.100.66", "10.0.0.5"), fw("10.0.0.5", "203.0.113.135"),
                 fw("10.0.0.5", "203.0.113.144"), fw("10.0.0.5", "198.51.100.6"))
    assert hits(store, r.queries["sqlite"], evs) == [0, 1, 2]


def test_number_list_on_an_integer_field(tmp_path, store, monkeypatch):
    monkeypatch.delenv(PLACEHOLDERS_ENV, raising=False)
    d = folder(tmp_path, {"lists.yml": "admin_ports: [22, 3389]\nother: x\n"}, PORTS)
    [r] = load_ruleset([d]).rules
    assert "`destination.port`=22 OR `destination.port`=3389" in r.queries["sqlite"]
    evs = events(fw("1.2.3.4", "10.0.0.1", 22), fw("1.2.3.4", "10.0.0.1", 3389), fw("1.2.3.4", "10.0.0.1", 2222))
    assert hits(store, r.queries["sqlite"], evs) == [0, 1]


def test_unconfigured_placeholder_fails_only_its_rule_with_a_clear_reason(tmp_path, monkeypatch):
    monkeypatch.delenv(PLACEHOLDERS_ENV, raising=False)
    d = folder(tmp_path, {"bad_ips.txt": "198.51.100.66\n", "empty.txt": "# nothing yet\n"}, BAD, MISSING,
               MISSING.replace("%nope%", "%empty%").replace("name: missing", "name: empty"))
    rs = load_ruleset([d])
    assert rs.errors == []
    by = {r.name: r for r in rs.rules}
    assert by["bad"].errors == {}
    for dialect in ("sqlite", "elasticsearch"):
        assert by["missing"].errors[dialect].startswith("placeholder %nope% is not configured: add nope.txt")
        assert by["empty"].errors[dialect] == "placeholder %empty% is configured with no values"
    assert by["missing"].queries == {}


def test_env_folder_replaces_the_rules_own_and_files_there_are_not_rules(tmp_path, monkeypatch):
    d = folder(tmp_path, {"bad_ips.txt": "198.51.100.66\n", "lists.yml": "admin_ports: [22]\n"}, BAD)
    other = tmp_path / "site-lists"
    other.mkdir()
    (other / "bad_ips.txt").write_text("192.0.2.200\n")
    monkeypatch.setenv(PLACEHOLDERS_ENV, str(other))
    assert placeholder_dirs([d]) == [other]
    rs = load_ruleset([d])
    assert rs.errors == []  # placeholders/lists.yml was not read as a rule
    [r] = rs.rules
    assert "192.0.2.200" in r.queries["sqlite"] and "198.51.100.66" not in r.queries["sqlite"]


def test_default_folder_is_the_repos_and_our_rules_use_it(monkeypatch):
    monkeypatch.delenv(PLACEHOLDERS_ENV, raising=False)
    assert placeholder_dirs([RULES]) == [RULES / "placeholders"]
    lists = load_placeholders(placeholder_dirs([RULES]))
    assert {"bad_ips", "internal_networks", "admin_ports"} <= set(lists)
    assert "10.0.0.0/8" in lists["internal_networks"] and "3389" in lists["admin_ports"]
    rs = load_ruleset([RULES])
    for name in ("fw_bad_ip_traffic", "fw_admin_interface_from_outside", "fw_outbound_connection"):
        assert rs.by_ref(name).errors == {}


def test_broken_list_file_is_a_load_error_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.delenv(PLACEHOLDERS_ENV, raising=False)
    d = folder(tmp_path, {"lists.yml": "admin_ports: [22, {a: 1}]\n"}, PORTS)
    rs = load_ruleset([d])
    assert [(w, why) for w, why in rs.errors] == [(f"{d / 'placeholders' / 'lists.yml'}: admin_ports",
                                                   "placeholder values must be strings or numbers")]
    [r] = rs.rules
    assert "placeholder %admin_ports% is not configured" in r.errors["sqlite"]
    with pytest.raises(ConfigError):
        load_placeholders([d / "placeholders"])
