"""The two pySigma backends, tuned to our stores' dialects (see soc/store/base.py).

- "sqlite": a boolean SQL expression for `WHERE`, every field name in backticks (the SQLite
  store builds one NOCASE column per backticked name from the event JSON, so `=` ignores case
  and LIKE does too; REGEXP is Python's `re.search`, case-sensitive unless `(?i)`).
- "elasticsearch": a Lucene query string. Our keyword fields are lowercased by the index's
  normalizer, so string values are lowercased here as well; regular expressions run on the raw
  value (the store routes them to a case-kept sub-field) and are rewritten for Lucene's dialect
  (whole-term match, no inline flags: case-insensitive ones become both-case classes).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sigma.backends.elasticsearch import LuceneBackend
from sigma.backends.sqlite import sqliteBackend
from sigma.conversion.base import TextQueryBackend
from sigma.conversion.state import ConversionState
from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule
from sigma.types import SigmaRegularExpression, SigmaRegularExpressionFlag, SigmaString

from detection.sigma.pipeline import ecs_pipeline

DIALECTS = ("sqlite", "elasticsearch")


class SocSQLiteBackend(sqliteBackend):
    """pySigma's SQLite backend giving only the WHERE expression, with every field backticked."""

    def escape_and_quote_field(self, field: str) -> str:
        return "`" + field.replace("`", "``") + "`"

    def finalize_query_default(
        self, rule: SigmaRule | SigmaCorrelationRule, query: str, index: int, state: ConversionState
    ) -> Any:
        return query


# Lucene's RegExp treats these as operators (with the default ALL flags); Sigma means them literally.
_LUCENE_RE_OPERATORS = set('@&<>~#"')


def _both_cases(ch: str, in_class: bool) -> str:
    if ch.lower() == ch.upper():
        return ch
    pair = ch.lower() + ch.upper()
    return pair if in_class else f"[{pair}]"


def _is_letter_range(pattern: str, i: int) -> bool:
    return (
        i + 2 < len(pattern)
        and pattern[i + 1] == "-"
        and pattern[i].isalpha()
        and pattern[i + 2].isalpha()
        and pattern[i].islower() == pattern[i + 2].islower()
    )


def lucene_regex(pattern: str, ignore_case: bool) -> str:
    """A Sigma (PCRE-like, unanchored search) regex in Lucene's dialect.

    The store matches regexes against the raw value (case kept, `.cs` sub-field), so a
    case-sensitive regex stays as written. Lucene knows no inline flags: `(?i)` / `|re|i`
    become both-case character classes. Lucene matches the whole term, so an unanchored
    pattern is wrapped in `.*`; it has no non-capturing groups, and `@&<>~#"` are operators.
    """
    if pattern.startswith("(?i)"):
        pattern, ignore_case = pattern[4:], True
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])  # \\d, \\S, \\. ... keep their meaning
            i += 2
            continue
        if not in_class and pattern.startswith("(?:", i):
            out.append("(")
            i += 3
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        if ch in _LUCENE_RE_OPERATORS or ch == "/":
            out.append("\\" + ch)
        elif ignore_case and in_class and _is_letter_range(pattern, i):
            lo, hi = pattern[i], pattern[i + 2]
            out.append(f"{lo.lower()}-{hi.lower()}{lo.upper()}-{hi.upper()}")
            i += 3
            continue
        elif ignore_case and ch.isalpha():
            out.append(_both_cases(ch, in_class))
        else:
            out.append(ch)
        i += 1
    body = "".join(out)
    anchored_start = body.startswith("^")
    anchored_end = body.endswith("$") and not body.endswith("\\$")
    body = body[1:] if anchored_start else body
    body = body[:-1] if anchored_end else body
    return ("" if anchored_start else ".*") + body + ("" if anchored_end else ".*")


class SocLuceneBackend(LuceneBackend):
    """pySigma's Lucene backend: values lowercased for our normalised keyword fields, regexes in Lucene's dialect."""

    re_flags: ClassVar[dict[SigmaRegularExpressionFlag, str]] = {
        SigmaRegularExpressionFlag.IGNORECASE: "",
        SigmaRegularExpressionFlag.MULTILINE: "",
        SigmaRegularExpressionFlag.DOTALL: "",
    }

    def convert_value_str(self, s: SigmaString, state: ConversionState, *args: Any, **kwargs: Any) -> str:
        return super().convert_value_str(s, state, *args, **kwargs).lower()

    def convert_value_re(self, r: SigmaRegularExpression, state: ConversionState) -> str:
        ignore_case = SigmaRegularExpressionFlag.IGNORECASE in r.flags
        return lucene_regex(str(r.regexp), ignore_case)


_BACKENDS: dict[str, type[TextQueryBackend]] = {
    "sqlite": SocSQLiteBackend,
    "elasticsearch": SocLuceneBackend,
}


def backend_for(dialect: str, placeholders: dict[str, list[str]] | None = None) -> TextQueryBackend:
    """A fresh backend with a fresh pipeline (pySigma keeps per-conversion state in both)."""
    try:
        cls = _BACKENDS[dialect]
    except KeyError:
        raise ValueError(f"unknown store dialect {dialect!r}; known: {', '.join(DIALECTS)}") from None
    return cls(processing_pipeline=ecs_pipeline(placeholders))
