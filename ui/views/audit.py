"""The audit trail of the whole console: logins, accounts and every incident change."""

import streamlit as st

from ui import data, routes, session, tables
from ui.i18n import t

session.require_page(routes.AUDIT)
st.title(t("audit.title"))
entries = data.audit(None, limit=1000)
st.caption(t("audit.count", n=len(entries)))
st.dataframe(tables.audit_trail(entries, t, with_incident=True), hide_index=True, width="stretch")
