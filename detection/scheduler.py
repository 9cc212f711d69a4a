"""`soc serve`: APScheduler wiring only. Each enabled rule is a job on its own interval.

Jobs are persisted in the Store itself (`StoreJobStore`, checkpoints `job:<id>`), so a
deployment on Elasticsearch keeps its schedule with its data and a restart finds every
job with its next run time. A run that was due while the service was down is a misfire:
it runs once (coalesced) on start-up, and because each run covers the window since the
rule's checkpoint (see `detection.engine.run_rule_once`), downtime leaves no gap.

APScheduler stores a job as a reference to a module-level function plus picklable
arguments, so the run-time context (store, rules, settings) lives in `_CONTEXT`, set by
`serve`; a job carries only its rule id.
"""

from __future__ import annotations

import base64
import logging
import pickle
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from detection.engine import NotifyHook, run_rule_once
from detection.model import CompiledRule, RuleSet
from detection.overrides import is_enabled
from soc.events import now_utc
from soc.store.base import Store

log = logging.getLogger("soc.scheduler")

_PREFIX = "job:"


class StoreJobStore(BaseJobStore):
    """An APScheduler job store kept in the SOC Store's checkpoints (both backends have them)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._lock = threading.RLock()

    def _load(self) -> list[Job]:
        jobs = []
        for key, value in self.store.list_checkpoints(_PREFIX).items():
            if not value:
                continue  # removed (the Store contract has no delete for checkpoints)
            try:
                state = pickle.loads(base64.b64decode(value))
                job = Job.__new__(Job)
                job.__setstate__(state)
                job._scheduler = self._scheduler
                job._jobstore_alias = self._alias
                jobs.append(job)
            except Exception:  # noqa: BLE001 - a job whose function is gone is dropped, not fatal
                log.warning("dropping unreadable scheduled job %s", key)
                self.store.set_checkpoint(key, "")
        return sorted((j for j in jobs), key=_next_key)

    def _save(self, job: Job) -> None:
        self.store.set_checkpoint(_PREFIX + job.id, base64.b64encode(pickle.dumps(job.__getstate__(), 4)).decode())

    def lookup_job(self, job_id: str) -> Job | None:
        return next((j for j in self._load() if j.id == job_id), None)

    def get_due_jobs(self, now: datetime) -> list[Job]:
        return [j for j in self._load() if j.next_run_time is not None and j.next_run_time <= now]

    def get_next_run_time(self) -> datetime | None:
        times = [j.next_run_time for j in self._load() if j.next_run_time is not None]
        return min(times) if times else None

    def get_all_jobs(self) -> list[Job]:
        return self._load()

    def add_job(self, job: Job) -> None:
        with self._lock:
            if self.store.get_checkpoint(_PREFIX + job.id):
                raise ConflictingIdError(job.id)
            self._save(job)

    def update_job(self, job: Job) -> None:
        with self._lock:
            if not self.store.get_checkpoint(_PREFIX + job.id):
                raise JobLookupError(job.id)
            self._save(job)

    def remove_job(self, job_id: str) -> None:
        with self._lock:
            if not self.store.get_checkpoint(_PREFIX + job_id):
                raise JobLookupError(job_id)
            self.store.set_checkpoint(_PREFIX + job_id, "")

    def remove_all_jobs(self) -> None:
        for key, value in self.store.list_checkpoints(_PREFIX).items():
            if value:
                self.store.set_checkpoint(key, "")


def _next_key(job: Job) -> tuple[bool, datetime]:
    return (job.next_run_time is None, job.next_run_time or datetime.max.replace(tzinfo=timezone.utc))


@dataclass
class ServeContext:
    store: Store
    ruleset: RuleSet
    overlap_seconds: int = 120
    suppression_seconds: int = 3600
    evidence_cap: int = 1000
    interval_override: int | None = None  # every rule on this interval (seconds), e.g. for tests
    max_concurrent: int = 2
    on_run: Callable[[Any], None] | None = None  # called with each RunRecord (logging, metrics)
    housekeeping: list[tuple[str, int, Callable[[], None]]] = field(default_factory=list)  # (id, seconds, fn)
    notify: NotifyHook | None = None  # announces incidents (detection.notify.Dispatch)


_CONTEXT: ServeContext | None = None


def run_rule_job(rule_id: str) -> None:
    """The function every rule job points at: one run of one rule, from its checkpoint to now."""
    ctx = _CONTEXT
    if ctx is None:
        raise RuntimeError("the scheduler context is not set")
    rule = next((r for r in ctx.ruleset.rules if r.id == rule_id), None)
    if rule is None:
        return  # the rule was removed; its job goes at the next start
    if not is_enabled(ctx.store, rule):
        return  # switched off in the console; the job stays, so switching on needs no restart
    record, _ = run_rule_once(ctx.store, rule, ctx.ruleset, now_utc(), ctx.overlap_seconds,
                              suppression_seconds=ctx.suppression_seconds, evidence_cap=ctx.evidence_cap,
                              notify=ctx.notify, _checked=True)
    if ctx.on_run:
        ctx.on_run(record)


def scheduled_rules(ruleset: RuleSet) -> list[CompiledRule]:
    """Every rule that raises alerts, enabled or not: whether it runs is decided at each run
    (detection.overrides), so an admin's switch applies without restarting `soc serve`."""
    return [r for r in ruleset.rules if r.generate]


def build_scheduler(ctx: ServeContext) -> BackgroundScheduler:
    """A scheduler with one persisted job per scheduled rule, plus volatile housekeeping jobs."""
    global _CONTEXT
    _CONTEXT = ctx
    scheduler = BackgroundScheduler(
        jobstores={"default": StoreJobStore(ctx.store), "volatile": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=ctx.max_concurrent)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=timezone.utc,
    )
    scheduler.add_listener(_log_problem, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


def sync_rule_jobs(scheduler: BackgroundScheduler, ctx: ServeContext) -> None:
    """Add jobs for new rules, re-time changed ones, drop those of removed rules.

    A job whose interval did not change keeps its persisted next run time, so a run that
    fell due while the service was down runs at once (coalesced into one).
    """
    wanted = {f"rule:{r.id}": ctx.interval_override or r.interval_seconds for r in scheduled_rules(ctx.ruleset)}
    for job in scheduler.get_jobs(jobstore="default"):
        interval = wanted.get(job.id)
        if interval is None:
            job.remove()
        elif getattr(job.trigger, "interval_length", None) != interval:
            job.reschedule("interval", seconds=interval)
    existing = {j.id for j in scheduler.get_jobs(jobstore="default")}
    for job_id, interval in wanted.items():
        if job_id not in existing:
            scheduler.add_job(run_rule_job, "interval", seconds=interval, args=[job_id[len("rule:"):]], id=job_id,
                              jobstore="default", next_run_time=now_utc())
    for job_id, seconds, fn in ctx.housekeeping:
        scheduler.add_job(fn, "interval", seconds=seconds, id=job_id, jobstore="volatile", next_run_time=now_utc(),
                          replace_existing=True)


def serve(ctx: ServeContext, stop: threading.Event) -> None:
    """Run the schedule until `stop` is set; running jobs finish before returning."""
    scheduler = build_scheduler(ctx)
    scheduler.start(paused=True)
    sync_rule_jobs(scheduler, ctx)
    scheduler.resume()
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)


def _log_problem(event: JobExecutionEvent) -> None:
    if event.exception is not None:
        log.error("job %s failed: %s", event.job_id, event.exception)
    else:
        log.warning("job %s missed its run time", event.job_id)
