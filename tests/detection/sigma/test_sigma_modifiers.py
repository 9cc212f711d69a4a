"""Every Sigma value modifier through our pipeline, on both dialects: the query text, and for
SQLite the query run for real against the SQLite store (case-insensitive, JSON-typed columns)."""

from __future__ import annotations

import pytest
from sigmakit import compile_one, events

from soc.store.sqlite import SQLiteStore

WEB = "{category: webserver}"


def web(**fields):
    base = {"event.dataset": "nginx.access", "source.ip": "203.0.113.9"}
    return {**base, **{k.replace("__", "."): v for k, v in fields.items()}}


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "m.db")
    yield s
    s.close()


def hits(store: SQLiteStore, query: str, evs: list[dict]) -> list[int]:
    """Indexes of the events the SQL query finds."""
    store.write_events(evs)
    found = {e["event.id"] for e in store.iter_events(query)}
    return [i for i, e in enumerate(evs) if e["event.id"] in found]


def test_contains_is_case_insensitive_and_backticks_every_field(tmp_path, store):
    r = compile_one(tmp_path, "  sel:\n    url.original|contains: 'UNION SELECT'\n  condition: sel")
    sql, lucene = r.queries["sqlite"], r.queries["elasticsearch"]
    assert "`url.original` LIKE '%UNION SELECT%' ESCAPE '\\'" in sql
    assert "`event.dataset`='nginx.access'" in sql
    assert "url.original:*union\\ select*" in lucene
    assert "event.dataset:(nginx.access OR apache.access OR iis.access OR tomcat.access)" in lucene
    evs = events(web(url__original="/a?id=1 union select 2"), web(url__original="/a?id=1 UNION SELECT 2"),
                 web(url__original="/union-select"), {**web(url__original="/x union select"), "event.dataset": "sshd.auth"})
    assert hits(store, sql, evs) == [0, 1]
    assert r.fields == ["event.dataset", "url.original"]


def test_startswith_endswith(tmp_path, store):
    r = compile_one(tmp_path, "  sel:\n    url.path|startswith: '/Admin'\n    url.path|endswith: '.PHP'\n  condition: sel")
    assert "`url.path` LIKE '/Admin%'" in r.queries["sqlite"] and "`url.path` LIKE '%.PHP'" in r.queries["sqlite"]
    assert "url.path:\\/admin*" in r.queries["elasticsearch"] and "url.path:*.php" in r.queries["elasticsearch"]
    evs = events(web(url__path="/admin/x.php"), web(url__path="/ADMIN/y.Php"), web(url__path="/x/admin.php"), web(url__path="/admin/x.html"))
    assert hits(store, r.queries["sqlite"], evs) == [0, 1]


def test_contains_all(tmp_path, store):
    r = compile_one(tmp_path, "  sel:\n    user_agent.original|contains|all: [curl, linux]\n  condition: sel")
    assert "`user_agent.original` LIKE '%curl%' ESCAPE '\\' AND `user_agent.original` LIKE '%linux%'" in r.queries["sqlite"]
    assert "user_agent.original:*curl* AND user_agent.original:*linux*" in r.queries["elasticsearch"]
    evs = events(web(user_agent__original="curl/8 (Linux)"), web(user_agent__original="curl/8 (Windows)"))
    assert hits(store, r.queries["sqlite"], evs) == [0]


def test_re_is_case_sensitive_unless_flagged(tmp_path, store):
    plain = compile_one(tmp_path, "  sel:\n    url.original|re: 'id=[0-9]+ UNION'\n  condition: sel")
    flagged = compile_one(tmp_path, "  sel:\n    url.original|re|i: 'id=[0-9]+ union'\n  condition: sel")
    assert "`url.original` REGEXP 'id=[0-9]+ UNION'" in plain.queries["sqlite"]
    assert "`url.original` REGEXP '(?i)id=[0-9]+ union'" in flagged.queries["sqlite"]
    # Lucene matches whole terms and knows no flags: unanchored with .*, case folded into classes.
    assert "url.original:/.*id=[0-9]+ UNION.*/" in plain.queries["elasticsearch"]
    assert "url.original:/.*[iI][dD]=[0-9]+ [uU][nN][iI][oO][nN].*/" in flagged.queries["elasticsearch"]
    evs = events(web(url__original="/a?id=12 UNION"), web(url__original="/a?id=12 union"), web(url__original="/a?id=x UNION"))
    assert hits(store, plain.queries["sqlite"], evs) == [0]
    found = {e["event.id"] for e in store.iter_events(flagged.queries["sqlite"])}  # same events, already stored
    assert found == {evs[0]["event.id"], evs[1]["event.id"]}


def test_cidr(tmp_path, store):
    r = compile_one(tmp_path, "  sel:\n    source.ip|cidr: 10.20.0.0/16\n  condition: sel")
    assert "`source.ip` LIKE '10.20.%'" in r.queries["sqlite"]
    assert "source.ip:10.20.0.0\\/16" in r.queries["elasticsearch"]
    evs = events(web(source__ip="10.20.3.4"), web(source__ip="10.21.3.4"), web(source__ip="110.20.3.4"))
    assert hits(store, r.queries["sqlite"], evs) == [0]


