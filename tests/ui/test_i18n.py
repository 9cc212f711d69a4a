"""Every console string exists in both languages, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

from soc.auth import ROLES
from soc.incidents import Severity, Status
from ui.i18n import LANGUAGES, catalog, translate
from ui.routes import ROUTES

UI = Path(__file__).resolve().parents[2] / "ui"
# Audit actions written by soc.auth and soc.triage, shown translated in the audit tables.
ACTIONS = [
    "status", "assign", "comment", "auth.login", "auth.login_failed", "auth.locked",
    "user.create", "user.enable", "user.disable", "user.password",
    "rule.enable", "rule.disable", "rule.edit",  # detection.overrides, detection.ruleedit
    "created", "reopened", "severity_raised", "notify.sent", "notify.failed",  # detection.incidents, notify
]
# keys the tables build from codes: rule test outcomes, backends, units of time
BUILT = ["test.passed", "test.failed", "test.error", "test.no_tests", "col.sqlite", "col.elasticsearch",
         "unit.days", "unit.hours", "unit.minutes", "unit.seconds"]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_locales_have_the_same_keys_and_placeholders():
    vi, en = catalog("vi"), catalog("en")
    assert set(LANGUAGES) == {"vi", "en"}
    assert sorted(vi) == sorted(en)
    for key in vi:
        assert vi[key].strip() and en[key].strip(), key
        assert _placeholders(vi[key]) == _placeholders(en[key]), key


def test_vietnamese_is_written_with_its_diacritics():
    vi, en = catalog("vi"), catalog("en")
    translated = [k for k in vi if vi[k] != en[k]]
    assert len(translated) > 0.9 * len(vi)
    with_marks = [k for k in translated if any(ord(c) > 127 for c in vi[k])]
    assert len(with_marks) > 0.8 * len(translated)
    assert vi["status.in_progress"] == "Đang xử lý" and vi["login.password"] == "Mật khẩu"


def _literal_keys() -> set[str]:
    pattern = re.compile(r"""\bt\(\s*["']([a-z_.]+)["']""")
    keys = set()
    for path in UI.rglob("*.py"):
        keys |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_key_the_code_uses_exists():
    used = _literal_keys()
    assert {"login.submit", "queue.title", "detail.status.submit"} <= used  # the scan finds the calls
    used |= {f"status.{s.value}" for s in Status} | {f"severity.{s.value}" for s in Severity}
    used |= {f"role.{r}" for r in ROLES} | {f"action.{a}" for a in ACTIONS}
    used |= {r.title_key for r in ROUTES} | set(BUILT)
    missing = sorted(k for k in used if k not in catalog("vi"))
    assert missing == []


def test_translate_formats_and_falls_back():
    assert translate("vi", "queue.count", n=3) == "3 sự cố"
    assert translate("en", "queue.count", n=3) == "3 incidents"
    assert translate("en", "no.such.key") == "no.such.key"
