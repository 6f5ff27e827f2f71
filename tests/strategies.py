"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from safeguard_time import Convention

#: Dates inside the verified horizon (no provisional warnings), away from the range edges.
verified_dates = st.dates(min_value=dt.date(1990, 3, 1), max_value=dt.date(2028, 10, 31))
#: Dates anywhere in the supported range, away from its edges.
any_dates = st.dates(min_value=dt.date(1990, 3, 1), max_value=dt.date(2099, 10, 31))
conventions = st.sampled_from(list(Convention))
#: Working-day counts that keep a verified start inside the verified horizon.
small_n = st.integers(min_value=-40, max_value=40)
