"""Sigma correlation over time-ordered events: pure functions, no I/O.

Every function takes the events (flat ECS dicts with `@timestamp` and `event.id`) that the
referenced rules matched and returns `Window`s: one per group and per run of overlapping
firing windows. A sliding window of `timespan` ends at each event time t and covers
[t - timespan, t]; it fires when its measure meets the condition. Overlapping firing windows
of one group merge into one, so a brute force of 10,000 lines is one window holding 10,000
event ids, not thousands.

Grouping follows Sigma: group-by values compare case-insensitively (strings are folded to
lower case, and the entity carries the folded value so its key is stable across runs). An
event without a group-by field is grouped under None for it, as SQL's GROUP BY does.
value_count ignores events that lack the counted field and folds its values the same way;
a condition field "a,b" (several fields) counts distinct combinations.

Chained correlations: an input event may carry `WINDOW_KEY` -> the `Window` of a referenced
correlation it stands for (one pseudo-event per firing point); the output then carries that
window's evidence instead of the pseudo-event's id.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

from detection.model import Condition, Correlation
from soc.events import Event

WINDOW_KEY = "_soc.correlation.window"

_OPS: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "eq": operator.eq,
    "neq": operator.ne,
}


@dataclass
class Window:
    """Events of one group that made a correlation fire, in (@timestamp, event.id) order."""

    entity: dict[str, Any]  # group-by name -> folded value
    first_seen: str
    last_seen: str
    event_ids: list[str]
    event_times: list[str]  # @timestamp of each id, same order
    fired_at: list[tuple[str, str]] = field(default_factory=list)  # (@timestamp, event.id) where the condition held

    @property
    def count(self) -> int:
        return len(self.event_ids)


# A row is one event reduced to what correlation needs:
# (epoch ms, @timestamp, event.id, ref index, folded value or None, referenced Window or None)
_Row = tuple[int, str, str, int, Any, Any]


def fold(value: Any) -> Any:
    """Sigma compares group-by values case-insensitively."""
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, (list, tuple)):
        return tuple(fold(v) for v in value)
    return value


_ms_cache: dict[str, int] = {}


def _ms(ts: str) -> int:
    """Epoch milliseconds; whole seconds are cached because events cluster in time."""
    head, tail = ts[:19], ts[19:]
    base = _ms_cache.get(head)
    if base is None:
        base = int(datetime.fromisoformat(head + "+00:00").timestamp()) * 1000
        if len(_ms_cache) > 100_000:
            _ms_cache.clear()
        _ms_cache[head] = base
    if tail == "Z" or tail == "":
        return base
    if len(tail) == 5 and tail[0] == "." and tail[4] == "Z":
        return base + int(tail[1:4])
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def _field_for(name: str, ref: str, aliases: Mapping[str, Mapping[str, str]]) -> str:
    return aliases.get(name, {}).get(ref, name)


def _group_rows(
    events_by_ref: Mapping[str, Iterable[Event]],
    group_by: Sequence[str],
    aliases: Mapping[str, Mapping[str, str]],
    value_field: str | None = None,
) -> dict[tuple[Any, ...], list[_Row]]:
    """Rows per folded group key, each list in (time, id) order."""
    groups: dict[tuple[Any, ...], list[_Row]] = {}
    for ref_idx, (ref, events) in enumerate(events_by_ref.items()):
        fields = [_field_for(g, ref, aliases) for g in group_by]
        single = fields[0] if len(fields) == 1 else None
        vfields = [_field_for(f.strip(), ref, aliases) for f in value_field.split(",")] if value_field else []
        vfield = vfields[0] if len(vfields) == 1 else None
        for ev in events:
            get = ev.get
            value = None
            if vfield is not None:
                value = get(vfield)
                if value is None:
                    continue
                value = value.lower() if value.__class__ is str else fold(value)
            elif vfields:  # several fields: their combination is the value
                value = tuple(fold(get(f)) for f in vfields)
                if all(v is None for v in value):
                    continue
            if single is not None:  # the common case, kept lean: 100k events must take well under a second
                g = get(single)
                key: tuple[Any, ...] = (g.lower() if g.__class__ is str else fold(g),)
            else:
                key = tuple(fold(get(f)) for f in fields)
            ts = ev["@timestamp"]
            row = (_ms(ts), ts, ev["event.id"], ref_idx, value, get(WINDOW_KEY))
            bucket = groups.get(key)
            if bucket is None:
                groups[key] = [row]
            else:
                bucket.append(row)
    if len(events_by_ref) > 1:
        for rows in groups.values():
            rows.sort(key=lambda r: (r[0], r[2]))
    return groups


def _entity(group_by: Sequence[str], key: tuple[Any, ...]) -> dict[str, Any]:
    return {g: (list(v) if isinstance(v, tuple) else v) for g, v in zip(group_by, key)}


def _window_ends(rows: Sequence[_Row]) -> Iterable[int]:
    """Indexes that end a sliding window: the last of each run of equal timestamps, so ties count together."""
    last = len(rows) - 1
    for j in range(last + 1):
        if j == last or rows[j + 1][0] != rows[j][0]:
            yield j


class _Merger:
    """Collects firing windows [lo, hi] of one group, merging those that share events."""

    def __init__(self) -> None:
        self.spans: list[list[Any]] = []  # [lo, hi, fired indexes]

    def fire(self, lo: int, hi: int) -> None:
        if self.spans and lo <= self.spans[-1][1]:
            span = self.spans[-1]
            span[1] = hi
            span[2].append(hi)
        else:
            self.spans.append([lo, hi, [hi]])

    def windows(self, rows: Sequence[_Row], entity: dict[str, Any]) -> list[Window]:
        return [_build(rows, lo, hi, fired, entity) for lo, hi, fired in self.spans]


def _build(rows: Sequence[_Row], lo: int, hi: int, fired: list[int], entity: dict[str, Any]) -> Window:
    ids: list[str] = []
    times: list[str] = []
    chained: dict[int, Window] = {}
    for r in rows[lo : hi + 1]:
        if r[5] is not None:
            chained[id(r[5])] = r[5]
        else:
            ids.append(r[2])
            times.append(r[1])
    if chained:
        pairs = dict(zip(ids, times))
        for w in chained.values():
            pairs.update(zip(w.event_ids, w.event_times))
        ordered = sorted(pairs.items(), key=lambda p: (p[1], p[0]))
        ids, times = [p[0] for p in ordered], [p[1] for p in ordered]
    return Window(
        entity=dict(entity),
        first_seen=times[0] if times else rows[lo][1],
        last_seen=times[-1] if times else rows[hi][1],
        event_ids=ids,
        event_times=times,
        fired_at=[(rows[j][1], rows[j][2]) for j in fired],
    )


def event_count(
    events_by_ref: Mapping[str, Iterable[Event]],
    group_by: Sequence[str],
    timespan_seconds: float,
    condition: Condition,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Window]:
    """Windows where the number of events of a group within `timespan` meets `condition`."""
    holds, limit = _OPS[condition.op], condition.value
    span = int(timespan_seconds * 1000)
    out: list[Window] = []
    for key, rows in _group_rows(events_by_ref, group_by, aliases or {}).items():
        merger = _Merger()
        i = 0
        for j in _window_ends(rows):
            floor = rows[j][0] - span
            while rows[i][0] < floor:
                i += 1
            if holds(j - i + 1, limit):
                merger.fire(i, j)
        out += merger.windows(rows, _entity(group_by, key))
    return out


def value_count(
    events_by_ref: Mapping[str, Iterable[Event]],
    group_by: Sequence[str],
    timespan_seconds: float,
    condition: Condition,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Window]:
    """Windows where the distinct values of `condition.field` in a group within `timespan` meet `condition`."""
    if not condition.field:
        raise ValueError("value_count needs condition.field")
    holds, limit = _OPS[condition.op], condition.value
    span = int(timespan_seconds * 1000)
    out: list[Window] = []
    for key, rows in _group_rows(events_by_ref, group_by, aliases or {}, condition.field).items():
        merger = _Merger()
        seen: dict[Any, int] = {}
        i = 0
        added = 0  # rows[:added] have entered `seen`
        for j in _window_ends(rows):
            while added <= j:
                v = rows[added][4]
                seen[v] = seen.get(v, 0) + 1
                added += 1
            floor = rows[j][0] - span
            while rows[i][0] < floor:
                v = rows[i][4]
                n = seen[v] - 1
                if n:
                    seen[v] = n
                else:
                    del seen[v]
                i += 1
            if holds(len(seen), limit):
                merger.fire(i, j)
        out += merger.windows(rows, _entity(group_by, key))
    return out


def temporal(
    events_by_ref: Mapping[str, Iterable[Event]],
    group_by: Sequence[str],
    timespan_seconds: float,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Window]:
    """Windows where every referenced rule hit the same group within `timespan`, in any order."""
    refs = len(events_by_ref)
    span = int(timespan_seconds * 1000)
    out: list[Window] = []
    for key, rows in _group_rows(events_by_ref, group_by, aliases or {}).items():
        merger = _Merger()
        per_ref = [0] * refs
        present = 0
        i = 0
        added = 0
        for j in _window_ends(rows):
            while added <= j:
                r = rows[added][3]
                present += per_ref[r] == 0
                per_ref[r] += 1
                added += 1
            floor = rows[j][0] - span
            while rows[i][0] < floor:
                r = rows[i][3]
                per_ref[r] -= 1
                present -= per_ref[r] == 0
                i += 1
            if present == refs:
                merger.fire(i, j)
        out += merger.windows(rows, _entity(group_by, key))
    return out


def temporal_ordered(
    events_by_ref: Mapping[str, Iterable[Event]],
    order: Sequence[str],
    group_by: Sequence[str],
    timespan_seconds: float,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Window]:
    """Windows where the rules of `order` hit the same group in that order within `timespan`.

    For each event of the last rule, the chain that starts latest is kept (the best chance to
    fit the timespan); it fires when that start is within the timespan. Equal timestamps
    keep the store's (@timestamp, event.id) order.
    """
    names = list(events_by_ref)
    positions: dict[int, list[int]] = {}
    for k, ref in enumerate(order):
        positions.setdefault(names.index(ref), []).append(k)
    last = len(order) - 1
    span = int(timespan_seconds * 1000)
    out: list[Window] = []
    for key, rows in _group_rows(events_by_ref, group_by, aliases or {}).items():
        merger = _Merger()
        best: list[int | None] = [None] * len(order)  # row index where the latest chain up to step k starts
        for j, row in enumerate(rows):
            for k in reversed(positions.get(row[3], [])):
                if k == 0:
                    best[0] = j
                elif best[k - 1] is not None:
                    best[k] = best[k - 1]
            if last in positions.get(row[3], []) and best[last] is not None:
                start = best[last]
                if rows[start][0] >= row[0] - span:
                    merger.fire(start, j)
        out += merger.windows(rows, _entity(group_by, key))
    return out


def correlate(correlation: Correlation, events_by_ref: Mapping[str, Iterable[Event]]) -> list[Window]:
    """Run one Sigma correlation over the events each referenced rule matched (keyed by rule ref)."""
    c = correlation
    missing = [r for r in c.rule_refs if r not in events_by_ref]
    if missing:
        raise ValueError(f"no events given for referenced rules {missing}")
    inputs = {r: events_by_ref[r] for r in dict.fromkeys(c.rule_refs)}
    if c.type in ("event_count", "value_count"):
        if c.condition is None:
            raise ValueError(f"{c.type} correlation needs a condition")
        fn = event_count if c.type == "event_count" else value_count
        return fn(inputs, c.group_by, c.timespan_seconds, c.condition, c.aliases)
    if c.type == "temporal":
        return temporal(inputs, c.group_by, c.timespan_seconds, c.aliases)
    if c.type == "temporal_ordered":
        return temporal_ordered(inputs, c.rule_refs, c.group_by, c.timespan_seconds, c.aliases)
    raise ValueError(f"unknown correlation type {c.type!r}")
