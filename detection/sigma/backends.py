"""The two pySigma backends, tuned to our stores' dialects (see soc/store/base.py).

- "sqlite": a boolean SQL expression for `WHERE`, every field name in backticks (the SQLite
  store builds one NOCASE column per backticked name from the event JSON, so `=` ignores case
  and LIKE does too; REGEXP is Python's `re.search`, case-sensitive unless `(?i)`).
- "elasticsearch": a Lucene query string. Our keyword fields are lowercased by the index's
  normalizer, so string values and regular expressions are lowercased here as well, and
  regular expressions are rewritten for Lucene's dialect (whole-term match, no inline flags).
"""

from __future__ import annotations

import re
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


def lucene_regex(pattern: str, ignore_case: bool) -> str:
    """A Sigma (PCRE-like, unanchored search) regex as a Lucene regex over lowercased terms.

    Lucene matches the whole term and knows no inline flags or non-capturing groups; our
    index lowercases keyword values, so literals are lowercased (escapes like \\S keep case).
    """
    if pattern.startswith("(?i)"):
        pattern, ignore_case = pattern[4:], True
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if pattern.startswith("(?:", i):
            out.append("(")
            i += 3
            continue
        if ch in _LUCENE_RE_OPERATORS:
            out.append("\\" + ch)
        elif ch == "/":
            out.append("\\/")
        else:
            out.append(ch.lower())
        i += 1
    body = "".join(out)
    start = "" if body.startswith("^") else ".*"
    end = "" if body.endswith("$") and not body.endswith("\\$") else ".*"
    body = body[1:] if body.startswith("^") else body
    body = body[:-1] if (body.endswith("$") and not body.endswith("\\$")) else body
    del ignore_case  # every comparison is case-insensitive on our lowercased index
    return f"{start}{body}{end}"


class SocLuceneBackend(LuceneBackend):
    """pySigma's Lucene backend with values lowercased for our normalised keyword fields."""

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


def backend_for(dialect: str) -> TextQueryBackend:
    """A fresh backend with a fresh pipeline (pySigma keeps per-conversion state in both)."""
    try:
        cls = _BACKENDS[dialect]
    except KeyError:
        raise ValueError(f"unknown store dialect {dialect!r}; known: {', '.join(DIALECTS)}") from None
    return cls(processing_pipeline=ecs_pipeline())
