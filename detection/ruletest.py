"""Run each rule's test events on a fresh store of every backend and say which expectation failed.

A rule `x.yml` may have `x.tests.yml` beside it:

    rule: <id or name>      # optional: which rule of the file is meant (default: the file's
                            # rules that generate alerts, or all of them if none does)
    match:                  # events the rule must find
      - {event.dataset: sshd.auth, event.outcome: failure, source.ip: 203.0.113.7}
    no_match:               # events it must not find
      - {...}

Events are flat ECS dicts (nested ones are flattened). A missing `@timestamp` is filled with
a fixed base time plus one second per event in list order; `event.id` is always set to a
deterministic id unique to the file, list and position. A plain rule is checked event by
event: every `match` event must be among its results and no `no_match` event may be. A
correlation rule is checked per list: the `match` events together must make it fire, the
`no_match` events together must not. All events go into one fresh store per backend and
each list is judged only on its own events.
"""

from __future__ import annotations

import itertools
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence, cast

import yaml

from detection.engine import query_of, rule_alerts
from detection.model import CompiledRule, RuleSet
from soc.errors import SocError
from soc.events import Event, event_id, format_ts, from_nested, parse_ts
from soc.incidents import group_key
from soc.store.base import Store

StoreFactory = Callable[[], Store]

TEST_SUFFIXES = (".tests.yml", ".tests.yaml")
BASE_TIME = datetime(2026, 1, 5, 2, 0, 0, tzinfo=timezone.utc)
KINDS = ("match", "no_match")


@dataclass
class EventFailure:
    expectation: str  # "match" | "no_match"
    index: int | None  # position in that list; None for a correlation's whole list
    reason: str
    event: Event | None = None

    def describe(self) -> str:
        where = f"{self.expectation}[{self.index}]" if self.index is not None else self.expectation
        return f"{where}: {self.reason}"


@dataclass
class RuleTestResult:
    rule_id: str
    rule_title: str
    path: str
    dialect: str
    status: str  # passed | failed | error | no_tests
    tests_path: str | None = None
    checked: int = 0  # events checked
    failures: list[EventFailure] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        """No tests is not a failure: public Sigma rules come without test events."""
        return self.status in ("passed", "no_tests")

    def describe(self) -> str:
        """One line per result, then one indented line per failed expectation."""
        label = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "no_tests": "NO TESTS"}[self.status]
        head = f"{label:<8} {self.dialect:<13} {self.rule_title} [{self.rule_id}] ({self.path})"
        if self.status == "passed":
            return f"{head}: {self.checked} events"
        if self.status == "error":
            return f"{head}: {self.error}"
        if self.status == "no_tests":
            return head
        return "\n".join([head] + [f"    {f.describe()}{_brief(f.event)}" for f in self.failures])


def _brief(event: Event | None, limit: int = 240) -> str:
    if not event:
        return ""
    shown = ", ".join(f"{k}={v!r}" for k, v in event.items() if k not in ("@timestamp", "event.id"))
    return " | " + (shown if len(shown) <= limit else shown[: limit - 3] + "...")


def find_tests_file(rule_path: str | Path) -> Path | None:
    p = Path(rule_path)
    stem = p.name.rsplit(".", 1)[0]
    for suffix in TEST_SUFFIXES:
        cand = p.with_name(stem + suffix)
        if cand.is_file():
            return cand
    return None


def run_rule_tests(
    ruleset: RuleSet,
    store_factories: Mapping[str, StoreFactory],
    rules: Sequence[CompiledRule] | None = None,
) -> list[RuleTestResult]:
    """Test every rule (or `rules`) on each backend; one result per rule and backend.

    Each factory is called once: all test events go into that one fresh store in one batch
    (their ids are unique per tests file, list and position), and each list is then judged
    only on its own events, so the rules' tests cannot disturb each other. One store per
    backend keeps this fast on Elasticsearch, where every new index costs a second or more.
    """
    plan, results = _plan(ruleset, rules, list(store_factories))
    for dialect, factory in store_factories.items():
        results += _run_on(dialect, factory, plan, ruleset)
    order = {r.id: n for n, r in reversed(list(enumerate(rules if rules is not None else ruleset.rules)))}
    results.sort(key=lambda r: order.get(r.rule_id, 0))  # stable: backends keep their order per rule
    return results


