"""File ingest on real logs: counts, idempotent replay, and nothing lost on bad input."""

from pathlib import Path

import pytest

from collectors.ingest import ingest_paths
from collectors.parsers.base import get_parser
from soc.errors import SocError


def test_openssh_sample_is_stored_and_replay_adds_nothing(shared_data, sqlite_store):
    path = shared_data / "loghub" / "OpenSSH_2k.log"
    (first,) = ingest_paths([path], sqlite_store)
    assert first.format in ("sshd", "linux_auth")
    assert first.stats.read == 2000
    assert first.stats.stored >= 1980  # >= 99 % parsed
    assert first.stats.stored + first.stats.dead_lettered + first.stats.skipped == 2000
    (again,) = ingest_paths([path], sqlite_store)
    assert (again.stats.stored, again.stats.duplicates) == (0, first.stats.stored)
    assert sqlite_store.count() == first.stats.stored
    # the busiest attacker of the sample, counted from the raw file
    raw = path.read_text()
    expected = sum(1 for ln in raw.splitlines() if "Failed password" in ln and "183.62.140.253" in ln)
    q = "`source.ip` = '183.62.140.253' AND `event.outcome` = 'failure' AND `message` LIKE '%Failed password%'"
    assert sqlite_store.count(q) == expected > 100


def test_bad_lines_go_to_dead_letters_with_reason_and_exact_bytes(shared_data, sqlite_store, tmp_path):
    good = (shared_data / "loghub" / "OpenSSH_2k.log").read_bytes().splitlines()[:3]
    bad_bytes = b"Dec 10 07:00:00 LabSZ sshd[1]: Failed password for r\xf4ot from 1.2.3.4 port 22 ssh2"
    garbage = b"\x00\x01 this is not a log line at all"
    f = tmp_path / "auth.log"
    f.write_bytes(b"\n".join(good + [bad_bytes, garbage]) + b"\n")
    (res,) = ingest_paths([f], sqlite_store, fmt="sshd")
    assert res.stats.read == 5
    assert res.stats.stored == 4  # the non-UTF-8 line still becomes an event
    assert res.stats.dead_lettered == 1
    (dl,) = sqlite_store.list_dead_letters()
    assert dl.raw.encode("utf-8", "surrogateescape") == garbage
    assert dl.reason and dl.offset == len(b"\n".join(good + [bad_bytes])) + 1
    (ev,) = [e for e in sqlite_store.iter_events() if "encoding_error" in e.get("tags", [])]
    assert ev["source.ip"] == "1.2.3.4"
    assert "\\xf4" in ev["log.original"]


def test_empty_file_reads_nothing(sqlite_store, tmp_path):
    f = tmp_path / "empty.log"
    f.write_bytes(b"")
    (res,) = ingest_paths([f], sqlite_store)
    assert (res.stats.read, res.stats.stored, res.stats.dead_lettered) == (0, 0, 0)


def test_missing_file_is_a_clear_error_before_anything_is_written(shared_data, sqlite_store, tmp_path):
    with pytest.raises(SocError, match="no such file"):
        ingest_paths([shared_data / "loghub" / "OpenSSH_2k.log", tmp_path / "nope.log"], sqlite_store)
    assert sqlite_store.count() == 0


def test_unknown_format_is_a_clear_error(sqlite_store, shared_data):
    with pytest.raises(SocError, match="unknown log format"):
        ingest_paths([shared_data / "loghub" / "OpenSSH_2k.log"], sqlite_store, fmt="nonsense")


def test_year_less_lines_take_the_year_of_the_file(sqlite_store, tmp_path):
    import os
    from datetime import datetime, timezone

    f = tmp_path / "auth.log"
    f.write_text("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n")
    mtime = datetime(2025, 12, 31, tzinfo=timezone.utc).timestamp()
    os.utime(f, (mtime, mtime))
    ingest_paths([f], sqlite_store, fmt="sshd")
    (ev,) = list(sqlite_store.iter_events())
    assert ev["@timestamp"].startswith("2025-12-09T23:55:46")  # 06:55 at +07:00
    assert ev["log.file.path"] == str(f.resolve()) and ev["log.offset"] == 0
