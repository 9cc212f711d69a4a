"""Our ECS processing pipeline: Sigma's log-source taxonomy in, the fields our parsers write out.

Applied in order to every rule, for both backends, so a rule means the same on SQLite and on
Elasticsearch:

1. keywords (values without a field) become `message|contains` (case-insensitive);
2. per log source (see `sources.py`), taxonomy field names are mapped to ECS names; names
   already in ECS (our own rules) pass through unchanged;
3. on Windows, any other field becomes `winlog.event_data.<Field>` as Winlogbeat writes it;
4. numeric strings on integer fields become numbers, numbers on `winlog.event_data.*`
   become strings (EVTX event data is text);
5. a condition restricting the rule to its stream is added (`event.dataset`, `winlog.channel`
   + `winlog.event_id`, ...);
6. a rule whose log source we do not collect fails with that reason.

Before 1., `|expand` placeholders are replaced by the configured lists (placeholders.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaTransformationError
from sigma.processing.conditions import (
    FieldNameProcessingItemAppliedCondition,
    IncludeFieldCondition,
    LogsourceCondition,
    RuleProcessingCondition,
)
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import (
    AddConditionTransformation,
    AddFieldnamePrefixTransformation,
    ConvertTypeTransformation,
    FieldMappingTransformation,
    RuleFailureTransformation,
)
from sigma.rule import SigmaRule

from detection.sigma.placeholders import ListPlaceholderTransformation
from detection.sigma.sources import (
    INT_FIELDS,
    NOT_COLLECTED,
    SOURCES,
    UNMAPPED,
    WINDOWS_CATEGORIES,
    WINDOWS_CHANNELS,
    Source,
    classify,
)

PIPELINE_NAME = "soc-ecs"


def rule_source(rule: SigmaRule) -> Source | None:
    ls = rule.logsource
    return classify(ls.category, ls.product, ls.service)


def _base_rules(rule: SigmaRule | SigmaCorrelationRule) -> list[SigmaRule]:
    if isinstance(rule, SigmaRule):
        return [rule]
    out: list[SigmaRule] = []
    for ref in rule.referenced_rules:
        target = getattr(ref, "rule", None)
        if isinstance(target, (SigmaRule, SigmaCorrelationRule)):
            out.extend(_base_rules(target))
    return out


@dataclass
class SourceKindCondition(RuleProcessingCondition):
    """The rule reads the stream of this kind (a correlation: any of the rules it references does)."""

    kind: str

    def match(self, rule: SigmaRule | SigmaCorrelationRule) -> bool:
        return any((src := rule_source(r)) is not None and src.kind == self.kind for r in _base_rules(rule))


@dataclass
class NotCollectedCondition(RuleProcessingCondition):
    """A detection rule whose log source no entry of `sources.SOURCES` accepts."""

    def match(self, rule: SigmaRule | SigmaCorrelationRule) -> bool:
        return isinstance(rule, SigmaRule) and rule_source(rule) is None


def _placeholder_items() -> list[ProcessingItem]:
    # First, so the values it brings in are mapped and typed like values written in the rule.
    return [ProcessingItem(identifier="soc_placeholders", transformation=ListPlaceholderTransformation())]


def _keyword_items() -> list[ProcessingItem]:
    return [
        ProcessingItem(
            identifier="soc_keywords_to_message",
            transformation=FieldMappingTransformation({None: "message"}),
        )
    ]


def _mapping_items() -> list[ProcessingItem]:
    return [
        ProcessingItem(
            identifier=f"soc_fields_{src.kind}",
            transformation=FieldMappingTransformation(dict(src.fields)),
            rule_conditions=[SourceKindCondition(src.kind)],
        )
        for src in SOURCES
        if src.fields
    ]


def _windows_prefix_item() -> ProcessingItem:
    # Fields neither mapped above nor already dotted (ECS) nor universal go under winlog.event_data.
    return ProcessingItem(
        identifier="soc_windows_event_data_prefix",
        transformation=AddFieldnamePrefixTransformation("winlog.event_data."),
        field_name_conditions=[
            FieldNameProcessingItemAppliedCondition("soc_fields_windows_service"),
            FieldNameProcessingItemAppliedCondition("soc_fields_windows_category"),
            IncludeFieldCondition(fields=[r"\w+\.", *(rf"{f}$" for f in UNMAPPED)], mode="re"),
        ],
        field_name_condition_negation=True,
        field_name_condition_linking=any,
        rule_conditions=[LogsourceCondition(product="windows")],
    )


def _type_items() -> list[ProcessingItem]:
    return [
        ProcessingItem(
            identifier="soc_int_fields",
            transformation=ConvertTypeTransformation("num"),
            field_name_conditions=[IncludeFieldCondition(fields=list(INT_FIELDS))],
        ),
        ProcessingItem(
            identifier="soc_event_data_as_text",
            transformation=ConvertTypeTransformation("str"),
            field_name_conditions=[IncludeFieldCondition(fields=[r"winlog\.event_data\..*"], mode="re")],
        ),
    ]


def _stream_condition_items() -> list[ProcessingItem]:
    items: list[ProcessingItem] = []
    for src in SOURCES:
        cond: dict[str, object] = dict(src.condition)
        if src.dataset_in:
            cond["event.dataset"] = list(src.dataset_in)
        if cond:
            items.append(
                ProcessingItem(
                    identifier=f"soc_stream_{src.kind}",
                    transformation=AddConditionTransformation(cond, template=src.template_condition),
                    rule_conditions=[SourceKindCondition(src.kind)],
                )
            )
    for service, channels in WINDOWS_CHANNELS.items():
        items.append(
            ProcessingItem(
                identifier=f"soc_stream_windows_{service}",
                transformation=AddConditionTransformation({"winlog.channel": list(channels)}),
                rule_conditions=[SourceKindCondition("windows_service"), LogsourceCondition(product="windows", service=service)],
            )
        )
    for category, (channels, ids) in WINDOWS_CATEGORIES.items():
        items.append(
            ProcessingItem(
                identifier=f"soc_stream_windows_{category}",
                transformation=AddConditionTransformation(
                    {"winlog.channel": list(channels), "winlog.event_id": list(ids)}
                ),
                rule_conditions=[LogsourceCondition(product="windows", category=category)],
            )
        )
    return items


@dataclass
class NotCollectedFailure(RuleFailureTransformation):
    """Fails the rule, naming its log source."""

    def apply(self, rule: SigmaRule | SigmaCorrelationRule) -> None:
        raise SigmaTransformationError(self.message.format(logsource=describe_logsource(rule)), source=rule.source)


def describe_logsource(rule: SigmaRule | SigmaCorrelationRule) -> str:
    ls = getattr(rule, "logsource", None)
    if ls is None:
        return "(none)"
    parts = [f"{k}: {v}" for k, v in (("product", ls.product), ("category", ls.category), ("service", ls.service)) if v]
    return "{" + ", ".join(parts) + "}"


def _failure_items() -> list[ProcessingItem]:
    return [
        ProcessingItem(
            identifier="soc_not_collected",
            transformation=NotCollectedFailure(NOT_COLLECTED),
            rule_conditions=[NotCollectedCondition()],
        )
    ]


def ecs_pipeline(placeholders: dict[str, list[str]] | None = None) -> ProcessingPipeline:
    """A fresh pipeline (pySigma pipelines keep per-rule state, so build one per conversion).

    `placeholders` are the lists `|expand` placeholders take their values from (placeholders.py).
    """
    return ProcessingPipeline(
        name=PIPELINE_NAME,
        priority=20,
        vars=dict(placeholders or {}),
        items=_failure_items()
        + _placeholder_items()
        + _keyword_items()
        + _mapping_items()
        + [_windows_prefix_item()]
        + _type_items()
        + _stream_condition_items(),
    )
