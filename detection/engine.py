"""Run compiled rules against a Store over a time window, and turn the hits into incidents.

`run_rule` runs one rule over [start, end) of @timestamp and returns alerts; `run_once` runs
every enabled rule from its checkpoint to `now` and hands the alerts to `detection.incidents`.
No scheduler here: `detection.scheduler` calls `run_once` (or `run_rule`) on its intervals.

Windows are over event time (@timestamp), not ingest time, so `now` can be the wall clock
while the events are days old (the demo ingests past logs into an empty store).

Late events. Each run covers [checkpoint - overlap, now). An event whose @timestamp is older
than the previous run's `now - overlap` when it is stored is never looked at by the scheduled
runs (a backtest over that period still finds it). The default overlap of 120 s covers the
shipper's batching and buffering delay and modest clock skew between devices; a source that
delivers later than that (a collector replaying an outage, a file ingested after the fact)
needs a wider `overlap_seconds`, or a run with `first_start` over the period. Re-reading the
overlap never doubles anything: incidents count each event once (see detection.incidents).

Correlation rules read their referenced rules' matches from `start - timespan`, so a window
that straddles `start` is seen whole; only windows that fire at or after `start` are reported.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Collection, Iterable, Iterator, Sequence

from detection.correlation import WINDOW_KEY, Window, correlate, fold
from detection.incidents import RuleAlert, apply_alerts
from detection.model import CompiledRule, RuleSet
from detection.overrides import effective, is_enabled, overrides
from detection.runs import RunRecord, save_run
from soc.errors import RuleError
from soc.events import Event, format_ts, now_utc, parse_ts
from soc.incidents import Alert, Incident
from soc.store.base import Query, Store

# An alert touching an important asset is one level more severe: criticality high/critical, or
# a Vietnamese information-system security level (cap do, Decree 85/2016) of 4 or 5.
CRITICALITY_FIELDS = ("soc.asset.criticality", "destination.soc.asset.criticality")
SECURITY_LEVEL_FIELDS = ("soc.asset.security_level", "destination.soc.asset.security_level")
_RAISING = {"high", "critical"}
_RAISING_LEVEL = 4
_MAX_CHAIN = 8  # correlations referencing correlations: deeper than this is a loop

# Called after each rule run with the incidents it created or changed (maybe none), once they
# are saved (e.g. `detection.notify.Dispatch`). It should not raise; if it does, the run is unaffected.
NotifyHook = Callable[[Sequence[Incident]], None]


@dataclass
class RunSummary:
    now: str
    runs: list[RunRecord] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)  # created or changed

    @property
    def errors(self) -> list[RunRecord]:
        return [r for r in self.runs if r.error]

    @property
    def alerts(self) -> int:
        return sum(r.alerts for r in self.runs)

    @property
    def hits(self) -> int:
        return sum(r.hits for r in self.runs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now,
            "rules_run": len(self.runs),
            "alerts": self.alerts,
            "hits": self.hits,
            "incidents": [i.id for i in self.incidents],
            "errors": [{"rule_id": r.rule_id, "error": r.error} for r in self.errors],
            "runs": [asdict(r) for r in self.runs],
        }

    def describe(self) -> str:
        lines = [
            f"ran {len(self.runs)} rules up to {self.now}: {self.hits} matching events, {self.alerts} alerts, "
            f"{len(self.incidents)} incidents created or updated, {len(self.errors)} errors"
        ]
        lines += [f"  {r.rule_id}: {r.hits} events, {r.alerts} alerts" for r in self.runs if r.alerts]
        lines += [f"  error in {r.rule_id}: {r.error}" for r in self.errors]
        return "\n".join(lines)


def run_rule(store: Store, rule: CompiledRule, ruleset: RuleSet, start: datetime | None, end: datetime) -> list[Alert]:
    """Alerts of one rule over [start, end). Base rules with `generate: false` raise nothing."""
    if not rule.generate:
        return []
    return list(rule_alerts(store, rule, ruleset, start, end))


def rule_alerts(
    store: Store, rule: CompiledRule, ruleset: RuleSet, start: datetime | None, end: datetime
) -> list[RuleAlert]:
    """What a rule finds over [start, end), whether or not it generates alerts (for backtests)."""
    critical: set[str] = set()
    if rule.correlation is None:
        windows = _simple_windows(store, rule, start, end, critical)
    else:
        windows = _correlation_windows(store, rule, ruleset, start, end, critical, depth=0)
        if start is not None:
            floor = format_ts(start)
            windows = [w for w in windows if any(t >= floor for t, _ in w.fired_at)]
    return [_alert(rule, w, critical) for w in windows]


def run_once(
    store: Store,
    ruleset: RuleSet,
    now: datetime,
    overlap_seconds: int = 120,
    first_start: datetime | None = None,
    *,
    suppression_seconds: int = 3600,
    evidence_cap: int = 1000,
    rule_ids: Collection[str] | None = None,
    notify: NotifyHook | None = None,
) -> RunSummary:
    """Run every enabled rule (or those of `rule_ids`) from its checkpoint to `now`; alerts become incidents.

    Enabled means the admin's switch when one is set (detection.overrides), else the rule's own.
    An error in one rule is recorded in its run record and the other rules still run.
    """
    summary = RunSummary(now=format_ts(now))
    earliest: list[datetime | None] = []  # looked up once, only when a rule has no checkpoint
    switches = overrides(store)
    for rule in ruleset.rules:
        if not effective(rule, switches) or not rule.generate or (rule_ids is not None and rule.id not in rule_ids):
            continue
        record, incidents = run_rule_once(store, rule, ruleset, now, overlap_seconds, first_start,
                                          suppression_seconds=suppression_seconds, evidence_cap=evidence_cap,
                                          notify=notify, _earliest=earliest, _checked=True)
        summary.runs.append(record)
        summary.incidents.extend(incidents)
    return summary


def run_rule_once(
    store: Store,
    rule: CompiledRule,
    ruleset: RuleSet,
    now: datetime,
    overlap_seconds: int = 120,
    first_start: datetime | None = None,
    *,
    suppression_seconds: int = 3600,
    evidence_cap: int = 1000,
    notify: NotifyHook | None = None,
    _earliest: list[datetime | None] | None = None,
    _checked: bool = False,
) -> tuple[RunRecord, list[Incident]]:
    """One scheduled run of one rule: [checkpoint - overlap, now) (or from `first_start`, else the
    earliest stored event), incidents saved, then the checkpoint `rule:<id>` moves to `now`.

    The checkpoint moves only after the incidents are saved, so a crash re-runs the window and
    incidents do not double. Never raises: the error is in the run record, which is saved too.
    Callers must not run the same rule twice at the same time (the scheduler: one instance per rule).
    A disabled rule (detection.overrides) does nothing: no record saved, no checkpoint moved.
    """
    t0 = time.perf_counter()
    record = RunRecord(rule_id=rule.id, start=None, end=format_ts(now), ran_at=format_ts(now_utc()))
    if not _checked and not is_enabled(store, rule):
        record.note = "the rule is disabled"
        return record, []
    incidents: list[Incident] = []
    try:
        cp_key = f"rule:{rule.id}"
        checkpoint = store.get_checkpoint(cp_key)
        start = _window_start(store, checkpoint, overlap_seconds, first_start, _earliest)
        if start is None:
            record.note = "the store holds no events yet"
        else:
            record.start = format_ts(start)
            alerts = run_rule(store, rule, ruleset, start, now)
            incidents = apply_alerts(store, alerts, now, suppression_seconds, evidence_cap)
            if not checkpoint or parse_ts(checkpoint) < now:
                store.set_checkpoint(cp_key, format_ts(now))
            record.hits = sum(a.count for a in alerts)
            record.alerts = len(alerts)
            record.incidents = [i.id for i in incidents]
    except Exception as exc:  # noqa: BLE001 - one rule's failure must not stop the others
        record.error = f"{type(exc).__name__}: {exc}"
    record.duration_ms = round((time.perf_counter() - t0) * 1000, 1)
    try:
        save_run(store, record)
    except Exception:  # noqa: BLE001 - a record that cannot be saved must not stop detection
        pass
    if notify is not None:
        try:
            notify(incidents)  # after the checkpoint: a failed notification never re-runs or undoes detection
        except Exception:  # noqa: BLE001
            logging.getLogger("soc.notify").exception("notifying incidents of %s failed", rule.id)
    return record, incidents


def _window_start(
    store: Store, checkpoint: str | None, overlap: int, first_start: datetime | None,
    earliest: list[datetime | None] | None,
) -> datetime | None:
    if checkpoint:
        return parse_ts(checkpoint) - timedelta(seconds=overlap)
    if first_start is not None:
        return first_start
    if earliest is None:
        return store.time_bounds()[0]
    if not earliest:
        earliest.append(store.time_bounds()[0])
    return earliest[0]


def query_of(rule: CompiledRule, dialect: str) -> Query:
    """The rule's native query for a store dialect, or a RuleError saying why there is none."""
    if dialect not in rule.queries:
        why = rule.errors.get(dialect, "no query was compiled for this backend")
        raise RuleError(rule.path, f"rule {rule.id} did not convert for {dialect}: {why}")
    return rule.queries[dialect]


