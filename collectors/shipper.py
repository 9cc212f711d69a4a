"""The shipper: batches parsed events, gives each a deterministic id, writes them to the Store,
and sends what the store refuses to the dead-letter store. Nothing is dropped: every record
is counted as stored, duplicate or dead-lettered.

Two ways to use it:

- `Shipper(store)` alone writes synchronously (batch file ingest: a store error stops the run).
- `Shipper(store, delivery=d, source=name)` hands batches to a `Delivery`, the one thread of a
  running collector that writes to the store. While the store is unreachable the Delivery
  keeps batches in a bounded on-disk buffer (`collectors.buffer.DiskBuffer`) and replays them
  in order once it is back; when that buffer is full it stops taking batches, so `submit`
  blocks and the sources pause (back-pressure) instead of dropping or growing memory. After
  the store accepted a batch, the Delivery calls the committer registered for its source with
  the batch's offsets: offsets move only after their events are stored (at-least-once), and
  the deterministic ids make a replay a no-op (exactly-once in the store).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Callable

from collectors.buffer import Batch, DiskBuffer
from soc.errors import StoreError, StoreUnavailable
from soc.events import Event, event_id, format_ts, now_utc
from soc.store.base import DeadLetter, Store, WriteResult

log = logging.getLogger(__name__)

Committer = Callable[[dict[str, Any]], None]


@dataclass
class ShipStats:
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    skipped: int = 0  # records that carry no event (blank lines, headers)

    def as_dict(self) -> dict[str, int]:
        return {"read": self.read, "stored": self.stored, "duplicates": self.duplicates, "dead_lettered": self.dead_lettered}


class Shipper:
    """Collects events and dead letters and flushes them to the store in batches.

    `on_flush` is called after each batch is stored (synchronous mode): that is where a
    source commits its offset. With a `delivery`, `flush(offsets)` submits the batch instead
    and the delivery commits `offsets` through the source's registered committer once stored.
    """

    def __init__(self, store: Store, batch_size: int = 2000, on_flush: Callable[[], None] | None = None,
                 *, delivery: "Delivery | None" = None, source: str = "",
                 enrich: Callable[[Event], Event] | None = None) -> None:
        self.store = store
        # enrichment (assets, direction, indicators) happens here, on every path to the store
        self.enrich = enrich or (delivery.enrich if delivery is not None else None)
        self.batch_size = batch_size
        self.on_flush = on_flush
        self.delivery = delivery
        self.source = source
        self.stats = ShipStats()
        self._events: list[Event] = []
        self._dead: list[DeadLetter] = []
        self._received = 0

    @property
    def pending(self) -> int:
        return len(self._events) + len(self._dead)

    def ship(self, event: Event, source_identity: str, key: str | int) -> None:
        if "event.id" not in event:
            event["event.id"] = event_id(source_identity, key)
        if self.enrich is not None:
            self.enrich(event)
        self._events.append(event)
        self._received += 1
        if len(self._events) >= self.batch_size:
            self.flush()

    def dead_letter(self, source: str, reason: str, raw: str, offset: int | None, dead_id: str = "") -> None:
        """Keep a bad record; `dead_id` (optional) makes a replayed record land on the same dead letter."""
        self._dead.append(DeadLetter(source=source, reason=reason, raw=raw, offset=offset, at=format_ts(now_utc()),
                                     id=dead_id))
        self._received += 1
        if self.delivery is None:
            self.stats.dead_lettered += 1
        if len(self._dead) >= self.batch_size:
            self.flush()

    def flush(self, offsets: dict[str, Any] | None = None) -> None:
        """Write (or submit) what is pending. With a delivery, an empty batch carrying offsets is
        still submitted: it commits positions past lines that produced no event."""
        if self.delivery is not None:
            if self._events or self._dead or offsets:
                batch = Batch(self.source, self._events, self._dead, offsets or {}, self._received)
                self._events, self._dead, self._received = [], [], 0
                self.delivery.submit(batch)
            return
        if self._events:
            result = self.store.write_events(self._events)
            self.stats.stored += result.stored
            self.stats.duplicates += result.duplicates
            self._dead += refused_dead_letters(result)
            self.stats.dead_lettered += len(result.failed)
            self._events = []
        if self._dead:
            self.store.write_dead_letters(self._dead)
            self._dead = []
        self._received = 0
        if self.on_flush:
            self.on_flush()


def refused_dead_letters(result: WriteResult) -> list[DeadLetter]:
    """Dead letters for the events a store refused, keeping their raw record and origin."""
    at = format_ts(now_utc())
    return [
        DeadLetter(source=str(ev.get("log.file.path") or ev.get("log.source.address") or "-"),
                   reason=f"store refused the event: {reason}", raw=str(ev.get("log.original", ev)),
                   offset=ev.get("log.offset"), at=at)
        for ev, reason in result.failed
    ]


# ------------------------------------------------------------------ the collector's delivery


@dataclass
class DeliveryCounters:
    """What the store did with one source's batches."""

    stored: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    batches: int = 0
    received: int = 0  # raw records in the stored batches


