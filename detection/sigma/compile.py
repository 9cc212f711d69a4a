"""Sigma rules in, `RuleSet` of `CompiledRule` out: one native query per store dialect.

`load_ruleset` parses every folder (loader.py), links correlation rules to the rules they
reference, applies Sigma filters, then converts each detection rule through our ECS pipeline
for each dialect. A rule that does not convert for a dialect keeps the reason in
`CompiledRule.errors[dialect]`; a file that does not load is in `RuleSet.errors`. Nothing is
dropped silently, and `conversion_report` counts both.

Correlation rules are not converted to backend SQL/EQL: the engine correlates over the base
rules' queries itself (the same way on both stores), from `CompiledRule.correlation`.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.filters import SigmaFilter
from sigma.rule import SigmaDetection, SigmaDetectionItem, SigmaRule

from detection.model import CompiledRule, Condition, Correlation, RuleSet
from detection.sigma import attack
from detection.sigma.backends import DIALECTS, backend_for
from detection.sigma.loader import AnyRule, Loaded, load, reason, rule_dirs
from detection.sigma.pipeline import ecs_pipeline, rule_source
from detection.sigma.placeholders import load_placeholders, placeholder_dirs
from detection.sigma.validate import rule_key, validate_rules
from soc.errors import ConfigError, RuleError
from soc.incidents import Severity

_SIGMA_SECTIONS = ("correlation", "filter")  # pySigma also lists these among custom attributes
GROUP_CANDIDATES = ("source.ip", "user.name", "host.name")
DEFAULT_INTERVAL = 60
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def load_ruleset(
    dirs: Sequence[Path | str] | None = None,
    dialects: Sequence[str] = DIALECTS,
    placeholders: Mapping[str, list[str]] | None = None,
) -> RuleSet:
    """Every rule under `dirs` (default `$SOC_RULES`, else the repo's rules/), compiled for each dialect.

    `placeholders` are the `|expand` lists; by default they are read from the placeholder folders
    (placeholders.py). Each rule carries pySigma's validator findings in `warnings`.
    """
    loaded = load(dirs)
    errors = list(loaded.errors)
    if placeholders is None:
        placeholders = _read_placeholders(rule_dirs(dirs), errors)
    warnings = validate_rules(loaded.rules)
    rules = _link(loaded, errors)
    compiled = [_metadata(r, loaded.filters) for r in rules]
    for r, out in zip(rules, compiled):
        out.warnings = list(warnings.get(rule_key(r), []))
    for dialect in dialects:
        _convert_all(rules, compiled, dialect, dict(placeholders))
    _finish_correlations(rules, compiled, dialects)
    return RuleSet(rules=compiled, errors=[(_where(e), e.cause) for e in errors])


def _read_placeholders(dirs: list[Path], errors: list[RuleError]) -> dict[str, list[str]]:
    try:
        return load_placeholders(placeholder_dirs(dirs))
    except ConfigError as exc:  # a broken list file is reported; rules using it then fail to convert
        errors.append(RuleError(exc.key, exc.cause))
        return {}


def conversion_report(ruleset: RuleSet, dialects: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    """Per dialect: how many rules there are, how many converted, and why each other did not.

    Files that failed to load count as failures of every dialect (`rule` is then path:line).
    Each dialect also lists the validators' `warnings` (`[{"rule", "warning"}]`, the same for
    every dialect), which never count as failures.
    """
    if dialects is None:
        seen = {d for r in ruleset.rules for d in (*r.queries, *r.errors)}
        dialects = [d for d in DIALECTS if d in seen] + sorted(seen - set(DIALECTS)) or list(DIALECTS)
    report: dict[str, dict[str, Any]] = {}
    warnings = [{"rule": f"{r.title} ({r.path})", "warning": w} for r in ruleset.rules for w in r.warnings]
    for d in dialects:
        failed = [{"rule": f"{r.title} ({r.path})", "reason": r.errors[d]} for r in ruleset.rules if d in r.errors]
        failed += [{"rule": where, "reason": why} for where, why in ruleset.errors]
        converted = sum(1 for r in ruleset.rules if d not in r.errors and (d in r.queries or r.is_correlation))
        report[d] = {
            "total": len(ruleset.rules) + len(ruleset.errors),
            "converted": converted,
            "failed": failed,
            "warnings": warnings,
        }
    return report


# --- linking: references, duplicates, filters ---------------------------------------------------


def _where(e: RuleError) -> str:
    return f"{e.path}:{e.line}" if e.line is not None else e.path


def _path_line(rule: AnyRule | SigmaFilter) -> tuple[str, int | None]:
    src = rule.source
    return (str(src.path), src.line) if src is not None else ("<unknown>", None)


def _rule_error(rule: AnyRule | SigmaFilter, cause: str) -> RuleError:
    path, line = _path_line(rule)
    return RuleError(path, cause, line)


def _link(loaded: Loaded, errors: list[RuleError]) -> list[AnyRule]:
    """Drop duplicate ids, resolve correlation references, apply filters; failures become errors."""
    rules: list[AnyRule] = []
    seen: dict[str, AnyRule] = {}
    for r in loaded.rules:
        key = str(r.id) if r.id is not None else None
        if key is not None and key in seen:
            first = _path_line(seen[key])
            errors.append(_rule_error(r, f"duplicate rule id {key} (first defined in {first[0]})"))
            continue
        if key is not None:
            seen[key] = r
        rules.append(r)
    coll = SigmaCollection(rules, resolve_references=False)
    broken: set[int] = set()
    for r in rules:
        if isinstance(r, SigmaCorrelationRule):
            try:
                r.resolve_rule_references(coll)
            except SigmaError as exc:
                errors.append(_rule_error(r, reason(exc)))
                broken.add(id(r))
    rules = [r for r in rules if id(r) not in broken and not _references_broken(r, broken)]
    for f in loaded.filters:
        rules = _apply_filter(f, rules, errors)
    return rules


def _references_broken(rule: AnyRule, broken: set[int]) -> bool:
    if not isinstance(rule, SigmaCorrelationRule):
        return False
    return any(id(ref.rule) in broken or _references_broken(ref.rule, broken) for ref in rule.referenced_rules)


def _apply_filter(flt: SigmaFilter, rules: list[AnyRule], errors: list[RuleError]) -> list[AnyRule]:
    out: list[AnyRule] = []
    for r in rules:
        try:
            out.append(flt.apply_on_rule(r) if isinstance(r, SigmaRule) else r)
        except SigmaError as exc:
            errors.append(_rule_error(flt, f"filter on rule '{r.title}': {reason(exc)}"))
            out.append(r)
    return out


# --- metadata ----------------------------------------------------------------------------------


def _rule_id(rule: AnyRule) -> str:
    if rule.id is not None:
        return str(rule.id)
    path, line = _path_line(rule)
    return "noid-" + hashlib.blake2b(f"{path}:{line}:{rule.title}".encode(), digest_size=8).hexdigest()


def _severity(rule: AnyRule) -> Severity:
    level = getattr(rule, "level", None)
    try:
        return Severity(level.name.lower()) if level is not None else Severity.MEDIUM
    except ValueError:
        return Severity.MEDIUM


def seconds(value: Any, default: int = DEFAULT_INTERVAL) -> int:
    """'5m' -> 300, 90 -> 90, '1h' -> 3600; anything else -> default."""
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)) and value > 0:
        return int(value)
    if isinstance(value, str) and (m := _DURATION.match(value)):
        return int(m.group(1)) * _UNIT[m.group(2)] or default
    return default


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _filters_for(rule: AnyRule, filters: Iterable[SigmaFilter]) -> list[str]:
    out = []
    for f in filters:
        try:
            if isinstance(rule, SigmaRule) and f._should_apply_on_rule(rule):
                out.append(str(f.id) if f.id else f.title)
        except SigmaError:
            continue
    return out


def _metadata(rule: AnyRule, filters: list[SigmaFilter]) -> CompiledRule:
    custom = {k: v for k, v in rule.custom_attributes.items() if k not in _SIGMA_SECTIONS}
    tags = [str(t) for t in rule.tags]
    techniques, tactics = attack.from_tags(tags)
    if applied := _filters_for(rule, filters):
        custom["filters"] = applied
    return CompiledRule(
        id=_rule_id(rule),
        title=rule.title,
        level=_severity(rule),
        path=_path_line(rule)[0],
        name=rule.name,
        description=rule.description or "",
        description_vi=str(custom.get("description_vi") or ""),
        tags=tags,
        attack_techniques=techniques,
        attack_tactics=tactics,
        group_by=_as_list(custom.get("group_by")),
        # Only detection rules are hidden by a correlation's `generate: false`; a correlation that
        # another correlation builds on (brute force -> success after brute force) still alerts.
        generate=bool(getattr(rule, "_output", True)) if isinstance(rule, SigmaRule) else True,
        enabled=custom.get("enabled", True) is not False,
        interval_seconds=seconds(custom.get("interval")),
        custom=custom,
    )


# --- conversion --------------------------------------------------------------------------------


def _detection_fields(det: SigmaDetection | SigmaDetectionItem, out: set[str]) -> None:
    if isinstance(det, SigmaDetectionItem):
        if det.field:
            out.add(det.field)
        return
    for item in det.detection_items:
        _detection_fields(item, out)


def rule_fields(rule: SigmaRule) -> set[str]:
    """Event fields a processed rule reads (detections and conditions the pipeline added)."""
    out: set[str] = set()
    for det in rule.detection.detections.values():
        _detection_fields(det, out)
    return out


def _convert_all(rules: list[AnyRule], compiled: list[CompiledRule], dialect: str, placeholders: dict[str, list[str]]) -> None:
    copies: list[AnyRule] = copy.deepcopy(rules)  # pySigma's pipeline edits rules in place
    backend = backend_for(dialect, placeholders)
    for rule, out in zip(copies, compiled):
        if not isinstance(rule, SigmaRule):
            continue
        try:
            out.queries[dialect] = _convert_one(backend, rule)
        except Exception as exc:  # noqa: BLE001 - one rule pySigma chokes on must not stop the others
            out.errors[dialect] = reason(exc) if isinstance(exc, (SigmaError, NotImplementedError)) else f"{type(exc).__name__}: {exc}"
            continue
        out.fields = sorted(set(out.fields) | rule_fields(rule))


def _convert_one(backend: Any, rule: SigmaRule) -> str:
    rule._output = True  # base rules of a correlation (generate: false) still need their query
    queries = [q for q in backend.convert_rule(rule) if q]
    if not queries:
        raise SigmaError("the rule converted to no query")
    return queries[0] if len(queries) == 1 else " OR ".join(f"({q})" for q in queries)


# --- correlations and grouping -----------------------------------------------------------------


def _condition(cond: Any) -> Condition | None:
    if not isinstance(cond, SigmaCorrelationCondition):
        return None  # extended (boolean) conditions of temporal rules: kept in custom
    field = cond.fieldref if isinstance(cond.fieldref, str) or cond.fieldref is None else ",".join(cond.fieldref)
    return Condition(op=cond.op.name.lower(), value=float(cond.count), field=field)


def _correlation(rule: SigmaCorrelationRule) -> Correlation:
    mapped = copy.deepcopy(rule)
    ecs_pipeline().apply(mapped)  # taxonomy field names in group-by / aliases / condition -> ECS
    kind = mapped.type.name.lower()
    cond = _condition(mapped.condition) if kind in ("event_count", "value_count") else None
    aliases = {a.alias: {ref.reference: f for ref, f in a.mapping.items()} for a in mapped.aliases}
    return Correlation(
        type=kind,  # type: ignore[arg-type]  # pySigma's four kinds are the model's literals
        rule_refs=[ref.reference for ref in mapped.rules or []],
        group_by=list(mapped.group_by or []),
        timespan_seconds=int(mapped.timespan.seconds),
        condition=cond,
        aliases=aliases,
    )


def _default_group_by(rule: AnyRule, out: CompiledRule) -> list[str]:
    for f in GROUP_CANDIDATES:
        if f in out.fields:
            return [f]
    base = rule if isinstance(rule, SigmaRule) else next(iter(_base_rules(rule)), None)
    src = rule_source(base) if base is not None else None
    return [src.group_by] if src is not None else []


def _base_rules(rule: AnyRule) -> list[SigmaRule]:
    if isinstance(rule, SigmaRule):
        return [rule]
    return [b for ref in rule.referenced_rules for b in _base_rules(ref.rule)]


def _finish_correlations(rules: list[AnyRule], compiled: list[CompiledRule], dialects: Sequence[str]) -> None:
    by_obj = {id(r): c for r, c in zip(rules, compiled)}
    for rule, out in zip(rules, compiled):
        if isinstance(rule, SigmaCorrelationRule):
            _fill_correlation(rule, out, by_obj, dialects)
        if not out.group_by:
            out.group_by = _default_group_by(rule, out)


def _fill_correlation(rule: SigmaCorrelationRule, out: CompiledRule, by_obj: dict[int, CompiledRule], dialects: Sequence[str]) -> None:
    try:
        out.correlation = _correlation(rule)
    except Exception as exc:  # noqa: BLE001 - reported per dialect like any conversion failure
        for d in dialects:
            out.errors[d] = reason(exc)
        return
    if not isinstance(rule.condition, SigmaCorrelationCondition):
        out.custom.setdefault("condition_expression", str(getattr(rule.condition, "expression", rule.condition)))
    refs = [by_obj[id(ref.rule)] for ref in rule.referenced_rules if id(ref.rule) in by_obj]
    fields = set(out.correlation.group_by)
    if out.correlation.condition is not None and out.correlation.condition.field:
        fields.add(out.correlation.condition.field)
    for ref in refs:
        fields |= set(ref.fields)
        for d in dialects:
            if d in ref.errors and d not in out.errors:
                out.errors[d] = f"referenced rule '{ref.title}' did not convert: {ref.errors[d]}"
    out.fields = sorted(fields)
    if not out.group_by:
        out.group_by = list(out.correlation.group_by)
