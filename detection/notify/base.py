"""Which incidents to announce, and sending them through the notifiers without ever stopping detection.

An incident is announced, by each notifier separately, when it reaches `min_severity` (high by
default) and only on one of three occasions:

- `created`: the incident is new (or was first seen at this severity when notifications began);
- `reopened`: detection reopened a closed incident with fresh evidence;
- `escalated`: its severity rose above what was already announced in this life of the incident.

Mere new evidence never announces again. What each notifier has announced is kept in the
store's checkpoint `notified:<incident id>` as keys `<life>:<kind>:<severity>`, where `life` is
how many times detection has reopened the incident (counted from the audit trail), so a re-run,
an overlapping window or a restart (a new Dispatch over the same store) sends nothing twice.

A send that fails is retried `attempts` times with doubling backoff, then written to the audit
trail (`notify.failed`) and kept in the checkpoint `notify:pending`; later calls retry pending
incidents, at most once per `retry_seconds` and for at most `max_rounds` rounds. A notifier that failed all its attempts
is not tried again for the rest of that call, so a dead endpoint costs one timeout per run, not
one per incident. Nothing here raises into detection: `Dispatch(...)(incidents)` always returns.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from soc.errors import SocError
from soc.incidents import AuditEntry, Incident, Severity
from soc.store.base import Store

log = logging.getLogger("soc.notify")

KINDS = ("created", "reopened", "escalated")
ACTOR = "notify"
RECORD_PREFIX = "notified:"
PENDING_KEY = "notify:pending"


class NotifyError(SocError):
    """A notifier could not deliver; the text says why and goes to the audit trail."""


class Notifier(Protocol):
    """Sends one announcement; raises (any exception) when it could not be delivered."""

    name: str

    def send(self, incident: Incident, kind: str) -> None: ...


def sent_key(life: int, kind: str, severity: Severity) -> str:
    return f"{life}:{kind}:{severity.value}"


def decide(
    incident: Incident, life: int, created_severity: Severity, sent: Sequence[str], min_severity: Severity
) -> str | None:
    """The kind of announcement `incident` calls for, given the keys one notifier already sent; None for none.

    Pure: `life` is the number of detection reopens, `created_severity` the severity it was created at.
    """
    if incident.severity.rank < min_severity.rank or not incident.status.is_open:
        return None
    in_life = [Severity(k.split(":")[2]) for k in sent if k.split(":")[0] == str(life)]
    if not in_life:
        if life:
            return "reopened"
        return "created" if created_severity.rank >= min_severity.rank else "escalated"
    return "escalated" if incident.severity.rank > max(s.rank for s in in_life) else None


@dataclass
class Dispatch:
    """The notify hook of `detection.engine.run_once`: call it with the incidents created or changed."""

    store: Store
    notifiers: Sequence[Notifier]
    min_severity: Severity = Severity.HIGH
    attempts: int = 3
    backoff_seconds: float = 1.0
    max_rounds: int = 5  # rounds of retries of a failed announcement before it is given up
    retry_seconds: float = 60.0  # pending announcements are retried at most this often
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last_retry: float | None = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __call__(self, incidents: Sequence[Incident]) -> None:
        if not self.notifiers:
            return
        retry = self._last_retry is None or self.clock() - self._last_retry >= self.retry_seconds
        if not retry and not any(i.severity.rank >= self.min_severity.rank for i in incidents):
            return
        with self._lock:
            try:
                self._dispatch(incidents, retry)
            except Exception:  # noqa: BLE001 - the store failed: detection goes on, the log says why
                log.exception("notifications could not be processed")

    def _dispatch(self, incidents: Sequence[Incident], retry: bool) -> None:
        down: dict[str, str] = {}  # notifier name -> why it failed earlier in this call
        before = self.store.get_checkpoint(PENDING_KEY) or "{}"
        pending: dict[str, int] = json.loads(before)
        fresh = {i.id: i for i in incidents if i.severity.rank >= self.min_severity.rank}
        for inc in fresh.values():
            if self._announce(inc, down, audit_skips=True) == "done":
                pending.pop(inc.id, None)
            else:
                pending[inc.id] = pending.get(inc.id, 0) + 1
        if retry:
            self._last_retry = self.clock()
        for inc_id, rounds in list(pending.items()):
            if inc_id in fresh or not retry:
                continue
            inc = self.store.get_incident(inc_id)
            outcome = "done" if inc is None else self._announce(inc, down, audit_skips=False)
            if outcome == "done":
                pending.pop(inc_id)
            elif outcome == "skipped":
                continue  # its notifiers are down in this call: not counted as a round
            elif rounds + 1 >= self.max_rounds:
                pending.pop(inc_id)
                self.store.append_audit(AuditEntry.now(ACTOR, "notify.failed", inc_id, gave_up=True, rounds=rounds + 1))
            else:
                pending[inc_id] = rounds + 1
        after = json.dumps(pending, sort_keys=True)
        if after != before:
            self.store.set_checkpoint(PENDING_KEY, after)

    def _announce(self, inc: Incident, down: dict[str, str], audit_skips: bool) -> str:
        """Send what each notifier still owes for `inc`: "done" when nothing is left owing, "failed"
        when a send failed, "skipped" when what is owed waits only on notifiers already down."""
        history = self.store.list_audit(inc.id)
        life = sum(1 for a in history if a.actor != ACTOR and a.action == "reopened")
        created = next((a.detail.get("severity") for a in history if a.action == "created"), None)
        created_sev = Severity(created) if created in {s.value for s in Severity} else inc.severity
        record: dict[str, list[str]] = json.loads(self.store.get_checkpoint(RECORD_PREFIX + inc.id) or "{}")
        outcome = "done"
        for n in self.notifiers:
            kind = decide(inc, life, created_sev, record.get(n.name, []), self.min_severity)
            if kind is None:
                continue
            detail = {"notifier": n.name, "kind": kind, "severity": inc.severity.value}
            if n.name in down:
                outcome = "skipped" if outcome == "done" else outcome
                if audit_skips:
                    self._audit("notify.failed", inc, detail, attempts=0, error=f"not tried: {down[n.name]}")
                continue
            tries, error = self._deliver(n, inc, kind)
            if error is None:
                record.setdefault(n.name, []).append(sent_key(life, kind, inc.severity))
                self.store.set_checkpoint(RECORD_PREFIX + inc.id, json.dumps(record, sort_keys=True))
                self._audit("notify.sent", inc, detail, attempts=tries)
            else:
                outcome = "failed"
                down[n.name] = f"{n.name} failed: {error}"
                self._audit("notify.failed", inc, detail, attempts=tries, error=error)
        return outcome

    def _deliver(self, n: Notifier, inc: Incident, kind: str) -> tuple[int, str | None]:
        """(attempts made, None on success or the last error)."""
        error = ""
        for attempt in range(1, max(1, self.attempts) + 1):
            try:
                n.send(inc, kind)
                return attempt, None
            except Exception as exc:  # noqa: BLE001 - any failure of a notifier is retried, then recorded
                error = f"{type(exc).__name__}: {exc}"
                log.warning("%s: %s for %s (attempt %d)", n.name, error, inc.id, attempt)
                if attempt < self.attempts:
                    self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        return max(1, self.attempts), error

    def _audit(self, action: str, inc: Incident, detail: dict[str, str], **more: object) -> None:
        self.store.append_audit(AuditEntry.now(ACTOR, action, inc.id, **detail, **more))
