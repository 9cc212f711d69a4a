"""Turning a rule on or off without editing its YAML.

An admin's switch is kept in the store as checkpoint `rule-enabled:<rule id>` = "1" or "0",
so every process sharing the store (the console, `soc serve`, `soc detect`) honours it at the
next run, and it outlives edits of the rule file. Without a switch the rule's own `enabled:`
(default true) decides. Every change is written to the audit trail.
"""

from __future__ import annotations

from detection.model import CompiledRule
from soc.auth import require
from soc.incidents import AuditEntry
from soc.store.base import Store, User

PREFIX = "rule-enabled:"
ON, OFF = "1", "0"


def overrides(store: Store) -> dict[str, bool]:
    """Every rule with a switch set: rule id -> enabled."""
    return {k[len(PREFIX):]: v == ON for k, v in store.list_checkpoints(PREFIX).items() if v in (ON, OFF)}


def effective(rule: CompiledRule, switches: dict[str, bool]) -> bool:
    """Whether a rule runs, given the switches read by `overrides` (one read for many rules)."""
    return switches.get(rule.id, rule.enabled)


def is_enabled(store: Store, rule: CompiledRule) -> bool:
    value = store.get_checkpoint(PREFIX + rule.id)
    if value in (ON, OFF):
        return value == ON
    return rule.enabled


def set_enabled(store: Store, rule_id: str, enabled: bool, actor: User | str) -> None:
    """Switch a rule on or off. A console user must be allowed `rule.edit`; a plain name is a
    trusted caller (the CLI, a script) acting under that name."""
    if isinstance(actor, User):
        require(actor, "rule.edit")
        name = actor.username
    else:
        name = actor
    store.set_checkpoint(PREFIX + rule_id, ON if enabled else OFF)
    action = "rule.enable" if enabled else "rule.disable"
    store.append_audit(AuditEntry.now(name, action, None, rule_id=rule_id))
