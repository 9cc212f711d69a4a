"""The console through Streamlit's AppTest, against a real SQLite store file."""

from __future__ import annotations

import pytest

from streamlit.testing.v1 import AppTest

from soc import auth
from soc.events import now_utc, parse_ts
from soc.incidents import Status
from ui.i18n import translate
from ui.routes import ROUTES



def _texts(at) -> str:
    """Everything a person can read on the page, as one string."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning",
                                  "error", "success") for e in getattr(at, kind)]
    parts += [w.label for w in at.selectbox] + [str(w.options) for w in at.selectbox]
    parts += [d.value.to_string() for d in at.dataframe]
    return "\n".join(str(p) for p in parts)


def _queue_ids(at) -> list[str]:
    return list(at.dataframe[0].value["Mã"])


# --- login gate -----------------------------------------------------------------------------
def test_before_login_only_the_login_form_and_language_switch(console):
    at = console.start()
    assert not at.exception
    assert titles(at) == ["Trung tâm Giám sát An ninh mạng (SOC)"]
    assert [w.label for w in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    assert [b.label for b in at.button] == ["Đăng nhập"]
    assert [w.label for w in at.segmented_control] == ["Ngôn ngữ"]
    assert not at.dataframe and not at.selectbox and not at.sidebar.children
    assert "INC-" not in _texts(at)
    with pytest.raises(ValueError):  # no console page is registered before login
        at.switch_page("views/queue.py")


@pytest.mark.parametrize(
    "username,password",
    [("lan", "mat-khau-sai-roi"), ("khongco", "mat-khau-thu-nghiem"), ("lan", "")],
)
def test_wrong_credentials_are_refused(console, username, password):
    at = console.login(username, password)
    assert [e.value for e in at.error] == ["Tên đăng nhập hoặc mật khẩu không đúng."]
    assert titles(at) == ["Trung tâm Giám sát An ninh mạng (SOC)"]
    assert not at.dataframe and "INC-" not in _texts(at)
    if password:
        [entry] = console.store.list_audit(None)
        assert (entry.actor, entry.action) == (username, "auth.login_failed")


def test_disabled_account_cannot_log_in_and_loses_its_session(console):
    at = console.login("lan")
    assert titles(at) == ["Hàng đợi sự cố"]
    auth.set_active(console.store, console.store.get_user("quan"), "lan", False)
    at.run()
    assert titles(at) == ["Trung tâm Giám sát An ninh mạng (SOC)"] and not at.dataframe
    assert console.login("lan").error[0].value == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_logout_returns_to_login(console):
    at = console.login("lan")
    at.sidebar.button(key="logout").click().run()
    assert titles(at) == ["Trung tâm Giám sát An ninh mạng (SOC)"] and not at.dataframe


# --- queue ----------------------------------------------------------------------------------
def test_queue_shows_open_incidents_newest_first(console):
    at = console.login("lan")
    assert not at.exception and titles(at) == ["Hàng đợi sự cố"]
    table = at.dataframe[0].value
    assert _queue_ids(at) == [console.id("sqli"), console.id("ssh")]
    ssh = table[table["Mã"] == console.id("ssh")].iloc[0].to_dict()
    assert ssh == {
        "Mã": console.id("ssh"),
        "Tiêu đề": "SSH brute force",
        "Mức độ": "Cao",
        "Trạng thái": "Mới",
        "Đối tượng": "source.ip=203.0.113.7",
        "Lần đầu": "20/11/2026 08:58",
        "Lần cuối": "20/11/2026 08:58",
        "Số bằng chứng": 5,
        "Người xử lý": "",
    }
    sqli = table[table["Mã"] == console.id("sqli")].iloc[0]
    assert sqli["Lần cuối"] == "21/11/2026 00:05"  # 17:05 UTC is past midnight in Ho Chi Minh City
    assert sqli["Người xử lý"] == "lan" and sqli["Mức độ"] == "Nghiêm trọng"
    assert at.caption[0].value == "2 sự cố"


def test_queue_filters_by_status_and_severity(console):
    at = console.login("lan")
    at.multiselect(key="queue_status").set_value([]).run()
    assert _queue_ids(at) == [console.id(n) for n in ("sqli", "ssh", "scan", "traversal")]
    at.multiselect(key="queue_severity").set_value(["critical"]).run()
    assert _queue_ids(at) == [console.id("sqli")]
    at.multiselect(key="queue_severity").set_value(["medium", "low"]).run()
    assert _queue_ids(at) == [console.id("scan"), console.id("traversal")]
    at.multiselect(key="queue_status").set_value(["resolved"]).run()
    assert _queue_ids(at) == [console.id("scan")]
    at.multiselect(key="queue_status").set_value(["new"]).run()
    assert not at.dataframe and at.info[0].value == "Không có sự cố nào khớp bộ lọc."


def test_queue_opens_the_chosen_incident(console):
    at = console.login("lan")
    at.selectbox(key="queue_pick").select(console.id("ssh"))
    at.button(key="queue_open").click().run()
    assert not at.exception
    assert titles(at) == [f"Sự cố {console.id('ssh')}"]
    assert at.query_params["id"] == console.id("ssh")


# --- incident detail ------------------------------------------------------------------------
def test_incident_page_shows_fields_techniques_and_evidence_as_text(console):
    at = console.open_incident(console.login("lan"), console.id("ssh"))
    fields = dict(at.dataframe[0].value.values.tolist())
    assert fields["Luật phát hiện"] == "SSH brute force"
    assert fields["Đối tượng: source.ip"] == "203.0.113.7"
    assert fields["Lần đầu"] == "20/11/2026 08:58" and fields["Số bằng chứng"] == "5"
    links = at.markdown[0].value
    assert "https://attack.mitre.org/techniques/T1110/001/" in links and "T1110" in links
    evidence = at.dataframe[1].value
    assert len(evidence) == 5 and at.caption[0].value == "Hiển thị 5 trên tổng số 5 sự kiện."
    assert list(evidence["Thời gian"])[:2] == ["20/11/2026 08:58:03", "20/11/2026 08:58:05"]
    assert list(evidence["source.port"]) == ["51000", "51001", "51002", "51003", "51004"]
    assert evidence["message"][2] == f"Failed password for invalid user {console.xss} from 203.0.113.7 port 51002 ssh2"
    assert evidence["log.original"][0].startswith("Nov 20 08:58:03 web01 sshd[2411]: Failed password for root")
    assert "event.id" not in evidence.columns
    # the hostile message reaches the page only inside the table, never as markdown or HTML
    assert not any("<script" in m.value for m in at.markdown) and not at.get("html")


def test_unknown_incident_id_says_so(console):
    at = console.open_incident(console.login("lan"), "INC-DOESNOTEXIST")
    assert not at.exception
    assert at.warning[0].value == "Không tìm thấy sự cố này."
    assert at.selectbox(key="detail_pick").options == [
        f"{console.id('sqli')} · SQL injection in URL",
        f"{console.id('ssh')} · SSH brute force",
    ]


def test_status_change_is_limited_to_the_workflow_and_audited(console):
    at = console.open_incident(console.login("lan"), console.id("ssh"))
    target = at.selectbox[0]
    assert target.label == "Chuyển trạng thái sang"
    # not "Mới": it is new already
    assert target.options == ["Đang xử lý", "Đã xử lý xong", "Cảnh báo sai"]
    before = now_utc()
    target.select("in_progress")
    at.text_input[0].input("Đang kiểm tra trên FortiGate")
    at.button[0].click().run()
    assert not at.exception and [s.value for s in at.success] == ["Đã cập nhật trạng thái."]

    stored = console.store.get_incident(console.id("ssh"))
    assert stored.status is Status.IN_PROGRESS and stored.closed_at is None
    [entry] = console.store.list_audit(console.id("ssh"))
    assert (entry.actor, entry.action) == ("lan", "status")
    assert entry.detail == {"from": "new", "to": "in_progress", "note": "Đang kiểm tra trên FortiGate"}
    assert before <= parse_ts(entry.at) <= now_utc()

    trail = at.dataframe[-1].value
    assert trail.iloc[0].to_dict() == {
        "Thời gian": trail.iloc[0]["Thời gian"],
        "Người thực hiện": "lan",
        "Thao tác": "Đổi trạng thái",
        "Chi tiết": "Mới → Đang xử lý: Đang kiểm tra trên FortiGate",
    }
    assert at.selectbox[0].options == ["Mới", "Đã xử lý xong", "Cảnh báo sai"]


def test_closed_incident_can_only_be_reopened(console):
    at = console.open_incident(console.login("lan"), console.id("scan"))
    assert at.selectbox[0].options == ["Mới", "Đang xử lý"]
    at.selectbox[0].select("in_progress")
    at.button[0].click().run()
    reopened = console.store.get_incident(console.id("scan"))
    assert reopened.status is Status.IN_PROGRESS and reopened.closed_at is None


def test_assign_and_comment_are_audited_and_comments_stay_text(console):
    at = console.open_incident(console.login("quan"), console.id("ssh"))
    assign = at.selectbox[1]
    assert assign.label == "Người xử lý"
    assert assign.options == ["Chưa giao", "lan", "quan"]  # the manager is not offered
    assign.select("lan")
    at.button[1].click().run()
    assert console.store.get_incident(console.id("ssh")).assignee == "lan"
    assert [s.value for s in at.success] == ["Đã cập nhật người xử lý."]

    remark = f"Đã chặn IP **ngay** {console.xss} [link](http://evil.example)"
    at.text_area[0].input(remark)
    at.button[2].click().run()
    entries = console.store.list_audit(console.id("ssh"))
    assert [(e.actor, e.action) for e in entries] == [("quan", "assign"), ("quan", "comment")]
    assert entries[1].detail == {"text": remark}
    trail = at.dataframe[-1].value
    assert list(trail["Chi tiết"]) == ["Chưa giao → lan", remark]
    assert not any("evil.example" in m.value for m in at.markdown)


def test_empty_comment_is_refused_with_a_message(console):
    at = console.open_incident(console.login("lan"), console.id("ssh"))
    at.text_area[0].input("   ")
    at.button[2].click().run()
    assert [e.value for e in at.error] == ["Dữ liệu nhập không hợp lệ."]
    assert console.store.list_audit(console.id("ssh")) == []


def test_manager_reads_but_cannot_triage(console):
    at = console.open_incident(console.login("ha"), console.id("ssh"))
    assert not at.exception and titles(at) == [f"Sự cố {console.id('ssh')}"]
    assert len(at.dataframe) == 3  # fields, evidence, audit trail
    assert not at.get("form") and not at.text_area
    assert "Xử lý sự cố" not in [s.value for s in at.subheader]


def test_analyst_sees_no_admin_page_and_admin_pages_guard_themselves(console):
    at = console.login("lan")
    for path in ("views/users.py", "views/audit.py"):
        with pytest.raises(ValueError):
            at.switch_page(path)
    # opened directly (as Streamlit would a stray page), the users page shows nothing to an analyst
    page = AppTest.from_file(str(console.app.parent / "views" / "users.py"), default_timeout=30)
    page.session_state["user"] = "lan"
    page.run()
    assert not page.exception and not page.title and not page.dataframe and not page.text_input
    page.session_state["user"] = "quan"
    page.run()
    assert [x.value for x in page.title] == ["Quản lý người dùng"]


def test_admin_creates_a_user_who_can_log_in(console):
    at = console.login("quan").switch_page("views/users.py").run()
    assert list(at.dataframe[0].value["Tên đăng nhập"]) == ["ha", "lan", "quan"]
    at.text_input[0].input("minh.tran")
    at.text_input[1].input("Trần Minh")
    at.text_input[2].input("short")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Mật khẩu chưa đạt yêu cầu."]
    assert console.store.get_user("minh.tran") is None

    at.text_input[0].input("minh.tran")
    at.text_input[1].input("Trần Minh")
    at.text_input[2].input("mat-khau-cua-minh")
    at.selectbox[0].select("analyst")
    at.button[0].click().run()
    assert [s.value for s in at.success] == ["Đã tạo tài khoản."]
    created = console.store.get_user("minh.tran")
    assert (created.role, created.display_name) == ("analyst", "Trần Minh")
    assert [(e.actor, e.action) for e in console.store.list_audit(None)][0] == ("quan", "user.create")
    assert titles(console.login("minh.tran", "mat-khau-cua-minh")) == ["Hàng đợi sự cố"]


# --- language and pages -----------------------------------------------------------------------
def test_language_switch_from_the_login_page_on(console):
    at = console.start()
    at.segmented_control[0].set_value("en").run()
    assert titles(at) == ["Security Operations Center (SOC)"]
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    at = console.login("lan", at=at)
    assert titles(at) == ["Incident queue"]
    table = at.dataframe[0].value
    assert list(table.columns)[:4] == ["ID", "Title", "Severity", "Status"]
    assert list(table["Status"]) == ["In progress", "New"]
    at.sidebar.segmented_control[0].set_value("vi").run()
    assert titles(at) == ["Hàng đợi sự cố"]
    assert list(at.dataframe[0].value["Trạng thái"]) == ["Đang xử lý", "Mới"]
    at.sidebar.button(key="logout").click().run()
    assert titles(at) == ["Trung tâm Giám sát An ninh mạng (SOC)"]  # the choice outlives the session


PAGE_TITLES = {
    "views/queue.py": "Hàng đợi sự cố",
    "views/incident.py": "Chi tiết sự cố",
    "views/audit.py": "Nhật ký thao tác",
    "views/users.py": "Quản lý người dùng",
    "views/posture.py": "Tổng quan tình hình an ninh",
    "views/rules.py": "Luật phát hiện",
    "views/runs.py": "Lượt chạy luật",
    "views/sources.py": "Nguồn log và tình trạng thu thập",
}


@pytest.mark.parametrize("username", ["ha", "lan", "quan"])
def test_every_registered_page_opens_for_every_role(console, username):
    role = console.users[username]
    at = console.login(username)
    opened = []
    for route in ROUTES:
        if not auth.can(role, route.permission):
            with pytest.raises(ValueError):
                at.switch_page(route.path)
            continue
        at.switch_page(route.path).run()
        assert not at.exception, (route.path, at.exception)
        assert titles(at) == [PAGE_TITLES[route.path]], route.path
        assert translate("vi", route.title_key)
        opened.append(route.path)
    at = console.open_incident(at, console.id("sqli"))
    assert not at.exception and titles(at) == [f"Sự cố {console.id('sqli')}"]
    expected = {"analyst": 5, "admin": 8, "manager": 7}[role]
    assert len(opened) == expected and set(PAGE_TITLES) >= set(opened)


def test_audit_page_lists_console_wide_changes(console):
    at = console.login("quan")
    at = console.open_incident(at, console.id("ssh"))
    at.text_area[0].input("ghi chú")
    at.button[2].click().run()
    at.switch_page("views/audit.py").run()
    trail = at.dataframe[0].value
    assert list(trail["Thao tác"])[:2] == ["Bình luận", "Đăng nhập"]
    assert trail.iloc[0]["Sự cố"] == console.id("ssh") and trail.iloc[1]["Sự cố"] == ""


def titles(at) -> list[str]:
    return [x.value for x in at.title]
