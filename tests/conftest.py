"""Shared fixtures: the real public data folder, a fresh SQLite store, the real Elasticsearch node."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# CI (.ci/run sets CI=true) replays the same examples every run, so main never turns red on a
# newly drawn example; run locally without CI to let hypothesis explore new inputs.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


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


# --- the real Elasticsearch node (tools/esnode.py) ---------------------------------------------
@pytest.fixture(scope="session")
def es_url():
    """URL of a real Elasticsearch node private to this test run, started on first use, stopped at the end.

    `SOC_TEST_ES_URL` points the tests at a node that is already running instead (it is not stopped).
    When the node cannot start, every test that needs it fails with the reason: never a skip.
    """
    import subprocess
    import sys

    given = os.environ.get("SOC_TEST_ES_URL")
    if given:
        yield given.rstrip("/")
        return
    tool = [sys.executable, str(ROOT / "tools" / "esnode.py")]
    name = f"pytest-{os.getpid()}"
    subprocess.run(tool + ["reap"], capture_output=True, text=True)  # nodes left by killed runs
    cmd = tool + ["start", "--name", name, "--fresh", "--owner", str(os.getpid())]
    if os.access("/dev/shm", os.W_OK):
        # on tmpfs the node's many small fsyncs (every index created by the tests) cost nothing
        cmd += ["--data", f"/dev/shm/soc-es-{name}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if proc.returncode != 0 or not last.startswith("SOC_STORE="):
        tail = "\n".join(proc.stderr.strip().splitlines()[-40:])
        pytest.fail(f"the Elasticsearch node for the tests did not start (tools/esnode.py start):\n{tail}", pytrace=False)
    try:
        yield last.split("=", 1)[1]
    finally:
        subprocess.run(tool + ["stop", "--name", name, "--purge"], capture_output=True, text=True)
