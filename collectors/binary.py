"""Binary log files for `soc ingest`: Windows .evtx and packet captures, recognised by their magic bytes.

Text files go through a line parser; these go through a reader that yields whole events.
`binary_reader(path)` says which reader a file needs (None for text), `ship_binary` stores its
events through the shipper and sends unreadable records to the dead-letter store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from collectors.shipper import ShipStats, Shipper
from soc.events import Event
from soc.store.base import Store

_EVTX_MAGIC = b"ElfFile\x00"
_PCAP_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
_PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


@dataclass(frozen=True)
class BinaryReader:
    """A named reader: `read(path, errors)` yields events and appends what it could not read to `errors`."""

    name: str
    read: Callable[[Path, list[Any]], Iterator[Event]]

    def __call__(self, path: Path, errors: list[Any]) -> Iterator[Event]:
        return self.read(path, errors)


def _read_evtx(path: Path, errors: list[Any]) -> Iterator[Event]:
    from collectors.sources.evtx import read_evtx

    return read_evtx(path, errors)


def _read_pcap(path: Path, errors: list[Any]) -> Iterator[Event]:
    from collectors.sources.pcap import read_pcap

    return read_pcap(path, errors)


READERS = {"evtx": BinaryReader("evtx", _read_evtx), "pcap": BinaryReader("pcap", _read_pcap)}


def binary_reader(path: str | Path, fmt: str = "auto") -> BinaryReader | None:
    """The reader for an .evtx file or a pcap/pcapng capture (by content, else by name); None for text.

    `fmt` "evtx" or "pcap" forces that reader. Binary content wins over a text format given for
    a whole folder: an .evtx file is never read as lines.
    """
    if fmt in READERS:
        return READERS[fmt]
    p = Path(path)
    try:
        with p.open("rb") as f:
            head = f.read(8)
    except OSError:
        return None
    if head.startswith(_EVTX_MAGIC):
        return READERS["evtx"]
    if head[:4] in _PCAP_MAGICS or head[:4] == _PCAPNG_MAGIC:
        return READERS["pcap"]
    if not head:  # an empty file: its name is all there is
        suffix = p.suffix.lower()
        if suffix == ".evtx":
            return READERS["evtx"]
        if suffix in (".pcap", ".pcapng", ".cap"):
            return READERS["pcap"]
    return None


def ship_binary(path: Path, reader: BinaryReader, store: Store, stats: ShipStats,
                progress: Callable[[int], None] | None = None,
                enrich: Callable[[Any], Any] | None = None) -> None:
    """Store every event of the file; each unreadable record or file error becomes a dead letter."""
    source = str(Path(path).resolve())
    shipper = Shipper(store, enrich=enrich)
    shipper.stats = stats
    errors: list[Any] = []
    for event in reader(path, errors):
        stats.read += 1
        shipper.ship(event, source, event.get("event.id") or stats.read)
        _dead_letter(shipper, errors, source)
    _dead_letter(shipper, errors, source)
    shipper.flush()
    if progress:
        progress(Path(path).stat().st_size)


def _dead_letter(shipper: Shipper, errors: list[Any], source: str) -> None:
    while errors:
        err = errors.pop(0)
        shipper.stats.read += 1
        shipper.dead_letter(source, err.reason, getattr(err, "raw", "") or "", getattr(err, "record_id", None))
