"""File tailing: partial lines, restarts, identity of small and identical files, rotation while
the collector was down, bad lines. Real files, a real SQLite store, run_collect in a thread."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import orjson

from collectors.collect import CollectOptions, run_collect
from soc.config import load_settings
from soc.store.sqlite import SQLiteStore

LINE = "Nov 23 05:01:{:02d} web01 sshd[4242]: Failed password for invalid user {} from 203.0.113.{} port {} ssh2"


def line(i: int, user: str = "") -> str:
    return LINE.format(i % 60, user or f"u{i:05d}", i % 250 + 1, 2000 + i)


class Collector:
    def __init__(self, tmp: Path, extra: str = "", pattern: str = "*.log") -> None:
        self.home = tmp / "home"
        self.logs = tmp / "logs"
        self.logs.mkdir(exist_ok=True)
        cfg = tmp / "soc.toml"
        cfg.write_text(f'home = "{self.home}"\n[store]\nurl = "sqlite:///{self.home / "soc.db"}"\n'
                       f'[[sources]]\ntype = "file"\nname = "app"\npath = "{self.logs / pattern}"\n'
                       f'poll_interval = 0.05\nrotate_wait = 0.3\n{extra}')
        self.settings = load_settings(cfg, env={})
        self.store = SQLiteStore(str(self.home / "soc.db"))
        self.summary = None

    def __enter__(self) -> "Collector":
        self.stop, ready = threading.Event(), threading.Event()

        def run() -> None:
            self.summary = run_collect(self.settings, self.store, self.stop, CollectOptions(stats_interval=0.3),
                                       ready=ready)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(30)

    def originals(self) -> list[str]:
        return [e["log.original"] for e in self.store.iter_events()]

    def wait_count(self, n: int, timeout: float = 10) -> None:
        end = time.monotonic() + timeout
        while self.store.count() < n and time.monotonic() < end:
            time.sleep(0.05)
        assert self.store.count() == n, f"{self.store.count()} events, expected {n}"

    def state(self) -> dict:
        f = next((self.home / "state").glob("tail-*.json"))
        return orjson.loads(f.read_bytes())["gens"]


def test_a_line_waits_for_its_newline(tmp_path):
    c = Collector(tmp_path)
    log = c.logs / "a.log"
    with c, log.open("a") as f:
        f.write(line(1) + "\n" + line(2)[:40])
        f.flush()
        c.wait_count(1)
        time.sleep(0.5)
        assert c.store.count() == 1  # the half line is not emitted
        f.write(line(2)[40:] + "\n")
        f.flush()
        c.wait_count(2)
    assert sorted(c.originals()) == sorted([line(1), line(2)])
    ev = [e for e in c.store.iter_events() if e["log.original"] == line(2)][0]
    assert ev["log.offset"] == len(line(1)) + 1 and ev["user.name"] == "u00002"


def test_restart_resumes_at_the_committed_offset_without_duplicates(tmp_path):
    c = Collector(tmp_path)
    log = c.logs / "a.log"
    log.write_text("".join(line(i) + "\n" for i in range(100)))
    with c:
        c.wait_count(100)
    assert list(c.state().values())[0]["offset"] == log.stat().st_size
    with log.open("a") as f:
        f.write("".join(line(i) + "\n" for i in range(100, 150)))
    with c:
        c.wait_count(150)
    rec = c.summary.sources["app"]
    assert rec["stored"] == 150 and rec["duplicates"] == 0 and rec["received"] == 150  # totals across runs


def test_identical_small_files_are_distinct_generations(tmp_path):
    c = Collector(tmp_path)
    for name in ("a.log", "b.log"):
        (c.logs / name).write_text(line(7) + "\n")
    with c:
        c.wait_count(2)
    assert {e["log.file.path"] for e in c.store.iter_events()} == {str(c.logs / "a.log"), str(c.logs / "b.log")}


def test_rename_while_stopped_finishes_the_old_file_from_its_new_name(tmp_path):
    c = Collector(tmp_path)
    log = c.logs / "app.log"
    log.write_text("".join(line(i) + "\n" for i in range(10)))
    with c:
        c.wait_count(10)
    with log.open("a") as f:
        f.write("".join(line(i) + "\n" for i in range(10, 20)) + line(20))  # last one unterminated
    os.replace(log, c.logs / "app.log.1")
    log.write_text(line(21) + "\n")
    with c:
        c.wait_count(22)
    assert sorted(c.originals()) == sorted(line(i) for i in range(22))
    old = [g for g in c.state().values() if g["path"] == str(log) and g["done"]]
    assert old and old[0]["offset"] == (c.logs / "app.log.1").stat().st_size


def test_copytruncate_while_stopped_reads_the_rest_from_the_copy(tmp_path):
    c = Collector(tmp_path)
    log = c.logs / "app.log"
    log.write_text("".join(line(i) + "\n" for i in range(10)))
    with c:
        c.wait_count(10)
    with log.open("a") as f:
        f.write("".join(line(i) + "\n" for i in range(10, 15)))
    shutil.copyfile(log, c.logs / "app.log-20261123")
    log.write_text(line(15) + "\n")
    with c:
        c.wait_count(16)
    assert sorted(c.originals()) == sorted(line(i) for i in range(16))


def test_truncated_without_a_copy_counts_the_lost_generation(tmp_path):
    c = Collector(tmp_path)
    log = c.logs / "app.log"
    log.write_text("".join(line(i) + "\n" for i in range(10)))
    with c:
        c.wait_count(10)
    with log.open("a") as f:
        f.write(line(10) + "\n")
    log.write_text(line(11) + "\n")  # truncated while down: line 10 is gone for good
    with c:
        c.wait_count(11)
    assert c.summary.sources["app"]["detail"]["lost_generations"] == 1
    assert line(11) in c.originals() and line(10) not in c.originals()


def test_bad_lines_become_dead_letters_with_their_bytes_and_the_rest_is_stored(tmp_path):
    c = Collector(tmp_path, extra='format = "sshd"\n')
    log = c.logs / "a.log"
    bad = b"\x00\xff this is not an auth line \xfe"
    log.write_bytes((line(1) + "\n").encode() + bad + b"\n" + (line(2) + "\n").encode())
    with c:
        c.wait_count(2)
        end = time.monotonic() + 5
        while c.store.count_dead_letters() < 1 and time.monotonic() < end:
            time.sleep(0.05)
    [d] = c.store.list_dead_letters()
    assert d.raw.encode("utf-8", "surrogateescape") == bad
    assert d.offset == len(line(1)) + 1 and d.source == str(log) and d.reason
    assert c.summary.sources["app"]["dead_lettered"] == 1


def test_new_files_matching_the_glob_are_picked_up(tmp_path):
    c = Collector(tmp_path)
    with c:
        (c.logs / "one.log").write_text(line(1) + "\n")
        c.wait_count(1)
        (c.logs / "two.log").write_text(line(2) + "\n")
        (c.logs / "skip.txt").write_text(line(3) + "\n")
        c.wait_count(2)
    assert sorted(c.originals()) == sorted([line(1), line(2)])
