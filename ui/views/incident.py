"""One incident: its fields, ATT&CK techniques, evidence events, triage and audit trail."""

import streamlit as st

from ui import data, routes, session, tables
from ui.components import incident as parts
from ui.components.feedback import show_flash
from ui.i18n import t

user = session.require_page(routes.INCIDENT)
incident_id = st.query_params.get("id", "")
incident = data.incident(incident_id) if incident_id else None

if incident is None:
    st.title(t("nav.incident"))
    if incident_id:
        st.warning(t("detail.not_found"))
    parts.pick_incident()
else:
    st.title(t("detail.title", id=incident.id))
    st.text(incident.rule_title)
    show_flash()
    st.dataframe(tables.incident_fields(incident, t), hide_index=True, width="stretch", height="content")
    parts.techniques(incident)

    st.subheader(t("detail.evidence"))
    events = data.evidence(incident.id)
    st.caption(t("detail.evidence_shown", shown=len(events), total=incident.evidence_count))
    st.dataframe(tables.evidence(events, t), hide_index=True, width="stretch")

    if data.can(user, "incident.triage"):
        st.subheader(t("detail.triage"))
        col_status, col_assign = st.columns(2)
        with col_status:
            parts.status_form(incident, user)
        with col_assign:
            parts.assign_form(incident, user)
        parts.comment_form(incident, user)

    st.subheader(t("detail.audit"))
    st.dataframe(tables.audit_trail(data.audit(incident.id), t), hide_index=True, width="stretch")
