"""Sigma correlation semantics over hand-made event lists with exact expected windows."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from detection.correlation import WINDOW_KEY, correlate, event_count, temporal, temporal_ordered, value_count
from detection.model import Condition, Correlation
from soc.events import format_ts

T0 = datetime(2026, 11, 23, 5, 0, 0, tzinfo=timezone.utc)


def ev(sec: float, eid: str, **fields) -> dict:
    e = {"@timestamp": format_ts(T0 + timedelta(seconds=sec)), "event.id": eid}
    e.update({k.replace("__", "."): v for k, v in fields.items()})
    return e


def at(sec: float) -> str:
    return format_ts(T0 + timedelta(seconds=sec))


def test_event_count_fires_only_where_count_in_window_meets_threshold():
    # 1.2.3.4: 5 failures in 40 s (fires at the 5th); 5.6.7.8: 5 failures spread over 5 minutes (never 5 in 60 s)
    evs = [ev(s, f"a{s}", source__ip="1.2.3.4") for s in (0, 10, 20, 30, 40)]
    evs += [ev(s, f"b{s}", source__ip="5.6.7.8") for s in (0, 70, 140, 210, 280)]
    evs.sort(key=lambda e: e["@timestamp"])
    out = event_count({"fail": evs}, ["source.ip"], 60, Condition("gte", 5))
    assert len(out) == 1
    w = out[0]
    assert w.entity == {"source.ip": "1.2.3.4"}
    assert w.event_ids == ["a0", "a10", "a20", "a30", "a40"]
    assert (w.first_seen, w.last_seen) == (at(0), at(40))
    assert w.fired_at == [(at(40), "a40")]


def test_event_count_window_edges_are_inclusive():
    # exactly timespan apart: [t - 60, t] includes both ends
    evs = [ev(0, "x"), ev(60, "y")]
    assert [w.event_ids for w in event_count({"r": evs}, [], 60, Condition("gte", 2))] == [["x", "y"]]
    evs = [ev(0, "x"), ev(60.001, "y")]
    assert event_count({"r": evs}, [], 60, Condition("gte", 2)) == []


def test_overlapping_firing_windows_merge_and_separate_bursts_do_not():
    # burst 1: 6 events 0..50 s; quiet 10 minutes; burst 2: 3 events
    evs = [ev(s, f"p{s}", source__ip="9.9.9.9") for s in (0, 10, 20, 30, 40, 50)]
    evs += [ev(700 + s, f"q{s}", source__ip="9.9.9.9") for s in (0, 5, 10)]
    out = event_count({"r": evs}, ["source.ip"], 60, Condition("gte", 3))
    assert [w.event_ids for w in out] == [
        ["p0", "p10", "p20", "p30", "p40", "p50"],
        ["q0", "q5", "q10"],
    ]
    assert [len(w.fired_at) for w in out] == [4, 1]  # windows ending at p20..p50, then q10


def test_group_by_is_case_insensitive_and_entity_is_folded():
    evs = [ev(0, "1", user__name="Admin"), ev(1, "2", user__name="ADMIN"), ev(2, "3", user__name="admin")]
    out = event_count({"r": evs}, ["user.name"], 10, Condition("gte", 3))
    assert len(out) == 1 and out[0].entity == {"user.name": "admin"} and out[0].count == 3


def test_events_at_the_same_instant_count_together():
    evs = [ev(0, "a"), ev(0, "b"), ev(0, "c")]
    out = event_count({"r": evs}, [], 1, Condition("lt", 3))
    assert out == []  # three at one instant: there is no window ending at t holding fewer than 3


def test_event_count_over_two_rules_counts_both():
    a = [ev(0, "a1", host__name="h"), ev(2, "a2", host__name="h")]
    b = [ev(1, "b1", host__name="h")]
    out = event_count({"ra": a, "rb": b}, ["host.name"], 10, Condition("gte", 3))
    assert [w.event_ids for w in out] == [["a1", "b1", "a2"]]


def test_value_count_counts_distinct_values_in_the_window():
    # 10.0.0.1 hits 4 distinct ports within 30 s (and repeats one); 10.0.0.2 hits one port 10 times
    evs = [ev(s, f"s{s}", source__ip="10.0.0.1", destination__port=p) for s, p in ((0, 22), (5, 80), (6, 80), (10, 443), (20, 3389))]
    evs += [ev(s, f"t{s}", source__ip="10.0.0.2", destination__port=22) for s in range(10)]
    evs.append(ev(25, "noport", source__ip="10.0.0.1"))  # no destination.port: ignored
    evs.sort(key=lambda e: (e["@timestamp"], e["event.id"]))
    out = value_count({"r": evs}, ["source.ip"], 30, Condition("gte", 4, field="destination.port"))
    assert len(out) == 1
    assert out[0].entity == {"source.ip": "10.0.0.1"}
    assert out[0].event_ids == ["s0", "s5", "s6", "s10", "s20"]
    assert out[0].fired_at == [(at(20), "s20")]


def test_value_count_forgets_values_that_left_the_window():
    # ports 1,2,3 at 0..2 s, then 1,2,3 again at 100..102: never 4 distinct within 10 s, and 3 distinct twice
    evs = [ev(s, f"e{s}", destination__port=p) for s, p in ((0, 1), (1, 2), (2, 3), (100, 1), (101, 2), (102, 3))]
    assert value_count({"r": evs}, [], 10, Condition("gte", 4, field="destination.port")) == []
    out = value_count({"r": evs}, [], 10, Condition("gte", 3, field="destination.port"))
    assert [w.event_ids for w in out] == [["e0", "e1", "e2"], ["e100", "e101", "e102"]]


def test_value_count_over_several_fields_counts_combinations():
    evs = [ev(0, "a", destination__ip="10.0.0.1", destination__port=22), ev(1, "b", destination__ip="10.0.0.2", destination__port=22),
           ev(2, "c", destination__ip="10.0.0.1", destination__port=22), ev(3, "d", destination__ip="10.0.0.1", destination__port=80)]
    out = value_count({"r": evs}, [], 10, Condition("gte", 3, field="destination.ip,destination.port"))
    assert [(w.event_ids, w.fired_at) for w in out] == [(["a", "b", "c", "d"], [(at(3), "d")])]


def test_temporal_any_order_same_group_within_timespan():
    fail = [ev(0, "f1", source__ip="1.1.1.1"), ev(5, "f2", source__ip="2.2.2.2")]
    ok = [ev(-30, "o1", source__ip="1.1.1.1"), ev(500, "o2", source__ip="2.2.2.2")]
    out = temporal({"fail": fail, "ok": ok}, ["source.ip"], 60)
    # 1.1.1.1: success 30 s before failure still counts (any order); 2.2.2.2: 495 s apart, no
    assert [(w.entity["source.ip"], w.event_ids) for w in out] == [("1.1.1.1", ["o1", "f1"])]


def test_temporal_ordered_needs_the_given_order():
    fail = [ev(0, "f1", source__ip="1.1.1.1"), ev(10, "f2", source__ip="2.2.2.2"), ev(200, "f3", source__ip="3.3.3.3")]
    ok = [ev(-30, "o1", source__ip="1.1.1.1"), ev(40, "o2", source__ip="2.2.2.2"), ev(300, "o3", source__ip="3.3.3.3")]
    out = temporal_ordered({"fail": fail, "ok": ok}, ["fail", "ok"], ["source.ip"], 60)
    assert [(w.entity["source.ip"], w.event_ids) for w in out] == [("2.2.2.2", ["f2", "o2"])]


def test_temporal_ordered_uses_the_latest_chain_start():
    # failure at 0 and at 100, success at 130: the chain from 100 fits a 60 s timespan
    fail = [ev(0, "f0"), ev(100, "f100")]
    ok = [ev(130, "ok")]
    out = temporal_ordered({"fail": fail, "ok": ok}, ["fail", "ok"], [], 60)
    assert [w.event_ids for w in out] == [["f100", "ok"]]


def test_aliases_map_different_fields_to_one_group():
    conn = [ev(0, "c1", destination__ip="10.0.0.5")]
    login = [ev(3, "l1", source__ip="10.0.0.5")]
    corr = Correlation(
        type="temporal", rule_refs=["conn", "login"], group_by=["ip"], timespan_seconds=10,
        aliases={"ip": {"conn": "destination.ip", "login": "source.ip"}},
    )
    out = correlate(corr, {"conn": conn, "login": login})
    assert [(w.entity, w.event_ids) for w in out] == [({"ip": "10.0.0.5"}, ["c1", "l1"])]


def test_chained_correlation_carries_the_referenced_evidence():
    brute = event_count({"fail": [ev(s, f"f{s}", source__ip="6.6.6.6") for s in range(5)]}, ["source.ip"], 60, Condition("gte", 5))
    assert len(brute) == 1
    pseudo = [{"@timestamp": t, "event.id": i, "source.ip": "6.6.6.6", WINDOW_KEY: brute[0]} for t, i in brute[0].fired_at]
    ok = [ev(30, "ok", source__ip="6.6.6.6")]
    out = temporal_ordered({"brute": pseudo, "ok": ok}, ["brute", "ok"], ["source.ip"], 60)
    assert len(out) == 1
    assert out[0].event_ids == ["f0", "f1", "f2", "f3", "f4", "ok"]


def test_correlate_rejects_missing_inputs():
    corr = Correlation(type="event_count", rule_refs=["a"], group_by=[], timespan_seconds=5, condition=Condition("gte", 1))
    with pytest.raises(ValueError):
        correlate(corr, {})


def _brute(n: int, groups: int) -> list[dict]:
    base = T0
    return [
        {"@timestamp": format_ts(base + timedelta(milliseconds=i * 50)), "event.id": f"{i:08d}",
         "source.ip": f"10.0.{i % groups // 256}.{i % groups % 256}", "destination.port": (i // groups) % 1000}
        for i in range(n)
    ]


def test_ten_thousand_line_brute_force_is_one_window():
    evs = _brute(10_000, 1)
    out = event_count({"r": evs}, ["source.ip"], 60, Condition("gte", 5))
    assert len(out) == 1 and out[0].count == 10_000 and out[0].event_ids[0] == "00000000"


@pytest.mark.parametrize("kind", ["event_count", "value_count"])
def test_hundred_thousand_events_in_well_under_a_second(kind):
    evs = _brute(100_000, 500)
    cond = Condition("gte", 10, field="destination.port" if kind == "value_count" else None)
    fn = event_count if kind == "event_count" else value_count
    t = time.process_time()  # CPU time of this process: other jobs on the machine do not count
    out = fn({"r": evs}, ["source.ip"], 60, cond)
    took = time.process_time() - t
    # each address sends one event every 25 s: 3 in any 60 s, so gte 10 never fires; lower it to 3 to fire
    assert out == []
    assert took < 1.0, f"{kind} over 100k events took {took:.2f} s"
    out = fn({"r": evs}, ["source.ip"], 60, Condition("gte", 3, field=cond.field))
    assert len(out) == 500 and sum(w.count for w in out) == 100_000
