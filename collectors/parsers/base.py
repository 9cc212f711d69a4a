"""The parser contract, the parse context, the registry and the shared fast timestamp helpers.

A parser turns one raw line into one flat ECS event dict (see docs/TEAM.md), returns None
for a line that carries no event (blank, header, comment), and raises `ParseError(reason)`
for a line it cannot parse. `Parser.parse` guarantees that nothing else escapes: subclasses
implement `_parse` and any unexpected exception becomes a ParseError naming it.

Timestamps are the hot spot of text formats: `datetime.strptime` + `strftime` cost more than
the whole regex match. Lines are turned into `@timestamp` strings by caching the UTC text of
each (local date, hour, minute) seen, so a line costs one dict lookup and one string join.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import cython

from soc.errors import ParseError
from soc.events import Event, format_ts, now_utc

DEFAULT_TZ_NAME = "Asia/Ho_Chi_Minh"
UTC = timezone.utc

MONTHS: dict[str, int] = {
    m: i + 1
    for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"))
}

# A year-less timestamp further than this past the reference time (a file's mtime, or now)
# belongs to the previous year: a log cannot hold lines written after it was last modified.
_FUTURE_SLACK = timedelta(days=2)
_CACHE_LIMIT = 200_000


def resolve_tz(tz: str | tzinfo | None) -> tzinfo:
    """A tzinfo from a zone name ("Asia/Ho_Chi_Minh", "UTC") or a tzinfo; None means the default."""
    if tz is None:
        return ZoneInfo(DEFAULT_TZ_NAME)
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ParseError(f"unknown time zone '{tz}'") from exc


@dataclass
class ParseContext:
    """What a parser knows about where a line came from.

    source: file path or listener address (for messages only; the shipper sets provenance).
    year_hint: the year of syslog timestamps that carry none; None infers it from `now`.
    tz: zone of naive timestamps (name or tzinfo); timestamps with an offset keep theirs.
    now: reference time for year inference (a file's mtime, or the current time for
         listeners, which call `refresh()` now and then).
    state: per-file parser state, e.g. the `#Fields:` header of IIS/Zeek files.
    ts_cache: UTC minute prefixes by local minute key; stamp_cache: whole `@timestamp`s by
    the text of a second ("Dec 10 06:55:46") or an ISO minute with its offset (see iso_to_ts).
    """

    source: str = "-"
    year_hint: int | None = None
    tz: Any = DEFAULT_TZ_NAME
    now: datetime = field(default_factory=now_utc)
    state: dict[str, Any] = field(default_factory=dict)
    ts_cache: dict[Any, str] = field(default_factory=dict, repr=False, compare=False)
    stamp_cache: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.tz = resolve_tz(self.tz)
        if self.now.tzinfo is None:
            self.now = self.now.replace(tzinfo=UTC)

    def refresh(self, now: datetime | None = None) -> None:
        """Move the reference time (a listener crossing midnight of New Year) and drop caches."""
        self.now = now or now_utc()
        self.ts_cache.clear()
        self.stamp_cache.clear()


class Parser:
    """Base of every parser. Subclasses set `name`, `dataset`, implement `_parse` and `detects`.

    `aliases` are other names `get_parser` accepts. `priority` orders auto-detection ties:
    lower is more specific. `syslog_superset` says the parser also turns any other RFC 3164
    line into a generic syslog event, so it may win detection over plain `syslog`.
    """

    name: ClassVar[str] = ""
    dataset: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    priority: ClassVar[int] = 50
    syslog_superset: ClassVar[bool] = False

    def parse(self, line: str, ctx: ParseContext) -> Event | None:
        """One raw line -> one event, None for a line without an event; only ParseError escapes."""
        try:
            return self._parse(line, ctx)
        except ParseError:
            raise
        except Exception as exc:  # noqa: BLE001 - the contract: nothing but ParseError escapes
            raise ParseError(f"{self.name}: unexpected {type(exc).__name__}: {exc}") from exc

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        raise NotImplementedError

    def detects(self, line: str) -> bool:
        """Cheap check: does this line look like this format?"""
        raise NotImplementedError


_REGISTRY: dict[str, Parser] = {}
_ALIASES: dict[str, str] = {}


def register(parser: Parser) -> Parser:
    """Add a parser instance under its name and aliases; returns it (usable at module level)."""
    if not parser.name:
        raise ValueError("a parser needs a name")
    _REGISTRY[parser.name] = parser
    _ALIASES[parser.name] = parser.name
    for alias in parser.aliases:
        _ALIASES[alias] = parser.name
    return parser


def get_parser(name: str) -> Parser:
    """The parser registered under a format name or alias; ParseError naming the known ones."""
    _load_builtin()
    key = _ALIASES.get(name.strip().lower())
    if key is None:
        raise ParseError(f"unknown log format '{name}' (known: {', '.join(available_formats())})")
    return _REGISTRY[key]


def available_formats() -> list[str]:
    """Names of the registered formats, sorted."""
    _load_builtin()
    return sorted(_REGISTRY)


def detect_format(sample_lines: list[str]) -> str:
    """The format whose `detects` accepts most non-blank, non-comment sample lines.

    Ties go to the more specific parser (lower priority). When plain syslog wins but a
    parser that also handles every syslog line (e.g. sshd/auth) recognises at least a tenth
    of the sample, that parser is chosen: it gives the same events plus the specific ones.
    Raises ParseError when no format recognises any line.
    """
    _load_builtin()
    lines = [ln for ln in (s.rstrip("\r\n") for s in sample_lines) if ln.strip()]
    if not lines:
        raise ParseError("cannot detect the format of an empty sample")
    scores: list[tuple[int, int, str]] = []
    for parser in _REGISTRY.values():
        count = sum(1 for ln in lines if _safe_detects(parser, ln))
        scores.append((count, -parser.priority, parser.name))
    scores.sort(reverse=True)
    best_count, _, best = scores[0]
    if best_count == 0:
        raise ParseError("no known log format recognises these lines")
    if best == "syslog":
        supersets = [s for s in scores if _REGISTRY[s[2]].syslog_superset and s[0] * 10 >= len(lines)]
        if supersets:
            return supersets[0][2]
    return best


def _safe_detects(parser: Parser, line: str) -> bool:
    try:
        return bool(parser.detects(line))
    except Exception:  # noqa: BLE001 - a detector must never break detection
        return False


_loaded = False


def _load_builtin() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        import collectors.parsers  # noqa: F401 - registers the built-in parsers


# ---------------------------------------------------------------- timestamps


def utc_minute_prefix(year: int, month: int, day: int, hour: int, minute: int, tz: tzinfo) -> str:
    """"YYYY-MM-DDTHH:MM:" in UTC for a local minute in `tz` (seconds are appended by callers)."""
    local = datetime(year, month, day, hour, minute, tzinfo=tz)
    u = local.astimezone(UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:"


def syslog_prefix(ctx: ParseContext, key: str) -> str:
    """UTC minute prefix of an RFC 3164 "Mmm dd HH:MM" (no year), the year inferred from ctx.

    Cached per key in the context; raises ParseError for an impossible date.
    """
    try:
        mon, day_text, hm = key.split()
        month = MONTHS[mon]
        day = int(day_text)
        hour = int(hm[0:2])
        minute = int(hm[3:5])
        tz = ctx.tz
        if ctx.year_hint is not None:
            year = ctx.year_hint
        else:
            now = ctx.now
            year = now.year
            local = datetime(year, month, day, hour, minute, tzinfo=tz)
            if local > now + _FUTURE_SLACK:
                year -= 1
        prefix = utc_minute_prefix(year, month, day, hour, minute, tz)
    except (KeyError, ValueError) as exc:
        raise ParseError(f"bad syslog timestamp '{key}'") from exc
    cache = ctx.ts_cache
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    cache[key] = prefix
    return prefix


def local_prefix(ctx: ParseContext, year: int, month: int, day: int, hour: int, minute: int,
                 tz: tzinfo | None = None) -> str:
    """Cached UTC minute prefix of a local date-time with a known year (tz defaults to ctx.tz)."""
    zone = tz or ctx.tz
    key = (year, month, day, hour, minute, zone)
    cache = ctx.ts_cache
    prefix = cache.get(key)
    if prefix is None:
        try:
            prefix = utc_minute_prefix(year, month, day, hour, minute, zone)
        except (ValueError, OverflowError) as exc:
            raise ParseError(f"bad date {year}-{month}-{day} {hour}:{minute}") from exc
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        cache[key] = prefix
    return prefix


def millis(fraction: str | None) -> str:
    """".mmmZ" from the digits after the seconds' dot (None or "" -> ".000Z")."""
    if not fraction:
        return ".000Z"
    return "." + (fraction + "00")[:3] + "Z"