class _Writer:
    """One daemon thread that runs store writes, so a write stuck on the store (a held lock,
    a hung connection) can be given up on after a timeout without blocking delivery, and
    never keeps the process alive at exit."""

    def __init__(self) -> None:
        self._q: queue.Queue[tuple[Callable[[], Any], Future[Any]]] = queue.Queue()
        threading.Thread(target=self._run, name="store-writer", daemon=True).start()

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        fut: Future[Any] = Future()
        self._q.put((fn, fut))
        return fut

    def _run(self) -> None:
        while True:
            fn, fut = self._q.get()
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                fut.set_exception(exc)


class Delivery:
    """Writes submitted batches to the store in order; buffers on disk while the store is down.

    `write_timeout`: a store write that has not answered by then counts as an outage (the
    batch goes to the buffer; if the write later succeeds, the replay is a harmless duplicate).
    Retries back off from `retry_min` to `retry_max` seconds.
    """

    def __init__(self, store: Store, buffer: DiskBuffer, *, queue_batches: int = 8, write_timeout: float = 10.0,
                 retry_min: float = 0.5, retry_max: float = 10.0) -> None:
        self.store = store
        self.buffer = buffer
        self.enrich: Callable[[Event], Event] | None = None  # applied by every Shipper of this delivery
        self.write_timeout = write_timeout
        self.retry_min, self.retry_max = retry_min, retry_max
        self.counters: dict[str, DeliveryCounters] = {}
        self.store_up = True
        self.last_error: str | None = None
        self.paused = False  # the buffer is full: sources are being held back
        self._q: queue.Queue[Batch] = queue.Queue(maxsize=queue_batches)
        self._committers: dict[str, Committer] = {}
        self._lock = threading.Lock()
        self._writer = _Writer()
        self._inflight: Future[Any] | None = None
        self._retry_at = 0.0
        self._backoff = retry_min
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        self._drain_deadline = float("inf")

    # --- the sources' side ------------------------------------------------------------------
    def register(self, source: str, committer: Committer | None) -> None:
        """Route commits of batches from `source` (also batches replayed after a restart)."""
        with self._lock:
            self.counters.setdefault(source, DeliveryCounters())
            if committer is not None:
                self._committers[source] = committer

    def submit(self, batch: Batch) -> None:
        """Queue a batch; blocks while the delivery is behind (back-pressure)."""
        while True:
            try:
                self._q.put(batch, timeout=0.2)
                return
            except queue.Full:
                if self._thread is None or not self._thread.is_alive():
                    raise StoreError("the delivery thread is not running") from None

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="delivery", daemon=True)
        self._thread.start()

    def close(self, drain_seconds: float = 10.0) -> None:
        """Deliver what is queued; after `drain_seconds` the rest waits in the disk buffer
        (over its cap if need be: at shutdown keeping data beats keeping the limit)."""
        self._drain_deadline = time.monotonic() + drain_seconds
        self._closing.set()
        if self._thread is not None:
            self._thread.join()

    def status(self) -> dict[str, Any]:
        return {"store_up": self.store_up, "buffered_batches": len(self.buffer), "buffered_bytes": self.buffer.bytes,
                "buffer_max_bytes": self.buffer.max_bytes, "paused": self.paused, "last_error": self.last_error,
                "corrupt_batches": self.buffer.corrupt}

    # --- the delivery thread ----------------------------------------------------------------
    def _run(self) -> None:
        while True:
            closing = self._closing.is_set()
            if closing and self._q.empty() and (not len(self.buffer) or time.monotonic() > self._drain_deadline
                                                or not self.store_up):
                return
            if len(self.buffer) and time.monotonic() >= self._retry_at:
                self._replay_one()
                self._intake(wait=0.0)
                continue
            self._intake(wait=0.1 if not len(self.buffer) else min(0.1, max(0.0, self._retry_at - time.monotonic())))

    def _intake(self, wait: float) -> None:
        """Take one batch from the queue: straight to the store when nothing waits before it,
        else to the tail of the disk buffer; leave it queued while the buffer is full."""
        if len(self.buffer) and not self._closing.is_set():
            head = self._q.queue[0] if self._q.qsize() else None
            if head is not None and not self.buffer.has_room(len(head.to_bytes())):
                self.paused = True
                time.sleep(min(0.1, max(0.0, self._retry_at - time.monotonic())) or 0.05)
                return
        self.paused = False
        try:
            batch = self._q.get(timeout=wait) if wait > 0 else self._q.get_nowait()
        except queue.Empty:
            return
        if not len(self.buffer) and (self.store_up or time.monotonic() >= self._retry_at):
            if self._deliver(batch):
                return
        self._spill(batch)

    def _spill(self, batch: Batch) -> None:
        if not self.buffer.append(batch):
            # Only reachable while closing (intake checks room otherwise): keep the data.
            cap, self.buffer.max_bytes = self.buffer.max_bytes, 1 << 62
            try:
                self.buffer.append(batch)
            finally:
                self.buffer.max_bytes = cap

    def _replay_one(self) -> None:
        head = self.buffer.peek()
        if head is None:
            return
        seq, batch = head
        if self._deliver(batch):
            self.buffer.pop(seq)

    def _deliver(self, batch: Batch) -> bool:
        """Write one batch; on success count it and commit its offsets. False on a store outage."""
        try:
            result, dead = self._write(batch)
        except Exception as exc:  # noqa: BLE001 - any failure to store means: keep the batch, retry later
            self._down(exc)
            return False
        self.store_up, self._backoff, self.last_error = True, self.retry_min, None
        self._count(batch, result, dead)
        with self._lock:
            committer = self._committers.get(batch.source)
        if committer is not None and batch.offsets:
            try:
                committer(batch.offsets)
            except Exception:  # noqa: BLE001 - an uncommitted offset only means a harmless re-read
                log.exception("committing offsets of %s failed", batch.source)
        return True

    def _count(self, batch: Batch, result: WriteResult, dead: int) -> None:
        with self._lock:
            c = self.counters.setdefault(batch.source, DeliveryCounters())
            c.stored += result.stored
            c.duplicates += result.duplicates
            c.dead_lettered += dead
            c.batches += 1
            c.received += batch.received

    def _write(self, batch: Batch) -> tuple[WriteResult, int]:
        if self._inflight is not None and not self._inflight.done():
            raise StoreUnavailable("an earlier write is still waiting for the store")
        fut = self._writer.submit(lambda: self._write_now(batch))
        self._inflight = fut
        try:
            return fut.result(timeout=self.write_timeout)
        except FutureTimeout:
            # If it lands later its events are in the store: count them then (the replay of
            # the buffered copy will count as duplicates, and commits the offsets).
            fut.add_done_callback(lambda f: f.exception() is None and self._count_late(batch, f.result()))
            raise StoreUnavailable(f"the store did not answer within {self.write_timeout:g}s") from None

    def _count_late(self, batch: Batch, res: tuple[WriteResult, int]) -> None:
        with self._lock:
            c = self.counters.setdefault(batch.source, DeliveryCounters())
            c.stored += res[0].stored
            c.duplicates += res[0].duplicates
            c.dead_lettered += res[1]

    def _write_now(self, batch: Batch) -> tuple[WriteResult, int]:
        result = self.store.write_events(batch.events) if batch.events else WriteResult()
        dead = batch.dead + refused_dead_letters(result)
        if dead:
            self.store.write_dead_letters(dead)
        return result, len(dead)

    def _down(self, exc: BaseException) -> None:
        msg = f"{type(exc).__name__}: {exc}"
        if self.store_up or msg != self.last_error:
            (log.warning if isinstance(exc, StoreError) else log.error)("store write failed, buffering: %s", msg)
        self.store_up = False
        self.last_error = msg
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self.retry_max, self._backoff * 2)


@dataclass
class SourceStats:
    """What one running source counted on its side of the delivery (written by its own thread)."""

    received: int = 0  # raw records read (lines, datagrams, file records)
    parsed: int = 0
    parse_failed: int = 0  # records sent to dead letters by the parser
    skipped: int = 0  # records without an event (blank lines, headers)
    dropped: int = 0  # records lost on purpose (UDP datagrams when the queue was full)
    last_event_time: str | None = None  # largest @timestamp seen
    last_received_at: float | None = None  # wall clock (epoch seconds) of the last record

    def saw_event(self, event: Event) -> None:
        self.parsed += 1
        ts = event.get("@timestamp")
        if isinstance(ts, str) and (self.last_event_time is None or ts > self.last_event_time):
            self.last_event_time = ts
