"""Syslog framing (RFC 6587) and the listener's handling of what it cannot parse."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.collect import CollectOptions, run_collect
from collectors.sources.syslog import next_frame, parse_listen
from soc.config import load_settings
from soc.errors import ConfigError, SocError
from soc.store.sqlite import SQLiteStore


def frames(buf: bytes) -> tuple[list[bytes], bytes]:
    out = []
    while True:
        msg, buf = next_frame(buf)
        if msg is None:
            return out, buf
        out.append(msg)


def test_octet_counted_and_newline_frames_mixed_in_one_stream():
    a = b"<34>1 2026-11-23T05:00:00Z fw01 kernel - - - line with\nan embedded newline"
    b = b"<38>Nov 23 05:00:01 web01 sshd[1]: plain"
    got, rest = frames(b"%d " % len(a) + a + b + b"\r\n" + b"12 <38>partial")
    assert got == [a, b]
    assert rest == b"12 <38>partial"  # incomplete: waits for the rest


def test_a_raw_line_starting_with_digits_is_not_read_as_a_length():
    got, rest = frames(b"2026-11-23 05:00:00 fw01 deny\n42 apples and pears\n")
    assert got == [b"2026-11-23 05:00:00 fw01 deny", b"42 apples and pears"] and rest == b""


def test_an_endless_line_is_cut_at_the_maximum_message_size():
    msg, rest = next_frame(b"x" * 70000, max_message=65536)
    assert len(msg) == 65536 and rest == b"x" * (70000 - 65536)


messages = st.lists(st.binary(min_size=1, max_size=80).map(lambda b: b"<13>" + b.replace(b"\n", b" ").strip(b"\r\x00 ")),
                    min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(messages, st.lists(st.booleans(), min_size=20, max_size=20), st.integers(1, 50))
def test_any_mix_of_framings_in_any_chunking_gives_back_the_messages(msgs, octet, chunk):
    stream = b"".join((b"%d " % len(m) + m) if octet[i] else m + b"\n" for i, m in enumerate(msgs))
    got, buf = [], b""
    for i in range(0, len(stream), chunk):  # as TCP may cut it
        buf += stream[i:i + chunk]
        more, buf = frames(buf)
        got += more
    assert got == msgs
    assert buf == b""


def test_listen_addresses():
    assert parse_listen("127.0.0.1:5514") == ("127.0.0.1", 5514)
    assert parse_listen("[::1]:514") == ("::1", 514)
    for bad in ("5514", "localhost", "127.0.0.1:http", "1.2.3.4:70000"):
        with pytest.raises(ConfigError):
            parse_listen(bad)


def test_unparseable_datagrams_are_dead_letters_and_a_busy_port_is_a_clear_error(tmp_path):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    cfg = tmp_path / "soc.toml"
    cfg.write_text(f'home = "{tmp_path / "home"}"\n[[sources]]\ntype = "syslog"\nname = "fw"\n'
                   f'listen = "127.0.0.1:{port}"\nprotocol = "udp"\nformat = "syslog"\n')
    settings_ = load_settings(cfg, env={})
    store = SQLiteStore(str(tmp_path / "home" / "soc.db"))
    stop, ready = threading.Event(), threading.Event()
    t = threading.Thread(target=run_collect, args=(settings_, store, stop, CollectOptions(stats_interval=0.3), ready))
    t.start()
    assert ready.wait(10)
    try:
        with pytest.raises(SocError, match="cannot listen"):  # a second collector on the same port
            run_collect(settings_, store, threading.Event(), CollectOptions())
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
            c.sendto(b"\xff\xfe garbage that is not syslog", ("127.0.0.1", port))
            c.sendto(b"<38>Nov 23 05:01:02 web01 sshd[9]: fine", ("127.0.0.1", port))
        end = time.monotonic() + 5
        while (store.count() < 1 or store.count_dead_letters() < 1) and time.monotonic() < end:
            time.sleep(0.05)
    finally:
        stop.set()
        t.join(20)
    [d] = store.list_dead_letters()
    assert d.raw.encode("utf-8", "surrogateescape") == b"\xff\xfe garbage that is not syslog"
    assert d.source == f"syslog:udp:127.0.0.1:{port}" and "from 127.0.0.1:" in d.reason
    [ev] = list(store.iter_events())
    assert ev["host.name"] == "web01" and ev["message"] == "fine"
    store.close()
