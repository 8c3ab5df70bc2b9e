"""Statutory returns as a source: SSDA903 (CSV tables or XML), CIN census XML and Ofsted Annex A
workbooks read into the SSD-shaped tables of :mod:`data_access.schema`.

- :mod:`importers.common`: tolerant headers, dates (Excel serials included), IDs, codes, and the
  report of every row or value that could not be used (:class:`importers.common.RejectedRow`).
- :mod:`importers.ssda903`, :mod:`importers.cin_census`, :mod:`importers.annex_a`: one format each.
- :mod:`importers.source`: a folder of such files merged into one set of tables, children matched
  across files by their ID (SSDA903 ``CHILD``, CIN ``LAchildID``, Annex A ``Child Unique ID``).

The refresh uses this when the config says ``[source] type = "returns"``.
"""
