"""Accounts (admins only): list, create, enable or disable."""

import streamlit as st

from soc.auth import MIN_PASSWORD_LENGTH, ROLES
from ui import data, routes, session, tables
from ui.components.feedback import act, show_flash
from ui.i18n import LANGUAGES, labels, t

user = session.require_page(routes.USERS)
st.title(t("users.title"))
show_flash()
accounts = data.users()
st.dataframe(tables.users(accounts, t), hide_index=True, width="stretch")

with st.form("create_user", clear_on_submit=True):
    st.subheader(t("users.create"))
    username = st.text_input(t("col.username"), max_chars=32)
    display_name = st.text_input(t("col.display_name"), max_chars=100)
    password = st.text_input(t("users.password", n=MIN_PASSWORD_LENGTH), type="password", max_chars=72)
    pick = t("select.placeholder")
    role = st.selectbox(t("col.role"), ROLES, format_func=labels("role"), placeholder=pick)
    language = st.selectbox(t("col.language"), list(LANGUAGES), format_func=LANGUAGES.__getitem__, placeholder=pick)
    if st.form_submit_button(t("users.create.submit"), type="primary"):
        act(data.create_user, user, username, password, role, display_name, language, success="users.created")

with st.form("toggle_user"):
    st.subheader(t("users.toggle"))
    others = [u.username for u in accounts if u.username != user.username]
    target = st.selectbox(t("col.username"), others, placeholder=t("select.placeholder"))
    active = st.toggle(t("col.active"), value=True)
    if st.form_submit_button(t("users.toggle.submit")) and target:
        act(data.set_active, user, target, active, success="users.updated")
