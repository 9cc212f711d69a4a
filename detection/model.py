"""The detection model shared by the Sigma compiler and the engine: compiled rules, free of pySigma.

`detection.sigma` turns Sigma YAML into these objects; `detection.engine` runs them against a
Store without knowing anything about Sigma's parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from soc.incidents import Severity

CorrelationType = Literal["event_count", "value_count", "temporal", "temporal_ordered"]


@dataclass
class Condition:
    """A correlation condition, e.g. gte 10 (on the count, or on distinct values of `field`)."""

    op: Literal["gt", "gte", "lt", "lte", "eq", "neq"]
    value: float
    field: str | None = None  # value_count: the field whose distinct values are counted

    def holds(self, measured: float) -> bool:
        return {
            "gt": measured > self.value,
            "gte": measured >= self.value,
            "lt": measured < self.value,
            "lte": measured <= self.value,
            "eq": measured == self.value,
            "neq": measured != self.value,
        }[self.op]


@dataclass
class Correlation:
    type: CorrelationType
    rule_refs: list[str]  # ids (or names) of the rules it correlates, in order for temporal_ordered
    group_by: list[str]
    timespan_seconds: int
    condition: Condition | None = None  # temporal kinds need none
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)  # alias -> {rule ref -> field}


@dataclass
class CompiledRule:
    """One rule, ready to run on every backend it converted for."""

    id: str
    title: str
    level: Severity
    path: str
    name: str | None = None  # Sigma `name`, used by correlation references
    description: str = ""
    description_vi: str = ""
    tags: list[str] = field(default_factory=list)
    attack_techniques: list[str] = field(default_factory=list)  # e.g. ["T1110.001"]
    attack_tactics: list[str] = field(default_factory=list)  # e.g. ["credential-access"]
    queries: dict[str, Any] = field(default_factory=dict)  # store dialect -> native query
    errors: dict[str, str] = field(default_factory=dict)  # store dialect -> why it did not convert
    fields: list[str] = field(default_factory=list)  # event fields the query reads
    group_by: list[str] = field(default_factory=list)  # grouping key of its incidents
    correlation: Correlation | None = None
    generate: bool = True  # Sigma: base rules of a correlation may be hidden from alerting
    enabled: bool = True
    interval_seconds: int = 60
    custom: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # pySigma validator findings; never block the rule

    @property
    def is_correlation(self) -> bool:
        return self.correlation is not None

    def query_for(self, dialect: str) -> Any:
        """The native query for a store dialect; KeyError when this rule did not convert for it."""
        return self.queries[dialect]


@dataclass
class RuleSet:
    rules: list[CompiledRule]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path[:line], reason) of rules that failed to load

    def by_ref(self, ref: str) -> CompiledRule | None:
        for r in self.rules:
            if r.id == ref or r.name == ref:
                return r
        return None
