"""Security posture for managers: open incidents, incidents per day, top rules and sources, time to resolve."""

import streamlit as st

from ui import charts, data, routes, session, tables
from ui.format import duration_text
from ui.i18n import t

session.require_page(routes.POSTURE)
st.title(t("posture.title"))
p = data.posture()
st.caption(t("posture.window", since=p.since.strftime("%d/%m/%Y"), until=p.until.strftime("%d/%m/%Y")))

first, second, third = st.columns(3)
first.metric(t("posture.open"), p.open_incidents)
second.metric(t("posture.in_window", days=len(p.per_day)), p.in_window)
third.metric(t("posture.mttr"), duration_text(p.mttr_seconds, t) or "—")
st.caption(t("posture.mttr.basis", n=p.resolved))

st.subheader(t("posture.by_severity"))
st.dataframe(tables.severity_status(p, t), hide_index=True, width="stretch")

st.subheader(t("posture.per_day", days=len(p.per_day)))
st.altair_chart(charts.bars_by_day(tables.incidents_per_day(p, t, for_chart=True)), width="stretch")
with st.expander(t("posture.per_day.table")):
    st.dataframe(tables.incidents_per_day(p, t), hide_index=True, width="stretch")

left, right = st.columns(2)
left.subheader(t("posture.top_rules"))
left.dataframe(tables.top_rules(p, t), hide_index=True, width="stretch")
right.subheader(t("posture.top_sources"))
right.dataframe(tables.top_sources(p, t), hide_index=True, width="stretch")
