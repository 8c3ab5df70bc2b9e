"""Administration → Audit log (senior leaders only): who viewed which child's record, who listed
which children and who downloaded what, with sign-ins, failures and lock-outs. Child IDs only: the
log never holds names. Viewing the log is itself recorded."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import streamlit as st

from auth import ACTIONS, Role, audit_event, load_settings
from auth.backends import stores_for
from ui.excel import workbook_bytes
from ui.format import EXCEL_CELL_LIMIT, short_id_list
from ui.frame import sign_in
from ui.tables import data_table

SHOWN_IDS = 10  # child IDs shown per event in the table

user = sign_in("Audit log", {Role.SENIOR_LEADER})
st.title("Audit log")
st.caption("Who viewed which child's record, who listed or downloaded which children, and every sign-in. "
           "Times are UTC. The log holds IDs only, never names.")

today = datetime.now(timezone.utc).date()
with st.container(border=True):
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    dates = c1.date_input("Between", (today - timedelta(days=7), today), max_value=today, key="audit_dates",
                          format="DD/MM/YYYY")
    action = c2.selectbox("Action", ["All actions", *sorted(ACTIONS)], key="audit_action")
    username = c3.text_input("User name", key="audit_user", placeholder="Any user").strip()
    child = c4.text_input("Child ID", key="audit_child", placeholder="Any child").strip()

if not isinstance(dates, (tuple, list)) or len(dates) != 2:
    st.info("Choose a start and an end date.")
    st.stop()
since = datetime.combine(dates[0], time.min)
until = datetime.combine(dates[1] + timedelta(days=1), time.min)
log = stores_for(load_settings()).audit
events = log.query(since=since, until=until, username=username or None,
                   action=None if action == "All actions" else action, limit=50_000)
if child:
    events = events[events["child_ids"].fillna("").str.split(",").map(lambda ids: child in ids)]
audit_event(user, "view_audit", page="Audit log",
            filters={"from": str(dates[0]), "to": str(dates[1]), "action": action, "user": username,
                     "child": child}, row_count=len(events))

if events.empty:
    st.info("No events match these filters.")
    st.stop()
m1, m2, m3 = st.columns(3)
m1.metric("Events", f"{len(events):,}")
m2.metric("Users", f"{events['username'].nunique():,}")
m3.metric("Failed sign-ins", f"{int((events['action'] == 'sign_in_failed').sum()):,}")
# A list view's event holds every child ID listed (a whole authority's caseload: tens of thousands).
# The table shows how many and the first few; the child filter above searches the whole list.
ids = events["child_ids"].fillna("")
table = events.assign(at=events["at"].dt.tz_localize(None),
                      children=ids.map(lambda v: len(v.split(",")) if v else 0)).rename(columns={
    "at": "When (UTC)", "username": "User", "role": "Role", "action": "Action", "page": "Page",
    "children": "Children", "child_ids": "Child IDs", "filters": "Filters", "row_count": "Rows",
}).drop(columns=["id"])
table = table[["When (UTC)", "User", "Role", "Action", "Page", "Children", "Child IDs", "Filters", "Rows"]]
shown = table.assign(**{"Child IDs": ids.map(lambda v: short_id_list(v, SHOWN_IDS)).to_numpy()})
data_table(shown, hide_index=True, key="audit_table",
           column_config={"When (UTC)": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm:ss")})


def export() -> bytes:
    audit_event(user, "download", page="Audit log", filters={"file": "audit-log.xlsx"}, row_count=len(table))
    whole = table.assign(**{"Child IDs": ids.map(lambda v: short_id_list(v, limit=EXCEL_CELL_LIMIT)).to_numpy()})
    return workbook_bytes({"Audit log": whole}, title="Portal audit log",
                          notes=[f"{dates[0]:%d/%m/%Y} to {dates[1]:%d/%m/%Y} (UTC)",
                                 "OFFICIAL-SENSITIVE: child IDs. Store and share securely.",
                                 f"A list of more children than one Excel cell holds ({EXCEL_CELL_LIMIT:,} "
                                 "characters) ends '… and N more'; the portal's Child ID filter searches "
                                 "every list in full."])


st.download_button("Download Excel", data=export, file_name="audit-log.xlsx", on_click="ignore",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/download:", key="audit_xlsx")
