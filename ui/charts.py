"""Bar charts the console draws (pure: Altair specs from pandas frames, no Streamlit)."""

from __future__ import annotations

import altair as alt
import pandas as pd


def bars_by_day(frame: pd.DataFrame) -> alt.Chart:
    """Bars per day in the frame's row order (days as labels, so each day gets a full-width bar
    and days without hits still show). Column 0 is the day label, column 1 the count."""
    day, count = frame.columns[0], frame.columns[1]
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{day}:N", sort=None, title=day, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y(f"{count}:Q", title=count, axis=alt.Axis(tickMinStep=1)),
            tooltip=[day, count],
        )
        .properties(height=260)
    )
