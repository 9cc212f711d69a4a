"""The console's only entry point: `streamlit run ui/app.py`.

Nothing but the login form and the language switch renders before login; after it,
`st.navigation` offers the pages the user's role may open.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts ui/ on sys.path, not the checkout, so make `soc` and `ui` importable.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from soc.errors import SocError  # noqa: E402
from soc.store.base import User  # noqa: E402
from ui import data, session  # noqa: E402
from ui.i18n import language_switch, t  # noqa: E402
from ui.routes import ROUTES  # noqa: E402


def login_page() -> None:
    language_switch()
    st.title(t("app.title"))
    st.caption(t("login.subtitle"))
    with st.form("login"):
        username = st.text_input(t("login.username"), max_chars=64)
        password = st.text_input(t("login.password"), type="password", max_chars=128)
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        found = data.login(username, password) if username and password else None
        if found is None:
            st.error(t("login.failed"))
        else:
            session.login(found)
            st.rerun()


def sidebar(user: User) -> None:
    with st.sidebar:
        st.text(t("sidebar.user", name=user.display_name or user.username, role=t(f"role.{user.role}")))
        if st.button(t("sidebar.logout"), key="logout"):
            session.logout()
            st.rerun()
        language_switch()


def main() -> None:
    st.set_page_config(page_title=t("app.title"), page_icon=":material/shield:", layout="wide")
    try:
        user = session.current_user()
    except SocError as exc:  # bad configuration or store unreachable
        st.error(t("error.store"))
        st.text(str(exc))
        return
    if user is None:
        # A navigation with only the login page keeps Streamlit from listing ui/pages/ itself.
        st.navigation([st.Page(login_page, title=t("login.title"), url_path="login")], position="hidden").run()
        return
    pages = [
        st.Page(r.path, title=t(r.title_key), icon=r.icon, url_path=r.url_path)
        for r in ROUTES
        if data.can(user, r.permission)
    ]
    page = st.navigation(pages)
    sidebar(user)
    page.run()


main()
