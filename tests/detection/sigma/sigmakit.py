"""Helpers for the Sigma tests: compile inline YAML through the real loader and run SQL on a real SQLite store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detection.model import CompiledRule, RuleSet
from detection.sigma import load_ruleset
from soc.events import event_id


def compile_rules(tmp_path: Path, *docs: str, name: str = "rule.yml") -> RuleSet:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("\n---\n".join(docs), encoding="utf-8")
    return load_ruleset([folder])


def compile_one(tmp_path: Path, detection: str, logsource: str = "{category: webserver}") -> CompiledRule:
    text = (
        "title: t\nid: 11111111-2222-4333-8444-555555555555\n"
        f"logsource: {logsource}\ndetection:\n{detection}\nlevel: medium\n"
    )
    rs = compile_rules(tmp_path, text)
    assert rs.errors == [], rs.errors
    assert len(rs.rules) == 1
    return rs.rules[0]


def events(*docs: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for i, d in enumerate(docs):
        ev = {"@timestamp": f"2026-11-23T02:00:{i:02d}.000Z", **d}
        ev["event.id"] = event_id("sigma-test", f"{i}:{sorted(d.items())!r}")
        out.append(ev)
    return out
