"""Incident queue: filter by status and severity, open one incident."""

import streamlit as st

from ui import data, routes, session, tables
from ui.components.feedback import show_flash
from ui.i18n import labels, t

session.require_page(routes.QUEUE)
st.title(t("queue.title"))
show_flash()

left, right = st.columns(2)
statuses = left.multiselect(
    t("queue.filter.status"),
    [s.value for s in data.STATUSES],
    default=["new", "in_progress"],
    format_func=labels("status"),
    placeholder=t("queue.filter.all"),
    key="queue_status",
)
severities = right.multiselect(
    t("queue.filter.severity"),
    [s.value for s in data.SEVERITIES],
    format_func=labels("severity"),
    placeholder=t("queue.filter.all"),
    key="queue_severity",
)

incidents = data.incidents(statuses, severities)
st.caption(t("queue.count", n=len(incidents)))
if not incidents:
    st.info(t("queue.empty"))
else:
    st.dataframe(tables.incident_queue(incidents, t), hide_index=True, width="stretch")
    titles = {i.id: f"{i.id} · {i.rule_title}" for i in incidents}
    chosen = st.selectbox(
        t("queue.open.label"),
        list(titles),
        format_func=titles.__getitem__,
        key="queue_pick",
        placeholder=t("select.placeholder"),
    )
    if st.button(t("queue.open.button"), type="primary", key="queue_open"):
        st.switch_page(routes.INCIDENT, query_params={"id": chosen})
