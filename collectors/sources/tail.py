"""Tail files and globs: follow rotation, persist offsets, resume after restart, never double.

Identity. A file is read as *generations*: the bytes that live at one inode from one start.
A generation is named by `gen_id = hash(device, inode, fingerprint)` where the fingerprint
is a hash of the file's first bytes (up to 1 KiB, as many as existed when first seen). The
generation record (id, device, inode, fingerprint, committed offset) is written to the state
file before any of its events leaves, and every event id is `event_id("file:" + gen_id,
line offset)`. A replay after kill -9 reads the same bytes under the same generation, so it
produces the same ids and the store ignores them: exactly-once in the store.

Rotation.
- Rename (logrotate's default): the path now names another inode. The old generation keeps
  being read through its open descriptor until it has not grown for `rotate_wait` seconds,
  then its unterminated last line (if any) is emitted and it is marked done; the new file
  starts as a new generation.
- Copytruncate: the file shrinks below our offset (or its first bytes change). The unread
  rest of the old generation is looked for in a sibling whose first bytes carry the old
  fingerprint (`app.log.1`, `app.log-20250101`) and read from there under the old ids; then
  the new content is read from 0 as a new generation.
- After a restart, generations that are not done and no longer at their path are found the
  same way (by inode, then by fingerprint) and finished.

Partial lines: a line is emitted only once its newline arrived, except when a generation is
finished at rotation, or when a single line passes 1 MiB (it is cut there).

Offsets are committed (state file, atomically replaced and fsync'd) only when the delivery
reports the store accepted the batch holding those lines.
"""

from __future__ import annotations

import glob as globmod
import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import orjson

from collectors.parsers.base import ParseContext, Parser, detect_format, get_parser
from collectors.shipper import Delivery, Shipper, SourceStats
from soc.errors import ConfigError, ParseError
from soc.events import event_id, now_utc
from soc.store.base import Store

log = logging.getLogger(__name__)

FP_LEN = 1024
CHUNK = 1 << 20
SAMPLE_LINES = 200
REFRESH_SECONDS = 60.0


class FormatParser:
    """One format, or `auto`: detect from a sample, and per line when the chosen one fails.

    Detection per line covers mixed sources (a syslog stream carrying firewall kv, CSV and
    RFC 5424 lines). Only ParseError comes out, with the reasons of what was tried.
    """

    def __init__(self, fmt: str = "auto") -> None:
        self.auto = fmt == "auto"
        self.parser: Parser | None = None if self.auto else get_parser(fmt)
        self._by_line_cache: dict[str, Parser] = {}

    @property
    def name(self) -> str:
        return self.parser.name if self.parser else "auto"

    def choose(self, sample: list[str]) -> None:
        """Pick the parser from the first lines (auto only; once)."""
        if self.auto and self.parser is None and sample:
            try:
                self.parser = get_parser(detect_format(sample))
            except ParseError:
                self.parser = None

    def parse(self, line: str, ctx: ParseContext) -> dict[str, Any] | None:
        first_error = None
        if self.parser is not None:
            try:
                return self.parser.parse(line, ctx)
            except ParseError as exc:
                if not self.auto:
                    raise
                first_error = exc
        try:
            other = get_parser(detect_format([line]))
        except ParseError as exc:
            raise ParseError(first_error.reason if first_error else exc.reason) from None
        if other is self.parser:
            raise first_error or ParseError("unparseable line")
        return other.parse(line, ctx)


