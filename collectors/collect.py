"""`soc collect`: run the configured sources until stopped, deliver their events exactly once.

One thread per source (file tail, syslog listener, drop folder) parses records and submits
batches to the one `Delivery` thread, which writes them to the store or, while the store is
down, to the on-disk buffer under `SOC_HOME/buffer`. A stats thread persists each source's
counters to the store every few seconds as checkpoint `source:<name>` (read back by
`soc.sources`). Stopping (the stop event, set by SIGTERM/SIGINT in the CLI) stops the
sources, flushes what they hold, delivers (or buffers) it, commits offsets and writes the
final stats.

Tuning through the environment (the config file has no collector section yet):
`SOC_BUFFER_MAX_MB` (on-disk buffer cap, default 256), `SOC_STORE_WRITE_TIMEOUT` (seconds a
store write may take before it counts as an outage, default 10), `SOC_STATS_INTERVAL`
(seconds between stats checkpoints, default 5).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol

from collectors.buffer import DiskBuffer
from collectors.enrich import enricher_from
from collectors.parsers import compiled_modules
from collectors.shipper import Delivery, SourceStats
from soc.config import Settings
from soc.errors import ConfigError, SocError, StoreError
from soc.events import format_ts, now_utc
from soc.sources import CHECKPOINT_PREFIX, DEFAULT_EXPECTED_INTERVAL, DELIVERY_CHECKPOINT
from soc.store.base import Store

log = logging.getLogger(__name__)


class Source(Protocol):
    name: str
    kind: str
    stats: SourceStats

    def run(self, stop: threading.Event) -> None: ...

    def status(self) -> dict[str, Any]: ...


@dataclass
class CollectOptions:
    buffer_max_bytes: int = 256 * 1024 * 1024
    write_timeout: float = 10.0
    stats_interval: float = 5.0
    drain_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "CollectOptions":
        env = os.environ if env is None else env
        opts = cls()
        try:
            if env.get("SOC_BUFFER_MAX_MB"):
                opts.buffer_max_bytes = int(float(env["SOC_BUFFER_MAX_MB"]) * 1024 * 1024)
            if env.get("SOC_STORE_WRITE_TIMEOUT"):
                opts.write_timeout = float(env["SOC_STORE_WRITE_TIMEOUT"])
            if env.get("SOC_STATS_INTERVAL"):
                opts.stats_interval = float(env["SOC_STATS_INTERVAL"])
        except ValueError as exc:
            raise ConfigError("SOC_BUFFER_MAX_MB/SOC_STORE_WRITE_TIMEOUT/SOC_STATS_INTERVAL", f"not a number: {exc}") from None
        return opts


@dataclass
class CollectSummary:
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    delivery: dict[str, Any] = field(default_factory=dict)


def source_name(cfg: Mapping[str, Any]) -> str:
    """The configured `name`, else `<type>:<path|listen|folder>`."""
    if cfg.get("name"):
        return str(cfg["name"])
    where = cfg.get("path") or cfg.get("listen") or cfg.get("folder") or cfg.get("paths") or "?"
    proto = f"{cfg.get('protocol', 'udp')}:" if cfg.get("type") == "syslog" else ""
    return f"{cfg.get('type')}:{proto}{where}"


def build_sources(settings: Settings, store: Store, delivery: Delivery) -> list[Source]:
    """One source object per `[[sources]]` entry; ConfigError naming the bad key."""
    state_dir = settings.home / "state"
    out: list[Source] = []
    names: set[str] = set()
    for i, cfg in enumerate(settings.sources):
        name = source_name(cfg)
        if name in names:
            raise ConfigError(f"sources[{i}].name", f"two sources are named {name!r}: give one a `name`")
        names.add(name)
        kind = cfg.get("type")
        if kind == "file":
            from collectors.sources.tail import TailSource

            out.append(TailSource(name, cfg, delivery, store, state_dir, settings.timezone))
        elif kind == "syslog":
            from collectors.sources.syslog import SyslogSource

            out.append(SyslogSource(name, cfg, delivery, store, settings.timezone))
        elif kind in ("dropfolder", "drop_folder", "folder"):
            from collectors.sources.dropfolder import DropFolderSource

            out.append(DropFolderSource(name, cfg, delivery, store, state_dir))
        else:
            raise ConfigError(f"sources[{i}].type", f"unknown source type {kind!r} (file, syslog, dropfolder)")
        _check_interval(i, cfg)
    return out


def _check_interval(i: int, cfg: Mapping[str, Any]) -> None:
    v = cfg.get("expected_interval", DEFAULT_EXPECTED_INTERVAL)
    if not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0:
        raise ConfigError(f"sources[{i}].expected_interval", "must be a positive number of seconds")


def run_collect(settings: Settings, store: Store, stop_event: threading.Event,
                options: CollectOptions | None = None, ready: threading.Event | None = None) -> CollectSummary:
    """Run every configured source until `stop_event` is set; then flush, commit, return the counts.

    `ready` (optional) is set once every source is started (listeners bound).
    """
    opts = options or CollectOptions.from_env()
    if not settings.sources:
        raise SocError("no sources configured: add [[sources]] entries to the config file")
    interpreted = [name for name, built in compiled_modules().items() if not built]
    if interpreted:
        log.warning("parsers running uncompiled (slower; `make venv` compiles them): %s", ", ".join(interpreted))
    buffer = DiskBuffer(settings.home / "buffer", opts.buffer_max_bytes)
    delivery = Delivery(store, buffer, write_timeout=opts.write_timeout)
    delivery.enrich = enricher_from(settings)
    sources = build_sources(settings, store, delivery)
    delivery.start()
    reporter = _Reporter(store, settings, sources, delivery, opts.stats_interval)
    src_stop = threading.Event()
    threads = [threading.Thread(target=_guard, args=(s, src_stop), name=f"source {s.name}", daemon=True)
               for s in sources]
    for t in threads:
        t.start()
    for s in sources:
        wait_ready = getattr(s, "wait_ready", None)
        if wait_ready:
            wait_ready(5.0)
    if ready is not None:
        ready.set()
    try:
        while not stop_event.wait(opts.stats_interval):
            reporter.report()
    finally:
        src_stop.set()
        for t in threads:
            t.join(timeout=30)
        delivery.close(opts.drain_seconds)
        reporter.report()
    return CollectSummary(sources=reporter.last, delivery=delivery.status())


def _guard(source: Source, stop: threading.Event) -> None:
    """Run a source; if it crashes, log why and start it again after a pause (its state is on disk)."""
    while not stop.is_set():
        try:
            source.run(stop)
            return
        except Exception:  # noqa: BLE001 - one broken source must not stop the others
            log.exception("source %s failed; restarting in 5 s", source.name)
            stop.wait(5.0)


class _Reporter:
    """Per-source counters (lifetime totals across restarts) written as store checkpoints."""

    def __init__(self, store: Store, settings: Settings, sources: list[Source], delivery: Delivery,
                 interval: float) -> None:
        self.store, self.sources, self.delivery, self.interval = store, sources, delivery, interval
        self.cfg = {source_name(c): c for c in settings.sources}
        self.started = format_ts(now_utc())
        self.base: dict[str, dict[str, Any]] = {}
        self.last: dict[str, dict[str, Any]] = {}
        self._prev: dict[str, tuple[float, int]] = {}
        for s in sources:
            try:
                raw = store.get_checkpoint(CHECKPOINT_PREFIX + s.name)
                self.base[s.name] = json.loads(raw) if raw else {}
            except (StoreError, ValueError):
                self.base[s.name] = {}

    def report(self) -> None:
        now = time.time()
        for s in self.sources:
            rec = self._record(s, now)
            self.last[s.name] = rec
            self._put(CHECKPOINT_PREFIX + s.name, rec)
        self._put(DELIVERY_CHECKPOINT, {**self.delivery.status(), "updated_at": format_ts(now_utc())})

    def _put(self, key: str, rec: Mapping[str, Any]) -> None:
        try:
            self.store.set_checkpoint(key, json.dumps(rec, default=str))
        except StoreError as exc:
            log.warning("could not save collector stats (%s): %s", key, exc)

    def _record(self, s: Source, now: float) -> dict[str, Any]:
        base = self.base.get(s.name, {})
        st = s.stats
        c = self.delivery.counters.get(s.name)
        cfg = self.cfg.get(s.name, {})
        prev_t, prev_n = self._prev.get(s.name, (now, st.received))
        rate = (st.received - prev_n) / (now - prev_t) if now > prev_t else 0.0
        self._prev[s.name] = (now, st.received)
        last_rx = format_ts(_dt(st.last_received_at)) if st.last_received_at else base.get("last_received_at")
        last_ev = max(filter(None, [st.last_event_time, base.get("last_event_time")]), default=None)
        return {
            "name": s.name,
            "type": s.kind,
            "received": base.get("received", 0) + st.received,
            "parsed": base.get("parsed", 0) + st.parsed,
            "stored": base.get("stored", 0) + (c.stored if c else 0),
            "duplicates": base.get("duplicates", 0) + (c.duplicates if c else 0),
            "dead_lettered": base.get("dead_lettered", 0) + (c.dead_lettered if c else 0),
            "dropped": base.get("dropped", 0) + st.dropped,
            "last_event_time": last_ev,
            "last_received_at": last_rx,
            "events_per_second": round(rate, 2),
            "expected_interval": cfg.get("expected_interval", DEFAULT_EXPECTED_INTERVAL),
            "first_started_at": base.get("first_started_at") or self.started,
            "started_at": self.started,
            "updated_at": format_ts(now_utc()),
            "stats_interval": self.interval,
            "store_up": self.delivery.store_up,
            "buffered_batches": len(self.delivery.buffer),
            "detail": s.status(),
        }


def _dt(epoch: float) -> Any:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, tz=timezone.utc)

