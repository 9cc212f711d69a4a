"""What a person sees: the console in a real headless Chromium against `streamlit run`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from uikit import ROOT_LOGIN_ID
from test_pages import ROOT_LOGIN, _root_login

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(console, tmp_path):
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(console.app), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log = open(tmp_path / "streamlit.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {(tmp_path / 'streamlit.log').read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), "install Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1600, "height": 1200})
        yield pg
        browser.close()


def test_login_open_incident_and_hostile_log_text_stays_text(console, server, page, tmp_path):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server)
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill(console.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Hàng đợi sự cố").wait_for(timeout=30_000)

    page.get_by_role("combobox", name="Chọn sự cố").click()
    page.get_by_role("option", name=f"{console.id('ssh')} · SSH brute force").click()
    page.get_by_role("button", name="Mở sự cố").click()
    page.get_by_role("heading", name=f"Sự cố {console.id('ssh')}").wait_for(timeout=30_000)
    page.get_by_text("Hiển thị 5 trên tổng số 5 sự kiện.").wait_for()

    hostile = f"Failed password for invalid user {console.xss} from 203.0.113.7 port 51002 ssh2"
    # the grid draws on a canvas and mirrors its cells in an accessible table: the text is there, as text
    cell = page.locator('[data-testid="stDataFrame"] td[role="gridcell"]', has_text="alert(1)")
    cell.first.wait_for(state="attached", timeout=30_000)
    assert cell.first.text_content() == hostile
    assert "&lt;script&gt;" in cell.first.inner_html()
    shot = tmp_path / "incident.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    assert dialogs == []
    assert page.locator("script", has_text="alert(1)").count() == 0

    page.get_by_label("Bình luận").fill(f"Đã chặn {console.xss}")
    page.get_by_role("button", name="Gửi bình luận").click()
    page.get_by_text("Đã thêm bình luận.").wait_for(timeout=30_000)
    assert console.store.list_audit(console.id("ssh"))[-1].detail == {"text": f"Đã chặn {console.xss}"}
    assert page.get_by_label("Bình luận").input_value() == ""
    assert dialogs == [] and page.locator("script", has_text="alert(1)").count() == 0


def test_rules_backtest_chart_and_posture_dashboard_render(console, server, page, tmp_path):
    logins = [_root_login(timedelta(days=d, minutes=m), 42000 + m) for d, m in ((1, 0), (2, 1), (2, 2))]
    console.store.write_events(logins)
    page.goto(server)
    page.get_by_label("Tên đăng nhập").fill("quan")
    page.get_by_label("Mật khẩu").fill(console.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Hàng đợi sự cố").wait_for(timeout=30_000)

    page.get_by_role("link", name="Luật phát hiện").click()
    page.get_by_role("heading", name="Luật phát hiện").first.wait_for(timeout=30_000)
    page.get_by_role("combobox", name="Chọn luật để xem chi tiết").click()
    page.get_by_role("option", name=f"{ROOT_LOGIN} · {ROOT_LOGIN_ID}").click()
    code = page.locator('[data-testid="stCode"]')
    code.first.wait_for(timeout=30_000)
    assert "title: Direct SSH login as root" in code.first.inner_text()
    page.get_by_role("button", name="Chạy thử", exact=True).click()
    page.get_by_text("3 sự kiện khớp trong 1 cảnh báo", exact=False).wait_for(timeout=30_000)
    chart = page.locator('[data-testid="stVegaLiteChart"]')
    chart.first.wait_for(timeout=30_000)
    assert chart.first.bounding_box()["height"] > 100

    page.get_by_role("link", name="Tổng quan an ninh").click()
    page.get_by_role("heading", name="Tổng quan tình hình an ninh").wait_for(timeout=30_000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    page.get_by_text("Sự cố đang mở").wait_for()
    shot = tmp_path / "posture.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
