"""Ofsted ILACS Annex A: Lists 1-11 for any reference date from the cache, a data-quality check of
them, and the Excel workbook inspectors receive.

- :func:`annex_a.lists.annex_a_lists` builds the lists (pure: tables in, frames out);
- :func:`annex_a.quality.data_quality` finds what to fix in the source before sending them;
- :func:`annex_a.workbook.workbook_bytes` writes the workbook ("List 1" ... "List 11");
- ``python -m annex_a --date YYYY-MM-DD --out FILE`` does all three from the command line.
"""

from annex_a.spec import LIST_NAMES, LISTS

__all__ = ["LIST_NAMES", "LISTS"]