def decode(raw: bytes) -> tuple[str, bool]:
    """Text of a raw record, and whether it was not valid UTF-8 (bytes then kept as \\xNN)."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), True


# ------------------------------------------------------------------------------ state


class TailState:
    """The persisted generations of one source: {gen_id: {dev, ino, fp, fp_len, path, offset, done}}."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.gens: dict[str, dict[str, Any]] = {}
        if path.is_file():
            try:
                self.gens = orjson.loads(path.read_bytes()).get("gens", {})
            except (ValueError, OSError) as exc:
                bad = path.with_suffix(".corrupt")
                os.replace(path, bad)
                log.error("tail state %s unreadable (%s); moved to %s, files are re-read (ids dedupe)", path, exc, bad)

    def save(self) -> None:
        with self.lock:
            data = orjson.dumps({"version": 1, "gens": self.gens})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{threading.get_ident()}")
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def commit(self, offsets: Mapping[str, Any]) -> None:
        """Called by the delivery after the store accepted a batch: move offsets forward."""
        with self.lock:
            for gen_id, pos in offsets.items():
                entry = self.gens.get(gen_id)
                if entry is None:
                    continue
                entry["offset"] = max(entry["offset"], int(pos["offset"]))
                if pos.get("done"):
                    entry["done"] = True
                    entry["done_at"] = time.time()
        self.save()

    def prune(self, older_than: float) -> None:
        """Forget generations finished long ago (they can no longer come back)."""
        with self.lock:
            for gid in [g for g, e in self.gens.items() if e.get("done") and e.get("done_at", 0) < older_than]:
                del self.gens[gid]


# ------------------------------------------------------------------------------ readers


@dataclass
class _Reader:
    gen_id: str
    entry: dict[str, Any]
    fd: int
    path: str
    pos: int
    ctx: ParseContext
    parser: FormatParser
    finishing: bool = False
    last_size: int = -1
    last_growth: float = field(default_factory=time.monotonic)

    @property
    def key(self) -> tuple[int, int]:
        return self.entry["dev"], self.entry["ino"]


def _fingerprint(fd: int, n: int) -> str:
    return hashlib.blake2b(os.pread(fd, n, 0), digest_size=16).hexdigest()