@dataclass
class _Planned:
    rule: CompiledRule
    tests_path: Path
    lists: dict[str, list[Event | str]]  # kind -> events, or the reason an entry is not an event


def _plan(
    ruleset: RuleSet, rules: Sequence[CompiledRule] | None, dialects: list[str]
) -> tuple[list[_Planned], list[RuleTestResult]]:
    """What to test, and the results already known (no tests file, unreadable tests file)."""
    by_path: dict[str, list[CompiledRule]] = {}
    for r in rules if rules is not None else ruleset.rules:
        by_path.setdefault(r.path, []).append(r)
    plan: list[_Planned] = []
    known: list[RuleTestResult] = []
    for path, file_rules in by_path.items():
        tests_path = find_tests_file(path)
        if tests_path is None:
            known += [_result(r, d, "no_tests") for r in file_rules for d in dialects]
            continue
        try:
            spec = _load_spec(tests_path)
            targets = _targets(spec, file_rules, ruleset)
        except (OSError, ValueError) as exc:
            known += [_result(r, d, "error", tests_path, error=str(exc)) for r in file_rules for d in dialects]
            continue
        lists = {kind: _events(spec, kind, tests_path) for kind in KINDS}
        plan += [_Planned(rule, tests_path, lists) for rule in targets]
    return plan, known


def _run_on(dialect: str, factory: StoreFactory, plan: list[_Planned], ruleset: RuleSet) -> list[RuleTestResult]:
    try:
        store = factory()
    except Exception as exc:  # noqa: BLE001 - a backend that cannot start fails its results, not the run
        return [_result(p.rule, dialect, "error", p.tests_path, error=f"cannot open a {dialect} store: {exc}") for p in plan]
    try:
        refused = _write_all(store, plan)
        return [_test_rule(p, ruleset, dialect, store, refused) for p in plan]
    finally:
        store.close()


def _write_all(store: Store, plan: list[_Planned]) -> dict[str, str]:
    """Every distinct test event in one batch; returns the reason per refused event id."""
    unique: dict[str, Event] = {}
    for p in plan:
        for events in p.lists.values():
            unique.update((e["event.id"], e) for e in events if isinstance(e, dict))
    result = store.write_events(list(unique.values()))
    return {ev.get("event.id", ""): why for ev, why in result.failed}


class _Only:
    """A read view of a store that sees only some event ids: one test list among all the others."""

    def __init__(self, store: Store, ids: set[str]) -> None:
        self._store, self._ids, self.dialect = store, ids, store.dialect

    def iter_events(self, query: Any = None, start: Any = None, end: Any = None, **kw: Any) -> Iterator[Event]:
        return (e for e in self._store.iter_events(query, start, end, **kw) if e.get("event.id") in self._ids)


