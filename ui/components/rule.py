"""Parts of the rules page: one rule's detail, its switch, editor, tests and backtest."""

from __future__ import annotations

import streamlit as st

from detection.model import CompiledRule
from detection.ruleedit import MAX_RULE_BYTES, Validation
from soc.errors import SocError
from soc.store.base import User
from ui import charts, data, tables
from ui.components.feedback import FLASH_KEY, act, show_error
from ui.i18n import current_language, t

BACKTEST_MAX_DAYS = 90
RECENT_RUNS = 10


def detail(rule: CompiledRule, user: User, enabled: bool) -> None:
    st.subheader(t("rules.detail"))
    st.text(rule.title)
    st.dataframe(tables.rule_fields(rule, enabled, t, current_language()), hide_index=True, width="stretch",
                 height="content")
    for w in rule.warnings:
        st.text(t("rules.warning", text=w))
    can_edit = data.can(user, "rule.edit")
    if can_edit:
        switch(rule, user, enabled)
    try:
        text = data.rule_text(rule)
    except SocError as exc:  # the file went away since the rules were loaded
        show_error(exc)
        return
    st.code(text, language="yaml", line_numbers=True)  # rule text is shown as code, never as markdown/HTML
    if can_edit:
        editor(rule, user, text)
    recent_runs(rule)
    tests(rule)
    backtest(rule)


def recent_runs(rule: CompiledRule) -> None:
    st.subheader(t("runs.recent"))
    history = data.run_history([rule.id])[:RECENT_RUNS]
    if not history:
        st.info(t("runs.empty"))
        return
    if any(r.error for r in history):
        st.error(t("runs.failed", n=sum(1 for r in history if r.error)))
    st.dataframe(tables.runs(history, {rule.id: rule.title}, t), hide_index=True, width="stretch")


def switch(rule: CompiledRule, user: User, enabled: bool) -> None:
    st.caption(t("rules.switch.on") if enabled else t("rules.switch.off"))
    label = t("rules.disable") if enabled else t("rules.enable")
    if st.button(label, key="rules_switch"):
        done = "rules.disabled" if enabled else "rules.enabled"
        act(data.set_rule_enabled, user, rule.id, not enabled, success=done)


def editor(rule: CompiledRule, user: User, original: str) -> None:
    st.subheader(t("rules.edit"))
    with st.form(f"rules_edit_{rule.id}"):
        text = st.text_area(t("rules.edit.label"), value=original, height=420, max_chars=MAX_RULE_BYTES,
                            key=f"rules_yaml_{rule.id}")
        left, right = st.columns(2)
        check = left.form_submit_button(t("rules.validate"), key="rules_validate")
        save = right.form_submit_button(t("rules.save"), type="primary", key="rules_save")
    if check:
        validation(data.validate_rule(rule, text))
    if save:
        try:
            result = data.save_rule(user, rule, text)
        except SocError as exc:  # a refused role or an unwritable file
            show_error(exc)
            return
        if not result.ok:
            validation(result)
            return
        st.session_state[FLASH_KEY] = t("rules.saved")
        st.rerun()


def validation(result: Validation) -> None:
    if result.ok:
        st.success(t("rules.valid"))
    else:
        st.error(t("rules.invalid", n=len(result.problems)))
        st.dataframe(tables.problems(result.problems, t), hide_index=True, width="stretch")
    for w in result.warnings:
        st.text(t("rules.warning", text=w))


def tests(rule: CompiledRule) -> None:
    st.subheader(t("rules.test"))
    if not st.button(t("rules.test.run"), key="rules_test"):
        return
    results = data.rule_tests(rule)
    if all(r.status == "no_tests" for r in results):
        st.info(t("rules.test.none"))
        return
    if all(r.passed for r in results):
        st.success(t("rules.test.passed"))
    else:
        st.error(t("rules.test.failed"))
    st.dataframe(tables.rule_tests(results, t), hide_index=True, width="stretch")


def backtest(rule: CompiledRule) -> None:
    st.subheader(t("rules.backtest"))
    days = st.number_input(t("rules.backtest.days"), min_value=1, max_value=BACKTEST_MAX_DAYS, value=7, step=1,
                           key="rules_days")
    if not st.button(t("rules.backtest.run"), key="rules_backtest"):
        return
    result = data.backtest_rule(rule, int(days))
    if result.error:
        st.error(t("rules.backtest.error"))
        st.text(result.error)
        return
    st.caption(t("rules.backtest.summary", hits=result.hits, alerts=len(result.alerts), ms=result.duration_ms))
    if not result.would_raise:
        st.info(t("rules.backtest.silent"))
    if not result.per_day:
        st.info(t("rules.backtest.none"))
        return
    start, end = data.local_days(int(days))
    st.altair_chart(charts.bars_by_day(tables.backtest_chart(result, start, end, t)), width="stretch")
    left, right = st.columns(2)
    left.dataframe(tables.backtest_days(result, t), hide_index=True, width="stretch")
    right.dataframe(tables.backtest_keys(result, t), hide_index=True, width="stretch")
