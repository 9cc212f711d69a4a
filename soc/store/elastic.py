r"""The Elasticsearch store: the production backend (the only module that imports the ES client).

Layout (`<p>` is the index prefix, "soc" by default):
- events: `<p>-events-<dataset>-<yyyy.mm.dd>`, one index per dataset and UTC day, mapped by
  the `<p>-events` index template from `soc.events.FIELD_TYPES`. Documents keep the flat
  dotted keys they were written with (ES maps dotted keys as object paths), so `_source`
  comes back as the same flat event. `_id` is `event.id` and writes use op_type create, so
  a replay counts duplicates (409) instead of overwriting.
- state: `<p>-incidents`, `<p>-evidence`, `<p>-audit`, `<p>-deadletters`, `<p>-checkpoints`,
  `<p>-users`, mapped by the `<p>-state` template (only the fields we filter or sort on).

Sigma semantics: every string field, `message` included, is a keyword with the built-in
`lowercase` normalizer, so term, wildcard and prefix queries from query strings match whole
values case-insensitively, as Sigma (and SQLite's NOCASE/LIKE) does. ES would also run the
normalizer over a regexp pattern (turning `\S` into `\s`, `[A-Z]` into `[a-z]`), and Sigma's
`|re` is case-sensitive anyway, so each keyword has a raw `.cs` sub-field and the regex
clauses of a query string are routed to it (`field:/re/` -> `field.cs:/re/`); a regex is
thus matched against the value exactly as written. `message` (ECS text) also has a
`message.text` sub-field for full-text search. `field.keyword` in a query means `field`
(a Kibana habit; our strings are keywords already).

Only core APIs and field types are used (the minimal integ-test distribution has no
painless, no reindex module, hence no delete_by_query): retention deletes whole daily
indices, i.e. whole UTC days go, exactly as the SQLite store does.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping, Sequence

import orjson
from elasticsearch import ApiError, ConnectionError as ESConnectionError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import streaming_bulk

from soc.errors import StoreError, StoreUnavailable
from soc.events import FIELD_TYPES, Event, event_id, format_ts, from_millis, from_nested, now_utc, parse_ts
from soc.incidents import AuditEntry, Incident
from soc.store.base import Cursor, DeadLetter, IncidentFilter, Page, Query, Store, User, WriteResult

try:
    from elasticsearch.serializer import OrjsonSerializer
except ImportError:  # pragma: no cover - orjson is a dependency of the project
    OrjsonSerializer = None  # type: ignore[assignment,misc]

TEMPLATE_VERSION = 3
DAY_MS = 86_400_000
MAX_WINDOW = 10_000  # ES index.max_result_window: larger reads page with search_after
# Lucene rejects a whole document with a term over 32766 bytes. Longer strings (PowerShell script
# blocks, long URLs) are indexed by their first MAX_TERM_BYTES (margin for lowercasing) and kept
# whole in `soc_overflow`, an unindexed object, from which reads restore them.
MAX_TERM_BYTES = 32000
IGNORE_ABOVE = MAX_TERM_BYTES
OVERFLOW = "soc_overflow"
SORT = [
    {"@timestamp": {"order": "asc", "unmapped_type": "date"}},
    {"event.id": {"order": "asc", "unmapped_type": "keyword"}},
]
RETRY_STATUS = (429, 502, 503, 504)
STATE = ("incidents", "evidence", "audit", "deadletters", "checkpoints", "users")

_RAW_KEYWORD = {"type": "keyword", "ignore_above": IGNORE_ABOVE, "doc_values": False}
_NORMALIZED = {"type": "keyword", "normalizer": "lowercase", "ignore_above": IGNORE_ABOVE}
_KEYWORD = {**_NORMALIZED, "fields": {"cs": _RAW_KEYWORD}}


# --- mappings -------------------------------------------------------------------------------
def event_mappings() -> dict[str, Any]:
    """Mappings of event indices: typed ECS fields, every other string a normalized keyword."""
    props: dict[str, Any] = {}
    for name, typ in FIELD_TYPES.items():
        if typ == "text":  # whole-value matching like every string, plus full text
            props[name] = {**_NORMALIZED, "fields": {"cs": _RAW_KEYWORD, "text": {"type": "text"}}}
        elif typ == "date":
            props[name] = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}
            if name != "@timestamp":
                props[name]["ignore_malformed"] = True
        else:  # ip, long, float: a malformed value is kept in _source, not indexed, never rejected
            props[name] = {"type": typ, "ignore_malformed": True}
    props["event.id"] = {"type": "keyword"}  # exact: sorted byte-wise like SQLite's ids
    props[OVERFLOW] = {"type": "object", "enabled": False}
    return {
        "date_detection": False,
        "numeric_detection": False,
        "dynamic_templates": [
            {"strings": {"match_mapping_type": "string", "mapping": _KEYWORD}},
            {"longs": {"match_mapping_type": "long", "mapping": {"type": "long", "ignore_malformed": True}}},
            {"doubles": {"match_mapping_type": "double", "mapping": {"type": "double", "ignore_malformed": True}}},
        ],
        "properties": props,
    }


def state_mappings() -> dict[str, Any]:
    kw = {"type": "keyword"}
    names = ("id", "key", "rule_id", "group_key", "status", "severity", "assignee", "last_seen", "entity_values",
             "incident_id", "event_id", "at", "source", "username")
    return {"dynamic": False, "properties": {**{n: kw for n in names}, "seq": {"type": "long"}}}


_INDEX_SETTINGS = {
    "number_of_shards": 1,
    "auto_expand_replicas": "0-1",  # 0 on one node (green), 1 on a cluster
    "mapping.total_fields.limit": 5000,
}


# --- query helpers ----------------------------------------------------------------------------
@lru_cache(maxsize=1024)
def dataset_slug(dataset: str) -> str:
    """Index-name-safe form of a dataset: lowercase, [a-z0-9_.] only."""
    slug = re.sub(r"[^a-z0-9_.]+", "_", dataset.lower()).strip("._")[:80]
    return slug or "unknown"


def _is_string(field: str) -> bool:
    return FIELD_TYPES.get(field, "keyword") in ("keyword", "text")


def _field_for(name: str, is_regex: bool) -> str:
    """The indexed field a query clause on `name` must use (see the module text)."""
    if name.endswith((".cs", ".text")):
        return name
    base = name[: -len(".keyword")] if name.endswith(".keyword") and _is_string(name[: -len(".keyword")]) else name
    if is_regex and _is_string(base) and base != "event.id":
        return f"{base}.cs"
    return base


_FIELD_AT = re.compile(r"([\w.@]+):")
_TERM_START = " \t\r\n(+-!"


def rewrite_query(query: str) -> str:
    """Route the field names of a Lucene query string: `f.keyword` -> `f`, `f:/re/` -> `f.cs:/re/`.

    Skips escaped characters, quoted phrases and regex bodies, so nothing inside a value is
    taken for a field name.
    """
    edits: list[tuple[int, int, str]] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c == "\\":
            i += 2
            continue
        if c in "\"/":
            i = _closing(query, i) + 1
            continue
        m = _FIELD_AT.match(query, i) if (i == 0 or query[i - 1] in _TERM_START) else None
        if not m:
            i += 1
            continue
        name, j = m.group(1), m.end()
        is_regex = j < n and query[j] == "/"
        routed = _field_for(name, is_regex)
        if routed != name:
            edits.append((i, i + len(name), routed))
        i = _closing(query, j) + 1 if is_regex else j
    for start, stop, text in reversed(edits):
        query = query[:start] + text + query[stop:]
    return query


def _closing(text: str, start: int) -> int:
    """Index of the unescaped delimiter closing the one at `start` (or the end of the text)."""
    j = start + 1
    while j < len(text) and text[j] != text[start]:
        j += 2 if text[j] == "\\" else 1
    return min(j, len(text))


def _fit(ev: Event) -> Event:
    """The document to index: strings too long for one term cut to MAX_TERM_BYTES, kept whole aside."""
    long = {k: v for k, v in ev.items()
            if isinstance(v, str) and len(v) > MAX_TERM_BYTES // 4 and len(v.encode()) > MAX_TERM_BYTES}
    if not long:
        return ev
    doc = dict(ev)
    for k, v in long.items():
        doc[k] = v.encode()[:MAX_TERM_BYTES].decode("utf-8", "ignore")
    doc[OVERFLOW] = long
    return doc


def _event(source: Mapping[str, Any]) -> Event:
    """A stored document back to the event as written (long strings restored whole)."""
    doc = dict(source)
    overflow = doc.pop(OVERFLOW, None)
    ev = from_nested(doc)
    if overflow:
        ev.update(overflow)
    return ev


def _ms(dt: datetime | None) -> int | None:
    return None if dt is None else int(parse_ts(dt).timestamp() * 1000)


def _doc_id(key: str) -> str:
    """ES ids are at most 512 bytes; longer keys are hashed."""
    if len(key.encode("utf-8", "surrogatepass")) <= 500:
        return key
    return "h:" + hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def _reason(info: Mapping[str, Any]) -> str:
    err = info.get("error")
    if isinstance(err, Mapping):
        text = f"{err.get('type')}: {err.get('reason')}"
        cause = err.get("caused_by")
        if isinstance(cause, Mapping):
            text += f" ({cause.get('type')}: {cause.get('reason')})"
        return text
    return f"status {info.get('status')}: {err or 'unknown error'}"


def _chunks(items: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


class ElasticStore(Store):
    """Store on an Elasticsearch 9 cluster; see the module text for the layout."""

    dialect = "elasticsearch"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
        ca_file: str | None = None,
        index_prefix: str = "soc",
    ) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.]*", index_prefix):
            raise StoreError(f"invalid index prefix {index_prefix!r}: lowercase letters, digits, '_' and '.' only")
        self.url = url.rstrip("/")
        self.prefix = index_prefix
        kwargs: dict[str, Any] = {
            "request_timeout": 60,
            "max_retries": 3,
            "retry_on_timeout": True,
            "retry_on_status": RETRY_STATUS,
        }
        if OrjsonSerializer is not None:
            kwargs["serializer"] = OrjsonSerializer()
        if api_key:
            kwargs["api_key"] = api_key
        if username:
            kwargs["basic_auth"] = (username, password or "")
        if ca_file:
            kwargs["ca_certs"] = ca_file
        try:
            self._es = Elasticsearch(self.url, **kwargs)
        except (ValueError, TypeError) as exc:
            raise StoreError(f"invalid Elasticsearch settings for {self.url}: {exc}") from exc
        self._ready = False
        self._lock = threading.Lock()
        self._last_seq = 0
        self.bulk_chunk = 2000
        self.bulk_max_bytes = 20 * 1024 * 1024

    # --- plumbing -------------------------------------------------------------------------
    def _idx(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def _events_pattern(self, dataset: str | None = None) -> str:
        return self._idx(f"events-{dataset_slug(dataset)}-*" if dataset is not None else "events-*")

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one client call with our error types: unreachable -> StoreUnavailable, refused -> StoreError."""
        self._setup()
        return self._raw_call(what, fn, *args, **kwargs)

    def _raw_call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ApiError as exc:
            raise StoreError(f"Elasticsearch {what} failed: {exc.status_code} {_api_reason(exc)}") from exc
        except (ESConnectionError, TransportError) as exc:
            raise StoreUnavailable(f"Elasticsearch at {self.url} unreachable during {what}: {exc}") from exc

    def _setup(self) -> None:
        """Install (or update) the index templates once, on first use: the constructor does no I/O."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            templates = {
                "events": ([self._events_pattern()], event_mappings()),
                "state": ([self._idx(s) for s in STATE], state_mappings()),
            }
            for name, (patterns, mappings) in templates.items():
                tname = self._idx(name)
                if self._template_version(tname) == TEMPLATE_VERSION:
                    continue
                self._raw_call(
                    f"index template {tname}",
                    self._es.indices.put_index_template,
                    name=tname,
                    index_patterns=patterns,
                    priority=500,
                    version=TEMPLATE_VERSION,
                    template={"settings": _INDEX_SETTINGS, "mappings": mappings},
                    meta={"description": "SOC store (soc/store/elastic.py)"},
                )
            self._ready = True

    def _template_version(self, name: str) -> int | None:
        try:
            have = self._raw_call("template check", self._es.indices.get_index_template, name=name)
        except StoreError as exc:
            if isinstance(exc.__cause__, NotFoundError):
                return None
            raise
        templates = have["index_templates"]
        return templates[0]["index_template"].get("version") if templates else None

    def _query(self, query: Query, start: datetime | None, end: datetime | None, dataset: str | None = None) -> dict:
        must: list[dict[str, Any]] = []
        if isinstance(query, Mapping):
            must.append(dict(query.get("query", query)))
        elif isinstance(query, str) and query.strip():
            must.append({"query_string": {"query": rewrite_query(query), "lenient": True}})
        elif query is not None and not isinstance(query, str):
            raise StoreError(f"the Elasticsearch store takes Lucene query strings or query DSL, not {type(query).__name__}")
        filters: list[dict[str, Any]] = []
        if start is not None or end is not None:
            rng: dict[str, Any] = {"format": "epoch_millis"}
            if start is not None:
                rng["gte"] = _ms(start)
            if end is not None:
                rng["lt"] = _ms(end)
            filters.append({"range": {"@timestamp": rng}})
        if dataset is not None:
            should: list[dict[str, Any]] = [{"term": {"event.dataset": dataset}}]
            if dataset == "unknown":
                should.append({"bool": {"must_not": {"exists": {"field": "event.dataset"}}}})
            filters.append({"bool": {"should": should, "minimum_should_match": 1}})
        if not must and not filters:
            return {"match_all": {}}
        return {"bool": {"must": must, "filter": filters}}

    def _search(self, index: str, **body: Any) -> dict[str, Any]:
        return self._call(f"search of {index}", self._es.search, index=index, ignore_unavailable=True,
                          allow_no_indices=True, track_total_hits=False, **body)

    def _search_all(self, index: str, query: dict, sort: list, limit: int, source: Any = True) -> list[dict]:
        """Up to `limit` hits in `sort` order (a total order), paging past the result window."""
        hits: list[dict] = []
        after = None
        while len(hits) < limit:
            size = min(MAX_WINDOW, limit - len(hits))
            extra = {"search_after": after} if after else {}
            got = self._search(index, query=query, sort=sort, size=size, _source=source, **extra)["hits"]["hits"]
            hits += got
            if len(got) < size:
                break
            after = got[-1]["sort"]
        return hits

    def _agg(self, aggs: dict, query: Query, start: datetime | None, end: datetime | None,
             dataset: str | None = None) -> dict[str, Any]:
        resp = self._search(self._events_pattern(dataset), query=self._query(query, start, end, dataset),
                            size=0, aggs=aggs)
        return resp.get("aggregations") or {}

    def _refresh(self, indices: set[str]) -> None:
        target = ",".join(sorted(indices)) if len(indices) <= 50 else self._events_pattern()
        self._call("refresh", self._es.indices.refresh, index=target, ignore_unavailable=True, allow_no_indices=True)

    def _put(self, name: str, doc_id: str | None, doc: dict[str, Any], refresh: bool = True) -> None:
        """Index one state document, visible to the next read (reads by id see it without a refresh)."""
        kwargs = {"id": _doc_id(doc_id)} if doc_id is not None else {}
        self._call(f"write to {name}", self._es.index, index=self._idx(name), document=doc, refresh=refresh, **kwargs)

    def _get(self, name: str, doc_id: str) -> dict[str, Any] | None:
        try:
            return self._call(f"read of {name}", self._es.get, index=self._idx(name), id=_doc_id(doc_id))["_source"]
        except StoreError as exc:
            if isinstance(exc.__cause__, NotFoundError):
                return None
            raise

    def _create_many(self, name: str, docs: Sequence[tuple[str, dict[str, Any]]]) -> int:
        """Create state documents by id; returns how many were new (existing ids are left as they are)."""
        created = 0
        for chunk in _chunks(list(docs), 1000):
            ops: list[Any] = []
            for doc_id, doc in chunk:
                ops += [{"create": {"_index": self._idx(name), "_id": _doc_id(doc_id)}}, doc]
            resp = self._call(f"write to {name}", self._es.bulk, operations=ops, refresh=True)
            for item in resp["items"]:
                info = item["create"]
                if info.get("status") == 201:
                    created += 1
                elif info.get("status") != 409:
                    raise StoreError(f"Elasticsearch write to {name} failed: {_reason(info)}")
        return created

    def _count(self, index: str, query: dict) -> int:
        resp = self._call(f"count of {index}", self._es.count, index=index, query=query,
                          ignore_unavailable=True, allow_no_indices=True)
        return int(resp["count"])

    # --- events ---------------------------------------------------------------------------
    def event_index(self, event: Event) -> str:
        """The daily index an event belongs to: `<p>-events-<dataset>-<yyyy.mm.dd>` (UTC day)."""
        ts = event["@timestamp"]
        if isinstance(ts, str) and len(ts) == 24 and ts[10] == "T" and ts[-1] == "Z":
            day = f"{ts[0:4]}.{ts[5:7]}.{ts[8:10]}"  # the canonical form: no parsing needed
        else:
            day = parse_ts(ts).strftime("%Y.%m.%d")
        return self._idx(f"events-{dataset_slug(event.get('event.dataset') or 'unknown')}-{day}")

    def write_events(self, events: Sequence[Event]) -> WriteResult:
        result = WriteResult()
        actions: list[dict[str, Any]] = []
        by_key: dict[tuple[str, str], Event] = {}
        for ev in events:
            try:
                eid = ev["event.id"]
                if not isinstance(eid, str) or not eid:
                    raise ValueError("event.id must be a non-empty string")
                index = self.event_index(ev)
                source = orjson.dumps(_fit(ev))  # also rejects what JSON cannot carry (lone surrogates)
            except (KeyError, ValueError, TypeError, orjson.JSONEncodeError) as exc:
                result.failed.append((ev, f"invalid event: {exc!r}"))
                continue
            by_key[(index, eid)] = ev
            actions.append({"_op_type": "create", "_index": index, "_id": eid, "_source": source})
        if not actions:
            return result
        self._setup()
        try:
            for ok, item in streaming_bulk(
                self._es, actions, chunk_size=self.bulk_chunk, max_chunk_bytes=self.bulk_max_bytes,
                raise_on_error=False, raise_on_exception=True, max_retries=5, initial_backoff=0.5,
                max_backoff=10, retry_on_status=RETRY_STATUS, yield_ok=True,
            ):
                info = next(iter(item.values()))
                status = info.get("status")
                if ok and status in (200, 201):
                    result.stored += 1
                elif status == 409:
                    result.duplicates += 1
                else:
                    ev = by_key.get((info.get("_index"), info.get("_id")), {"event.id": info.get("_id")})
                    result.failed.append((ev, f"rejected by Elasticsearch: {_reason(info)}"))
        except ApiError as exc:
            raise StoreError(f"Elasticsearch bulk write failed: {exc.status_code} {_api_reason(exc)}") from exc
        except (ESConnectionError, TransportError) as exc:
            raise StoreUnavailable(f"Elasticsearch at {self.url} unreachable during bulk write: {exc}") from exc
        finally:
            if result.stored:
                self._refresh({a["_index"] for a in actions})
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
        q = self._query(query, start, end, dataset)
        index = self._events_pattern(dataset)
        hits: list[dict] = []
        cursor = list(after) if after is not None else None
        while len(hits) < size:
            want = min(MAX_WINDOW, size - len(hits))
            extra = {"search_after": cursor} if cursor else {}
            got = self._search(index, query=q, sort=SORT, size=want, **extra)["hits"]["hits"]
            hits += got
            if len(got) < want:
                break
            cursor = got[-1]["sort"]
        events = [_event(h["_source"]) for h in hits]
        nxt = tuple(hits[-1]["sort"]) if hits and len(hits) == size else None
        return Page(events=events, next_after=nxt)

    def iter_events(
        self,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        page_size: int = 1000,
        dataset: str | None = None,
    ) -> Iterator[Event]:
        """Every match in order, paged with search_after over a point in time (one consistent view)."""
        q = self._query(query, start, end, dataset)
        size = min(page_size, MAX_WINDOW)
        pit = self._call("open point in time", self._es.open_point_in_time, index=self._events_pattern(dataset),
                         keep_alive="2m", ignore_unavailable=True)["id"]
        try:
            after = None
            while True:
                extra = {"search_after": after} if after else {}
                resp = self._call("search", self._es.search, pit={"id": pit, "keep_alive": "2m"}, query=q,
                                  sort=SORT, size=size, track_total_hits=False, **extra)
                pit = resp.get("pit_id", pit)
                hits = resp["hits"]["hits"]
                for h in hits:
                    yield _event(h["_source"])
                if len(hits) < size:
                    return
                after = hits[-1]["sort"]
        finally:
            try:
                self._es.close_point_in_time(id=pit)
            except (ApiError, ESConnectionError, TransportError):
                pass  # it expires by itself after keep_alive

    def count(
        self,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        dataset: str | None = None,
    ) -> int:
        return self._count(self._events_pattern(dataset), self._query(query, start, end, dataset))

    def terms(
        self,
        field: str,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        size: int = 100,
    ) -> list[tuple[Any, int]]:
        # fetch a margin and break count ties as SQLite does (numbers first, then text ignoring
        # ASCII case), since ES orders ip keys by address and may cut ties elsewhere
        aggs = self._agg({"t": _terms_agg(field, size + max(size, 50))}, query, start, end)
        rows = [(_bucket_value(b, field), int(b["doc_count"])) for b in aggs.get("t", {}).get("buckets", [])]
        rows.sort(key=lambda row: (-row[1], _sql_order(row[0])))
        return rows[:size]

    def histogram(
        self,
        interval_seconds: int,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[tuple[datetime, int]]:
        if int(interval_seconds) <= 0:
            raise StoreError(f"histogram interval must be positive, got {interval_seconds}")
        # fixed_interval buckets start at floor(ts / interval) * interval from the epoch, like SQLite's
        agg = {"date_histogram": {"field": "@timestamp", "fixed_interval": f"{int(interval_seconds)}s", "min_doc_count": 1}}
        aggs = self._agg({"h": agg}, query, start, end)
        return [(from_millis(int(b["key"])), int(b["doc_count"])) for b in aggs.get("h", {}).get("buckets", [])]

    def distinct_count(
        self,
        field: str,
        query: Query = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        # 40000 is the highest precision threshold: counts below it are exact (HyperLogLog++ above)
        agg = {"cardinality": {"field": _agg_field(field), "precision_threshold": 40000}}
        aggs = self._agg({"c": agg}, query, start, end)
        return int(aggs.get("c", {}).get("value") or 0)

    def time_bounds(self, query: Query = None) -> tuple[datetime | None, datetime | None]:
        aggs = self._agg({"lo": {"min": {"field": "@timestamp"}}, "hi": {"max": {"field": "@timestamp"}}}, query, None, None)
        lo, hi = (aggs.get(k, {}).get("value") for k in ("lo", "hi"))
        return (None if lo is None else from_millis(int(lo)), None if hi is None else from_millis(int(hi)))

    def get_events(self, ids: Sequence[str]) -> list[Event]:
        out: list[Event] = []
        for chunk in _chunks(list(dict.fromkeys(ids)), 1000):
            hits = self._search_all(self._events_pattern(), {"terms": {"event.id": list(chunk)}}, SORT, len(chunk))
            out += [_event(h["_source"]) for h in hits]
        out.sort(key=lambda e: (e["@timestamp"], e["event.id"]))
        return out

    def datasets(self) -> list[tuple[str, int]]:
        agg = _terms_agg("event.dataset", MAX_WINDOW)
        agg["terms"]["missing"] = "unknown"
        aggs = self._agg({"d": agg}, None, None, None)
        rows = [(str(_bucket_value(b, "event.dataset")), int(b["doc_count"])) for b in aggs.get("d", {}).get("buckets", [])]
        return sorted(rows)

    # --- dead letters ---------------------------------------------------------------------
    def write_dead_letters(self, items: Sequence[DeadLetter]) -> int:
        docs = []
        for d in items:
            key = d.id or event_id(d.source, d.offset if d.offset is not None else d.raw)
            docs.append((key, {**d.to_doc(), "at": d.at or format_ts(now_utc()), "key": key}))
        return self._create_many("deadletters", docs) if docs else 0

    def list_dead_letters(self, limit: int = 100, source: str | None = None) -> list[DeadLetter]:
        query = {"term": {"source": source}} if source is not None else {"match_all": {}}
        hits = self._search_all(self._idx("deadletters"), query, [{"at": "desc"}, {"key": "asc"}], limit)
        out = []
        for h in hits:
            doc = dict(h["_source"])
            doc.pop("key", None)
            out.append(DeadLetter.from_doc(doc))
        return out

    def count_dead_letters(self, source: str | None = None) -> int:
        query = {"term": {"source": source}} if source is not None else {"match_all": {}}
        return self._count(self._idx("deadletters"), query)

    # --- incidents ------------------------------------------------------------------------
    def save_incident(self, incident: Incident) -> None:
        doc = incident.to_dict()
        doc["entity_values"] = [str(v) for v in incident.entity.values()]
        self._put("incidents", incident.id, doc)

    def get_incident(self, incident_id: str) -> Incident | None:
        doc = self._get("incidents", incident_id)
        return Incident.from_dict(doc) if doc else None

    def list_incidents(self, flt: IncidentFilter | None = None) -> list[Incident]:
        flt = flt or IncidentFilter()
        filters: list[dict[str, Any]] = []
        for name, values in (("status", flt.status), ("severity", flt.severity)):
            if values:
                filters.append({"terms": {name: list(values)}})
        for name, value in (("rule_id", flt.rule_id), ("assignee", flt.assignee), ("entity_values", flt.entity_value)):
            if value is not None:
                filters.append({"term": {name: value}})
        sort = [{"last_seen": "desc"}, {"id": "asc"}]
        hits = self._search_all(self._idx("incidents"), {"bool": {"filter": filters}}, sort, flt.limit)
        return [Incident.from_dict(h["_source"]) for h in hits]

    def latest_incident(self, rule_id: str, group_key: str) -> Incident | None:
        query = {"bool": {"filter": [{"term": {"rule_id": rule_id}}, {"term": {"group_key": group_key}}]}}
        hits = self._search_all(self._idx("incidents"), query, [{"last_seen": "desc"}, {"id": "desc"}], 1)
        return Incident.from_dict(hits[0]["_source"]) if hits else None

    def add_evidence(self, incident_id: str, event_ids: Sequence[str], cap: int) -> int:
        have = self._count(self._idx("evidence"), {"term": {"incident_id": incident_id}})
        room = max(0, cap - have)
        if room == 0:
            return 0
        wanted = list(dict.fromkeys(event_ids))
        new: list[str] = []
        for chunk in _chunks(wanted, 1000):
            keys = [_doc_id(f"{incident_id}/{eid}") for eid in chunk]
            found = self._mget_existing("evidence", keys)
            new += [eid for eid, key in zip(chunk, keys) if key not in found]
            if len(new) >= room:
                break
        docs = [(f"{incident_id}/{eid}", {"incident_id": incident_id, "event_id": eid}) for eid in new[:room]]
        return self._create_many("evidence", docs) if docs else 0

    def _mget_existing(self, name: str, keys: Sequence[str]) -> set[str]:
        try:
            resp = self._call(f"read of {name}", self._es.mget, index=self._idx(name), ids=list(keys), _source=False)
        except StoreError as exc:
            if isinstance(exc.__cause__, NotFoundError):
                return set()
            raise
        return {d["_id"] for d in resp["docs"] if d.get("found")}

    def list_evidence(self, incident_id: str, limit: int = 1000) -> list[str]:
        hits = self._search_all(self._idx("evidence"), {"term": {"incident_id": incident_id}},
                                [{"event_id": "asc"}], 10**7, source=["event_id"])
        ids = [h["_source"]["event_id"] for h in hits]
        ts: dict[str, int] = {}
        for chunk in _chunks(ids, 1000):
            for h in self._search_all(self._events_pattern(), {"terms": {"event.id": list(chunk)}}, SORT,
                                      len(chunk), source=False):
                ts[h["_id"]] = int(h["sort"][0])
        # SQLite's ORDER BY e.ts, event_id: events that are not stored (NULL ts) come first
        ids.sort(key=lambda eid: (eid in ts, ts.get(eid, 0), eid))
        return ids[:limit]

    def append_audit(self, entry: AuditEntry) -> None:
        with self._lock:
            self._last_seq = max(time.time_ns(), self._last_seq + 1)
            seq = self._last_seq
        self._put("audit", None, {**entry.__dict__, "seq": seq})

    def list_audit(self, incident_id: str | None = None, limit: int = 500) -> list[AuditEntry]:
        if incident_id is None:
            query, sort = {"match_all": {}}, [{"seq": "desc"}]
        else:
            query, sort = {"term": {"incident_id": incident_id}}, [{"seq": "asc"}]
        hits = self._search_all(self._idx("audit"), query, sort, limit)
        out = []
        for h in hits:
            doc = dict(h["_source"])
            doc.pop("seq", None)
            out.append(AuditEntry(**doc))
        return out

    # --- checkpoints and users ------------------------------------------------------------
    def get_checkpoint(self, key: str) -> str | None:
        doc = self._get("checkpoints", key)
        return None if doc is None else str(doc["value"])

    def set_checkpoint(self, key: str, value: str) -> None:
        # Detection writes several checkpoints per rule run; a refresh each cost ~0.2 s. Reads by
        # key are real-time in Elasticsearch, so only the listing refreshes (once per call).
        self._put("checkpoints", key, {"key": key, "value": value}, refresh=False)

    def list_checkpoints(self, prefix: str = "") -> dict[str, str]:
        self._setup()
        self._refresh({self._idx("checkpoints")})
        query = {"prefix": {"key": prefix}} if prefix else {"match_all": {}}
        hits = self._search_all(self._idx("checkpoints"), query, [{"key": "asc"}], 10**7)
        return {h["_source"]["key"]: h["_source"]["value"] for h in hits}

    def save_user(self, user: User) -> None:
        self._put("users", user.username, dict(user.__dict__))

    def get_user(self, username: str) -> User | None:
        doc = self._get("users", username)
        return User(**doc) if doc else None

    def list_users(self) -> list[User]:
        hits = self._search_all(self._idx("users"), {"match_all": {}}, [{"username": "asc"}], 10**7)
        return [User(**h["_source"]) for h in hits]

    # --- retention ------------------------------------------------------------------------
    def event_indices(self) -> list[str]:
        rows = self._call("index listing", self._es.cat.indices, index=self._events_pattern(), format="json",
                          h="index", expand_wildcards="open")
        return sorted(r["index"] for r in rows)

    def apply_retention(self, days: Mapping[str, int], now: datetime, default_days: int | None = None) -> int:
        """Delete whole daily indices older than the cutoff: the UTC day that holds now - days.

        Only whole days go (the index of the cutoff day stays), as on SQLite.
        """
        keep_by_slug = {dataset_slug(ds): n for ds, n in days.items()}
        now_ms = _ms(now) or 0
        doomed: list[str] = []
        head = self._idx("events-")
        for index in self.event_indices():
            slug, _, day = index[len(head) :].rpartition("-")
            keep = keep_by_slug.get(slug, default_days)
            try:
                day_ms = _ms(datetime.strptime(day, "%Y.%m.%d").replace(tzinfo=parse_ts(now).tzinfo))
            except ValueError:
                continue  # not one of ours
            if keep is None or day_ms is None:
                continue
            cutoff = (now_ms - keep * DAY_MS) // DAY_MS * DAY_MS
            if day_ms < cutoff:
                doomed.append(index)
        deleted = 0
        for chunk in _chunks(doomed, 50):
            names = ",".join(chunk)
            deleted += self._count(names, {"match_all": {}})
            self._call("retention delete", self._es.indices.delete, index=names, ignore_unavailable=True)
        return deleted

    def close(self) -> None:
        self._es.close()


# --- aggregation helpers -------------------------------------------------------------------------
def _agg_field(field: str) -> str:
    return _field_for(field, is_regex=False)


def _terms_agg(field: str, size: int) -> dict[str, Any]:
    agg: dict[str, Any] = {
        "terms": {
            "field": _agg_field(field),
            "size": size,
            "shard_size": max(size * 5, 1000),
            "order": [{"_count": "desc"}, {"_key": "asc"}],
        }
    }
    if FIELD_TYPES.get(field, "keyword") in ("keyword", "text"):
        # keys of normalized keywords are lowercased: show the spelling of the earliest event
        agg["aggs"] = {"rep": {"top_hits": {"size": 1, "sort": SORT, "_source": {"includes": [field]}}}}
    return agg


def _bucket_value(bucket: Mapping[str, Any], field: str) -> Any:
    key = bucket["key"]
    hits = bucket.get("rep", {}).get("hits", {}).get("hits", [])
    if not isinstance(key, str) or not hits:
        return key
    value = _event(hits[0]["_source"]).get(field)
    candidates = value if isinstance(value, list) else [value]
    for v in candidates:
        if isinstance(v, str) and v.lower() == key:
            return v
    return key


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _sql_order(value: Any) -> tuple[int, Any]:
    """Sort key of SQLite's ORDER BY over a NOCASE column: numbers, then text folded in ASCII."""
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value).translate(_ASCII_LOWER))


def _api_reason(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, Mapping) else {}
    err = body.get("error")
    if isinstance(err, Mapping):
        root = (err.get("root_cause") or [err])[0]
        return f"{root.get('type')}: {root.get('reason')}"
    return str(exc.message)

