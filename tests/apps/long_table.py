"""A page with one long table drawn by ui.tables.data_table, for tests/test_ui_tables.py's browser
check (run with `streamlit run`; no portal data)."""

import pandas as pd
import streamlit as st

from ui.tables import LAZY_ROWS, data_table

rows = LAZY_ROWS * 2 + 500
data_table(pd.DataFrame({"n": range(rows), "label": [f"row {i:05d}" for i in range(rows)]}),
           hide_index=True, key="long_table", height=400)
st.write(f"rows: {rows}")
