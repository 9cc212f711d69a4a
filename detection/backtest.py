"""Backtest: what a rule would have raised over past data, without raising anything.

Runs the same code path as detection (`detection.engine.rule_alerts`) over [start, end) but
creates no incident and moves no checkpoint. Base rules with `generate: false` are shown
too (their hits feed correlations), with `would_raise` False.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from detection.engine import rule_alerts
from detection.incidents import RuleAlert
from detection.model import CompiledRule, RuleSet
from soc.errors import SocError
from soc.events import format_ts, parse_ts
from soc.incidents import group_key
from soc.store.base import Store


@dataclass
class BacktestResult:
    rule_id: str
    rule_title: str
    start: str | None
    end: str
    would_raise: bool  # False for `generate: false` base rules and disabled rules
    alerts: list[RuleAlert] = field(default_factory=list)  # per key (plain rules) or per key and burst (correlations)
    hits: int = 0  # events in the alerts
    per_day: list[tuple[str, int]] = field(default_factory=list)  # (YYYY-MM-DD in `tz`, events), by day
    per_key: list[tuple[str, int]] = field(default_factory=list)  # (grouping key, events), most first
    duration_ms: float = 0.0
    error: str | None = None

    def describe(self) -> str:
        head = f"backtest of {self.rule_title} [{self.rule_id}] over {self.start or 'the beginning'} .. {self.end}"
        if self.error:
            return f"{head}: failed: {self.error}"
        note = "" if self.would_raise else " (this rule raises nothing itself: a base rule or disabled)"
        lines = [f"{head}: {self.hits} matching events in {len(self.alerts)} alerts{note}"]
        if self.per_day:
            lines.append("per day:")
            lines += [f"  {d}  {n}" for d, n in self.per_day]
        if self.per_key:
            lines.append("per grouping key:")
            lines += [f"  {k or '(no key)'}  {n}" for k, n in self.per_key[:50]]
            if len(self.per_key) > 50:
                lines.append(f"  ... and {len(self.per_key) - 50} more keys")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "rule_id": self.rule_id, "rule_title": self.rule_title, "start": self.start, "end": self.end,
            "would_raise": self.would_raise, "hits": self.hits, "alerts": len(self.alerts),
            "per_day": [{"day": d, "hits": n} for d, n in self.per_day],
            "per_key": [{"key": k, "hits": n} for k, n in self.per_key],
            "duration_ms": self.duration_ms, "error": self.error,
        }


def backtest(
    store: Store,
    rule: CompiledRule,
    ruleset: RuleSet,
    start: datetime | None,
    end: datetime,
    tz: str = "UTC",
) -> BacktestResult:
    """Hits of one rule over [start, end) per day (in time zone `tz`) and per grouping key.

    Never raises for a rule that cannot run here (not converted for this store, a broken
    query): the reason is in `error`.
    """
    result = BacktestResult(
        rule_id=rule.id, rule_title=rule.title, start=format_ts(start) if start else None, end=format_ts(end),
        would_raise=rule.generate and rule.enabled,
    )
    t0 = time.perf_counter()
    try:
        zone = ZoneInfo(tz)
        alerts = rule_alerts(store, rule, ruleset, start, end)
    except (SocError, ValueError, KeyError) as exc:
        result.error = str(exc) or type(exc).__name__
        return result
    finally:
        result.duration_ms = round((time.perf_counter() - t0) * 1000, 1)
    days: Counter[str] = Counter()
    keys: Counter[str] = Counter()
    day_of: dict[str, str] = {}  # cache by the minute: events cluster
    for a in alerts:
        keys[group_key(a.entity)] += a.count
        for ts in a.event_times:
            minute = ts[:16]
            day = day_of.get(minute)
            if day is None:
                day = day_of[minute] = parse_ts(ts).astimezone(zone).strftime("%Y-%m-%d")
            days[day] += 1
    result.alerts = alerts
    result.hits = sum(a.count for a in alerts)
    result.per_day = sorted(days.items())
    result.per_key = sorted(keys.items(), key=lambda kv: (-kv[1], kv[0]))
    return result
