"""Client → Client summary: one child's record for a busy practitioner. Find a child by ID or by
name among the children the viewer may see (record scope: ctx.tables); ``?child=<person ID>``
opens a child directly (the caseload page links here). Then: who they are, where they are in the
service now, who holds the case, what is due next, the full chronology (filter by type, newest
first, Excel), the latest assessments' key questions and factors, plans, placements and legal
status, the people around them and the allocation history.

Every rule is in :mod:`metrics.chronology`; this page only lays it out. A child outside the
viewer's access, by search or by URL, is treated exactly like a child who does not exist: nothing
about them is shown. Every child shown is written to the audit log (ID only)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import chronology as chron
from ui.downloads import download_table
from ui.frame import start_page
from ui.tables import data_table

NOT_AVAILABLE = "This child's record is not available to you."
NO_MATCH = "No child you can see matches that search."
MAX_RESULTS = 25
DATE = st.column_config.DateColumn(format="DD/MM/YYYY")
STATUS_BADGE = {"Care leaver": "blue", "In care": "violet", "Child protection plan": "red",
                "Child in need plan": "orange", "Open referral": "orange", "Early help": "green", "Not open": "gray"}

ctx = start_page(
    "client", "Client summary",
    "One child's record: who they are, where they are now, who holds the case, what is due next and "
    "everything that has happened, newest first.",
)


def fmt_date(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d/%m/%Y")


def open_child(person_id: str) -> None:
    st.query_params["child"] = person_id
    st.session_state["find"] = ""


def close_child() -> None:
    st.query_params.pop("child", None)


def searched() -> None:
    """An exact, visible ID opens the child at once; names list the matches below."""
    matches = chron.find_children(ctx.tables, st.session_state.get("find", ""), limit=MAX_RESULTS)
    if len(matches) == 1 and matches["matched_on"].iloc[0] == "ID":
        open_child(matches["person_id"].iloc[0])


def search_panel() -> None:
    st.text_input(
        "Find a child", key="find", on_change=searched, placeholder="Child ID, NHS number or name, then Enter",
        help="An ID must be typed in full. For a name, type the start of the first name, the surname or both "
             "(\"jo smi\" finds John Smith). Only the children you may see are searched.",
    )
    query = st.session_state.get("find", "").strip()
    if not query:
        return
    matches = chron.find_children(ctx.tables, query, limit=MAX_RESULTS + 1)
    if matches.empty:
        st.info(NO_MATCH)
        return
    shown = matches.head(MAX_RESULTS)
    ctx.audit_list(shown, what="Client search results")
    st.caption(f"{len(shown)} child{'ren' if len(shown) != 1 else ''} found"
               + (f"; showing the first {MAX_RESULTS}: type more of the name to narrow it" if len(matches) > MAX_RESULTS else "")
               + ". Choose one to open their summary.")
    for r in shown.itertuples(index=False):
        born = f" · born {fmt_date(r.dob)}" if not pd.isna(r.dob) else ""
        st.button(f"{r.name or 'Name not recorded'}{born} · ID {r.person_id}", key=f"open_{r.person_id}",
                  on_click=open_child, args=(r.person_id,), icon=":material/person:")


wanted = (st.query_params.get("child") or "").strip()
if not wanted:
    with st.container(border=True):
        search_panel()
    if not st.session_state.get("find", "").strip():
        st.info("Find a child by their ID or name to see their summary. You can also open a child from the "
                "caseload page.")
    st.stop()

if not ctx.may_see_child(wanted) or chron.person_row(ctx.tables, wanted) is None:
    # The same words whether the child does not exist or is outside the viewer's access.
    st.warning(NOT_AVAILABLE)
    st.button("Find another child", on_click=close_child, key="close_child", icon=":material/search:")
    st.stop()

pid = wanted
ctx.audit("view_child", child_ids=[pid])


@st.cache_data(show_spinner="Reading the record…", max_entries=256)
def child_record(cache_key: str, scope_key: str, aggregate_key: str, person_id: str, settings_key: str,
                 _tables, _aggregate, _extract, _settings, _as_at) -> dict:
    """Everything the page shows of one child, computed once per extract, viewer scope and child
    (filters and tab changes rerun the page without recomputing it)."""
    # One child's rows. The access scope holds no rows of the tables that name no child
    # (assessment factors and answers, contact decisions): those of this child's own assessments
    # and contacts are taken from the extract by their IDs. Worker and team names come from the
    # organisation the viewer's figures cover (for a practitioner: their team's workers), so a
    # colleague who held the case before is named rather than shown as "another worker".
    mine = {**chron.child_tables(_tables, person_id, linked=_extract),
            "ssd_professionals": _aggregate["ssd_professionals"], "ssd_department": _aggregate["ssd_department"]}
    found = chron.assessments(mine, person_id)
    due, source = chron.due_next(mine, person_id, _as_at, _settings)
    return {
        "identity": chron.identity(mine, person_id, _as_at),
        "status": chron.current_status(mine, person_id, _as_at),
        "allocation": chron.allocation_history(mine, person_id, _as_at),
        "due": due, "due_source": source,
        "plans": chron.current_plans(mine, person_id, _as_at),
        "chronology": chron.chronology(mine, person_id),
        "assessments": found,
        "answers": chron.assessment_answers(mine, found["assessment_id"]),
        "care": chron.periods_of_care(mine, person_id, _as_at),
        "placements": chron.placement_history(mine, person_id, _as_at),
        "legal": chron.legal_status_history(mine, person_id, _as_at),
        # names of related people only from what the viewer may see
        "people": chron.key_relationships(_tables, person_id, _as_at),
    }


record = child_record(ctx.cache.key, ctx.viewer.scope.key, ctx.viewer.aggregate_scope.key, pid, repr(ctx.settings),
                      ctx.tables, ctx.aggregate_tables, ctx.cache.tables, ctx.settings, ctx.as_at)
who, status, alloc = record["identity"], record["status"], record["allocation"]
first_name = who["forename"] or "This child"

with st.expander("Find another child", icon=":material/search:"):
    search_panel()

# ---- who, where now, who holds the case --------------------------------------------------------
st.header(who["name"] or "Name not recorded", anchor=False)
badges = " ".join(f":{STATUS_BADGE.get(s, 'gray')}-badge[{s}]" for s in dict.fromkeys(status["status"]))
st.markdown(f"{badges} &nbsp; Child ID **{pid}**" + (f" · Legacy ID {who['legacy_id']}" if who["legacy_id"] else ""))
if who["dob"] is not None:
    born = f"{fmt_date(who['dob'])}" + (f" (age {who['age']})" if who["age"] is not None else " (not yet born)")
elif who["expected_dob"] is not None:
    born = f"Unborn, expected {fmt_date(who['expected_dob'])}"
else:
    born = "Not recorded"
c1, c2, c3 = st.columns(3)
c1.markdown(f"**Date of birth**  \n{born}")
c1.markdown(f"**Sex**  \n{who['sex']}" + (f" (gender {who['gender']})" if who["gender"] and who["gender"] != who["sex"][:1] else ""))
c2.markdown(f"**Ethnicity**  \n{who['ethnicity']}")
c2.markdown(f"**Disability**  \n{who['disability']}")
c3.markdown(f"**UASC** (unaccompanied asylum-seeking child)  \n{who['uasc']}")
current = alloc[alloc["current"]]
if len(current):
    a = current.iloc[0]
    c3.markdown(f"**Allocated worker**  \n{a['worker']}, {a['team']}  \nsince {fmt_date(a['start'])}")
else:
    c3.markdown("**Allocated worker**  \nNot allocated today")
if who["death_date"] is not None:
    st.error(f"Died {fmt_date(who['death_date'])}.")

tabs = st.tabs(["Now and next", "Chronology", "Assessments", "Care history", "Key relationships", "Allocation history"])

# ---- now and next ------------------------------------------------------------------------------
with tabs[0]:
    st.subheader("Current status", anchor=False)
    data_table(status.rename(columns={"status": "Status", "since": "Since", "detail": "Details",
                                      "record_id": "Record ID"}),
               hide_index=True, key="status_table", column_config={"Since": DATE})
    st.subheader("What is due next", anchor=False)
    due, source = record["due"], record["due_source"]
    if due.empty:
        st.info(f"Nothing is due: {first_name} has no statutory tasks on {fmt_date(ctx.as_at)} "
                "(tasks come with an open plan, care episode or care leaver support).")
    else:
        late = int((due["status"] == "Overdue").sum())
        soon = int((due["status"] == "Due soon").sum())
        if late:
            st.error(f"{late} task{'s are' if late != 1 else ' is'} overdue.")
        elif soon:
            st.warning(f"{soon} task{'s are' if soon != 1 else ' is'} due within {ctx.settings.due_soon_working_days} working days.")
        data_table(due.rename(columns={
            "task": "Task", "last_done": "Last done", "next_due": "Next due", "status": "Status", "detail": "Details"}),
            hide_index=True, key="due_table", column_config={"Last done": DATE, "Next due": DATE})
    if source == "visits":
        st.caption("Visits and reviews only: the full statutory task list is not available in this release.")
    else:
        st.caption(f"Every statutory task, by the same rules as the caseload page, at {fmt_date(ctx.as_at)}. "
                   f"Due soon: within {ctx.settings.due_soon_working_days} working days.")
    st.subheader("Current plans", anchor=False)
    plans = record["plans"]
    if plans.empty:
        st.info(f"{first_name} has no open plan.")
    else:
        data_table(plans.rename(columns={"plan": "Plan", "since": "Since", "detail": "Details", "record_id": "Record ID"}),
                   hide_index=True, key="plans_table", column_config={"Since": DATE})

# ---- chronology ----------------------------------------------------------------------------------
with tabs[1]:
    events = record["chronology"]
    if events.empty:
        st.info("No events are recorded for this child.")
    else:
        present = [c for c in chron.CATEGORIES if c in set(events["category"])]
        chosen = st.pills("Show", present, selection_mode="multi", default=present, key=f"chron_categories_{pid}",
                          help="Click a kind of event to hide or show it.")
        kinds = st.columns([2, 3])[0].multiselect("Only these events", sorted(set(events["event"])),
                                                  key=f"chron_events_{pid}", placeholder="All events of the kinds chosen")
        shown = events[events["category"].isin(chosen or [])]
        if kinds:
            shown = shown[shown["event"].isin(kinds)]
        st.caption(f"{len(shown):,} of {len(events):,} events, newest first.")
        if shown.empty:
            st.info("No events of the kinds chosen. Choose more kinds of event above.")
        else:
            table = shown.rename(columns={"date": "Date", "event": "Event", "category": "Kind", "summary": "Details",
                                          "source": "Source table", "record_id": "Record ID"})
            data_table(table, hide_index=True, key="chronology_table",
                       column_config={"Date": DATE, "Details": st.column_config.TextColumn(width="large")})
            download_table(ctx, {"Chronology": table.assign(**{"Child ID": pid})[["Child ID", *table.columns]]},
                           name=f"chronology-{pid}", title=f"Chronology of child {pid}",
                           notes=[f"Kinds of event: {', '.join(chosen or [])}" + (f"; events: {', '.join(kinds)}" if kinds else ""),
                                  "Newest first. Details are the coded fields of each source row; no case notes."],
                           child_level=True)

# ---- assessments ---------------------------------------------------------------------------------
with tabs[2]:
    found = record["assessments"]
    if found.empty:
        st.info(f"No child and family assessment is recorded for {first_name}.")
    else:
        latest = found.iloc[0]
        st.subheader(f"Latest assessment ({latest['status'].lower()})", anchor=False)
        st.markdown(
            f"Started **{fmt_date(latest['start'])}**"
            + (f", authorised **{fmt_date(latest['authorised'])}**" if not pd.isna(latest["authorised"]) else "")
            + (f" by {latest['by']}" if latest["by"] else "")
            + f" · child seen: {latest['child_seen']}"
        )
        st.markdown(f"**Factors identified:** {latest['factors'] or 'none recorded'}  \n"
                    f"**Outcome:** {latest['outcome'] or 'not yet recorded'}"
                    + (" (no further action)" if latest["no_further_action"] == "yes" else ""))
        answers = record["answers"][record["answers"]["assessment_id"] == latest["assessment_id"]]
        if answers.empty:
            st.caption("No key questions are recorded for this assessment"
                       + ("" if "ext_assessment_answers" in ctx.tables else " (not available from this source)") + ".")
        for q in answers.itertuples(index=False):
            with st.container(border=True):
                st.markdown(f"**{q.question}**")
                st.text(q.answer)
        if len(found) > 1:
            with st.expander(f"Earlier assessments ({len(found) - 1})"):
                earlier = found.iloc[1:]
                data_table(earlier.rename(columns={
                    "assessment_id": "Assessment ID", "referral_id": "Referral ID", "start": "Started",
                    "authorised": "Authorised", "status": "Status", "child_seen": "Child seen", "outcome": "Outcome",
                    "no_further_action": "No further action", "factors": "Factors", "team": "Team", "worker": "Worker"}
                    ).drop(columns=["by"]),
                    hide_index=True, key="assessments_table", column_config={"Started": DATE, "Authorised": DATE})
                previous = record["answers"][record["answers"]["assessment_id"] != latest["assessment_id"]]
                for aid, group in previous.groupby("assessment_id", sort=False):
                    st.markdown(f"**Assessment {aid}**")
                    for q in group.itertuples(index=False):
                        st.markdown(f"*{q.question}*")
                        st.text(q.answer)

# ---- care history --------------------------------------------------------------------------------
with tabs[3]:
    care = record["care"]
    if care.empty:
        st.info(f"{first_name} has not been looked after (no care episodes recorded).")
    else:
        st.subheader("Periods of care", anchor=False)
        data_table(care.rename(columns={"start": "Started", "end": "Ended", "start_reason": "How it started",
                                        "ceased_reason": "Why it ended", "current": "Now"}),
                   hide_index=True, key="care_table", column_config={"Started": DATE, "Ended": DATE})
        st.subheader("Placements", anchor=False)
        placements = record["placements"]
        if placements.empty:
            st.info("No placements are recorded.")
        else:
            data_table(placements.rename(columns={
                "start": "Started", "end": "Ended", "placement_type": "Type", "provider": "Provider", "urn": "URN",
                "postcode": "Postcode", "distance_miles": "Miles from home", "change_reason": "Reason for change",
                "current": "Now", "record_id": "Record ID"}),
                hide_index=True, key="placements_table", column_config={"Started": DATE, "Ended": DATE})
        st.subheader("Legal status", anchor=False)
        legal = record["legal"]
        if legal.empty:
            st.info("No legal status is recorded.")
        else:
            data_table(legal.rename(columns={"start": "Started", "end": "Ended", "legal_status": "Legal status",
                                             "current": "Now", "record_id": "Record ID"}),
                       hide_index=True, key="legal_table", column_config={"Started": DATE, "Ended": DATE})

# ---- key relationships ---------------------------------------------------------------------------
with tabs[4]:
    people = record["people"]
    if people.empty:
        st.info(f"No relationships are recorded for {first_name}.")
    else:
        data_table(people.rename(columns={
            "relationship": "Relationship", "person_id": "Person ID", "name": "Name", "key": "Key", "start": "From",
            "end": "Until", "current": "Current", "source": "Source table"}),
            hide_index=True, key="people_table", column_config={"From": DATE, "Until": DATE})
        st.caption("Key relationships first. A related child's name is shown only if you may see their record.")

# ---- allocation history --------------------------------------------------------------------------
with tabs[5]:
    if alloc.empty:
        st.info(f"{first_name} has never been allocated a worker.")
    else:
        data_table(alloc.rename(columns={
            "worker": "Worker", "team": "Team", "role": "Role", "start": "From", "end": "Until",
            "change_reason": "Reason for change", "current": "Now", "record_id": "Record ID"}),
            hide_index=True, key="allocation_table", column_config={"From": DATE, "Until": DATE})
