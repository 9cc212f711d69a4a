"""`soc ingest`: read whole log files, parse each line, ship events; bad lines to dead letters.

A line that is not valid UTF-8 is still parsed (undecodable bytes shown as \\xNN escapes) and
its event is tagged `encoding_error`; if it cannot be parsed, the dead letter keeps its exact bytes.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from collectors.binary import BinaryReader, binary_reader, ship_binary
from collectors.parsers.base import ParseContext, Parser, detect_format, get_parser
from collectors.shipper import ShipStats, Shipper
from soc.errors import ParseError, SocError
from soc.events import Event
from soc.store.base import Store

SAMPLE_LINES = 200


@dataclass
class FileResult:
    path: str
    format: str
    stats: ShipStats = field(default_factory=ShipStats)


def ingest_paths(
    paths: Iterable[str | Path],
    store: Store,
    fmt: str = "auto",
    tz: str | None = None,
    progress: Callable[[int], None] | None = None,
    enrich: Callable[[Event], Event] | None = None,
) -> list[FileResult]:
    """Ingest each file (a folder means the files inside it); returns per-file counts.

    `progress` is called with the number of bytes consumed as reading goes on.
    Raises SocError for a missing file or an undetectable format, before anything is written.
    """
    files = expand_paths(paths)
    plan = [(f, binary_reader(f, fmt) or (get_parser(fmt) if fmt != "auto" else get_parser(_detect(f))))
            for f in files]
    results = []
    for path, parser in plan:
        if isinstance(parser, BinaryReader):  # .evtx and packet captures: whole events, not lines
            result = FileResult(path=str(path), format=parser.name)
            ship_binary(path, parser, store, result.stats, progress, enrich)
            results.append(result)
        else:
            results.append(ingest_file(path, parser, store, tz=tz, progress=progress, enrich=enrich))
    return results


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif p.is_file():
            out.append(p)
        else:
            raise SocError(f"no such file: {p}")
    return out


def _detect(path: Path) -> str:
    sample = []
    with path.open("rb") as f:
        for _, raw in zip(range(SAMPLE_LINES), f):
            sample.append(raw.decode("utf-8", "backslashreplace"))
    if not sample:
        return "syslog"  # an empty file: nothing to parse, any parser will do
    try:
        return detect_format(sample)
    except ParseError as exc:
        raise SocError(f"{path}: cannot detect the log format ({exc.reason}); pass --format") from None


def ingest_file(path: Path, parser: Parser, store: Store, tz: str | None = None,
                progress: Callable[[int], None] | None = None,
                enrich: Callable[[Event], Event] | None = None) -> FileResult:
    result = FileResult(path=str(path), format=parser.name)
    source = str(path.resolve())
    ctx = ParseContext(source=source, year_hint=_year_hint(), now=_modified(path), **({"tz": tz} if tz else {}))
    shipper = Shipper(store, enrich=enrich)
    shipper.stats = result.stats
    for offset, raw in read_lines(path, progress):
        result.stats.read += 1
        text, bad_encoding = _decode(raw)
        try:
            event = parser.parse(text, ctx)
        except ParseError as exc:
            shipper.dead_letter(source, exc.reason, raw.decode("utf-8", "surrogateescape"), offset)
            continue
        if event is None:
            result.stats.skipped += 1
            continue
        event["log.file.path"] = source
        event["log.offset"] = offset
        if bad_encoding:
            event["tags"] = [*event.get("tags", []), "encoding_error"]
        shipper.ship(event, source, offset)
    shipper.flush()
    return result


def read_lines(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, bytes]]:
    """(byte offset, line without its line ending) for every line, the last one even without '\\n'."""
    offset = 0
    with path.open("rb", buffering=1 << 20) as f:
        for raw in f:
            n = len(raw)
            line = raw.rstrip(b"\r\n")
            if line:
                yield offset, line
            offset += n
            if progress:
                progress(n)


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), True


def _year_hint() -> int | None:
    """SOC_YEAR forces the year of year-less syslog lines (e.g. for an archive from another year)."""
    value = os.environ.get("SOC_YEAR")
    return int(value) if value and value.isdigit() else None


def _modified(path: Path) -> datetime:
    """The file's modification time: year-less lines cannot be newer, so the year is inferred from it."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
