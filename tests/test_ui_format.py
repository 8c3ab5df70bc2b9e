"""ui.format.short_id_list: the first IDs of a comma-separated list and how many more, within a
length when asked (Excel's cell limit)."""

from __future__ import annotations

import math

from ui.format import EXCEL_CELL_LIMIT, short_id_list


def test_short_lists_stay_whole_and_long_ones_say_how_many_more():
    assert short_id_list("A1,B2,C3", 10) == "A1,B2,C3"
    assert short_id_list("A1,B2,C3", 3) == "A1,B2,C3"
    assert short_id_list("A1,B2,C3", 2) == "A1,B2 … and 1 more"
    assert short_id_list(",".join(f"X{i}" for i in range(1_234)), 1) == "X0 … and 1,233 more"


def test_blank_stays_blank():
    assert short_id_list("", 5) == "" and short_id_list(None, 5) == "" and short_id_list(math.nan, 5) == ""


def test_a_length_limit_keeps_as_many_whole_ids_as_fit():
    ids = [f"{i:05d}" for i in range(10)]  # 5 characters each
    text = short_id_list(",".join(ids), 10, 30)
    # "00000,00001,00002 … and 7 more" is 30 characters; one more ID would not fit
    assert text == "00000,00001,00002 … and 7 more" and len(text) == 30
    many = ",".join(f"{i:010d}" for i in range(20_000))
    cut = short_id_list(many, limit=EXCEL_CELL_LIMIT)
    assert short_id_list(many) == many
    assert len(cut) <= EXCEL_CELL_LIMIT and len(cut) > EXCEL_CELL_LIMIT - 12  # within one ID of the limit
    kept = cut.split(" … ")[0].split(",")
    assert cut.endswith(f"and {20_000 - len(kept):,} more") and kept[-1] == f"{len(kept) - 1:010d}"
