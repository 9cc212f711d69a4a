"""Editing a rule file: validated among the other rules, saved only when valid, audited."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from detection.ruleedit import InvalidRule, save_rule, validate_text
from soc.errors import PermissionDenied, SocError
from soc.store.base import User

RULES = Path(__file__).resolve().parents[2] / "rules" / "linux" / "sshd"
ADMIN = User(username="quan", password_hash="x", role="admin")
ANALYST = User(username="lan", password_hash="x", role="analyst")


@pytest.fixture
def folder(tmp_path) -> Path:
    d = tmp_path / "rules"
    d.mkdir()
    for name in ("ssh_auth_failure", "ssh_brute_force", "ssh_root_login"):
        shutil.copy(RULES / f"{name}.yml", d)
    return d


def test_valid_edit_is_saved_atomically_and_audited(folder, sqlite_store):
    path = folder / "ssh_root_login.yml"
    text = path.read_text().replace("level: medium", "level: high")
    result = save_rule(sqlite_store, path, text, [folder], ADMIN)
    assert result.ok and [r.level.value for r in result.rules] == ["high"]
    assert path.read_text() == text and sorted(p.name for p in folder.iterdir()) == [
        "ssh_auth_failure.yml", "ssh_brute_force.yml", "ssh_root_login.yml"]
    [entry] = sqlite_store.list_audit(None)
    assert (entry.actor, entry.action, entry.incident_id) == ("quan", "rule.edit", None)
    assert entry.detail == {"path": str(path.resolve()), "rule_ids": ["794e1c8b-5a93-5df7-85a6-c1d768008d61"]}


@pytest.mark.parametrize("old,new,line,words", [
    ("  condition: selection", "  condition: selection and\n  - [", 24, "invalid YAML"),
    ("condition: selection", "condition: selektion", 23, "Detection 'selektion' not defined"),
    ("level: medium", "level: extreme", 26, "level"),
])
def test_invalid_edit_is_refused_with_its_line_and_the_file_kept(folder, sqlite_store, old, new, line, words):
    path = folder / "ssh_root_login.yml"
    before = path.read_text()
    text = before.replace(old, new)
    assert text.splitlines()[line - 1].strip() in new  # the line the edit broke
    with pytest.raises(InvalidRule) as err:
        save_rule(sqlite_store, path, text, [folder], ADMIN)
    [problem] = err.value.validation.problems
    assert problem.line == line and words in problem.message
    assert path.read_text() == before and sqlite_store.list_audit(None) == []


def test_context_errors_duplicate_ids_and_broken_references(folder):
    brute = folder / "ssh_brute_force.yml"
    renamed = brute.read_text().replace("- ssh_auth_failure", "- ssh_auth_gone")
    [problem] = validate_text(renamed, brute, [folder]).problems
    assert "ssh_auth_gone" in problem.message
    copy = (folder / "ssh_auth_failure.yml").read_text()
    [problem] = validate_text(copy, folder / "ssh_root_login.yml", [folder]).problems
    assert "duplicate rule id" in problem.message
    assert validate_text("# just a comment\n", brute, [folder]).problems[0].message == "the text holds no Sigma rule"


def test_only_admins_and_only_rule_files_of_the_folders(folder, sqlite_store, tmp_path):
    path = folder / "ssh_root_login.yml"
    with pytest.raises(PermissionDenied):
        save_rule(sqlite_store, path, path.read_text(), [folder], ANALYST)
    outside = tmp_path / "elsewhere.yml"
    outside.write_text(path.read_text())
    with pytest.raises(SocError, match="not a rule file"):
        save_rule(sqlite_store, outside, path.read_text(), [folder], ADMIN)
    assert sqlite_store.list_audit(None) == []