def _simple_windows(
    store: Store, rule: CompiledRule, start: datetime | None, end: datetime, critical: set[str]
) -> list[Window]:
    """Every matching event, one window per group of the rule's grouping key."""
    groups: dict[tuple[Any, ...], Window] = {}
    fields = list(rule.group_by)
    for ev in _marked(store.iter_events(query_of(rule, store.dialect), start, end), critical):
        key = tuple(fold(ev.get(f)) for f in fields)
        w = groups.get(key)
        ts = ev["@timestamp"]
        if w is None:
            entity = {f: (list(v) if isinstance(v, tuple) else v) for f, v in zip(fields, key)}
            groups[key] = w = Window(entity=entity, first_seen=ts, last_seen=ts, event_ids=[], event_times=[])
        w.event_ids.append(ev["event.id"])
        w.event_times.append(ts)
        w.last_seen = ts
    return list(groups.values())


def _correlation_windows(
    store: Store,
    rule: CompiledRule,
    ruleset: RuleSet,
    start: datetime | None,
    end: datetime,
    critical: set[str],
    depth: int,
) -> list[Window]:
    corr = rule.correlation
    assert corr is not None
    if depth > _MAX_CHAIN:
        raise RuleError(rule.path, f"correlation {rule.id} references correlations more than {_MAX_CHAIN} deep (a loop?)")
    lookback = None if start is None else start - timedelta(seconds=corr.timespan_seconds)
    inputs: dict[str, list[Event]] = {}
    for ref in dict.fromkeys(corr.rule_refs):
        target = ruleset.by_ref(ref)
        if target is None:
            raise RuleError(rule.path, f"correlation {rule.id} references an unknown rule {ref!r}")
        if target.correlation is not None:
            sub = _correlation_windows(store, target, ruleset, lookback, end, critical, depth + 1)
            inputs[ref] = _pseudo_events(sub)
        else:
            keep = _needed_fields(corr, ref)
            events = store.iter_events(query_of(target, store.dialect), lookback, end)
            inputs[ref] = [{k: ev[k] for k in keep if k in ev} for ev in _marked(events, critical)]
    return correlate(corr, inputs)


