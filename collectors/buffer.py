"""The bounded on-disk buffer: batches wait here, in order, while the store is unreachable.

A folder of one file per batch, named by a rising sequence number. Each file is written to a
temporary name, fsync'd, renamed into place and the folder fsync'd, so after a crash (even
kill -9 or power loss) a batch file is either whole or absent. Files are read back oldest
first and removed only after the store accepted them. The total size is capped: `append`
refuses a batch that would pass `max_bytes` (the caller then pauses its sources), except
into an empty buffer, so one oversized batch can never wedge delivery.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from soc.events import Event
from soc.store.base import DeadLetter

SUFFIX = ".batch"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


@dataclass
class Batch:
    """Events and dead letters of one source, and the position (offsets) storing them completes.

    `offsets` is JSON-safe and opaque to the shipper: it is handed back to the source named
    `source` once the store has accepted the batch, so the source can commit it.
    """

    source: str
    events: list[Event] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)
    offsets: dict[str, Any] = field(default_factory=dict)
    received: int = 0  # raw records this batch accounts for (events + dead letters + skipped)

    def to_bytes(self) -> bytes:
        doc = {"source": self.source, "events": self.events, "dead": [d.to_doc() for d in self.dead],
               "offsets": self.offsets, "received": self.received}
        return orjson.dumps(doc)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Batch":
        doc = orjson.loads(data)
        return cls(source=doc["source"], events=doc["events"], dead=[DeadLetter.from_doc(d) for d in doc["dead"]],
                   offsets=doc.get("offsets") or {}, received=int(doc.get("received", 0)))


class DiskBuffer:
    """FIFO of batches on disk, bounded by `max_bytes`. Thread-safe."""

    def __init__(self, folder: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._files: list[tuple[int, int]] = []  # (seq, size), oldest first
        self.corrupt = 0
        for tmp in self.folder.glob("*.tmp"):
            tmp.unlink(missing_ok=True)  # a write that never reached its rename
        for f in sorted(self.folder.glob("*" + SUFFIX)):
            try:
                self._files.append((int(f.stem), f.stat().st_size))
            except ValueError:
                continue
        self._files.sort()
        self._next = self._files[-1][0] + 1 if self._files else 1

    def __len__(self) -> int:
        with self._lock:
            return len(self._files)

    @property
    def bytes(self) -> int:
        with self._lock:
            return sum(size for _, size in self._files)

    def has_room(self, size: int) -> bool:
        with self._lock:
            return not self._files or sum(s for _, s in self._files) + size <= self.max_bytes

    def append(self, batch: Batch) -> bool:
        """Write a batch durably at the tail; False (nothing written) when it would pass the cap."""
        data = batch.to_bytes()
        with self._lock:
            if self._files and sum(s for _, s in self._files) + len(data) > self.max_bytes:
                return False
            seq = self._next
            self._next += 1
            path = self._path(seq)
            tmp = path.with_suffix(".tmp")
            with tmp.open("wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            _fsync_dir(self.folder)
            self._files.append((seq, len(data)))
            return True

    def peek(self) -> tuple[int, Batch] | None:
        """The oldest batch and its sequence number, or None when empty.

        A file that cannot be decoded (disk damage) is moved aside to `corrupt/` and counted,
        so it never blocks the batches behind it.
        """
        while True:
            with self._lock:
                if not self._files:
                    return None
                seq = self._files[0][0]
            path = self._path(seq)
            try:
                return seq, Batch.from_bytes(path.read_bytes())
            except (OSError, ValueError, KeyError, TypeError):
                self._quarantine(seq, path)

    def pop(self, seq: int) -> None:
        """Remove the batch `seq` (after the store accepted it)."""
        with self._lock:
            self._files = [(s, n) for s, n in self._files if s != seq]
        self._path(seq).unlink(missing_ok=True)

    def _quarantine(self, seq: int, path: Path) -> None:
        aside = self.folder / "corrupt"
        aside.mkdir(exist_ok=True)
        try:
            os.replace(path, aside / path.name)
        except OSError:
            path.unlink(missing_ok=True)
        with self._lock:
            self._files = [(s, n) for s, n in self._files if s != seq]
            self.corrupt += 1

    def _path(self, seq: int) -> Path:
        return self.folder / f"{seq:016d}{SUFFIX}"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
