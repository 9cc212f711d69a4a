"""The embedded SQLite store: one file, WAL mode, shared by collector, scheduler and console.

Events are kept as JSON documents with their time and dataset in indexed columns. A compiled
Sigma query (a SQL boolean expression over backtick-quoted ECS field names) runs against a
common table expression that exposes exactly the fields it names, each extracted from the
JSON with NOCASE collation: Sigma's equality is case-insensitive, and LIKE already is.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import orjson

from soc.errors import StoreError
from soc.events import Event, format_ts, from_millis, now_utc, ts_millis
from soc.incidents import AuditEntry, Incident
from soc.store.base import (
    Cursor,
    DeadLetter,
    IncidentFilter,
    Page,
    Query,
    Store,
    User,
    WriteResult,
)

_FIELD_RE = re.compile(r"`([^`]+)`")

# Fields most rules read, kept as stored generated columns: a rule scan reads a column instead of
# parsing every event's JSON once per field (json_extract is most of a scan's cost).
HOT_FIELDS = (
    "source.ip", "source.port", "destination.ip", "destination.port", "user.name", "host.name",
    "event.action", "event.outcome", "event.category", "url.original", "url.path", "url.query",
    "user_agent.original", "http.response.status_code", "network.transport", "process.name",
    "winlog.channel", "winlog.event_id", "dns.question.name",
)


def _hot_column(field: str) -> str:
    return f"`{field}` COLLATE NOCASE GENERATED ALWAYS AS (json_extract(doc, '{_json_path(field)}')) STORED"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    ts INTEGER NOT NULL,
    dataset TEXT NOT NULL COLLATE NOCASE,
    doc TEXT NOT NULL,
    %s
);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts, id);
CREATE INDEX IF NOT EXISTS events_dataset_ts ON events (dataset, ts);
CREATE TABLE IF NOT EXISTS dead_letters (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dead_letters_source ON dead_letters (source);
CREATE TABLE IF NOT EXISTS incidents (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    group_key TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    assignee TEXT,
    last_seen TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_rule_key ON incidents (rule_id, group_key, last_seen);
CREATE INDEX IF NOT EXISTS incidents_last_seen ON incidents (last_seen);
CREATE TABLE IF NOT EXISTS evidence (
    incident_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (incident_id, event_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT,
    at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_incident ON audit (incident_id, seq);
CREATE TABLE IF NOT EXISTS checkpoints (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, doc TEXT NOT NULL);
"""


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regexp(pattern: str | None, value: Any) -> bool:
    """SQLite's REGEXP operator: `value REGEXP pattern` calls regexp(pattern, value)."""
    if pattern is None or value is None:
        return False
    try:
        return _compiled(pattern).search(str(value)) is not None
    except re.error as exc:
        raise sqlite3.OperationalError(f"invalid regular expression {pattern!r}: {exc}") from exc


def _json_path(field: str) -> str:
    return '$."' + field.replace('"', '\\"') + '"'


