"""FortiGate's two readers agree: the character scan (compiled hot path) and the regex (interpreted).

`scan_pairs` must give exactly `_KV.findall`, and `parse_fast` exactly `parse_exact`, on any line:
hypothesis writes lines from the characters that matter to the grammar (quotes, '=', Unicode
spaces and letters, digits int() refuses) and from FortiOS keys that rename, convert or alias.
"""

from __future__ import annotations

from datetime import datetime, timezone

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.parsers import ParseContext, fortigate, get_parser
from soc.errors import ParseError

CTX = ParseContext(year_hint=2024, tz="Asia/Ho_Chi_Minh", now=datetime(2024, 12, 31, tzinfo=timezone.utc))
HEAD = 'date=2024-01-31 time=10:00:00 type="traffic" '
# characters the grammar treats specially: key chars, '=', quotes, ASCII and Unicode spaces,
# Unicode letters (\w), Unicode digits (isdigit but not int()), the separators \x1c-\x1f,
# backslashes (an escaped quote inside a quoted value)
GRAMMAR = st.sampled_from(list('ab_-Z09="= \t\x0b\x1c\x1f\x85\xa0\u2000\u3000ệĐ²٣<>.:/\\') + ["\U0001f600"])
KEYS = st.sampled_from(["srcip", "remip", "dstip", "locip", "srcport", "remport", "dstport", "sentbyte",
                        "rcvdbyte", "type", "subtype", "action", "user", "group", "msg", "logdesc", "duration",
                        "attack", "virus", "attackid", "policyname", "policyid", "utmaction", "service", "app",
                        "srccountry", "proto", "tz", "date", "time", "x-y", "x_y", "sessionid", "ệ", "status",
                        "eventtime", "logver"])
VALUES = st.one_of(st.sampled_from(["", "5", "0", "65535", "abc", "N/A", "Reserved", "²", "٣", "12:00:00",
                                    "2024-02-01", "+0700", "block", "deny", "ssl-login-fail", "6", "17",
                                    "99999999999999999999", "123456789012345678", "ệ đ", "a b", "failed", "success",
                                    "1706670000", "1706670000123456789", 'x\\" srcip=6.6.6.6 \\"']),
                   st.text(GRAMMAR, max_size=6))


@st.composite
def fortigate_lines(draw: st.DrawFn) -> str:
    pairs = draw(st.lists(st.tuples(KEYS, VALUES, st.booleans()), max_size=12))
    body = " ".join(f'{k}="{v}"' if quoted and '"' not in v else f"{k}={v}" for k, v, quoted in pairs)
    prefix = draw(st.sampled_from(["", "<189>", "<²>", "Jan 31 10:00:00 fgt01 "]))
    junk = draw(st.text(GRAMMAR, max_size=8))
    return prefix + draw(st.sampled_from([HEAD, ""])) + body + junk


def _outcome(parse, line: str):
    try:
        return parse(line, CTX)
    except ParseError as exc:
        return f"ParseError: {exc}"


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(GRAMMAR, max_size=40), fortigate_lines(), st.text(max_size=30)), st.integers(0, 5))
def test_scan_gives_what_the_regex_finds(line, start):
    assert fortigate.scan_pairs(line, start) == fortigate._KV.findall(line, start)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(fortigate_lines(), st.text(GRAMMAR, max_size=40)))
def test_fast_path_gives_the_exact_event(line):
    assert _outcome(fortigate.parse_fast, line) == _outcome(fortigate.parse_exact, line)


def test_fast_path_on_every_sample_line_and_variants(shared_data):
    lines = (shared_data / "firewall" / "fortigate.log").read_text().splitlines()
    variants = [ln.replace('user="', 'user="Nguyễn ') for ln in lines] + [ln + ' srcip="10.0.0.1"' for ln in lines]
    for line in lines + variants:
        assert fortigate.parse_fast(line, CTX) == fortigate.parse_exact(line, CTX)
    named = [fortigate.parse_fast(v, CTX).get("user.name", "") for v in variants[:len(lines)]]
    assert sum(n.startswith("Nguyễn ") for n in named) == sum('user="' in ln for ln in lines) > 5
    assert fortigate.parse_fast(variants[-1], CTX)["source.ip"] == "10.0.0.1"  # a repeated key: the last wins


