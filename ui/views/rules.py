"""Detection rules: what is loaded, how each converts and last ran; one rule's YAML, tests, backtest.
Admins switch rules on and off and edit their YAML."""

import streamlit as st

from ui import data, routes, session, tables
from ui.components import rule as parts
from ui.components.feedback import show_flash
from ui.i18n import current_language, t

user = session.require_page(routes.RULES)
st.title(t("rules.title"))
show_flash()

ruleset = data.ruleset()
switches = data.rule_switches()


def enabled(r):
    return data.rule_enabled(r, switches)


st.caption(t("rules.count", n=len(ruleset.rules), off=sum(1 for r in ruleset.rules if not enabled(r))))
if ruleset.errors:
    st.warning(t("rules.load_errors", n=len(ruleset.errors)))
    st.dataframe(tables.load_errors(ruleset.errors, t), hide_index=True, width="stretch")
st.dataframe(tables.rules(ruleset.rules, enabled, data.last_runs(), t, current_language()), hide_index=True,
             width="stretch")

titles = {r.id: f"{r.title} · {r.id}" for r in ruleset.rules}
wanted = st.query_params.get("rule", "")
chosen = st.selectbox(
    t("rules.pick"),
    list(titles),
    index=list(titles).index(wanted) if wanted in titles else None,
    format_func=titles.__getitem__,
    key="rules_pick",
    placeholder=t("select.placeholder"),
)
picked = data.rule(chosen) if chosen else None
if picked is not None:
    parts.detail(picked, user, enabled(picked))
