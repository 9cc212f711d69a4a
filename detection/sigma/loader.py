"""Find and parse Sigma YAML: rules, correlation rules and filters, from every configured folder.

Nothing stops the load: a file or document that is not valid YAML or not a valid Sigma rule
becomes a `RuleError` (path, line, cause) and the rest load. Test-event files
(`<rule>.tests.yml`) sit beside the rules and are skipped here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError, SigmaRuleLocation
from sigma.filters import SigmaFilter
from sigma.rule import SigmaRule

from detection.sigma.placeholders import PLACEHOLDER_FOLDER
from soc.errors import RuleError

RULES_ENV = "SOC_RULES"
DEFAULT_RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
RULE_SUFFIXES = (".yml", ".yaml")
TEST_SUFFIXES = (".tests.yml", ".tests.yaml")

AnyRule = SigmaRule | SigmaCorrelationRule


def rule_dirs(dirs: Sequence[Path | str] | None = None) -> list[Path]:
    """The rule folders: the argument, else `$SOC_RULES` (':'-separated), else the repo's rules/."""
    if dirs:
        return [Path(d) for d in dirs]
    env = os.environ.get(RULES_ENV, "").strip()
    if env:
        return [Path(p) for p in env.split(":") if p.strip()]
    return [DEFAULT_RULES_DIR]


def is_test_file(path: Path) -> bool:
    return path.name.endswith(TEST_SUFFIXES)


def rule_tests_path(rule_path: Path) -> Path | None:
    """The test-event file beside a rule file, if there is one."""
    stem = rule_path.name.rsplit(".", 1)[0]
    for suffix in TEST_SUFFIXES:
        cand = rule_path.with_name(stem + suffix)
        if cand.exists():
            return cand
    return None


def iter_rule_files(dirs: Iterable[Path]) -> Iterable[Path]:
    """Every rule YAML file under the folders (a file given directly counts too), sorted.

    Hidden folders and `placeholders/` (lists for `|expand`, not rules) are skipped.
    """
    for d in dirs:
        if d.is_file():
            yield d
            continue
        files = [p for p in d.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file()]
        for p in sorted(files):
            parts = p.relative_to(d).parts
            if is_test_file(p) or any(part.startswith(".") for part in parts) or PLACEHOLDER_FOLDER in parts[:-1]:
                continue
            yield p


@dataclass
class Loaded:
    """Everything parsed from the folders, before conversion."""

    rules: list[AnyRule] = field(default_factory=list)
    filters: list[SigmaFilter] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    files: int = 0


# --- locating an error in the YAML ------------------------------------------------------------

_KEY_FOR_ERROR = {
    "SigmaIdentifierError": "id",
    "SigmaTitleError": "title",
    "SigmaLevelError": "level",
    "SigmaStatusError": "status",
    "SigmaDateError": "date",
    "SigmaModifiedError": "modified",
    "SigmaLogsourceError": "logsource",
    "SigmaDetectionError": "detection",
    "SigmaConditionError": "condition",
    "SigmaModifierError": "detection",
    "SigmaTypeError": "detection",
    "SigmaValueError": "detection",
    "SigmaRegularExpressionError": "detection",
    "SigmaTagError": "tags",
    "SigmaRelatedError": "related",
    "SigmaFieldsError": "fields",
    "SigmaFalsePositivesError": "falsepositives",
    "SigmaReferencesError": "references",
    "SigmaAuthorError": "author",
    "SigmaDescriptionError": "description",
    "SigmaNameError": "name",
    "SigmaTimespanError": "timespan",
    "SigmaCorrelationTypeError": "type",
    "SigmaCorrelationConditionError": "condition",
    "SigmaRuleNotFoundError": "rules",
    "SigmaCorrelationRuleError": "correlation",
    "SigmaFilterError": "filter",
    "SigmaFilterConditionError": "condition",
    "SigmaFilterRuleReferenceError": "rules",
}

_QUOTED = re.compile(r"'([^']{2,})'|\"([^\"]{2,})\"")