class TailSource:
    """A `type = "file"` source. Config keys: `path` (file or glob) or `paths` (list),
    `exclude` (globs), `format` (default auto), `tz`, `poll_interval` (s, 0.2),
    `rotate_wait` (s, 1.0), `close_inactive` (s, 300), `batch_size` (1000)."""

    kind = "file"

    def __init__(self, name: str, cfg: Mapping[str, Any], delivery: Delivery, store: Store, state_dir: Path,
                 tz: str) -> None:
        self.name = name
        paths = cfg.get("paths") or ([cfg["path"]] if cfg.get("path") else [])
        if isinstance(paths, str):
            paths = [paths]
        if not paths:
            raise ConfigError(f"sources.{name}.path", "a file source needs `path` (a file or a glob)")
        self.patterns = [str(Path(p).expanduser()) for p in paths]
        excl = cfg.get("exclude") or []
        self.exclude = [excl] if isinstance(excl, str) else list(excl)
        self.fmt = str(cfg.get("format", "auto"))
        FormatParser(self.fmt)  # an unknown format fails at start, not per line
        self.tz = str(cfg.get("tz") or tz)
        self.poll = float(cfg.get("poll_interval", 0.2))
        self.rotate_wait = float(cfg.get("rotate_wait", 1.0))
        self.close_inactive = float(cfg.get("close_inactive", 300.0))
        self.stats = SourceStats()
        self.lost_generations = 0  # truncated with unread bytes and no copy found
        self.state = TailState(state_dir / f"tail-{_safe(name)}.json")
        self.shipper = Shipper(store, batch_size=int(cfg.get("batch_size", 1000)), delivery=delivery, source=name)
        delivery.register(name, self.state.commit)
        self._readers: list[_Reader] = []
        self._next_recovery = 0.0
        self._next_refresh = time.monotonic() + REFRESH_SECONDS

    # --- the loop ---------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                self._scan()
                busy = False
                for r in list(self._readers):
                    busy |= self._read(r)
                if not busy:
                    stop.wait(self.poll)
        finally:
            for r in self._readers:
                self._flush(r)
                os.close(r.fd)
            self._readers = []

    def status(self) -> dict[str, Any]:
        backlog = 0
        for r in list(self._readers):
            try:
                backlog += max(0, os.fstat(r.fd).st_size - r.pos)
            except OSError:
                pass
        return {"files": [r.path for r in self._readers], "backlog_bytes": backlog,
                "lost_generations": self.lost_generations}

    # --- discovery --------------------------------------------------------------------------
    def _glob(self) -> dict[tuple[int, int], tuple[str, os.stat_result]]:
        found: dict[tuple[int, int], tuple[str, os.stat_result]] = {}
        excluded = {p for pat in self.exclude for p in globmod.glob(pat)}
        for pat in self.patterns:
            for p in sorted(globmod.glob(pat)) if globmod.has_magic(pat) else [pat]:
                if p in excluded:
                    continue
                try:
                    st = os.stat(p)
                except OSError:
                    continue
                if os.path.isfile(p):
                    found.setdefault((st.st_dev, st.st_ino), (p, st))
        return found

    def _scan(self) -> None:
        now = time.monotonic()
        if now >= self._next_refresh:
            self._next_refresh = now + REFRESH_SECONDS
            for r in self._readers:
                r.ctx.refresh()
        matched = self._glob()
        live = {r.key for r in self._readers if not r.finishing}
        for r in self._readers:
            if not r.finishing and r.key not in matched:
                r.finishing = True  # renamed away or deleted: drain it, then finish
        for key, (path, st) in matched.items():
            if key not in live:
                self._adopt(path, key, st)
        if now >= self._next_recovery:
            self._next_recovery = now + 2.0
            self._recover_all(matched)
            self.state.prune(time.time() - 7 * 86400)

    def _adopt(self, path: str, key: tuple[int, int], st: os.stat_result) -> None:
        """A matched file without a live reader: resume its generation, or start a new one."""
        with self.state.lock:
            mine = [(g, e) for g, e in self.state.gens.items() if (e["dev"], e["ino"]) == key and not e.get("done")]
        reading = {r.gen_id for r in self._readers}
        mine = [(g, e) for g, e in mine if g not in reading]
        if mine and all(e["offset"] == st.st_size for _, e in mine):
            return  # nothing new since we last closed it
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return
        try:
            fst = os.fstat(fd)
            if (fst.st_dev, fst.st_ino) != key:
                os.close(fd)
                return  # replaced between stat and open: next scan
            for gid, e in mine:
                if fst.st_size >= max(e["offset"], e["fp_len"]) and _fingerprint(fd, e["fp_len"]) == e["fp"]:
                    self._readers.append(self._reader(gid, e, fd, path))
                    return
            gid, entry = self._copy_of_known(fd, path, fst, reading)
            if gid is None:
                gid, entry = self._new_generation(fd, path, fst)
            if gid is None:
                os.close(fd)  # too little content for a fingerprint yet
                return
            self._readers.append(self._reader(gid, entry, fd, path))
        except BaseException:
            os.close(fd)
            raise

    def _copy_of_known(self, fd: int, path: str, st: os.stat_result,
                       reading: set[str]) -> tuple[str | None, dict[str, Any]]:
        """An unfinished generation whose bytes now live in this file (a rotated copy matched by the glob)."""
        folder = os.path.dirname(path)
        with self.state.lock:
            cands = [(g, e) for g, e in self.state.gens.items()
                     if not e.get("done") and g not in reading and os.path.dirname(e["path"]) == folder]
        for gid, e in cands:
            if st.st_size >= e["fp_len"] and _fingerprint(fd, e["fp_len"]) == e["fp"] and st.st_size >= e["offset"]:
                return gid, e
        return None, {}

    def _new_generation(self, fd: int, path: str, st: os.stat_result) -> tuple[str | None, dict[str, Any]]:
        head = os.pread(fd, FP_LEN, 0)
        if not head or (b"\n" not in head and len(head) < FP_LEN):
            return None, {}
        fp = hashlib.blake2b(head, digest_size=16).hexdigest()
        base = f"{st.st_dev}:{st.st_ino}:{len(head)}:{fp}"
        gid = hashlib.blake2b(base.encode(), digest_size=10).hexdigest()
        with self.state.lock:
            while gid in self.state.gens:  # same inode and first bytes again (file recreated): a new generation
                gid = hashlib.blake2b((gid + "+").encode(), digest_size=10).hexdigest()
            entry = {"dev": st.st_dev, "ino": st.st_ino, "fp": fp, "fp_len": len(head), "path": path, "offset": 0,
                     "done": False, "format": None}
            self.state.gens[gid] = entry
        self.state.save()  # before any event of it leaves: its ids must survive a crash
        return gid, entry

    def _reader(self, gid: str, entry: dict[str, Any], fd: int, path: str, finishing: bool = False) -> _Reader:
        parser = FormatParser(self.fmt)
        if parser.auto and entry.get("format"):
            parser.parser = get_parser(entry["format"])  # what was detected from the file's first lines
        ctx = ParseContext(source=entry["path"], tz=self.tz, now=now_utc())
        return _Reader(gid, entry, fd, entry["path"], entry["offset"], ctx, parser, finishing=finishing)

    # --- finishing generations that moved ----------------------------------------------------
    def _recover_all(self, matched: Mapping[tuple[int, int], tuple[str, os.stat_result]]) -> None:
        """Unfinished generations with no reader whose bytes are no longer at a matched path."""
        reading = {r.gen_id for r in self._readers}
        with self.state.lock:
            orphans = [(g, e) for g, e in self.state.gens.items() if not e.get("done") and g not in reading]
        found: list[_Reader] = []
        for gid, e in orphans:
            key = (e["dev"], e["ino"])
            if key in matched:
                if self._fp_matches(matched[key][0], e):
                    continue  # still in place, only idle: the scan reopens it when it grows
                r = self._find_moved(gid, e, not_inode=key)  # truncated while we were away
            else:
                r = self._find_moved(gid, e)
            if r is not None:
                found.append(r)
            else:
                self._give_up(gid, e)
        self._readers[:0] = found  # older bytes first

    def _find_moved(self, gid: str, e: dict[str, Any], not_inode: tuple[int, int] | None = None) -> _Reader | None:
        """The file now holding generation `gid`: same inode (renamed), else same first bytes (a copy)."""
        folder, base = os.path.split(e["path"])
        try:
            names = [n for n in os.listdir(folder or ".") if n.startswith(base)]
        except OSError:
            return None
        names.sort(key=lambda n: (len(n), n))
        best: tuple[int, str] | None = None
        for n in names:
            p = os.path.join(folder, n)
            try:
                st = os.stat(p)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == not_inode or st.st_size < max(e["fp_len"], e["offset"]):
                continue
            same_inode = (st.st_dev, st.st_ino) == (e["dev"], e["ino"])
            if best is None or same_inode:
                if self._fp_matches(p, e):
                    best = (0 if same_inode else 1, p)
                    if same_inode:
                        break
        if best is None:
            return None
        try:
            fd = os.open(best[1], os.O_RDONLY)
        except OSError:
            return None
        return self._reader(gid, e, fd, best[1], finishing=True)

    @staticmethod
    def _fp_matches(path: str, e: dict[str, Any]) -> bool:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return False
        try:
            return _fingerprint(fd, e["fp_len"]) == e["fp"]
        finally:
            os.close(fd)

    def _give_up(self, gid: str, e: dict[str, Any]) -> None:
        """The generation's bytes are nowhere to be found (deleted, or truncated with no copy)."""
        with self.state.lock:
            e["done"] = True
            e["done_at"] = time.time()
            e["gone"] = True
        self.state.save()
        self.lost_generations += 1
        log.warning("%s: %s ended at offset %s and its remaining bytes (if any) are gone", self.name, e["path"],
                    e["offset"])

    # --- reading ----------------------------------------------------------------------------
    def _read(self, r: _Reader) -> bool:
        """Read what is new in one generation; True when something happened."""
        try:
            size = os.fstat(r.fd).st_size
        except OSError:
            return False
        now = time.monotonic()
        if not r.finishing and (size < r.pos or (size != r.last_size and size >= r.entry["fp_len"]
                                                 and _fingerprint(r.fd, r.entry["fp_len"]) != r.entry["fp"])):
            self._truncated(r)
            return True
        if r.finishing and size < r.pos:
            self._finish(r)  # a rotated copy overwritten before we finished it: nothing more to read there
            return True
        if size != r.last_size:
            r.last_size, r.last_growth = size, now
        idle = now - r.last_growth
        if size > r.pos:
            data = os.pread(r.fd, min(size - r.pos, CHUNK), r.pos)
            cut = data.rfind(b"\n") + 1
            if cut == 0 and (len(data) >= CHUNK or (r.finishing and idle >= self.rotate_wait)):
                cut = len(data)  # an overlong line, or the unterminated last line of a rotated file
            if cut:
                self._emit(r, data[:cut])
                r.pos += cut
                self._flush(r)
                return True
        if r.finishing and idle >= self.rotate_wait and r.pos >= size:
            self._finish(r)
            return True
        if not r.finishing and idle >= self.close_inactive and r.pos >= size:
            self._readers.remove(r)  # keep its state; the scan reopens it when it grows
            os.close(r.fd)
        return False

    def _truncated(self, r: _Reader) -> None:
        """Copytruncate: read the old generation's rest from its copy, then the file starts anew."""
        self._flush(r)
        idx = self._readers.index(r)
        self._readers.remove(r)
        os.close(r.fd)
        moved = self._find_moved(r.gen_id, r.entry, not_inode=r.key)
        if moved is not None:
            moved.pos = r.pos
            moved.parser, moved.ctx = r.parser, r.ctx
            self._readers.insert(idx, moved)
        elif r.pos < r.last_size:
            self._give_up(r.gen_id, r.entry)
        else:
            self.shipper.flush({r.gen_id: {"offset": r.pos, "done": True}})

    def _finish(self, r: _Reader) -> None:
        self.shipper.flush({r.gen_id: {"offset": r.pos, "done": True}})
        self._readers.remove(r)
        os.close(r.fd)

    def _flush(self, r: _Reader) -> None:
        self.shipper.flush({r.gen_id: {"offset": r.pos}})

    def _emit(self, r: _Reader, data: bytes) -> None:
        parts = data.split(b"\n")
        if data.endswith(b"\n"):
            parts.pop()
        if r.parser.auto and r.parser.parser is None and r.entry.get("format") is None:
            r.parser.choose([decode(p)[0] for p in parts[:SAMPLE_LINES] if p.strip()])
            r.entry["format"] = r.parser.parser.name if r.parser.parser else None
        source_id = "file:" + r.gen_id
        off = r.pos
        stats = self.stats
        for raw in parts:
            line_off = off
            off += len(raw) + 1
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if not raw:
                continue
            stats.received += 1
            text, bad = decode(raw)
            try:
                event = r.parser.parse(text, r.ctx)
            except ParseError as exc:
                stats.parse_failed += 1
                self.shipper.dead_letter(r.path, exc.reason, raw.decode("utf-8", "surrogateescape"), line_off,
                                         dead_id=event_id(source_id, line_off))
                continue
            if event is None:
                stats.skipped += 1
                continue
            event["log.file.path"] = r.path
            event["log.offset"] = line_off
            if bad:
                event["tags"] = [*event.get("tags", []), "encoding_error"]
            stats.saw_event(event)
            self.shipper.ship(event, source_id, line_off)
        stats.last_received_at = time.time()


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80] + "-" + hashlib.blake2b(
        name.encode(), digest_size=4).hexdigest()