def test_integers_that_do_not_fit_or_are_not_ascii_stay_text():
    parser = get_parser("fortigate")
    line = (HEAD + "srcport=² dstport=٣ sentbyte=99999999999999999999 rcvdbyte=123456789012345678 "
            "duration=99999999999 srcip=1.2.3.4")
    ev = parser.parse("<²>" + line, CTX)  # was: "unexpected ValueError" dead letter for '²'
    assert "source.port" not in ev and ev["fortinet.firewall.srcport"] == "²"
    assert ev["fortinet.firewall.dstport"] == "٣" and "destination.port" not in ev
    assert ev["fortinet.firewall.sentbyte"] == "99999999999999999999" and "source.bytes" not in ev
    assert ev["destination.bytes"] == 123456789012345678 and "network.bytes" not in ev
    assert "event.duration" not in ev and ev["fortinet.firewall.duration"] == "99999999999"
    assert "log.syslog.priority" not in ev
    orjson.dumps(ev)  # every integer fits JSON's int64: the batch is never refused


def test_aliased_keys_with_text_keep_both_values_in_any_order():
    parser = get_parser("fortigate")
    for body in ('srcport=abc remport=5', 'remport=5 srcport=abc'):
        ev = parser.parse(HEAD + body, CTX)
        assert (ev["source.port"], ev["fortinet.firewall.srcport"]) == (5, "abc")


def test_empty_values_make_no_field_and_the_last_value_of_a_key_counts():
    parser = get_parser("fortigate")
    ev = parser.parse(HEAD + 'user="" srcip=1.1.1.1 srcip="" action=deny action=accept group=', CTX)
    assert "user.name" not in ev and "fortinet.firewall.user" not in ev and "source.ip" not in ev
    assert (ev["event.action"], ev["event.outcome"], ev["fortinet.firewall.action"]) == ("accept", "success", "accept")
    with pytest.raises(ParseError, match="without type="):
        parser.parse(HEAD + "type=", CTX)


def test_key_caches_stay_bounded():
    parser = get_parser("fortigate")
    for n in range(3 * fortigate._CACHE_MAX):
        parser.parse(HEAD + f"k{n}=v", CTX)
    assert len(fortigate._KEYS) == fortigate._CACHE_MAX
    assert parser.parse(HEAD + "zzz-new=1", CTX)["fortinet.firewall.zzz_new"] == "1"  # still named when full


def test_time_with_non_ascii_digits_is_a_dead_letter_not_a_broken_timestamp():
    parser = get_parser("fortigate")
    with pytest.raises(ParseError, match="bad FortiGate date/time"):
        parser.parse('date=2024-01-31 time=10:00:٣٣ type="traffic"', CTX)  # was "...T03:00:٣٣.000Z"
    with pytest.raises(ParseError, match="bad FortiGate date/time"):
        parser.parse('date=２０２４-01-31 time=10:00:00 type="traffic"', CTX)
    ev = parser.parse('date=2024-01-31 time=10:00:33 type="traffic"', CTX)
    assert ev["@timestamp"] == "2024-01-31T03:00:33.000Z"


def test_presized_template_is_the_template_with_room() -> None:
    """The event template has the plain template's items in its order, and its copies start with a
    hash table that holds a 60-field event without growing (the size a grown event ends at)."""
    import sys

    template = fortigate.presized(fortigate._TEMPLATE, 43)
    assert list(template.items()) == list(fortigate._TEMPLATE.items())
    grown = dict(fortigate._TEMPLATE)
    for i in range(60):
        grown[f"f{i}"] = i
    copy = template.copy()
    assert sys.getsizeof(copy) > sys.getsizeof(dict(fortigate._TEMPLATE))
    before = sys.getsizeof(copy)
    for i in range(60):
        copy[f"f{i}"] = i
    assert sys.getsizeof(copy) == before == sys.getsizeof(grown)
    assert list(copy.items()) == list(grown.items())
