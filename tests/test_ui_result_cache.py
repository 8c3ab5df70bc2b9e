"""The measure and worklist caches hand every rerun the same computed frames (st.cache_resource,
no copy per hit). What keeps that safe is ui.measures._shallow: a page that adds or changes a
column of what it was handed must never change what the next viewer of the same scope gets."""

import numpy as np
import pandas as pd

from ui.measures import _shallow


def test_a_page_changing_its_copy_never_changes_the_cached_frame():
    cached = pd.DataFrame({"period": ["2026-09", "2026-10"], "value": [0.5, 0.75],
                           "child": ["C1", "C2"]})
    handed = _shallow(cached)
    handed["value"] = handed["value"] * 100          # a page formatting percentages
    handed.loc[0, "child"] = "changed"               # or editing a cell
    handed["extra"] = 1                              # or adding a column
    handed.drop(columns="period", inplace=True)      # or dropping one
    assert list(cached.columns) == ["period", "value", "child"]
    assert cached["value"].tolist() == [0.5, 0.75]
    assert cached["child"].tolist() == ["C1", "C2"]
    # and nothing was copied to hand it over: the same values until someone writes
    again = _shallow(cached)
    assert np.shares_memory(again["value"].to_numpy(), cached["value"].to_numpy())