_OFFSET_RE = re.compile(r"([+-])(\d\d):?(\d\d)$")


def fixed_offset(text: str) -> tzinfo:
    """A tzinfo from "+0700", "-05:00", "Z"; ParseError otherwise."""
    if text in ("Z", "z", "UTC", "GMT"):
        return UTC
    m = _OFFSET_RE.match(text)
    if not m:
        raise ParseError(f"bad UTC offset '{text}'")
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    return _offset_tz(-minutes if m.group(1) == "-" else minutes)


_OFFSETS: dict[int, tzinfo] = {}


def _offset_tz(minutes: int) -> tzinfo:
    tz = _OFFSETS.get(minutes)
    if tz is None:
        tz = _OFFSETS[minutes] = timezone(timedelta(minutes=minutes))
    return tz


def iso_to_ts(text: str, ctx: ParseContext) -> str:
    """Any ISO-8601 timestamp -> event `@timestamp`; naive ones are read in ctx.tz.

    The common RFC 3339 shape `YYYY-MM-DD?HH:MM:SS[.f{1,9}][Z|+HH:MM|+HHMM]` costs a dict
    lookup: the UTC prefix of its minute and offset is computed once by the general path (so
    every date rule stays fromisoformat's) and the seconds and milliseconds are appended.
    """
    n: cython.Py_ssize_t = len(text)
    if n < 19 or text[16] != ":" or text[13] != ":":
        return _iso_slow(text, ctx)
    s0: cython.Py_UCS4 = text[17]
    s1: cython.Py_UCS4 = text[18]
    if not ("0" <= s0 <= "5" and "0" <= s1 <= "9"):
        return _iso_slow(text, ctx)
    last: cython.Py_UCS4 = text[n - 1]
    tail_at: cython.Py_ssize_t = n
    if last == "Z" or last == "z":
        tail_at = n - 1
    elif n >= 25 and text[n - 3] == ":" and (text[n - 6] == "+" or text[n - 6] == "-"):
        tail_at = n - 6
    elif n >= 24 and (text[n - 5] == "+" or text[n - 5] == "-"):
        tail_at = n - 5
    frac = text[20:tail_at]
    if tail_at != 19 and not (text[19] == "." and 0 < tail_at - 20 <= 9 and frac.isdecimal() and frac.isascii()):
        return _iso_slow(text, ctx)
    key = text[:16] + text[tail_at:]
    cache = ctx.stamp_cache
    prefix = cache.get(key)
    if prefix is None:
        prefix = _iso_minute(key, text[tail_at:], ctx)
        if prefix is None:
            return _iso_slow(text, ctx)
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        cache[key] = prefix
    if tail_at == 19:
        return prefix + text[17:19] + ".000Z"
    return prefix + text[17:19] + "." + (frac + "00")[:3] + "Z"


