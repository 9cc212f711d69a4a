"""Records of detection runs (rule, window, duration, hits, error), kept in the Store's checkpoints.

`run:<rule id>` holds the last run as a JSON object, with the previous ones (up to `HISTORY`,
newest first) under its "history" key: one write per run, which matters on Elasticsearch
where every write waits for a refresh. Both backends keep checkpoints, so the console and
`soc serve` see the same records.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from soc.store.base import Store

HISTORY = 50


@dataclass
class RunRecord:
    rule_id: str
    start: str | None  # window over @timestamp, half-open [start, end)
    end: str
    ran_at: str  # wall-clock time the run began
    duration_ms: float = 0.0
    hits: int = 0  # events in the alerts
    alerts: int = 0
    incidents: list[str] = field(default_factory=list)  # ids created or changed
    error: str | None = None
    note: str | None = None  # e.g. "store is empty"

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RunRecord":
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in names})


def save_run(store: Store, record: RunRecord) -> None:
    previous = _load(store.get_checkpoint(f"run:{record.rule_id}"))
    history = ([previous[0]] + previous[1] if previous else [])[: HISTORY - 1]
    doc = asdict(record) | {"history": [asdict(r) for r in history]}
    store.set_checkpoint(f"run:{record.rule_id}", json.dumps(doc, ensure_ascii=False))


def last_runs(store: Store) -> dict[str, RunRecord]:
    """The last run of every rule that ever ran, by rule id."""
    out: dict[str, RunRecord] = {}
    for key, value in store.list_checkpoints("run:").items():
        loaded = _load(value)
        if loaded:  # a damaged record must not hide the others
            out[key[len("run:"):]] = loaded[0]
    return out


def run_history(store: Store, rule_id: str) -> list[RunRecord]:
    """The recent runs of one rule, newest first."""
    loaded = _load(store.get_checkpoint(f"run:{rule_id}"))
    return [loaded[0], *loaded[1]] if loaded else []


def _load(raw: str | None) -> tuple[RunRecord, list[RunRecord]] | None:
    if not raw:
        return None
    try:
        doc = json.loads(raw)
        return RunRecord.from_dict(doc), [RunRecord.from_dict(d) for d in doc.get("history", [])]
    except (ValueError, TypeError, AttributeError):
        return None
