"""The syslog listener: UDP (RFC 5426) and TCP (RFC 6587, octet-counted and newline framing).

Config: `listen = "127.0.0.1:5514"`, `protocol = "udp" | "tcp"`, `format` (default auto:
detected per message across the parser registry, so one listener takes a firewall's kv, a
Palo Alto's CSV and servers' RFC 3164/5424 alike), `queue_size` (messages held between the
socket and the parser, default 10000), `batch_size` (500), `flush_interval` (s, 0.2), `tz`.

Receiving never waits on parsing or the store: a receiver thread puts each message on a
bounded queue. For UDP, when that queue is full the datagram is dropped and counted
(`dropped`): UDP has no way to slow a sender down, and blocking would only move the loss
into the kernel, uncounted. For TCP the reader blocks instead, so TCP flow control slows the
sender (back-pressure, nothing lost).

Event ids: `event_id("syslog:<proto>:<listen>", "<peer ip>|<session>|<receive seq>|<content hash>")`,
where session is unique per listener start and seq counts received messages. Every message
received is its own event, even when it repeats an earlier one byte for byte: a firewall
writes identical deny lines within one second, and an identical repeat on the wire cannot be
told from a network-duplicated datagram (syslog has no message id), so counting both is the
choice that never hides an attack; duplicated datagrams are rare on a LAN. What the id
prevents is the pipeline's own doubling: a batch retried after a store timeout or replayed
from the disk buffer after a restart keeps the ids assigned at receipt.

Limits: messages still in memory (the queue and the batch being built) when the process is
killed with -9 are lost; a clean stop (SIGTERM) delivers or buffers them. A sender that
retransmits after a TCP reconnect sends duplicates we store twice.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import queue
import socket
import threading
import time
from typing import Any, Mapping

from collectors.parsers.base import ParseContext
from collectors.shipper import Delivery, Shipper, SourceStats
from collectors.sources.tail import FormatParser, decode
from soc.errors import ConfigError, ParseError, SocError
from soc.events import event_id, now_utc
from soc.store.base import Store

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
REFRESH_SECONDS = 60.0
_TRAILING = b"\r\n\x00 "


def parse_listen(text: str) -> tuple[str, int]:
    """"127.0.0.1:5514" / "[::1]:5514" -> (host, port); ConfigError otherwise."""
    host, sep, port = str(text).rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ConfigError("sources.listen", f"expected host:port, got {text!r}")
    return host, int(port)


def next_frame(buf: bytes, max_message: int = MAX_MESSAGE) -> tuple[bytes | None, bytes]:
    """Cut one message off a TCP stream buffer: (message or None if incomplete, rest).

    Octet counting (RFC 6587 3.4.1) is `MSG-LEN SP <PRI>...`; anything else is non-transparent
    framing ended by LF (a CR before it and NULs are dropped). Requiring `<` after the length
    keeps a raw line that starts with digits and a space from being read as a length.
    """
    i = 0
    while i < len(buf) and buf[i] in b"\r\n\x00":
        i += 1
    if i:
        buf = buf[i:]
    if not buf:
        return None, b""
    if 48 <= buf[0] <= 57:
        sp = buf.find(b" ", 0, 11)
        if sp > 0 and buf[:sp].isdigit() and (len(buf) <= sp + 1 or buf[sp + 1:sp + 2] == b"<"):
            n = int(buf[:sp])
            if len(buf) < sp + 1 + n:
                return None, buf
            return buf[sp + 1:sp + 1 + n], buf[sp + 1 + n:]
    nl = buf.find(b"\n")
    if nl < 0:
        if len(buf) >= max_message:
            return buf[:max_message], buf[max_message:]
        return None, buf
    end = nl - 1 if nl and buf[nl - 1] == 13 else nl
    return buf[:end], buf[nl + 1:]


class SyslogSource:
    kind = "syslog"

    def __init__(self, name: str, cfg: Mapping[str, Any], delivery: Delivery, store: Store, tz: str) -> None:
        self.name = name
        self.protocol = str(cfg.get("protocol", "udp")).lower()
        if self.protocol not in ("udp", "tcp"):
            raise ConfigError(f"sources.{name}.protocol", "must be 'udp' or 'tcp'")
        if not cfg.get("listen"):
            raise ConfigError(f"sources.{name}.listen", "a syslog source needs `listen = \"host:port\"`")
        host, port = parse_listen(str(cfg["listen"]))
        self.fmt = str(cfg.get("format", "auto"))
        FormatParser(self.fmt)
        self.tz = str(cfg.get("tz") or tz)
        self.batch_size = int(cfg.get("batch_size", 500))
        self.flush_interval = float(cfg.get("flush_interval", 0.2))
        self.queue: queue.Queue[tuple[str, bytes, int]] = queue.Queue(maxsize=int(cfg.get("queue_size", 10000)))
        self.stats = SourceStats()
        self.shipper = Shipper(store, batch_size=self.batch_size, delivery=delivery, source=name)
        delivery.register(name, None)
        self.sock = self._bind(host, port)
        self.address = "%s:%d" % self.sock.getsockname()[:2]
        self.identity = f"syslog:{self.protocol}:{cfg['listen']}"
        self.session = f"{time.time_ns():x}"
        self._seq = itertools.count(1)
        self._parsers: dict[str, FormatParser] = {}
        self._ctx = ParseContext(source=self.identity, tz=self.tz, now=now_utc())
        self._conns = 0
        self._kernel_drops: int | None = None
        self._ready = threading.Event()

    def _bind(self, host: str, port: int) -> socket.socket:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        kind = socket.SOCK_DGRAM if self.protocol == "udp" else socket.SOCK_STREAM
        sock = socket.socket(family, kind)
        if self.protocol == "tcp":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart despite TIME_WAIT
        else:  # (on UDP, SO_REUSEADDR would let two collectors share a port and split the messages)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise SocError(f"syslog source {self.name}: cannot listen on {host}:{port} ({exc.strerror})") from None
        if self.protocol == "tcp":
            sock.listen(64)
        sock.settimeout(0.5)
        return sock

    def wait_ready(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    def status(self) -> dict[str, Any]:
        out = {"listen": self.address, "protocol": self.protocol, "queued": self.queue.qsize(),
               "queue_size": self.queue.maxsize, "connections": self._conns}
        if self.protocol == "udp":
            out["kernel_drops"] = self.kernel_drops()
        return out

    def kernel_drops(self) -> int | None:
        """Datagrams the kernel dropped on our socket (its receive buffer was full), from
        /proc/net/udp; None where that is not available. Not counted in `dropped`."""
        if self.sock.fileno() < 0:
            return self._kernel_drops  # closed: the count read just before closing
        port = int(self.address.rpartition(":")[2])
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            try:
                with open(table) as f:
                    rows = f.read().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                cols = row.split()
                if len(cols) >= 13 and int(cols[1].rpartition(":")[2], 16) == port and cols[3] == "07":
                    self._kernel_drops = int(cols[12])
                    return self._kernel_drops
        return None

    # --- threads ----------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        recv_stop = threading.Event()
        target = self._recv_udp if self.protocol == "udp" else self._accept_tcp
        receiver = threading.Thread(target=target, args=(recv_stop,), name=f"{self.name} receiver", daemon=True)
        receiver.start()
        self._ready.set()
        try:
            self._work(stop)
        finally:
            recv_stop.set()
            receiver.join(timeout=5)
            if self.protocol == "udp":
                self.kernel_drops()
            self.sock.close()
            self._drain()

    def _recv_udp(self, stop: threading.Event) -> None:
        sock, q, stats = self.sock, self.queue, self.stats
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(65535)
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            seq = next(self._seq)
            try:
                q.put_nowait((f"{peer[0]}:{peer[1]}", data, seq))
            except queue.Full:
                stats.dropped += 1

    def _accept_tcp(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            threading.Thread(target=self._read_tcp, args=(conn, f"{peer[0]}:{peer[1]}", stop),
                             name=f"{self.name} {peer[0]}:{peer[1]}", daemon=True).start()

    def _read_tcp(self, conn: socket.socket, peer: str, stop: threading.Event) -> None:
        self._conns += 1
        conn.settimeout(0.5)
        buf = b""
        try:
            while not stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except (TimeoutError, socket.timeout):
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
                while True:
                    msg, buf = next_frame(buf)
                    if msg is None:
                        break
                    self._put_blocking(peer, msg, stop)
            if buf.strip(_TRAILING):
                self._put_blocking(peer, buf, stop)  # the last line of a closed stream, unterminated
        finally:
            self._conns -= 1
            conn.close()

    def _put_blocking(self, peer: str, msg: bytes, stop: threading.Event) -> None:
        item = (peer, msg, next(self._seq))
        while True:
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                if stop.is_set():
                    self.queue.put(item)  # the worker drains at stop; keep the message
                    return

    # --- parsing ----------------------------------------------------------------------------
    def _work(self, stop: threading.Event) -> None:
        last_flush = last_refresh = time.monotonic()
        while not stop.is_set():
            try:
                item = self.queue.get(timeout=self.flush_interval)
            except queue.Empty:
                item = None
            if item is not None:
                self._handle(*item)
            now = time.monotonic()
            if now - last_flush >= self.flush_interval:
                self.shipper.flush()
                last_flush = now
            if now - last_refresh >= REFRESH_SECONDS:
                self._ctx.refresh()
                last_refresh = now

    def _drain(self) -> None:
        while True:
            try:
                self._handle(*self.queue.get_nowait())
            except queue.Empty:
                break
        self.shipper.flush()

    def _handle(self, peer: str, data: bytes, seq: int) -> None:
        raw = data.rstrip(_TRAILING)
        if not raw:
            return
        self.stats.received += 1
        self.stats.last_received_at = time.time()
        ip = peer.rpartition(":")[0]
        digest = hashlib.blake2b(raw, digest_size=8).hexdigest()
        key = f"{ip}|{self.session}|{seq}|{digest}"
        text, bad = decode(raw)
        parser = self._parsers.get(ip)
        if parser is None:
            parser = self._parsers[ip] = FormatParser(self.fmt)
            parser.choose([text])
        try:
            event = parser.parse(text, self._ctx)
        except ParseError as exc:
            self.stats.parse_failed += 1
            self.shipper.dead_letter(self.identity, f"{exc.reason} (from {peer})", raw.decode("utf-8", "surrogateescape"),
                                     None, dead_id=event_id(self.identity, key))
            return
        if event is None:
            self.stats.skipped += 1
            return
        event["log.source.address"] = peer
        if "log.original" not in event:
            event["log.original"] = text
        if bad:
            event["tags"] = [*event.get("tags", []), "encoding_error"]
        self.stats.saw_event(event)
        self.shipper.ship(event, self.identity, key)