def _ms(dt: datetime | None) -> int | None:
    """Epoch milliseconds; a datetime without a zone is UTC, as on Elasticsearch."""
    if dt is None:
        return None
    return int((dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp() * 1000)


class SQLiteStore(Store):
    dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.url = f"sqlite://{Path(self.path).resolve()}"
        Path(self.path).resolve().parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store {self.path}: {exc}") from exc
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.create_function("regexp", 2, _regexp, deterministic=True)
        with self._lock:
            self._db.executescript(_SCHEMA % ",\n    ".join(_hot_column(f) for f in HOT_FIELDS))
            # a store made before a field became hot still answers from its JSON
            self._hot = {r[1] for r in self._db.execute("PRAGMA table_xinfo(events)")} & set(HOT_FIELDS)

    # --- plumbing -------------------------------------------------------------------------
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite query failed: {exc}") from exc

    def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._lock:
            try:
                return self._db.execute(sql, params).rowcount
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite write failed: {exc}") from exc

    def _filtered(
        self, query: Query, start: datetime | None, end: datetime | None, dataset: str | None, extra: Sequence[str] = ()
    ) -> tuple[str, list[Any], str]:
        """A CTE named `logs` over the time range with one column per referenced field, and the WHERE text."""
        if query is not None and not isinstance(query, str):
            raise StoreError("the SQLite store takes SQL expressions; got a query of another dialect")
        fields = sorted(set(_FIELD_RE.findall(query or "")) | set(extra))
        # event.dataset is an indexed column: rules scoped to a log source read only its rows
        cols = ", dataset AS `event.dataset`" if "event.dataset" in fields else ""
        fields = [f for f in fields if f != "event.dataset"]
        cols += "".join(f", `{f}`" for f in fields if f in self._hot)
        fields = [f for f in fields if f not in self._hot]
        cols += "".join(f", json_extract(doc, ?) COLLATE NOCASE AS `{f}`" for f in fields)
        params: list[Any] = [_json_path(f) for f in fields]
        conds, cparams = [], []
        if start is not None:
            conds.append("ts >= ?")
            cparams.append(_ms(start))
        if end is not None:
            conds.append("ts < ?")
            cparams.append(_ms(end))
        if dataset is not None:
            conds.append("dataset = ?")
            cparams.append(dataset)
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        cte = f"WITH logs AS (SELECT id, ts, dataset, doc{cols} FROM events{where})"
        return cte, params + cparams, f"({query})" if query else "1"

    # --- events ---------------------------------------------------------------------------
    def write_events(self, events: Sequence[Event]) -> WriteResult:
        result = WriteResult()
        rows = []
        for ev in events:
            try:
                rows.append((ev["event.id"], ts_millis(ev["@timestamp"]), ev.get("event.dataset") or "unknown", orjson.dumps(ev).decode()))
            except (KeyError, ValueError, TypeError, orjson.JSONEncodeError) as exc:
                result.failed.append((ev, f"invalid event: {exc!r}"))
        with self._lock:
            try:
                before = self._db.total_changes
                self._db.execute("BEGIN")
                self._db.executemany("INSERT OR IGNORE INTO events (id, ts, dataset, doc) VALUES (?, ?, ?, ?)", rows)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StoreError(f"SQLite write failed: {exc}") from exc
            stored = self._db.total_changes - before
        result.stored = stored
        result.duplicates = len(rows) - stored
        return result

    def search(
        self,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        size: int = 500,
        after: Cursor | None = None,
        dataset: str | None = None,
    ) -> Page:
        cte, params, where = self._filtered(query, start, end, dataset)
        sql = f"{cte} SELECT ts, id, doc FROM logs WHERE {where}"
        if after is not None:
            sql += " AND (ts, id) > (?, ?)"
            params += [after[0], after[1]]
        sql += " ORDER BY ts, id LIMIT ?"
        rows = self._rows(sql, params + [size])
        events = [orjson.loads(doc) for _, _, doc in rows]
        nxt = (rows[-1][0], rows[-1][1]) if len(rows) == size else None
        return Page(events=events, next_after=nxt)

    def count(
        self,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        dataset: str | None = None,
    ) -> int:
        cte, params, where = self._filtered(query, start, end, dataset)
        return int(self._rows(f"{cte} SELECT COUNT(*) FROM logs WHERE {where}", params)[0][0])

    def terms(
        self,
        field: str,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        size: int = 100,
    ) -> list[tuple[Any, int]]:
        cte, params, where = self._filtered(query, start, end, None, extra=[field])
        sql = (
            f"{cte} SELECT `{field}` AS v, COUNT(*) AS n FROM logs WHERE {where} AND v IS NOT NULL "
            "GROUP BY v ORDER BY n DESC, v LIMIT ?"
        )
        return [(v, int(n)) for v, n in self._rows(sql, params + [size])]

    def histogram(
        self,
        interval_seconds: int,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[tuple[datetime, int]]:
        step = int(interval_seconds) * 1000
        cte, params, where = self._filtered(query, start, end, None)
        sql = f"{cte} SELECT (ts / ?) * ? AS b, COUNT(*) FROM logs WHERE {where} GROUP BY b ORDER BY b"
        return [(from_millis(b), int(n)) for b, n in self._rows(sql, [step, step] + params)]

    def distinct_count(
        self,
        field: str,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        cte, params, where = self._filtered(query, start, end, None, extra=[field])
        sql = f"{cte} SELECT COUNT(DISTINCT `{field}`) FROM logs WHERE {where}"
        return int(self._rows(sql, params)[0][0])

    def time_bounds(self, query: Query = None) -> tuple[datetime | None, datetime | None]:
        cte, params, where = self._filtered(query, None, None, None)
        lo, hi = self._rows(f"{cte} SELECT MIN(ts), MAX(ts) FROM logs WHERE {where}", params)[0]
        return (None if lo is None else from_millis(lo), None if hi is None else from_millis(hi))

    def get_events(self, ids: Sequence[str]) -> list[Event]:
        out: list[Event] = []
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            out += [orjson.loads(d) for (d,) in self._rows(f"SELECT doc FROM events WHERE id IN ({marks}) ORDER BY ts, id", chunk)]
        out.sort(key=lambda e: (e["@timestamp"], e["event.id"]))
        return out

    def datasets(self) -> list[tuple[str, int]]:
        return [(d, int(n)) for d, n in self._rows("SELECT dataset, COUNT(*) FROM events GROUP BY dataset ORDER BY dataset")]

    # --- dead letters ---------------------------------------------------------------------
    def write_dead_letters(self, items: Sequence[DeadLetter]) -> int:
        rows = []
        for d in items:
            at = d.at or format_ts(now_utc())
            rows.append((d.id or _dead_letter_id(d), d.source, at, orjson.dumps({**d.to_doc(), "at": at}).decode()))
        with self._lock:
            before = self._db.total_changes
            self._db.executemany("INSERT OR IGNORE INTO dead_letters (id, source, at, doc) VALUES (?, ?, ?, ?)", rows)
            return self._db.total_changes - before

    def list_dead_letters(self, limit: int = 100, source: str | None = None) -> list[DeadLetter]:
        sql, params = "SELECT doc FROM dead_letters", []
        if source is not None:
            sql, params = sql + " WHERE source = ?", [source]
        rows = self._rows(sql + " ORDER BY at DESC, id LIMIT ?", params + [limit])
        return [DeadLetter.from_doc(orjson.loads(d)) for (d,) in rows]

    def count_dead_letters(self, source: str | None = None) -> int:
        if source is None:
            return int(self._rows("SELECT COUNT(*) FROM dead_letters")[0][0])
        return int(self._rows("SELECT COUNT(*) FROM dead_letters WHERE source = ?", [source])[0][0])

    # --- incidents ------------------------------------------------------------------------
    def save_incident(self, incident: Incident) -> None:
        d = incident.to_dict()
        self._write(
            "INSERT OR REPLACE INTO incidents (id, rule_id, group_key, status, severity, assignee, last_seen, doc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [incident.id, incident.rule_id, incident.group_key, d["status"], d["severity"], incident.assignee,
             incident.last_seen, orjson.dumps(d).decode()],
        )

    def get_incident(self, incident_id: str) -> Incident | None:
        rows = self._rows("SELECT doc FROM incidents WHERE id = ?", [incident_id])
        return Incident.from_dict(orjson.loads(rows[0][0])) if rows else None

    def list_incidents(self, flt: IncidentFilter | None = None) -> list[Incident]:
        flt = flt or IncidentFilter()
        conds: list[str] = []
        params: list[Any] = []
        for col, values in (("status", flt.status), ("severity", flt.severity)):
            if values:
                conds.append(f"{col} IN ({','.join('?' * len(values))})")
                params += list(values)
        for col, value in (("rule_id", flt.rule_id), ("assignee", flt.assignee)):
            if value is not None:
                conds.append(f"{col} = ?")
                params.append(value)
        if flt.entity_value is not None:
            conds.append("EXISTS (SELECT 1 FROM json_each(json_extract(doc, '$.entity')) WHERE value = ?)")
            params.append(flt.entity_value)
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        rows = self._rows(f"SELECT doc FROM incidents{where} ORDER BY last_seen DESC, id LIMIT ?", params + [flt.limit])
        return [Incident.from_dict(orjson.loads(d)) for (d,) in rows]

    def latest_incident(self, rule_id: str, group_key: str) -> Incident | None:
        rows = self._rows(
            "SELECT doc FROM incidents WHERE rule_id = ? AND group_key = ? ORDER BY last_seen DESC, id DESC LIMIT 1",
            [rule_id, group_key],
        )
        return Incident.from_dict(orjson.loads(rows[0][0])) if rows else None

    def add_evidence(self, incident_id: str, event_ids: Sequence[str], cap: int) -> int:
        with self._lock:
            have = int(self._db.execute("SELECT COUNT(*) FROM evidence WHERE incident_id = ?", [incident_id]).fetchone()[0])
            room = max(0, cap - have)
            if room == 0:
                return 0
            before = self._db.total_changes
            self._db.execute("BEGIN")
            for eid in event_ids:
                if self._db.total_changes - before >= room:
                    break
                self._db.execute("INSERT OR IGNORE INTO evidence (incident_id, event_id) VALUES (?, ?)", [incident_id, eid])
            self._db.execute("COMMIT")
            return self._db.total_changes - before

    def list_evidence(self, incident_id: str, limit: int = 1000) -> list[str]:
        rows = self._rows(
            "SELECT v.event_id FROM evidence v LEFT JOIN events e ON e.id = v.event_id "
            "WHERE v.incident_id = ? ORDER BY e.ts, v.event_id LIMIT ?",
            [incident_id, limit],
        )
        return [r[0] for r in rows]

    def append_audit(self, entry: AuditEntry) -> None:
        self._write(
            "INSERT INTO audit (incident_id, at, doc) VALUES (?, ?, ?)",
            [entry.incident_id, entry.at, orjson.dumps(entry.__dict__).decode()],
        )

    def list_audit(self, incident_id: str | None = None, limit: int = 500) -> list[AuditEntry]:
        if incident_id is None:
            rows = self._rows("SELECT doc FROM audit ORDER BY seq DESC LIMIT ?", [limit])
        else:
            rows = self._rows("SELECT doc FROM audit WHERE incident_id = ? ORDER BY seq LIMIT ?", [incident_id, limit])
        return [AuditEntry(**orjson.loads(d)) for (d,) in rows]

    # --- checkpoints and users ------------------------------------------------------------
    def get_checkpoint(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM checkpoints WHERE key = ?", [key])
        return rows[0][0] if rows else None

    def set_checkpoint(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO checkpoints (key, value) VALUES (?, ?)", [key, value])

    def list_checkpoints(self, prefix: str = "") -> dict[str, str]:
        rows = self._rows("SELECT key, value FROM checkpoints WHERE substr(key, 1, ?) = ? ORDER BY key", [len(prefix), prefix])
        return dict(rows)

    def save_user(self, user: User) -> None:
        self._write("INSERT OR REPLACE INTO users (username, doc) VALUES (?, ?)", [user.username, orjson.dumps(user.__dict__).decode()])

    def get_user(self, username: str) -> User | None:
        rows = self._rows("SELECT doc FROM users WHERE username = ?", [username])
        return User(**orjson.loads(rows[0][0])) if rows else None

    def list_users(self) -> list[User]:
        return [User(**orjson.loads(d)) for (d,) in self._rows("SELECT doc FROM users ORDER BY username")]

    # --- retention ------------------------------------------------------------------------
    def apply_retention(self, days: Mapping[str, int], now: datetime, default_days: int | None = None) -> int:
        day_ms = 86_400_000
        now_ms = _ms(now) or 0
        deleted = 0
        for dataset, _ in self.datasets():
            keep = days.get(dataset, default_days)
            if keep is None:
                continue
            # whole UTC days go, as whole daily indices go on Elasticsearch
            cutoff = (now_ms - keep * day_ms) // day_ms * day_ms
            deleted += self._write("DELETE FROM events WHERE dataset = ? AND ts < ?", [dataset, cutoff])
        return deleted

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _chunks(items: list[str], n: int) -> Iterator[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _dead_letter_id(d: DeadLetter) -> str:
    from soc.events import event_id

    return event_id(d.source, d.offset if d.offset is not None else d.raw)
