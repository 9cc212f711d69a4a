"""Who is logged in to this browser session."""

from __future__ import annotations

import streamlit as st

from soc.store.base import User
from ui import data, routes

USER_KEY = "user"  # holds the username; the account is re-read on every run


def current_user() -> User | None:
    username = st.session_state.get(USER_KEY)
    if not username:
        return None
    found = data.user(username)
    if found is None:  # disabled or deleted since login
        logout()
    return found


def require_page(path: str) -> User:
    """The logged-in user, if their role may open the page at `path` (see ui.routes);
    otherwise the page renders nothing. app.py lists only permitted pages; this check
    keeps each page safe on its own."""
    found = current_user()
    if found is None or not data.can(found, routes.permission(path)):
        st.stop()
    return found


def login(found: User) -> None:
    st.session_state[USER_KEY] = found.username


def logout() -> None:
    for key in list(st.session_state):
        if key != "lang":
            del st.session_state[key]
