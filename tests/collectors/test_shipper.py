"""The on-disk buffer and the delivery thread, against a real SQLite store held locked by a real
second connection (the way a long write or a backup would hold it)."""

from __future__ import annotations

import sqlite3
import threading
import time

from collectors.buffer import Batch, DiskBuffer
from collectors.shipper import Delivery, Shipper
from soc.store.base import DeadLetter
from soc.store.sqlite import SQLiteStore


def ev(i: int) -> dict:
    return {"@timestamp": f"2026-11-23T05:00:{i % 60:02d}.000Z", "event.id": f"id-{i:05d}", "event.dataset": "test",
            "message": f"line {i}", "log.offset": i}


def batch(k: int, n: int = 10) -> Batch:
    return Batch("src", [ev(k * n + j) for j in range(n)], [], {"f": {"offset": (k + 1) * n}}, received=n)


def test_buffer_keeps_batches_in_order_across_reopen_and_respects_its_cap(tmp_path):
    buf = DiskBuffer(tmp_path / "b", max_bytes=10_000)
    sizes = []
    k = 0
    while buf.append(batch(k)):
        sizes.append(len(batch(k).to_bytes()))
        k += 1
    assert k == 10_000 // sizes[0]  # refused exactly when the next batch would pass the cap
    assert buf.bytes == sum(sizes) <= 10_000
    again = DiskBuffer(tmp_path / "b", max_bytes=10_000)  # a restart finds them all, oldest first
    assert len(again) == k
    seen = []
    while (head := again.peek()) is not None:
        seq, b = head
        seen.append(b.offsets["f"]["offset"])
        again.pop(seq)
    assert seen == [(i + 1) * 10 for i in range(k)]
    assert not list((tmp_path / "b").glob("*.batch"))


def test_an_oversized_batch_still_enters_an_empty_buffer(tmp_path):
    buf = DiskBuffer(tmp_path / "b", max_bytes=100)
    assert buf.append(batch(0, n=50))
    assert not buf.append(batch(1))


def test_a_damaged_batch_file_is_set_aside_and_does_not_block_the_rest(tmp_path):
    buf = DiskBuffer(tmp_path / "b")
    buf.append(batch(0))
    buf.append(batch(1))
    first = sorted((tmp_path / "b").glob("*.batch"))[0]
    first.write_bytes(b"{not json")
    (tmp_path / "b" / "0000000000000099.tmp").write_bytes(b"half")  # a write cut by a crash
    buf = DiskBuffer(tmp_path / "b")
    assert not list((tmp_path / "b").glob("*.tmp"))
    seq, b = buf.peek()
    assert b.offsets == {"f": {"offset": 20}}
    assert buf.corrupt == 1 and (tmp_path / "b" / "corrupt" / first.name).exists()


def test_dead_letters_with_undecodable_bytes_survive_the_buffer_byte_for_byte(tmp_path):
    raw = b"bad \xff\xfe line".decode("utf-8", "surrogateescape")
    buf = DiskBuffer(tmp_path / "b")
    buf.append(Batch("src", [], [DeadLetter(source="/var/log/x", reason="no parser", raw=raw, offset=7)]))
    _, b = buf.peek()
    assert b.dead[0].raw.encode("utf-8", "surrogateescape") == b"bad \xff\xfe line"
    assert b.dead[0].offset == 7


def test_delivery_buffers_while_the_store_is_locked_commits_only_after_it_accepted(tmp_path):
    db = tmp_path / "soc.db"
    store = SQLiteStore(str(db))
    commits: list[int] = []
    d = Delivery(store, DiskBuffer(tmp_path / "buf"), write_timeout=0.3, retry_min=0.1, retry_max=0.3)
    d.register("src", lambda off: commits.append(off["f"]["offset"]))
    d.start()
    d.submit(batch(0))
    _wait(lambda: commits == [10])
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    for k in range(1, 6):
        d.submit(batch(k))
    _wait(lambda: len(d.buffer) >= 4)
    assert not d.store_up and commits == [10]  # nothing committed while nothing was stored
    locker.execute("COMMIT")
    locker.close()
    _wait(lambda: commits == [10, 20, 30, 40, 50, 60])
    d.close()
    rows = [r[0] for r in sqlite3.connect(db).execute("SELECT id FROM events ORDER BY rowid")]
    assert rows == [f"id-{i:05d}" for i in range(60)]  # every event once, in submission order
    c = d.counters["src"]
    assert c.stored == 60 and c.duplicates == 10 and len(d.buffer) == 0  # the timed-out write landed late
    store.close()


def test_batches_left_on_disk_by_a_stopped_collector_are_replayed_and_committed_on_next_start(tmp_path):
    db = tmp_path / "soc.db"
    store = SQLiteStore(str(db))
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    d = Delivery(store, DiskBuffer(tmp_path / "buf"), write_timeout=0.2, retry_min=5, retry_max=5)
    d.register("src", lambda off: None)
    d.start()
    for k in range(3):
        d.submit(batch(k))
    d.close(drain_seconds=0.5)  # the store is still locked: the batches stay on disk
    assert len(DiskBuffer(tmp_path / "buf")) >= 2
    locker.execute("COMMIT")
    locker.close()
    commits: list[int] = []
    d2 = Delivery(store, DiskBuffer(tmp_path / "buf"), write_timeout=5)
    d2.register("src", lambda off: commits.append(off["f"]["offset"]))
    d2.start()
    _wait(lambda: len(d2.buffer) == 0)
    d2.close()
    assert store.count() == 30
    assert commits[-1] == 30 and commits == sorted(commits)
    store.close()


def test_synchronous_shipper_counts_stored_duplicates_and_refused_events(tmp_path):
    store = SQLiteStore(str(tmp_path / "soc.db"))
    flushed = []
    sh = Shipper(store, batch_size=3, on_flush=lambda: flushed.append(1))
    for i in range(4):
        sh.ship(ev(i), "src", i)
    sh.ship({"event.id": "bad", "message": "no timestamp", "log.original": "raw text"}, "src", 99)
    sh.ship(ev(0), "src", 0)  # a replay: same id
    sh.dead_letter("/var/log/x", "unparseable", "???", 5)
    sh.flush()
    assert (sh.stats.stored, sh.stats.duplicates, sh.stats.dead_lettered) == (4, 1, 2)
    reasons = sorted(d.reason for d in store.list_dead_letters())
    assert reasons[0].startswith("store refused the event") and reasons[1] == "unparseable"
    assert len(flushed) == 3  # two full batches of 3, then the dead letter
    store.close()


def _wait(cond, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached")


def test_submit_blocks_while_the_delivery_queue_is_full(tmp_path):
    db = tmp_path / "soc.db"
    store = SQLiteStore(str(db))
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    # a buffer too small for a second batch: the delivery stops taking, the queue fills, submit waits
    d = Delivery(store, DiskBuffer(tmp_path / "buf", max_bytes=1), queue_batches=2, write_timeout=0.2,
                 retry_min=0.2, retry_max=0.2)
    d.register("src", None)
    d.start()
    done = threading.Event()

    def producer() -> None:
        for k in range(8):
            d.submit(batch(k))
        done.set()

    threading.Thread(target=producer, daemon=True).start()
    time.sleep(1.5)
    assert not done.is_set() and d.paused
    assert len(d.buffer) == 1
    locker.execute("COMMIT")
    locker.close()
    assert done.wait(15)
    d.close()
    assert store.count() == 80
    store.close()
