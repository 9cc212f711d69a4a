"""The drop folder: packet captures and Windows event logs copied into a folder, each read once.

Config: `folder = "/abs/path/drop"` (or `path`), `extensions` (a table of extension -> reader,
default .pcap/.pcapng/.cap -> pcap and .evtx -> evtx), `settle_seconds` (a file is read only
once its size and mtime have not changed for this long, so half-copied files wait; 2),
`poll_interval` (2), `after = "keep" | "move"` (move finished files into `done/` or `failed/`
inside the folder; default keep), `batch_size` (2000).

A file is known by the SHA-256 of its content, so a renamed or re-dropped copy is not read
again. Its state (done / failed, with the reason) is committed to the state file only after
the store accepted its last batch; a crash mid-file re-reads it, and the event ids
(`event_id("drop:<sha256>", n)` unless the reader set one) make that harmless.

Readers are `collectors.sources.pcap.read_pcap(path, errors)` and
`collectors.sources.evtx.read_evtx(path, errors)`, imported when first needed. What a reader
reports in `errors` (unreadable records, a capture cut short) becomes dead letters; a file
that gave no event and only errors, a missing reader or a reader that raises fails that file
with a dead letter naming the reason, and the folder goes on.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from collectors.shipper import Delivery, Shipper, SourceStats
from collectors.sources.tail import TailState, _safe
from soc.errors import ConfigError
from soc.events import Event, event_id
from soc.store.base import Store

log = logging.getLogger(__name__)

READERS: dict[str, tuple[str, str]] = {
    "pcap": ("collectors.sources.pcap", "read_pcap"),
    "evtx": ("collectors.sources.evtx", "read_evtx"),
}
DEFAULT_EXTENSIONS = {".pcap": "pcap", ".pcapng": "pcap", ".cap": "pcap", ".evtx": "evtx"}


def load_reader(kind: str) -> Callable[[str], Iterator[Event]]:
    """The reader function for a kind ("pcap", "evtx"); ImportError/AttributeError if missing."""
    module, func = READERS[kind]
    return getattr(importlib.import_module(module), func)


def _read(reader: Callable[..., Iterator[Event]], path: Path, errors: list[Any]) -> Iterator[Event]:
    """Call a reader with an `errors` list when it takes one (both of ours do)."""
    try:
        params = inspect.signature(reader).parameters
    except (TypeError, ValueError):
        params = {}
    return reader(path, errors) if "errors" in params else reader(path)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class DropState(TailState):
    """{sha256: {path, status, events, reason}} of the files already handled."""

    def commit(self, offsets: Mapping[str, Any]) -> None:
        with self.lock:
            for sha, info in offsets.items():
                self.gens[sha] = dict(info, at=time.time())
        self.save()


class DropFolderSource:
    kind = "dropfolder"

    def __init__(self, name: str, cfg: Mapping[str, Any], delivery: Delivery, store: Store, state_dir: Path) -> None:
        self.name = name
        folder = cfg.get("folder") or cfg.get("path")
        if not folder:
            raise ConfigError(f"sources.{name}.folder", "a drop folder source needs `folder`")
        self.folder = Path(str(folder)).expanduser()
        self.folder.mkdir(parents=True, exist_ok=True)
        exts = cfg.get("extensions") or DEFAULT_EXTENSIONS
        self.extensions = {("." + k.lstrip(".")).lower(): str(v) for k, v in dict(exts).items()}
        bad = sorted(v for v in self.extensions.values() if v not in READERS)
        if bad:
            raise ConfigError(f"sources.{name}.extensions", f"unknown reader {bad[0]!r} (known: {', '.join(READERS)})")
        self.settle = float(cfg.get("settle_seconds", 2.0))
        self.poll = float(cfg.get("poll_interval", 2.0))
        self.after = str(cfg.get("after", "keep"))
        if self.after not in ("keep", "move"):
            raise ConfigError(f"sources.{name}.after", "must be 'keep' or 'move'")
        self.stats = SourceStats()
        self.state = DropState(state_dir / f"drop-{_safe(name)}.json")
        self.shipper = Shipper(store, batch_size=int(cfg.get("batch_size", 2000)), delivery=delivery, source=name)
        delivery.register(name, self._commit)
        self._seen: dict[str, tuple[int, int, float]] = {}  # path -> (size, mtime_ns, stable since)
        self._known: dict[tuple[int, int, int, int], str] = {}  # (dev, ino, size, mtime) -> sha
        self.current: str | None = None
        self._errors_seen = 0

    def status(self) -> dict[str, Any]:
        with self.state.lock:
            done = sum(1 for e in self.state.gens.values() if e.get("status") == "done")
            failed = sum(1 for e in self.state.gens.values() if e.get("status") == "failed")
        return {"folder": str(self.folder), "files_done": done, "files_failed": failed, "reading": self.current}

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            for path in self._ready_files():
                if stop.is_set():
                    break
                self._process(path, stop)
            stop.wait(self.poll)

    def _ready_files(self) -> list[Path]:
        now = time.monotonic()
        ready = []
        for p in sorted(self.folder.iterdir()):
            kind = self.extensions.get(p.suffix.lower())
            if kind is None or not p.is_file():
                continue
            try:
                st = p.stat()
            except OSError:
                continue
            prev = self._seen.get(str(p))
            if prev is None or prev[:2] != (st.st_size, st.st_mtime_ns):
                self._seen[str(p)] = (st.st_size, st.st_mtime_ns, now)
                if self.settle > 0:
                    continue
            elif now - prev[2] < self.settle:
                continue
            if (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) in self._known:
                continue
            ready.append(p)
        return ready

    def _process(self, path: Path, stop: threading.Event) -> None:
        st = path.stat()
        sha = file_sha256(path)
        self._known[(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)] = sha
        with self.state.lock:
            if sha in self.state.gens:
                return
        self.current = str(path)
        self._errors_seen = 0
        self.stats.last_received_at = time.time()
        kind = self.extensions[path.suffix.lower()]
        identity = f"drop:{sha}"
        n = 0
        errors: list[Any] = []  # what the reader could not read (BadRecord / PcapError): dead letters
        try:
            reader = load_reader(kind)
            for n, event in enumerate(_read(reader, path, errors), start=1):
                if stop.is_set():
                    self.shipper.flush()
                    return  # not marked done: read again next start, the ids dedupe
                self.stats.received += 1
                event.setdefault("log.file.path", str(path))
                self.stats.saw_event(event)
                self.shipper.ship(event, identity, n)
                if errors:
                    self._dead_letters(path, identity, errors)
            failed = n == 0 and bool(errors)
            info = {"path": str(path), "status": "failed" if failed else "done", "events": n}
            if errors:
                info["reason"] = errors[0].reason if failed else f"{len(errors)} unreadable parts"
            self._dead_letters(path, identity, errors)
        except Exception as exc:  # noqa: BLE001 - a bad or unreadable file must not stop the folder
            self._dead_letters(path, identity, errors)
            reason = f"{kind} reader failed after event {n}: {type(exc).__name__}: {exc}"
            if isinstance(exc, (ImportError, AttributeError)) and n == 0:
                reason = f"no {kind} reader available ({READERS[kind][0]}.{READERS[kind][1]}): {exc}"
            log.warning("%s: %s: %s", self.name, path, reason)
            self.stats.parse_failed += 1
            self.shipper.dead_letter(str(path), reason, str(path), None, dead_id=event_id(identity, "failed"))
            info = {"path": str(path), "status": "failed", "events": n, "reason": reason}
        finally:
            self.current = None
        self.shipper.flush({sha: info})

    def _dead_letters(self, path: Path, identity: str, errors: list[Any]) -> None:
        """Turn the reader's reported errors into dead letters (and empty the list)."""
        for err in errors:
            self.stats.parse_failed += 1
            self._errors_seen += 1
            self.shipper.dead_letter(str(path), str(err.reason), str(getattr(err, "raw", "") or path),
                                     getattr(err, "record_id", None),
                                     dead_id=event_id(identity, f"error:{self._errors_seen}"))
        errors.clear()

    def _commit(self, offsets: Mapping[str, Any]) -> None:
        self.state.commit(offsets)
        if self.after == "move":
            for info in offsets.values():
                src = Path(info["path"])
                dest = self.folder / info["status"] / src.name
                dest.parent.mkdir(exist_ok=True)
                try:
                    os.replace(src, dest)
                except OSError as exc:
                    log.warning("%s: cannot move %s to %s: %s", self.name, src, dest, exc)
