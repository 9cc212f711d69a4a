"""Parts of the incident page: the pick list, the ATT&CK links, the triage forms."""

from __future__ import annotations

import re

import streamlit as st

from soc.incidents import Incident, Status
from soc.store.base import User
from ui import data, routes
from ui.components.feedback import act
from ui.i18n import labels, t

_TECHNIQUE = re.compile(r"^T\d{4}(\.\d{3})?$")


def pick_incident() -> None:
    """Shown when the page is opened without an incident: choose one of the open ones."""
    st.info(t("detail.none"))
    open_ones = data.incidents(["new", "in_progress"])
    if not open_ones:
        return
    titles = {i.id: f"{i.id} · {i.rule_title}" for i in open_ones}
    chosen = st.selectbox(
        t("queue.open.label"),
        list(titles),
        format_func=titles.__getitem__,
        key="detail_pick",
        placeholder=t("select.placeholder"),
    )
    if st.button(t("queue.open.button"), key="detail_open"):
        st.switch_page(routes.INCIDENT, query_params={"id": chosen})


def techniques(incident: Incident) -> None:
    st.subheader(t("detail.techniques"))
    ids = [x for x in incident.attack_techniques if _TECHNIQUE.match(x)]
    if not ids:
        st.text(t("detail.no_techniques"))
        return
    # ids are checked against the ATT&CK pattern above, so building links from them is safe
    links = [f"[{x}](https://attack.mitre.org/techniques/{x.replace('.', '/')}/)" for x in ids]
    st.markdown(" · ".join(links))


def status_form(incident: Incident, user: User) -> None:
    choices = data.next_statuses(incident.status)
    with st.form("status_form"):
        target = st.selectbox(
            t("detail.status.target"),
            [s.value for s in choices],
            format_func=labels("status"),
            placeholder=t("select.placeholder"),
        )
        note = st.text_input(t("detail.status.note"), max_chars=1000)
        if st.form_submit_button(t("detail.status.submit"), type="primary"):
            act(data.change_status, incident.id, Status(target), user, note, success="detail.status.done")


def assign_form(incident: Incident, user: User) -> None:
    names = [""] + [u.username for u in data.assignable_users()]
    if incident.assignee and incident.assignee not in names:
        names.append(incident.assignee)
    with st.form("assign_form"):
        chosen = st.selectbox(
            t("detail.assign.label"),
            names,
            index=names.index(incident.assignee or ""),
            format_func=lambda v, none=t("detail.unassigned"): v or none,
            placeholder=t("select.placeholder"),
        )
        if st.form_submit_button(t("detail.assign.submit")):
            act(data.assign, incident.id, chosen or None, user, success="detail.assign.done")


def comment_form(incident: Incident, user: User) -> None:
    with st.form("comment_form", clear_on_submit=True):
        text = st.text_area(t("detail.comment.label"), max_chars=5000)
        if st.form_submit_button(t("detail.comment.submit")):
            act(data.comment, incident.id, text, user, success="detail.comment.done")