def _needed_fields(corr: Any, ref: str) -> set[str]:
    names = list(corr.group_by)
    if corr.condition is not None and corr.condition.field:
        names += [f.strip() for f in corr.condition.field.split(",")]
    return {"@timestamp", "event.id"} | {corr.aliases.get(n, {}).get(ref, n) for n in names}


def _pseudo_events(windows: list[Window]) -> list[Event]:
    """A referenced correlation's hits as events: one per firing point, standing for its window."""
    out = [
        {**w.entity, "@timestamp": t, "event.id": eid, WINDOW_KEY: w}
        for w in windows
        for t, eid in w.fired_at
    ]
    out.sort(key=lambda e: (e["@timestamp"], e["event.id"]))
    return out


def _marked(events: Iterable[Event], critical: set[str]) -> Iterator[Event]:
    """Pass events through, noting the ids of those that touch a high/critical asset."""
    for ev in events:
        if _important(ev):
            critical.add(ev["event.id"])
        yield ev


def _important(ev: Event) -> bool:
    for f in CRITICALITY_FIELDS:
        v = ev.get(f)
        if isinstance(v, str) and v.lower() in _RAISING:
            return True
    for f in SECURITY_LEVEL_FIELDS:
        v = ev.get(f)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= _RAISING_LEVEL:
            return True
    return False


def _alert(rule: CompiledRule, w: Window, critical: set[str]) -> RuleAlert:
    raised = bool(critical) and any(eid in critical for eid in w.event_ids)
    return RuleAlert(
        rule_id=rule.id,
        rule_title=rule.title,
        severity=rule.level.raised(1) if raised else rule.level,
        entity=dict(w.entity),
        event_ids=list(w.event_ids),
        first_seen=w.first_seen,
        last_seen=w.last_seen,
        attack_techniques=list(rule.attack_techniques),
        attack_tactics=list(rule.attack_tactics),
        description=rule.description or rule.description_vi,
        event_times=list(w.event_times),
    )
