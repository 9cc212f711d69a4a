"""Running a user's action: success messages that survive the rerun, errors in their words."""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from soc.errors import SocError
from ui.i18n import t

FLASH_KEY = "flash"

ERROR_KEYS: dict[str, str] = {
    "PermissionDenied": "error.permission",
    "InvalidTransition": "error.transition",
    "InvalidInput": "error.input",
    "IncidentNotFound": "error.not_found",
    "WeakPassword": "error.weak_password",
    "InvalidUser": "error.invalid_user",
}


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message)


def show_error(exc: BaseException) -> None:
    """Why an action was refused: a translated sentence, then the error's own text (as text)."""
    st.error(t(ERROR_KEYS.get(type(exc).__name__, "error.generic")))
    st.text(str(exc))


def act(action: Callable[..., Any], *args: Any, success: str) -> None:
    """Run `action(*args)`; on success remember `success` (an i18n key) and rerun, on a
    refused action show why and keep the page as it is."""
    try:
        action(*args)
    except SocError as exc:
        show_error(exc)
        return
    st.session_state[FLASH_KEY] = t(success)
    st.rerun()