def _iso_minute(key: str, tail: str, ctx: ParseContext) -> str | None:
    """"YYYY-MM-DDTHH:MM:" in UTC of the minute in `key` (its first 16 chars, then the offset).

    None when the general path refuses it or the zone's offset has seconds (old LMT offsets),
    where the seconds of a line would change the prefix.
    """
    try:
        minute = _iso_datetime(key[:16] + ":00" + tail, ctx)
        offset = minute.utcoffset()
        if offset is None or offset.seconds % 60 or offset.microseconds:
            return None
        return format_ts(minute)[:-7]
    except Exception:  # noqa: BLE001 - the caller retries the line's own text by the general path
        return None


def _iso_datetime(text: str, ctx: ParseContext) -> datetime:
    try:
        value = text.strip()
        if value.endswith(("Z", "z")):
            value = value[:-1] + "+00:00"
        dt = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ParseError(f"bad ISO-8601 timestamp '{text[:40]}'") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ctx.tz)
    return dt


def _iso_slow(text: str, ctx: ParseContext) -> str:
    """iso_to_ts by datetime.fromisoformat, for every shape (and error) the fast path leaves."""
    return format_ts(_iso_datetime(text, ctx))


def epoch_to_ts(value: float | str) -> str:
    """Epoch seconds (int, float or its text) -> event `@timestamp`."""
    try:
        dt = datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise ParseError(f"bad epoch timestamp '{str(value)[:40]}'") from exc
    return format_ts(dt)


# ---------------------------------------------------------------- small shared helpers

_IPV6_RE = re.compile(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?:%\w+)?$")


def is_ip(text: str) -> bool:
    """Cheap syntactic check that `text` is an IPv4 or IPv6 address (not a host name)."""
    if text.count(".") == 3 and text.isascii() and text.replace(".", "").isdigit():
        return len(text) <= 15
    return text.count(":") >= 2 and _IPV6_RE.match(text) is not None


def to_int(text: str | None) -> int | None:
    """int of a decimal text, None for empty/'-'/not a number."""
    if not text or text == "-":
        return None
    try:
        return int(text)
    except ValueError:
        return None


IANA_TRANSPORT: dict[str, str] = {"1": "icmp", "2": "igmp", "6": "tcp", "17": "udp", "47": "gre",
                                  "50": "esp", "51": "ah", "58": "ipv6-icmp", "89": "ospf", "132": "sctp"}
