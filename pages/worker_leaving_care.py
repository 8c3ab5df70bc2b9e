"""Worker → Leaving care (Leaving Care Supervision, seed 004): the care leavers (16-25) the user may
see, with their personal adviser, last contact, pathway plan review due, accommodation and whether
it is suitable, and activity (in education, employment or training or not), with RAG on contact and
the pathway plan. Thin: the rows and every status come from metrics.tasks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from auth import Role
from metrics.tasks import DUE_SOON, ON_TRACK, OVERDUE, care_leaver_rows, rules_text
from ui.downloads import download_table
from ui.frame import start_page
from ui.measures import run_worklist
from ui.tables import data_table

BADGE = {OVERDUE: "🔴 Overdue", DUE_SOON: "🟠 Due soon", ON_TRACK: "🟢 On track", "Not required": "— Not required"}
ALL = "All"


ctx = start_page(
    "worker", "Leaving care",
    "Care leavers aged 16 to 25: when each was last in touch, when their pathway plan review is due, "
    "where they live and whether it is suitable, and what they are doing.",
)
wl = run_worklist(ctx)
rows = ctx.visible_rows(care_leaver_rows(wl))

with st.expander("How is this worked out?"):
    rules = rules_text(ctx.settings)
    st.markdown("\n".join(f"- {line}" for line in rules if "Pathway" in line or "Care leaver contact" in line))
    st.markdown(
        "- **Suitable accommodation** as the care leaver measures read it: recorded as suitable (or, when "
        "blank, an SSDA903 accommodation code ending in 1). **EET**: activity is education, employment or "
        "training (SSDA903 codes F1-F5 and P1-P5, or words saying so); G4-G6, NEET or blank are not.\n"
        "- Care leavers are young people with a care leaver record, aged 16-25, alive and not in care on the "
        "date; each is shown with the worker and team holding the case (or, with no open allocation, those on "
        "the care leaver record)."
    )

if rows.empty:
    mine = " allocated to you" if ctx.viewer.role is Role.PRACTITIONER else " you may see"
    st.info(f"**No care leavers{mine} on {ctx.as_at:%d %B %Y}.** Care leavers are young people aged 16 to 25 "
            "with a care leaver record who are no longer in care.")
    st.stop()

with st.container(border=True):
    c1, c2, c3 = st.columns(3)
    workers = sorted({w for w in rows["worker"] if w})
    advisers = sorted({a for a in rows["personal_advisor"] if a})
    worker = c1.selectbox("Allocated worker", [ALL, *workers], key="worker", bind="query-params")
    adviser = c2.selectbox("Personal adviser", [ALL, *advisers], key="adviser", bind="query-params")
    only = c3.segmented_control("Show", ["All", "Needs action"], default="All", key="show",
                                help="Needs action: contact or pathway plan review overdue or due soon.")
if worker != ALL:
    rows = rows[rows["worker"] == worker]
if adviser != ALL:
    rows = rows[rows["personal_advisor"] == adviser]
if only == "Needs action":
    rows = rows[rows["status"].isin([OVERDUE, DUE_SOON])]
if rows.empty:
    st.info("No care leavers match these choices.")
    st.stop()

n = len(rows)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Care leavers", f"{n:,}")
m2.metric("Contact overdue", f"{int((rows['contact_status'] == OVERDUE).sum()):,}")
m3.metric("In suitable accommodation", f"{int(rows['suitable'].sum()):,} of {n:,}")
m4.metric("In education, employment or training", f"{int(rows['eet'].sum()):,} of {n:,}")

table = pd.DataFrame({
    "Child ID": rows["person_id"].to_numpy(),
    "Name": rows["child_name"].to_numpy(),
    "Age": rows["age"].to_numpy(),
    "Eligibility": rows["eligibility"].to_numpy(),
    "Personal adviser": rows["personal_advisor"].to_numpy(),
    "Worker": rows["worker"].to_numpy(),
    "Team": rows["team"].to_numpy(),
    "Last contact": rows["latest_contact"].to_numpy(),
    "Contact due": rows["contact_due"].to_numpy(),
    "Contact": rows["contact_status"].to_numpy(),
    "Pathway plan reviewed": rows["pathway_plan_review_date"].to_numpy(),
    "Pathway plan review due": rows["pathway_plan_due"].to_numpy(),
    "Pathway plan": rows["pathway_plan_status"].to_numpy(),
    "Accommodation": rows["accommodation"].to_numpy(),
    "Suitability": rows["accommodation_suitable"].to_numpy(),
    "Suitable": rows["suitable"].to_numpy(),
    "Activity": rows["activity"].to_numpy(),
    "EET": rows["eet"].to_numpy(),
})
shown = table.copy()
shown["Contact"] = shown["Contact"].map(BADGE).fillna(shown["Contact"])
shown["Pathway plan"] = shown["Pathway plan"].map(BADGE).fillna(shown["Pathway plan"])
dates = {c: st.column_config.DateColumn(format="DD/MM/YYYY")
         for c in ("Last contact", "Contact due", "Pathway plan reviewed", "Pathway plan review due")}
st.caption(f"{n:,} care leavers, most urgent first (contact or pathway plan overdue, then the earliest due).")
ctx.audit_list(rows, what="Leaving care")
data_table(shown, hide_index=True, placeholder="–", key="leavers_table", column_config={
    **dates,
    "Suitable": st.column_config.CheckboxColumn(),
    "EET": st.column_config.CheckboxColumn(),
})
download_table(ctx, {"Care leavers": table}, name=f"care-leavers-{ctx.as_at:%Y-%m-%d}",
               title=f"Care leavers as at {ctx.as_at:%d %B %Y}",
               notes=[line.replace("**", "") for line in rules_text(ctx.settings)
                      if "Pathway" in line or "Care leaver contact" in line],
               child_level=True)
