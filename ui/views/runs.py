"""Detection runs: each rule's recent runs (window, duration, hits, errors), failures first."""

import streamlit as st

from ui import data, routes, session, tables
from ui.i18n import t

session.require_page(routes.RUNS)
st.title(t("runs.title"))

titles = {r.id: r.title for r in data.ruleset().rules}
ran = sorted(data.last_runs(), key=lambda rid: titles.get(rid, rid))
left, right = st.columns([3, 1])
every = t("runs.all")
choice = left.selectbox(t("runs.rule"), ["", *ran], format_func=lambda v: titles.get(v, v) or every, key="runs_rule")
only_errors = right.toggle(t("runs.only_errors"), key="runs_errors")

records = data.run_history([choice] if choice else [])
failed = [r for r in records if r.error]
if failed:
    st.error(t("runs.failed", n=len(failed)))
    st.dataframe(tables.runs(failed, titles, t), hide_index=True, width="stretch")
shown = failed if only_errors else records
st.subheader(t("runs.recent"))
st.caption(t("runs.count", n=len(shown)))
if not shown:
    st.info(t("runs.empty"))
else:
    st.dataframe(tables.runs(shown, titles, t), hide_index=True, width="stretch")
