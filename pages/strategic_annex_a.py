"""Strategic → Inspection readiness (Annex A): Ofsted ILACS Annex A Lists 1-11 for a reference
date, the data-quality check first (what to fix in the source before the lists are sent), each
list's row count and a preview, and the workbook inspectors receive. Thin: every rule is in
:mod:`annex_a`. Child-level throughout, so senior leaders and heads of service only (the tier's
roles); a head of service gets the children of their service only."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from annex_a.lists import annex_a_lists, lookback_start
from annex_a.quality import data_quality, source_gaps, summary
from annex_a.spec import LISTS
from annex_a.workbook import workbook_bytes
from ui.downloads import download_table
from ui.frame import data_stamp, start_page
from ui.measures import derived
from ui.tables import data_table

ID = "Child Unique ID"
PREVIEW_ROWS = 100

ctx = start_page(
    "strategic", "Inspection readiness (Annex A)",
    "Ofsted ILACS Annex A Lists 1-11 for any reference date, as the workbook inspectors receive, with "
    "a data-quality check to run first so the source can be put right before the lists are sent.")

if not ctx.sees_everything:
    st.warning(
        "**These lists hold only the children of your service.** The return Ofsted receives covers the "
        "whole authority: a senior leader or the performance team produces it. Use this page to check and "
        "put right your service's records first.", icon=":material/filter_alt:")

as_at = ctx.as_at.date()
wanted = st.query_params.get("date")
if wanted and st.session_state.get("_annex_a_from_url") != wanted:
    try:
        st.session_state["annex_a_date"] = min(date.fromisoformat(wanted), as_at)
    except ValueError:
        st.warning("The date in the address is not a date (YYYY-MM-DD); showing the data's as-at date.")
    st.session_state["_annex_a_from_url"] = wanted
st.session_state.setdefault("annex_a_date", as_at)
c1, c2 = st.columns([1, 3])
when = c1.date_input("Reference date (the inspection date)", max_value=as_at,
                     min_value=date(as_at.year - 10, 1, 1), format="DD/MM/YYYY", key="annex_a_date")
st.query_params["date"] = when.isoformat()
c2.caption(
    f"Lists 1-8 look back six months: {lookback_start(when):%d %B %Y} to {when:%d %B %Y}, both included; "
    "Lists 10 and 11 twelve months; \"open\" means open at the end of the reference date. A date after "
    "the reference date is left blank, so an earlier date shows the lists as they would have stood then "
    "(care leavers' accommodation, activity and contact are as currently recorded).")


def _build():
    lists = annex_a_lists(ctx.tables, pd.Timestamp(when), ctx.settings)
    return lists, data_quality(lists, ctx.tables, pd.Timestamp(when)), source_gaps(ctx.tables)


# Built once per extract, record scope and date, and shared (not copied for every rerun).
with st.spinner("Building the Annex A lists…"):
    built, issues, gaps = derived(ctx, "annex_a", (when.isoformat(),), _build, records=True, large=True)
# Belt and braces: a list only ever holds children the viewer may see.
lists = {name: (ctx.visible_rows(frame, ID) if LISTS[name].child_list else frame) for name, frame in built.items()}
date_columns = {h: st.column_config.DateColumn(format="DD/MM/YYYY")
                for spec in LISTS.values() for h in spec.headers if spec.column(h).kind == "date"}

# ---- 1. data quality ---------------------------------------------------------------------------------
st.subheader("1. Data quality: put these right in the source first")
shown_ids: set[str] = set()
if not issues:
    st.success("No problems found in the lists for this date.", icon=":material/check_circle:")
else:
    problem_rows = sum(i.count for i in issues)
    m1, m2 = st.columns(2)
    m1.metric("Checks that found problems", f"{len(issues):,}")
    m2.metric("Rows to look at", f"{problem_rows:,}")
    data_table(summary(issues), hide_index=True, key="annex_a_quality_summary",
               column_config={"Rows": st.column_config.NumberColumn(format="%d")})
    st.caption("Each check below lists the rows as they appear on the list, with the row number on the "
               "workbook sheet and the problem in words. Download a check's rows to send to the teams.")
    for n, issue in enumerate(issues):
        rows = ctx.visible_rows(issue.rows, ID) if ID in issue.rows else issue.rows
        with st.expander(f"**{issue.list_name}** · {issue.check} — {len(rows):,}"):
            table = rows.rename(columns={ID: "Child ID"})
            data_table(table, hide_index=True, key=f"annex_a_issue_{n}", column_config=date_columns)
            download_table(ctx, {issue.list_name: table}, name=f"annex-a-{when:%Y%m%d}-quality-{n + 1}",
                           title=f"Annex A data quality, {issue.list_name}: {issue.check} "
                                 f"(reference date {when:%d/%m/%Y})",
                           notes=[f"{LISTS[issue.list_name].title}: {LISTS[issue.list_name].covers}"],
                           child_level=True)
        if ID in rows:
            shown_ids.update(rows[ID].dropna().astype(str))
if gaps:
    st.info("**Not available from this source** (blank in the workbook; not problems in the data):\n\n"
            + "\n".join(f"- {g}" for g in gaps), icon=":material/info:")

# ---- 2. the lists ------------------------------------------------------------------------------------
st.subheader("2. The lists")
counts = pd.DataFrame([{
    "List": name, "Name": spec.title, "Who is on it": spec.covers, "Look-back": spec.lookback,
    "Rows": len(lists[name]), "Children": int(lists[name][ID].nunique()) if spec.child_list and ID in lists[name] else 0,
} for name, spec in LISTS.items()])
data_table(counts, hide_index=True, key="annex_a_counts", height=35 * (len(counts) + 1) + 3,
           column_config={"Who is on it": st.column_config.TextColumn(width="large")})
tabs = st.tabs(list(LISTS))
for tab, (name, spec) in zip(tabs, LISTS.items()):
    frame = lists[name]
    with tab:
        st.markdown(f"**{name}: {spec.title}.** {spec.covers}")
        if frame.empty:
            st.info("No rows for this reference date." if spec.child_list else
                    "The SSD holds no adopter records: fill this list from the adoption agency's system.")
            continue
        preview = frame.head(PREVIEW_ROWS)
        st.caption(f"{len(frame):,} rows" + (f"; the first {PREVIEW_ROWS} shown, the workbook has them all"
                                             if len(frame) > PREVIEW_ROWS else ""))
        data_table(preview, hide_index=True, key=f"annex_a_list_{name}", column_config=date_columns)
        if spec.child_list:
            shown_ids.update(preview[ID].dropna().astype(str))
ctx.audit("list_children", child_ids=sorted(shown_ids), row_count=len(shown_ids),
          filters={"list": f"Annex A lists and data quality, reference date {when:%d/%m/%Y}"})

# ---- 3. the workbook ----------------------------------------------------------------------------------
st.subheader("3. The workbook")
with_quality = st.checkbox('Add a "Data quality" sheet listing every problem (for the performance team; '
                           "leave it out of the copy sent to Ofsted)", key="annex_a_with_quality")
file_name = f"annex-a-{when:%Y-%m-%d}{'-with-data-quality' if with_quality else ''}.xlsx"
notes = [f"Reference date {when:%d/%m/%Y}", data_stamp(ctx.cache).replace("**", ""), ctx.config.authority_name,
         "OFFICIAL-SENSITIVE: contains personal data about children. Store and share securely."]
if not ctx.sees_everything:
    notes.append("Limited to the children of the signed-in head of service's service.")


def _workbook() -> bytes:
    # Runs when the user clicks: recorded first, so the file is never handed out unrecorded.
    ids = sorted({str(i) for name, f in lists.items() if LISTS[name].child_list for i in f[ID].dropna()})
    ctx.audit("download", child_ids=ids, row_count=int(sum(len(f) for f in lists.values())),
              filters={"file": file_name, "reference_date": when.isoformat()}, once=False)
    return workbook_bytes(lists, issues=issues if with_quality else None,
                          title=f"Annex A {when:%d/%m/%Y}", notes=notes)


b1, _ = st.columns([1, 2])
b1.download_button("Download the Annex A workbook", data=_workbook, file_name=file_name,
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   key="annex_a_workbook", icon=":material/download:", on_click="ignore", type="primary")
st.caption("Sheets \"List 1\" … \"List 11\" with Ofsted's headers; dates are Excel dates shown dd/mm/yyyy. "
           "OFFICIAL-SENSITIVE: store and share securely. The download is recorded in the audit log.")