def test_windash(tmp_path, store):
    r = compile_one(tmp_path, "  sel:\n    CommandLine|windash|contains: ' -enc '\n  condition: sel",
                    "{product: windows, category: process_creation}")
    sql = r.queries["sqlite"]
    assert "`process.command_line` LIKE '% -enc %'" in sql and "`process.command_line` LIKE '% /enc %'" in sql
    assert "`winlog.channel`='Microsoft-Windows-Sysmon/Operational' AND `winlog.event_id`=1" in sql
    assert "process.command_line:(*\\ \\-enc\\ * OR *\\ \\/enc\\ *" in r.queries["elasticsearch"]
    base = {"event.dataset": "windows.sysmon", "winlog.channel": "Microsoft-Windows-Sysmon/Operational", "winlog.event_id": 1}
    evs = events({**base, "process.command_line": "powershell /enc SQBFAFgA"},
                 {**base, "process.command_line": "powershell -ENC SQBFAFgA"},
                 {**base, "process.command_line": "powershell -noprofile"},
                 {**base, "winlog.event_id": 3, "process.command_line": "powershell -enc x"})
    assert hits(store, sql, evs) == [0, 1]


def test_base64offset(tmp_path, store):
    r = compile_one(tmp_path, "  sel:\n    powershell.file.script_block_text|base64offset|contains: 'http://'\n  condition: sel",
                    "{product: windows, category: ps_script}")
    # the three base64 renderings of 'http://' at offsets 0, 1, 2
    for enc in ("aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"):
        assert enc in r.queries["sqlite"] and enc.lower() in r.queries["elasticsearch"]
    base = {"event.dataset": "windows.powershell", "winlog.channel": "Microsoft-Windows-PowerShell/Operational", "winlog.event_id": 4104}
    evs = events({**base, "powershell.file.script_block_text": "powershell -e aHR0cDovL2V2aWwuZXhhbXBsZS8="},
                 {**base, "powershell.file.script_block_text": "Get-Date"})
    assert hits(store, r.queries["sqlite"], evs) == [0]


def test_exists_and_null(tmp_path, store):
    r = compile_one(tmp_path, "  sel:\n    user.name|exists: true\n    http.request.referrer: null\n  condition: sel")
    sql = r.queries["sqlite"]
    assert "`user.name` IS NOT NULL" in sql and "`http.request.referrer` IS NULL" in sql
    assert "_exists_:user.name" in r.queries["elasticsearch"] and "NOT _exists_:http.request.referrer" in r.queries["elasticsearch"]
    evs = events(web(user__name="alice"), web(user__name="bob", http__request__referrer="https://a/"), web())
    assert hits(store, sql, evs) == [0]


@pytest.mark.parametrize(
    ("mod", "sql_op", "lucene_op", "expected"),
    [("gt", ">", ">", [2]), ("gte", ">=", ">=", [1, 2]), ("lt", "<", "<", [0]), ("lte", "<=", "<=", [0, 1])],
)
def test_numeric_comparisons_on_integer_columns(tmp_path, store, mod, sql_op, lucene_op, expected):
    r = compile_one(tmp_path, f"  sel:\n    http.response.status_code|{mod}: 404\n  condition: sel")
    assert f"`http.response.status_code` {sql_op} 404" in r.queries["sqlite"]
    assert f"http.response.status_code:{lucene_op}404" in r.queries["elasticsearch"]
    evs = events(web(http__response__status_code=200), web(http__response__status_code=404), web(http__response__status_code=500))
    assert hits(store, r.queries["sqlite"], evs) == expected


def test_quoted_number_on_integer_field_compares_as_number(tmp_path, store):
    r = compile_one(tmp_path, "  sel:\n    sc-status: '404'\n  condition: sel")
    assert "`http.response.status_code`=404" in r.queries["sqlite"]
    evs = events(web(http__response__status_code=404), web(http__response__status_code=200))
    assert hits(store, r.queries["sqlite"], evs) == [0]


def test_keywords_become_message_contains_on_both_dialects(tmp_path, store):
    r = compile_one(tmp_path, "  keywords:\n    - 'Failed password'\n    - 'POSSIBLE BREAK-IN'\n  condition: keywords",
                    "{product: linux, service: sshd}")
    sql = r.queries["sqlite"]
    assert "`message` LIKE '%Failed password%' ESCAPE '\\' OR `message` LIKE '%POSSIBLE BREAK-IN%'" in sql
    assert "message:(*failed\\ password* OR *possible\\ break\\-in*)" in r.queries["elasticsearch"]
    base = {"event.dataset": "sshd.auth"}
    evs = events({**base, "message": "failed PASSWORD for root from 1.2.3.4"},
                 {**base, "message": "Accepted password for root"},
                 {"event.dataset": "nginx.access", "message": "Failed password"})
    assert hits(store, sql, evs) == [0]


def test_one_of_and_not(tmp_path, store):
    r = compile_one(tmp_path, "  sel_a:\n    url.path: /login\n  sel_b:\n    url.path: /admin\n"
                              "  filter:\n    source.ip|cidr: 10.0.0.0/8\n  condition: 1 of sel_* and not filter")
    evs = events(web(url__path="/LOGIN"), web(url__path="/admin", source__ip="10.1.1.1"), web(url__path="/admin"), web(url__path="/x"))
    assert hits(store, r.queries["sqlite"], evs) == [0, 2]
    assert "NOT" in r.queries["elasticsearch"]


def test_not_on_absent_field_still_matches(tmp_path, store):
    """`not filter` where the event lacks the filtered field: Sigma says the event matches."""
    r = compile_one(tmp_path, "  sel:\n    url.path: /x\n  filter:\n    user.name: bot\n  condition: sel and not filter")
    evs = events(web(url__path="/x"), web(url__path="/x", user__name="BOT"))
    assert hits(store, r.queries["sqlite"], evs) == [0]
