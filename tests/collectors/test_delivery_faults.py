"""Fault tests of delivery on loopback, with a real `soc collect` process and a real SQLite file.

kill -9 mid-stream (ten times), a store held locked by another connection while lines keep
coming, rotation by rename and by copytruncate while writing, syslog over UDP and TCP, a UDP
flood. Each compares what the store holds with what was written: every line exactly once.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest

from collectors.collect import CollectOptions, run_collect
from soc.config import load_settings
from soc.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]


def auth_line(i: int) -> str:
    """A real-shaped sshd line, unique by its user name and port."""
    return (f"Nov 23 05:{(i // 60) % 60:02d}:{i % 60:02d} web01 sshd[{1000 + i % 5000}]: Failed password for "
            f"invalid user u{i:06d} from 203.0.113.{i % 250 + 1} port {1024 + i} ssh2")


def write_config(tmp: Path, sources: str) -> Path:
    home = tmp / "home"
    cfg = tmp / "soc.toml"
    cfg.write_text(f'home = "{home}"\n[store]\nurl = "sqlite:///{home / "soc.db"}"\n{sources}')
    return cfg


def file_source(pattern: Path, **extra: object) -> str:
    more = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in extra.items())
    return f'[[sources]]\ntype = "file"\nname = "app"\npath = "{pattern}"\nformat = "auto"\n{more}'


def stored_lines(db: Path) -> list[str]:
    """log.original of every stored event, in the order the store received them (rowid)."""
    con = sqlite3.connect(db)
    try:
        return [orjson.loads(d)["log.original"] for (d,) in con.execute("SELECT doc FROM events ORDER BY rowid")]
    finally:
        con.close()


def count_events(db: Path) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def wait_for(cond, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Writer(threading.Thread):
    """Appends numbered lines to a log at a steady pace; `rotate` runs between lines."""

    def __init__(self, path: Path, total: int, per_second: float, rotate=None, every: int = 0) -> None:
        super().__init__(daemon=True)
        self.path, self.total, self.pause = path, total, 1.0 / per_second
        self.rotate, self.every = rotate, every
        self.lines: list[str] = []

    def run(self) -> None:
        f = self.path.open("a")
        for i in range(self.total):
            if self.rotate and i and i % self.every == 0:
                f = self.rotate(f, i)
            line = auth_line(i)
            self.lines.append(line)
            f.write(line + "\n")
            f.flush()
            time.sleep(self.pause)
        f.close()


class InProcess:
    """run_collect in a thread of the test process."""

    def __init__(self, cfg: Path, **opts: float) -> None:
        self.settings = load_settings(cfg, env={})
        self.store = SQLiteStore(self.settings.store.url[len("sqlite://"):])
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.summary = None
        options = CollectOptions(stats_interval=0.5, **opts)
        self.thread = threading.Thread(target=self._run, args=(options,), daemon=True)
        self.thread.start()
        assert self.ready.wait(10), "collector did not start"

    def _run(self, options: CollectOptions) -> None:
        self.summary = run_collect(self.settings, self.store, self.stop, options, ready=self.ready)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(60)
        assert not self.thread.is_alive(), "collector did not stop"
        self.store.close()


# ------------------------------------------------------------------------------ kill -9


def start_collect(cfg: Path) -> subprocess.Popen:
    env = dict(os.environ, SOC_STATS_INTERVAL="0.5")
    env.pop("SOC_STORE", None)
    return subprocess.Popen([sys.executable, "-m", "soc.cli", "collect", "--config", str(cfg)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.timeout(90)
def test_kill_9_ten_times_mid_stream_stores_every_line_exactly_once(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    cfg = write_config(tmp_path, file_source(logs / "*.log", poll_interval=0.05))
    db = tmp_path / "home" / "soc.db"
    writer = Writer(logs / "auth.log", total=12000, per_second=1500)
    writer.start()
    progress = []
    for k in range(10):
        before = count_events(db)
        proc = start_collect(cfg)
        wait_for(lambda: count_events(db) > before, 20, f"progress after restart {k}")
        time.sleep(0.1 + 0.07 * k)  # kill at a different point of the stream each time
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        progress.append(count_events(db))
    writer.join(30)
    proc = start_collect(cfg)
    try:
        wait_for(lambda: count_events(db) >= len(writer.lines), 30, "all lines after the last restart")
        time.sleep(0.5)  # would a late duplicate show up?
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert progress == sorted(progress) and progress[0] < progress[-1] < len(writer.lines)
    got = stored_lines(db)
    assert len(got) == len(writer.lines) == 12000
    assert set(got) == set(writer.lines)
    store = SQLiteStore(str(db))
    try:
        ev = store.get_events([e["event.id"] for e in store.search(query="`user.name` = 'u000777'").events])[0]
        assert ev["source.ip"] == "203.0.113.28" and ev["source.port"] == 1801
        assert ev["event.outcome"] == "failure" and ev["log.file.path"] == str(logs / "auth.log")
        assert ev["log.offset"] == sum(len(auth_line(i)) + 1 for i in range(777))
        assert store.count_dead_letters() == 0
    finally:
        store.close()


# ------------------------------------------------------------------------------ store outage


@pytest.mark.timeout(60)
def test_store_locked_by_another_connection_buffers_on_disk_then_delivers_all_in_order(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    cfg = write_config(tmp_path, file_source(logs / "*.log", poll_interval=0.05, batch_size=200))
    col = InProcess(cfg, write_timeout=0.5, buffer_max_bytes=150_000)
    db = tmp_path / "home" / "soc.db"
    buffer_dir = tmp_path / "home" / "buffer"
    writer = Writer(logs / "app.log", total=6000, per_second=1000)
    try:
        writer.start()
        wait_for(lambda: count_events(db) > 500, 10, "first lines stored")
        locker = sqlite3.connect(db, isolation_level=None, timeout=30)
        locker.execute("BEGIN EXCLUSIVE")  # the store is now unwritable for the collector
        held_at = count_events(db)
        max_buffered, saw_paused = 0, False
        end = time.monotonic() + 6
        while time.monotonic() < end:
            size = sum(f.stat().st_size for f in buffer_dir.glob("*.batch"))
            max_buffered = max(max_buffered, size)
            saw_paused |= col.summary is None and _delivery(col).paused
            time.sleep(0.05)
        assert count_events(db) == held_at  # nothing got through the lock
        assert max_buffered > 0, "batches should wait in the disk buffer during the outage"
        assert max_buffered <= 150_000 + 60_000, "the buffer stays near its cap"
        assert saw_paused, "a full buffer pauses the sources"
        locker.execute("COMMIT")
        locker.close()
        writer.join(30)
        wait_for(lambda: count_events(db) >= len(writer.lines), 30, "all lines after the outage")
    finally:
        col.close()
    got = stored_lines(db)
    assert got == writer.lines  # every line once, stored in the order written
    assert not list(buffer_dir.glob("*.batch"))


def _delivery(col: InProcess):
    import gc

    from collectors.shipper import Delivery

    return next(o for o in gc.get_objects() if isinstance(o, Delivery) and o.store is col.store)


# ------------------------------------------------------------------------------ rotation


def rename_rotation(path: Path):
    def rotate(f, i):
        f.write(auth_line(10_000_000 + i))  # an unterminated last line: emitted whole at rotation
        f.close()
        writer_lines.append(auth_line(10_000_000 + i))
        if path.with_suffix(".log.1").exists():
            os.replace(path.with_suffix(".log.1"), path.with_suffix(".log.2"))
        os.replace(path, path.with_suffix(".log.1"))
        return path.open("a")

    writer_lines: list[str] = []
    return rotate, writer_lines


@pytest.mark.timeout(40)
def test_rename_rotation_while_writing_loses_and_doubles_nothing(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    cfg = write_config(tmp_path, file_source(logs / "*.log", poll_interval=0.05, rotate_wait=0.3))
    col = InProcess(cfg)
    rotate, partials = rename_rotation(logs / "app.log")
    writer = Writer(logs / "app.log", total=3000, per_second=1500, rotate=rotate, every=700)
    writer.start()
    writer.join(30)
    db = tmp_path / "home" / "soc.db"
    expected = writer.lines + partials
    try:
        wait_for(lambda: count_events(db) >= len(expected), 20, "every line of every rotated file")
        time.sleep(0.5)
    finally:
        col.close()
    got = stored_lines(db)
    assert len(partials) == 4
    assert sorted(got) == sorted(expected)
    assert len(got) == len(set(got))


@pytest.mark.timeout(40)
def test_copytruncate_rotation_while_writing_loses_and_doubles_nothing(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    cfg = write_config(tmp_path, file_source(logs / "*.log", poll_interval=0.2, rotate_wait=0.3))
    col = InProcess(cfg)
    path = logs / "app.log"

    def copytruncate(f, i):
        f.write(auth_line(20_000_000 + i))  # unterminated: it survives only in the copy
        f.flush()
        partials.append(auth_line(20_000_000 + i))
        shutil.copyfile(path, logs / "app.log.1")
        with path.open("r+") as t:
            t.truncate(0)
        f.write("\n")  # the writer does not know: its newline lands first in the new content
        return f

    partials: list[str] = []
    writer = Writer(path, total=3000, per_second=1000, rotate=copytruncate, every=900)
    writer.start()
    writer.join(30)
    db = tmp_path / "home" / "soc.db"
    expected = writer.lines + partials
    try:
        wait_for(lambda: count_events(db) >= len(expected), 20, "every line, from the file and its copies")
        time.sleep(0.5)
    finally:
        col.close()
    got = stored_lines(db)
    assert len(partials) == 3
    assert sorted(got) == sorted(expected)
    assert len(got) == len(set(got))


# ------------------------------------------------------------------------------ syslog


def free_port(kind: int) -> int:
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.timeout(30)
def test_syslog_udp_and_tcp_octet_counted_and_newline_delivered(tmp_path):
    udp, tcp = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    cfg = write_config(tmp_path, f'[[sources]]\ntype = "syslog"\nname = "udp"\nlisten = "127.0.0.1:{udp}"\n'
                                 f'protocol = "udp"\n[[sources]]\ntype = "syslog"\nname = "tcp"\n'
                                 f'listen = "127.0.0.1:{tcp}"\nprotocol = "tcp"\n')
    col = InProcess(cfg)
    u1 = "<38>Nov 23 05:01:02 bastion sshd[811]: Failed password for root from 198.51.100.7 port 40022 ssh2"
    u2 = "<86>1 2026-11-23T05:01:03.120+07:00 web02 sudo - - - alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls"
    t_octet = "<38>Nov 23 05:01:04 bastion sshd[812]: Accepted publickey for deploy from 10.10.10.5 port 51000 ssh2"
    t_line = "<38>Nov 23 05:01:05 bastion sshd[813]: Invalid user oracle from 198.51.100.9 port 40100"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for msg in (u1, u2, u1):  # u1 twice: a repeated line is a second event
                s.sendto(msg.encode(), ("127.0.0.1", udp))
        with socket.create_connection(("127.0.0.1", tcp)) as c:
            data = t_octet.encode()
            c.sendall(b"%d " % len(data) + data + (t_line + "\n").encode()[:30])
            time.sleep(0.2)  # the newline-framed message arrives in two pieces
            c.sendall((t_line + "\n").encode()[30:])
        db = tmp_path / "home" / "soc.db"
        wait_for(lambda: count_events(db) >= 5, 10, "five syslog messages")
    finally:
        col.close()
    store = SQLiteStore(str(tmp_path / "home" / "soc.db"))
    try:
        events = list(store.iter_events())
        by_text = {}
        for ev in events:
            by_text.setdefault(ev["log.original"], []).append(ev)
        assert sorted(len(v) for v in by_text.values()) == [1, 1, 1, 2]
        assert len({e["event.id"] for e in by_text[u1]}) == 2
        root = by_text[u1][0]
        assert root["user.name"] == "root" and root["source.ip"] == "198.51.100.7" and root["event.outcome"] == "failure"
        assert root["log.source.address"].startswith("127.0.0.1:") and root["host.name"] == "bastion"
        assert by_text[u2][0]["host.name"] == "web02" and by_text[u2][0]["@timestamp"] == "2026-11-22T22:01:03.120Z"
        assert by_text[t_octet][0]["user.name"] == "deploy" and by_text[t_octet][0]["event.outcome"] == "success"
        assert by_text[t_line][0]["source.ip"] == "198.51.100.9"
        stats = {r["name"]: r for r in col.summary.sources.values()}
        assert stats["udp"]["received"] == 3 and stats["udp"]["stored"] == 3 and stats["udp"]["dropped"] == 0
        assert stats["tcp"]["received"] == 2 and stats["tcp"]["stored"] == 2
    finally:
        store.close()


@pytest.mark.timeout(30)
def test_udp_flood_drops_datagrams_when_the_queue_is_full_and_counts_them(tmp_path):
    udp = free_port(socket.SOCK_DGRAM)
    cfg = write_config(tmp_path, f'[[sources]]\ntype = "syslog"\nname = "fw"\nlisten = "127.0.0.1:{udp}"\n'
                                 f'protocol = "udp"\nqueue_size = 20\n')
    col = InProcess(cfg)
    sent = 20000
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i in range(sent):
                s.sendto(("<38>" + auth_line(i)).encode(), ("127.0.0.1", udp))
        time.sleep(1.0)
    finally:
        col.close()
    rec = col.summary.sources["fw"]
    kernel = rec["detail"]["kernel_drops"]
    assert rec["dropped"] > 0, "the full queue must drop and count"
    assert rec["received"] + rec["dropped"] + kernel == sent
    assert rec["stored"] == rec["received"] == count_events(tmp_path / "home" / "soc.db")
