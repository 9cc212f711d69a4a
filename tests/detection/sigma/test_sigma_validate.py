"""pySigma's validators run offline on every rule: findings are warnings on the rule and in the
conversion report; `soc rules validate` fails only on errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sigmakit import compile_rules

from detection.sigma import attack, conversion_report, load_ruleset
from detection.sigma.validate import DISABLED, enabled_validators
from soc.cli import cli

RULES = Path(__file__).resolve().parents[3] / "rules"

SLOPPY = """title: Sloppy but working rule
id: 5b0d7e1c-8f3a-4c2e-9d61-7a4b2c9e0f13
description: d
tags:
  - attack.credential-access
  - attack.t1110
  - attack.t1110
  - attack.t9999
logsource: {category: webserver}
detection:
  sel:
    url.original|contains: 'union/**/select'
  unused:
    url.original: /x
  condition: sel
level: medium
"""


def test_every_core_validator_runs_except_the_networked_and_redundant_ones():
    names = set(enabled_validators())
    assert len(names) >= 25
    assert {"attacktag", "duplicate_tag", "double_wildcard", "dangling_detection", "identifier_uniqueness"} <= names
    assert not names & set(DISABLED)
    assert "D3FEND" in DISABLED["d3_fendtag"]


def test_our_rules_validate_clean():
    rs = load_ruleset([RULES])
    assert rs.errors == []
    assert len(rs.rules) >= 55
    assert {r.title: r.warnings for r in rs.rules if r.warnings} == {}


def test_issues_are_warnings_on_the_rule_and_it_still_converts(tmp_path):
    rs = compile_rules(tmp_path, SLOPPY)
    [rule] = rs.rules
    assert rule.errors == {} and set(rule.queries) == {"sqlite", "elasticsearch"}
    text = "\n".join(rule.warnings)
    assert "[duplicate_tag, medium]" in text and "tag=attack.t1110" in text
    assert "[double_wildcard, low]" in text and "union/**/select" in text
    assert "[dangling_detection," in text
    # t9999 is not in the shipped ATT&CK subset: said as such, not as "invalid"
    assert "not in the shipped ATT&CK subset" in text and "tag=attack.t9999" in text
    assert not [w for w in rule.warnings if "[attacktag" in w and "tag=attack.t1110" in w]  # in the subset


def test_conversion_report_keeps_its_shape_and_lists_warnings(tmp_path):
    rs = compile_rules(tmp_path, SLOPPY)
    rep = conversion_report(rs)
    assert set(rep) == {"sqlite", "elasticsearch"}
    for backend in rep.values():
        assert (backend["total"], backend["converted"], backend["failed"]) == (1, 1, [])
        assert len(backend["warnings"]) == len(rs.rules[0].warnings) >= 4
        assert backend["warnings"][0]["rule"].startswith("Sloppy but working rule (")


def test_attack_validator_reads_only_local_data(tmp_path, monkeypatch):
    """With $SOC_ATTACK_STIX, pySigma's loader reads that file (here a bundle without T1110)."""
    from sigma.data import mitre_attack

    bundle = {"type": "bundle", "objects": [
        {"type": "x-mitre-tactic", "name": "Credential Access", "x_mitre_shortname": "credential-access",
         "external_references": [{"source_name": "mitre-attack", "external_id": "TA0006"}]},
    ]}
    stix = tmp_path / "enterprise-attack.json"
    stix.write_text(json.dumps(bundle))
    monkeypatch.setenv(attack.ATTACK_STIX_ENV, str(stix))
    rs = compile_rules(tmp_path, SLOPPY)
    assert mitre_attack._custom_url == str(stix)
    tags = [w for w in rs.rules[0].warnings if "[attacktag" in w]
    assert any("Invalid MITRE ATT&CK tagging" in w and "tag=attack.t1110" in w for w in tags)
    monkeypatch.delenv(attack.ATTACK_STIX_ENV)
    compile_rules(tmp_path, SLOPPY)
    assert mitre_attack._custom_url == str(attack.SHIPPED_STIX)


def test_shipped_attack_data_names_every_tag_of_our_rules():
    rs = load_ruleset([RULES])
    used = {t for r in rs.rules for t in r.attack_techniques}
    assert used and all(attack.technique_name(t) for t in used)
    assert attack.technique_name("T1110.001") == "Password Guessing"
    assert len(attack.TACTICS) == 14


def _invoke(*args: str):
    return CliRunner().invoke(cli, ["rules", "validate", *args], catch_exceptions=False)


def test_cli_validate_exits_0_on_warnings_and_1_on_errors(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    (good / "sloppy.yml").write_text(SLOPPY)
    res = _invoke(str(good))
    assert res.exit_code == 0, res.output
    assert "1 rules, 0 errors" in res.output and "warning: " in res.output

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "typo.yml").write_text(SLOPPY.replace("url.original|contains", "url.original|contians"))
    res = _invoke(str(bad), "--json")
    assert res.exit_code == 1
    out = json.loads(res.output)
    assert out["rules"] == 0
    [err] = out["errors"]
    assert err["where"] == f"{bad / 'typo.yml'}:12"
    assert "contians" in err["reason"]


def test_cli_validate_our_rules_is_clean():
    res = _invoke(str(RULES))
    assert res.exit_code == 0, res.output
    assert res.output.strip().endswith("0 errors, 0 warnings")