@contextmanager
def sqlite_factories() -> Iterator[dict[str, StoreFactory]]:
    """Factories of fresh SQLite stores in a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="soc-ruletest-") as d:
        yield {"sqlite": sqlite_factory(Path(d))}


def sqlite_factory(folder: Path) -> StoreFactory:
    from soc.store.sqlite import SQLiteStore

    counter = itertools.count()
    return lambda: SQLiteStore(folder / f"ruletest-{next(counter)}.db")


# --- the tests file ----------------------------------------------------------------------------


def _load_spec(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ValueError(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from exc
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: expected a mapping with 'match' and/or 'no_match' lists")
    unknown = set(doc) - {"rule", *KINDS}
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)} (expected rule, match, no_match)")
    for kind in KINDS:
        if not isinstance(doc.get(kind) or [], list):
            raise ValueError(f"{path}: '{kind}' must be a list of events")
    if not doc.get("match") and not doc.get("no_match"):
        raise ValueError(f"{path}: no test events under 'match' or 'no_match'")
    return doc


def _targets(spec: dict[str, Any], file_rules: list[CompiledRule], ruleset: RuleSet) -> list[CompiledRule]:
    if spec.get("rule"):
        target = ruleset.by_ref(str(spec["rule"]))
        if target is None:
            raise ValueError(f"the tests name rule {spec['rule']!r}, which is not loaded")
        return [target]
    generating = [r for r in file_rules if r.generate]
    return generating or file_rules


def _events(spec: dict[str, Any], kind: str, tests_path: Path) -> list[Event | str]:
    """The events of one list with `@timestamp` and `event.id` filled; a bad entry becomes its reason."""
    out: list[Event | str] = []
    for i, raw in enumerate(spec.get(kind) or []):
        if not isinstance(raw, dict):
            out.append(f"the test event is not a mapping of fields: {raw!r}")
            continue
        ev = {k: _plain(v) for k, v in from_nested({str(k): v for k, v in raw.items()}).items()}
        try:
            ev["@timestamp"] = format_ts(parse_ts(ev["@timestamp"])) if "@timestamp" in ev else format_ts(BASE_TIME + timedelta(seconds=i))
        except (TypeError, ValueError):
            out.append(f"@timestamp {ev['@timestamp']!r} is not an ISO-8601 time")
            continue
        # always our id: unique per file, list and position, so every rule's tests share one store
        ev["event.id"] = event_id(f"ruletest:{tests_path}", f"{kind}:{i}")
        out.append(ev)
    return out


def _plain(value: Any) -> Any:
    """YAML reads unquoted times as datetimes; events carry text."""
    if isinstance(value, datetime):
        return format_ts(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --- running -----------------------------------------------------------------------------------


def _result(rule: CompiledRule, dialect: str, status: str, tests_path: Path | None = None, **kw: Any) -> RuleTestResult:
    return RuleTestResult(rule_id=rule.id, rule_title=rule.title, path=rule.path, dialect=dialect, status=status,
                          tests_path=str(tests_path) if tests_path else None, **kw)


def _test_rule(p: _Planned, ruleset: RuleSet, dialect: str, store: Store, refused: dict[str, str]) -> RuleTestResult:
    res = _result(p.rule, dialect, "passed", p.tests_path)
    good: dict[str, list[tuple[int, Event]]] = {}
    for kind, events in p.lists.items():
        for i, e in enumerate(events):
            if isinstance(e, str):
                res.failures.append(EventFailure(kind, i, e))
            elif e["event.id"] in refused:
                res.failures.append(EventFailure(kind, i, f"the store refused the event: {refused[e['event.id']]}", e))
            else:
                good.setdefault(kind, []).append((i, e))
    try:
        if p.rule.correlation is None:
            _check_plain(p.rule, store, good, res)
        else:
            for kind, numbered in good.items():
                _check_correlation(p.rule, ruleset, store, kind, [e for _, e in numbered], res)
    except (SocError, ValueError, KeyError, OSError) as exc:
        res.status, res.error = "error", str(exc) or type(exc).__name__
        return res
    if res.failures:
        res.status = "failed"
    return res


def _check_plain(rule: CompiledRule, store: Store, good: dict[str, list[tuple[int, Event]]], res: RuleTestResult) -> None:
    mine = {e["event.id"] for numbered in good.values() for _, e in numbered}
    found = {e["event.id"] for e in _Only(store, mine).iter_events(query_of(rule, store.dialect))}
    for kind, numbered in good.items():
        for i, ev in numbered:
            res.checked += 1
            hit = ev["event.id"] in found
            if kind == "match" and not hit:
                res.failures.append(EventFailure(kind, i, "the rule did not match this event", ev))
            elif kind == "no_match" and hit:
                res.failures.append(EventFailure(kind, i, "the rule matched this event", ev))


def _check_correlation(
    rule: CompiledRule, ruleset: RuleSet, store: Store, kind: str, events: list[Event], res: RuleTestResult
) -> None:
    end = max(parse_ts(e["@timestamp"]) for e in events) + timedelta(seconds=1)
    view = cast(Store, _Only(store, {e["event.id"] for e in events}))
    alerts = rule_alerts(view, rule, ruleset, None, end)
    res.checked += len(events)
    if kind == "match" and not alerts:
        res.failures.append(EventFailure(kind, None, f"the {len(events)} events together did not make the correlation fire"))
    elif kind == "no_match" and alerts:
        keys = ", ".join(group_key(a.entity) for a in alerts)
        res.failures.append(EventFailure(kind, None, f"the correlation fired for {keys}"))