def _walk(node: yaml.Node) -> Iterable[tuple[yaml.Node, yaml.Node | None]]:
    """(key node, value node) pairs of every mapping, depth first; scalars of lists as (node, None)."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            yield k, v
            yield from _walk(v)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                yield item, None
            yield from _walk(item)


def locate(exc: BaseException, doc: yaml.Node | None) -> int | None:
    """Best 1-based line of the YAML that an error is about, or None."""
    if doc is None:
        return None
    pairs = list(_walk(doc))
    for m in _QUOTED.finditer(str(exc.args[0]) if exc.args else str(exc)):
        token = m.group(1) or m.group(2)
        for k, _v in pairs:
            if isinstance(k, yaml.ScalarNode) and token in str(k.value):
                return k.start_mark.line + 1
    key = next((_KEY_FOR_ERROR[c.__name__] for c in type(exc).__mro__ if c.__name__ in _KEY_FOR_ERROR), None)
    if key is not None:
        for k, _v in pairs:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k.start_mark.line + 1
    return doc.start_mark.line + 1


def reason(exc: BaseException) -> str:
    """The error's own message, without pySigma's ' in <path>' suffix (we print the path ourselves)."""
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return text or type(exc).__name__


# --- reading files ----------------------------------------------------------------------------


def _read_docs(path: Path) -> tuple[list[Any], list[yaml.Node | None]]:
    text = path.read_text(encoding="utf-8")
    nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    docs = list(yaml.safe_load_all(text))
    return docs, nodes + [None] * (len(docs) - len(nodes))


def _parse_doc(doc: dict[str, Any], source: SigmaRuleLocation) -> AnyRule | SigmaFilter:
    if "correlation" in doc:
        return SigmaCorrelationRule.from_dict(doc, False, source)
    if "filter" in doc:
        return SigmaFilter.from_dict(doc, False, source)
    return SigmaRule.from_dict(doc, False, source)


def load_file(path: Path, out: Loaded) -> None:
    """Parse one file into `out`, turning each bad document into an error."""
    out.files += 1
    try:
        docs, nodes = _read_docs(path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        out.errors.append(RuleError(str(path), f"invalid YAML: {exc.problem or exc}", line))
        return
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        out.errors.append(RuleError(str(path), f"cannot read rule file: {exc}"))
        return
    if any(isinstance(d, dict) and "action" in d for d in docs):
        _load_legacy_collection(path, docs, out)
        return
    for doc, node in zip(docs, nodes):
        if doc is None:
            continue
        line = node.start_mark.line + 1 if node is not None else None
        if not isinstance(doc, dict):
            out.errors.append(RuleError(str(path), "a Sigma rule must be a YAML mapping", line))
            continue
        try:
            parsed = _parse_doc(doc, SigmaRuleLocation(path, line))
        except SigmaError as exc:
            out.errors.append(RuleError(str(path), reason(exc), locate(exc, node)))
            continue
        except Exception as exc:  # pySigma raises plain errors on some malformed input
            out.errors.append(RuleError(str(path), f"{type(exc).__name__}: {exc}", line))
            continue
        (out.filters if isinstance(parsed, SigmaFilter) else out.rules).append(parsed)


def _load_legacy_collection(path: Path, docs: list[Any], out: Loaded) -> None:
    """Old multi-document files with `action: global/repeat`: pySigma merges them as a whole."""
    try:
        coll = SigmaCollection.from_dicts(docs, False, SigmaRuleLocation(path), resolve_references=False, collect_filters=True)
    except SigmaError as exc:
        out.errors.append(RuleError(str(path), reason(exc)))
        return
    out.rules.extend(coll.rules)
    out.filters.extend(coll.filters)


def load(dirs: Sequence[Path | str] | None = None) -> Loaded:
    """Parse every rule file under the folders; missing folders are errors, not crashes."""
    out = Loaded()
    for d in rule_dirs(dirs):
        if not d.exists():
            out.errors.append(RuleError(str(d), "rule folder does not exist"))
            continue
        for path in iter_rule_files([d]):
            load_file(path, out)
    return out
