"""Shared fixtures: the real public data folder, a fresh SQLite store, the real Elasticsearch node."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _shared_data_dir() -> Path:
    env = os.environ.get("SOC_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]
    for c in candidates:
        if (c / "PROVENANCE.md").is_file():
            return c
    raise RuntimeError(
        "the public test data folder was not found: set SOC_SHARED_DATA or place shared/data beside the checkout"
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data`: real public logs (never copied into the repo)."""
    return _shared_data_dir()


@pytest.fixture
def sqlite_store(tmp_path):
    from soc.store.sqlite import SQLiteStore

    store = SQLiteStore(str(tmp_path / "soc.db"))
    yield store
    store.close()
