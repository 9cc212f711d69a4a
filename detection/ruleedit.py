"""Editing a rule file from the console: validate the edited YAML among all the other rules,
write it back only when it is valid, and audit the change.

The edited text is checked as it would load: parsed on its own (YAML and Sigma errors with
their line), then loaded with every other rule of the configured folders in place of the
file it replaces, so duplicate ids, correlation references and filters are checked too, and
converted for each backend. A rule that converts for no backend is refused; one that fails
for some backends only is accepted with a warning (public Sigma rules often do).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from detection.model import CompiledRule
from detection.sigma.compile import load_ruleset
from detection.sigma.loader import RULE_SUFFIXES, iter_rule_files, load
from detection.sigma.placeholders import load_placeholders, placeholder_dirs
from soc.auth import require
from soc.errors import ConfigError, SocError
from soc.incidents import AuditEntry
from soc.store.base import Store, User

MAX_RULE_BYTES = 256 * 1024
_QUOTED = re.compile(r"'([^'\n]{2,})'|\"([^\"\n]{2,})\"")


@dataclass
class Problem:
    line: int | None  # 1-based line of the edited text, when known
    message: str


@dataclass
class Validation:
    problems: list[Problem] = field(default_factory=list)  # any of these refuses the text
    warnings: list[str] = field(default_factory=list)  # conversion failures on some backends, validator findings
    rules: list[CompiledRule] = field(default_factory=list)  # the text's rules, compiled

    @property
    def ok(self) -> bool:
        return not self.problems


class InvalidRule(SocError):
    """An edited rule that does not validate; `validation.problems` says where and why."""

    def __init__(self, validation: Validation) -> None:
        first = validation.problems[0]
        where = f"line {first.line}: " if first.line is not None else ""
        super().__init__(f"the rule does not validate: {where}{first.message}")
        self.validation = validation


def read_rule(path: str | Path) -> str:
    return Path(path).read_text(encoding="utf-8")


def validate_text(text: str, path: str | Path, dirs: Sequence[Path]) -> Validation:
    """Whether `text` may replace the rule file `path` among the rules under `dirs`."""
    if len(text.encode("utf-8")) > MAX_RULE_BYTES:
        return Validation([Problem(None, f"the rule is larger than {MAX_RULE_BYTES // 1024} KB")])
    with tempfile.TemporaryDirectory(prefix="soc-ruleedit-") as tmp:
        edited = Path(tmp) / Path(path).name
        edited.write_text(text, encoding="utf-8")
        alone = load([edited])
        if alone.errors:
            return Validation([Problem(e.line, e.cause) for e in alone.errors])
        if not alone.rules and not alone.filters:
            return Validation([Problem(None, "the text holds no Sigma rule")])
        return _in_context(edited, Path(path), dirs, text)


def _line_of(text: str, message: str) -> int | None:
    """The first line of `text` holding a name the message quotes (e.g. an undefined detection)."""
    lines = text.splitlines()
    for m in _QUOTED.finditer(message):
        token = m.group(1) or m.group(2)
        for n, line in enumerate(lines, 1):
            if token in line:
                return n
    return None


def _in_context(edited: Path, replaced: Path, dirs: Sequence[Path], text: str) -> Validation:
    others = [p for p in iter_rule_files(dirs) if p.resolve() != replaced.resolve()]
    try:
        placeholders = load_placeholders(placeholder_dirs(list(dirs)))
    except ConfigError:
        placeholders = {}  # a broken list is reported on the rules page; it is not this edit's fault
    ruleset = load_ruleset([*others, edited], placeholders=placeholders)
    result = Validation()
    name = str(edited)
    for where, why in ruleset.errors:
        if where == name or where.startswith(name + ":"):
            line = where[len(name) + 1:]
            result.problems.append(Problem(int(line) if line.isdigit() else None, why))
    result.rules = [r for r in ruleset.rules if r.path == name]
    for r in result.rules:
        if r.errors and not r.queries and not r.is_correlation:
            reasons = "; ".join(f"{d}: {why}" for d, why in sorted(r.errors.items()))
            line = _line_of(text, next(iter(r.errors.values())))
            result.problems.append(Problem(line, f"the rule converts for no backend ({reasons})"))
        else:
            result.warnings += [f"'{r.title}' does not convert for {d}: {why}" for d, why in sorted(r.errors.items())]
        result.warnings += [f"'{r.title}': {w}" for w in r.warnings]
    return result


def save_rule(store: Store, path: str | Path, text: str, dirs: Sequence[Path], actor: User | str) -> Validation:
    """Validate `text` and, if valid, replace the rule file `path` with it (atomically) and audit
    the edit; otherwise raise InvalidRule and leave the file as it was. `path` must be an
    existing rule file under one of `dirs`. A console user must be allowed `rule.edit`."""
    if isinstance(actor, User):
        require(actor, "rule.edit")
    target = _rule_file(Path(path), dirs)
    if not text.endswith("\n"):
        text += "\n"
    validation = validate_text(text, target, dirs)
    if not validation.ok:
        raise InvalidRule(validation)
    _replace(target, text)
    name = actor.username if isinstance(actor, User) else actor
    ids = [r.id for r in validation.rules]
    store.append_audit(AuditEntry.now(name, "rule.edit", None, path=str(target), rule_ids=ids))
    return validation


def _rule_file(path: Path, dirs: Sequence[Path]) -> Path:
    resolved = path.resolve()
    inside = any(resolved == d.resolve() or d.resolve() in resolved.parents for d in dirs)
    if not inside or resolved.suffix not in RULE_SUFFIXES or not resolved.is_file():
        raise SocError(f"{path} is not a rule file of the configured rule folders")
    return resolved


def _replace(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".edit-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, target.stat().st_mode & 0o777)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
