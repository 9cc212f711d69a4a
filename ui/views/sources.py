"""Collection health: each source's counters, rate, last event and lag; stored datasets; dead letters."""

import streamlit as st

from ui import data, routes, session, tables
from ui.i18n import t

session.require_page(routes.SOURCES)
st.title(t("sources.title"))

st.subheader(t("sources.collectors"))
rows = data.sources()
if not rows:
    st.info(t("sources.none"))
else:
    silent = sum(1 for r in rows if r["silent"])
    if silent:
        st.warning(t("sources.silent", n=silent))
    st.dataframe(tables.sources(rows, t), hide_index=True, width="stretch")
delivery = data.delivery()
if delivery:
    up = t("yes") if delivery.get("store_up", True) else t("no")
    st.caption(t("sources.delivery", up=up, batches=delivery.get("buffered_batches", 0)))

st.subheader(t("sources.datasets"))
stored = data.datasets()
if stored:
    st.dataframe(tables.datasets(stored, t), hide_index=True, width="stretch")
else:
    st.info(t("sources.no_events"))

st.subheader(t("sources.dead_letters"))
letters = data.dead_letters()
st.caption(t("sources.dead_letters.count", shown=len(letters), total=data.dead_letter_count()))
if letters:
    st.dataframe(tables.dead_letters(letters, t), hide_index=True, width="stretch")  # raw lines stay text
