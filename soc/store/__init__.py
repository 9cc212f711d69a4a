"""Store backends behind one contract; `open_store(url)` picks one by URL scheme."""

from __future__ import annotations

from soc.errors import ConfigError
from soc.store.base import DeadLetter, IncidentFilter, Page, Store, User, WriteResult

__all__ = ["DeadLetter", "IncidentFilter", "Page", "Store", "User", "WriteResult", "open_store"]


def open_store(url: str, **options: str | None) -> Store:
    """`sqlite:///abs/path.db` -> SQLiteStore; `http(s)://host:9200` -> ElasticStore."""
    if url.startswith("sqlite:///"):
        from soc.store.sqlite import SQLiteStore

        return SQLiteStore(url[len("sqlite://") :])
    if url.startswith(("http://", "https://")):
        from soc.store.elastic import ElasticStore

        return ElasticStore(url, **options)
    raise ConfigError("store.url", f"unsupported store URL {url!r}: use sqlite:///path or http(s)://host:port")
