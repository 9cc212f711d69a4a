"""Every visible string of the console, in Vietnamese (default) and English.

Strings live in `ui/locales/<lang>.json` as flat `key -> text` maps; `t(key, **values)`
looks one up in the language chosen in this session.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import streamlit as st

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES: dict[str, str] = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"
LANG_KEY = "lang"
SWITCH_KEY = "lang_switch"


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    with open(LOCALES_DIR / f"{lang}.json", encoding="utf-8") as fh:
        return json.load(fh)


def translate(lang: str, key: str, **values: Any) -> str:
    """Text of `key` in `lang`, falling back to Vietnamese, then to the key itself."""
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


def current_language() -> str:
    lang = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: Any) -> str:
    return translate(current_language(), key, **values)


def labels(prefix: str) -> Callable[[Any], str]:
    """A format_func for widgets whose options are codes, e.g. labels("status")("new").

    The language is fixed when the widget is built: Streamlit may call format_func
    outside the script run, where the session's language cannot be read.
    """
    lang = current_language()
    return lambda code: translate(lang, f"{prefix}.{code}")


def _remember_language() -> None:
    st.session_state[LANG_KEY] = st.session_state[SWITCH_KEY]


def language_switch() -> None:
    """The language picker. Its widget state is per page, so the choice itself lives in
    `LANG_KEY`, which survives login, logout and page changes."""
    st.session_state[SWITCH_KEY] = current_language()
    st.segmented_control(
        t("lang.label"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=SWITCH_KEY,
        selection_mode="single",
        required=True,
        on_change=_remember_language,
    )
