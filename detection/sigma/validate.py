"""pySigma's rule validators (sigma.validators.core), offline, as warnings attached to each rule.

Every core validator pySigma 1.5.1 ships runs on every loaded rule and correlation, except:

- `d3_fendtag`: it downloads MITRE's D3FEND ontology on first use (no internet here) and we
  ship no D3FEND data; neither our rules nor SigmaHQ's carry `d3fend.*` tags.
- `tlpv1_tag`, `tlpv2_tag`: each flags the other version's tags; `tlptag` checks both.

The ATT&CK tag validator reads the ATT&CK data we ship (attack.py), or `$SOC_ATTACK_STIX`. With
the shipped subset, an ATT&CK id missing from it is reported as "not in the shipped subset"
rather than invalid, since it may well be a real technique.

An issue never stops a rule from loading or running: it is a warning (`CompiledRule.warnings`).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Iterable

from sigma.validators.base import SigmaRuleValidator, SigmaValidationIssue
from sigma.validators.core import validators as CORE_VALIDATORS
from sigma.validators.core.tags import InvalidATTACKTagIssue

from detection.sigma import attack
from detection.sigma.loader import AnyRule

DISABLED: dict[str, str] = {
    "d3_fendtag": "downloads MITRE's D3FEND ontology at run time; no D3FEND data is shipped",
    "tlpv1_tag": "tlptag checks TLP v1 and v2 tags together",
    "tlpv2_tag": "tlptag checks TLP v1 and v2 tags together",
}

RuleKey = tuple[str, int | None, str]


def rule_key(rule: AnyRule) -> RuleKey:
    """Identifies one loaded rule document (path, line, title), stable across deep copies."""
    src = rule.source
    return (str(src.path) if src is not None else "<unknown>", src.line if src is not None else None, rule.title)


def enabled_validators() -> dict[str, type[SigmaRuleValidator]]:
    return {name: cls for name, cls in sorted(CORE_VALIDATORS.items()) if name not in DISABLED}


def describe(issue: SigmaValidationIssue, validator: str) -> str:
    """One line: what is wrong, its details, the validator and its severity."""
    details = ", ".join(
        f"{f.name}={getattr(issue, f.name)}" for f in fields(issue) if f.name not in ("rules", "severity", "description")
    )
    text = issue.description
    if isinstance(issue, InvalidATTACKTagIssue) and attack.is_subset():
        text = "ATT&CK tag not in the shipped ATT&CK subset (set SOC_ATTACK_STIX to MITRE's enterprise-attack.json to check it)"
    sev = issue.severity.name.lower()
    return f"{text}" + (f" ({details})" if details else "") + f" [{validator}, {sev}]"


def validate_rules(rules: Iterable[AnyRule]) -> dict[RuleKey, list[str]]:
    """Warnings per rule (by `rule_key`). A validator that crashes on a rule becomes a warning too."""
    attack.use_local_attack_data()
    instances = {name: cls() for name, cls in enabled_validators().items()}
    out: dict[RuleKey, list[str]] = {}

    def add(issue: SigmaValidationIssue, name: str) -> None:
        for r in issue.rules:
            out.setdefault(rule_key(r), []).append(describe(issue, name))

    for rule in rules:
        for name, v in instances.items():
            try:
                issues = v.validate(rule)
            except Exception as exc:  # noqa: BLE001 - a validator bug must not stop the load
                out.setdefault(rule_key(rule), []).append(f"validator {name} failed: {type(exc).__name__}: {exc}")
                continue
            for issue in issues:
                add(issue, name)
    for name, v in instances.items():
        try:
            for issue in v.finalize():
                add(issue, name)
        except Exception:  # noqa: BLE001 - cross-rule checks are best effort
            continue
    return out
