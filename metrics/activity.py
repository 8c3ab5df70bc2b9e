"""Breakdowns the management tier needs on top of the registered measures: the week's activity,
caseloads by type (early help included) against a threshold, how long unallocated children have
waited, missing-children breakdowns, and the visits and reviews due as at a date.

Nothing here redefines a measure. Counts and percentages come from a registered measure's
child-level rows (``MeasureResult.rows``: one row per counted item, flagged ``in_numerator`` /
``in_denominator``) grouped again, so a team's figure here is the figure the measure gives
``by="team"``. The rules that are new (early help caseloads, how long a child has been unallocated,
repeat missing, what is due in the coming weeks) are written down at each function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

import numpy as np
import pandas as pd

from metrics import registry
from metrics.front_door import label_allocated, label_recorded, open_at
from metrics.looked_after import (
    ALL_ID, ALL_LABEL, add_child_names, day, periods_of_care, set_group, summarise, text, yes,
)
from metrics.lookups import label_org, worker_lookup
from metrics.periods import Period
from metrics.settings import MetricSettings

By = Literal["service", "team", "worker"] | None
ORG = ["service_id", "service", "team_id", "team", "worker_id", "worker"]


# ---- regrouping a measure's rows --------------------------------------------------------------

def group_summary(rows: pd.DataFrame, by: By, *, count_only: bool,
                  periods: list[Period] | None = None) -> pd.DataFrame:
    """A measure's child-level rows summarised per period and group exactly as the measures do
    (``metrics.looked_after.summarise``): numerator = rows in the numerator, denominator = rows in
    the denominator, value = their ratio (or the count). ``rows`` may be a subset (one service or
    team); with ``by`` None the subset is one group ("All"), and every one of ``periods`` gets a
    row (zero / no value when nothing is counted in it)."""
    periods = list(periods or [])
    if rows.empty and (by is not None or not periods):
        return pd.DataFrame(columns=registry.SUMMARY_COLUMNS)
    g = set_group(rows.copy(), by)
    if g.empty:
        g = pd.DataFrame({"period": pd.Series(dtype=object), "group_id": pd.Series(dtype=object),
                          "group": pd.Series(dtype=object), "in_numerator": pd.Series(dtype=bool),
                          "in_denominator": pd.Series(dtype=bool)})
    return summarise(g, periods, by, count_only=count_only)


# ---- weekly activity --------------------------------------------------------------------------

@dataclass(frozen=True)
class ActivityLine:
    key: str
    title: str
    measure_id: str
    # Which rows of the measure are the activity: "numerator" for count measures (every row), or
    # "denominator" for a percentage whose denominator is the events themselves (e.g. the CP
    # plans starting in the period are cp_repeat's denominator).
    counts: Literal["numerator", "denominator"]
    date_col: str
    id_col: str


ACTIVITY = (
    ActivityLine("contacts", "Contacts", "contacts", "numerator", "contact_date", "contact_id"),
    ActivityLine("referrals", "Referrals", "referrals", "numerator", "referral_date", "referral_id"),
    ActivityLine("assessments", "Assessments completed", "assessments", "numerator", "auth_date", "assessment_id"),
    ActivityLine("s47", "Section 47 enquiries started", "s47", "numerator", "s47_start_date", "s47_id"),
    ActivityLine("icpc", "Initial CP conferences held", "icpc_to_plan", "denominator", "icpc_date", "icpc_id"),
    ActivityLine("cp_started", "CP plans started", "cp_repeat", "denominator", "plan_start_date", "cp_plan_id"),
    ActivityLine("cp_ended", "CP plans ended", "cp_long", "denominator", "plan_end_date", "cp_plan_id"),
    ActivityLine("cla_starts", "Children starting care", "cla_starts", "numerator", "start_date", "cla_id"),
    ActivityLine("cla_ceased", "Children ceasing care", "cla_ceased", "numerator", "end_date", "cla_id"),
)
ACTIVITY_BY_KEY = {a.key: a for a in ACTIVITY}
EVENT_COLUMNS = ["period", "activity", "activity_title", "event_id", "date", "person_id", "child_name", *ORG]


def activity_events(tables: Mapping[str, pd.DataFrame], periods: list[Period],
                    settings: MetricSettings | None = None, lines=ACTIVITY, run=None) -> pd.DataFrame:
    """Every event counted by the activity lines in each period, one row per event: period,
    activity (key), activity_title, event_id, date, person_id, child_name and the service, team
    and worker the measure groups it by. A line whose measure the source cannot provide is left
    out (``unavailable_activity`` says which). ``run(measure_id, periods)`` runs a measure (e.g.
    a page's cached runner); by default the registered measure is run on ``tables``."""
    settings = settings or MetricSettings()
    if run is None:
        def run(measure_id, ps):
            return registry.get(measure_id).run(tables, ps, None, settings)
    parts = []
    for line in lines:
        try:
            result = run(line.measure_id, periods)
        except registry.MeasureUnavailable:
            continue
        r = result.rows
        if r.empty:
            continue
        flag = "in_numerator" if line.counts == "numerator" else "in_denominator"
        r = r[r[flag].astype(bool).to_numpy()]
        parts.append(pd.DataFrame({
            "period": r["period"].to_numpy(dtype=object),
            "activity": line.key,
            "activity_title": line.title,
            "event_id": text(r[line.id_col]),
            "date": day(r[line.date_col]),
            "person_id": r["person_id"].to_numpy(dtype=object),
            "child_name": r["child_name"].to_numpy(dtype=object),
            **{c: r[c].to_numpy(dtype=object) for c in ORG},
        }))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "date" else object) for c in EVENT_COLUMNS})
    return pd.concat(parts, ignore_index=True)[EVENT_COLUMNS]


def unavailable_activity(tables: Mapping[str, pd.DataFrame], lines=ACTIVITY) -> list[str]:
    """Titles of the activity lines the source cannot provide (a table is missing)."""
    out = []
    for line in lines:
        m = registry.get(line.measure_id)
        if any(t not in tables for t in m.source_tables):
            out.append(line.title)
    return out


def activity_counts(events: pd.DataFrame, periods: list[Period], by: By = None,
                    lines=ACTIVITY, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts per period, group and activity, zeros included: period, group_id, group, activity,
    activity_title, count. Every group present in ``events`` (or listed in ``groups``, a frame of
    group_id, group) gets every period and activity."""
    e = set_group(events.copy(), by)
    n = e.groupby(["period", "group_id", "activity"], sort=False).size()
    if groups is None:
        groups = e[["group_id", "group"]].drop_duplicates()
        if by is None:
            groups = pd.DataFrame({"group_id": [ALL_ID], "group": [ALL_LABEL]})
    groups = groups.drop_duplicates("group_id")
    grid = pd.MultiIndex.from_product(
        [[p.label for p in periods], groups["group_id"].tolist(), [a.key for a in lines]],
        names=["period", "group_id", "activity"])
    out = n.reindex(grid, fill_value=0).rename("count").reset_index()
    out["count"] = out["count"].astype(int)
    out["group"] = out["group_id"].map(dict(zip(groups["group_id"], groups["group"])))
    out["activity_title"] = out["activity"].map({a.key: a.title for a in lines})
    return out[["period", "group_id", "group", "activity", "activity_title", "count"]]


def last_vs_average(counts: pd.DataFrame, last: str, previous: list[str], lines=ACTIVITY) -> pd.DataFrame:
    """Per group and activity: last (the count in period ``last``), average (the mean count over
    the ``previous`` periods, e.g. the 12 weeks before last week), difference (last - average)
    and change (difference / average; NaN when the average is 0)."""
    c = counts.pivot_table(index=["group_id", "group", "activity"], columns="period", values="count",
                           aggfunc="sum", fill_value=0)
    last_n = c[last] if last in c else pd.Series(0, index=c.index)
    prev = c[[p for p in previous if p in c]]
    avg = prev.sum(axis=1) / len(previous) if previous else pd.Series(np.nan, index=c.index)
    out = pd.DataFrame({"last": last_n.astype(int), "average": avg.astype(float)}).reset_index()
    out["difference"] = out["last"] - out["average"]
    out["change"] = np.where(out["average"] > 0, out["difference"] / out["average"].where(out["average"] > 0, 1), np.nan)
    order = {a.key: i for i, a in enumerate(lines)}
    out["activity_title"] = out["activity"].map({a.key: a.title for a in lines})
    out = out.sort_values(["group", "activity"], key=lambda s: s.map(order) if s.name == "activity" else s,
                          ignore_index=True)
    return out[["group_id", "group", "activity", "activity_title", "last", "average", "difference", "change"]]


# ---- caseloads ----------------------------------------------------------------------------------

CASE_TYPES = (("cin_cases", "CIN"), ("cp_cases", "CP"), ("cla_cases", "CLA"),
              ("care_leaver_cases", "Care leaver"), ("early_help_cases", "Early help"))
EH_COLUMNS = ["period", "person_id", "child_name", *ORG, "episode_id", "start_date", "reason"]


def _no_early_help() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "start_date" else object) for c in EH_COLUMNS})


def early_help_open(tables: Mapping[str, pd.DataFrame], periods: list[Period]) -> pd.DataFrame:
    """Early help episodes open at each period end (:func:`metrics.front_door.open_at`: started on
    or before it, no end or an end after it), one row per child per period (the latest-started
    episode if several). The worker is the one recorded on the episode, in their team (their
    department); with no worker recorded, the child's allocation at the period end (as
    ``eh_episodes`` groups by the recorded worker, else the allocation)."""
    e = tables.get("ssd_early_help_episodes")
    if e is None or e.empty or not periods:
        return _no_early_help()
    base = pd.DataFrame({
        "episode_id": text(e["earl_episode_id"]), "person_id": text(e["earl_person_id"]),
        "start_date": day(e["earl_episode_start_date"]), "end_date": day(e["earl_episode_end_date"]),
        "reason": text(e["earl_episode_reason"]), "worker_code": text(e["earl_episode_worker_id"]),
    })
    base = base[base["start_date"].notna().to_numpy() & (base["person_id"] != "").to_numpy()]
    parts = []
    for p in periods:
        part = base[open_at(base["start_date"], base["end_date"], p.end)]
        part = part.sort_values(["person_id", "start_date", "episode_id"]).drop_duplicates("person_id", keep="last")
        part = part.assign(period=p.label, period_end=p.end)
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True)
    if rows.empty:  # episodes recorded, none open at any of the period ends
        return _no_early_help()
    workers = worker_lookup(tables).drop_duplicates("worker_id")
    dept = pd.Series(workers["team_id"].to_numpy(dtype=object), index=workers["worker_id"].to_numpy(dtype=object))
    rows["team_code"] = dept.reindex(rows["worker_code"].to_numpy(dtype=object)).fillna("").astype(str).to_numpy()
    recorded = (rows["worker_code"] != "").to_numpy()
    labelled = []
    if recorded.any():
        labelled.append(label_recorded(rows[recorded].reset_index(drop=True), tables,
                                       team_col="team_code", worker_col="worker_code"))
    if (~recorded).any():
        labelled.append(label_allocated(rows[~recorded].reset_index(drop=True), tables, date_col="period_end"))
    rows = pd.concat(labelled, ignore_index=True)
    rows = add_child_names(rows, tables)
    order = {p.label: i for i, p in enumerate(periods)}
    rows = rows.sort_values(["period", "person_id"], key=lambda s: s.map(order) if s.name == "period" else s,
                            ignore_index=True)
    return rows[EH_COLUMNS]


def worker_caseloads(caseload_rows: pd.DataFrame, eh_rows: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """One row per period and worker holding any open case: the ``caseload`` measure's counts by
    case type (each child once, under the first of CLA, CP, CIN, care leaver), the worker's open
    early help episodes, total (social care cases + early help) and over_threshold (total above
    ``threshold``). A worker with early help cases only is shown in the team of those cases."""
    sc = caseload_rows.rename(columns={"cases": "social_care_cases"})
    keep = ["period", *ORG, "cin_cases", "cp_cases", "cla_cases", "care_leaver_cases", "social_care_cases"]
    sc = sc[keep] if len(sc) else pd.DataFrame(columns=keep)
    eh = eh_rows[eh_rows["worker_id"].astype(str) != ""] if len(eh_rows) else eh_rows
    if len(eh):
        n = eh.groupby(["period", "worker_id"], sort=False).size().rename("early_help_cases").reset_index()
        # An early-help-only worker's team: the team most of their episodes sit under.
        t = eh.groupby(["period", "worker_id", *[c for c in ORG if c != "worker_id"]], sort=False).size()
        t = t.rename("n").reset_index().sort_values(["period", "worker_id", "n", "team_id"],
                                                    ascending=[True, True, False, True])
        t = t.drop_duplicates(["period", "worker_id"])
        n = n.merge(t.drop(columns="n"), on=["period", "worker_id"], how="left")
    else:
        n = pd.DataFrame(columns=["period", *ORG, "early_help_cases"])
    out = sc.merge(n[["period", "worker_id", "early_help_cases"]], on=["period", "worker_id"], how="outer")
    only_eh = out["social_care_cases"].isna().to_numpy()
    if only_eh.any():
        labels = n.set_index(["period", "worker_id"])
        key = pd.MultiIndex.from_frame(out.loc[only_eh, ["period", "worker_id"]])
        for c in ORG:
            if c != "worker_id":
                out.loc[only_eh, c] = labels[c].reindex(key).to_numpy()
    for c, _ in CASE_TYPES:
        out[c] = out[c].fillna(0).astype(int) if c in out else 0
    out["social_care_cases"] = out["social_care_cases"].fillna(0).astype(int)
    out["total_cases"] = out["social_care_cases"] + out["early_help_cases"]
    out["over_threshold"] = out["total_cases"] > threshold
    cols = ["period", *ORG, *[c for c, _ in CASE_TYPES[:4]], "social_care_cases", "early_help_cases",
            "total_cases", "over_threshold"]
    return out[cols].sort_values(["period", "total_cases", "worker"], ascending=[True, False, True],
                                 ignore_index=True)


def caseload_by_group(workers: pd.DataFrame, by: By) -> pd.DataFrame:
    """:func:`worker_caseloads` per period and group: workers (holding social care cases),
    each case type, social_care_cases and average (social care cases / workers: the ``caseload``
    measure's figure), early_help_cases, early_help_workers (workers holding early help cases),
    total_cases (social care + early help) and over_threshold (workers whose total is above the
    threshold)."""
    cols = ["period", "group_id", "group", "workers", *[c for c, _ in CASE_TYPES[:4]], "social_care_cases",
            "average", "early_help_cases", "early_help_workers", "total_cases", "over_threshold"]
    if workers.empty:
        return pd.DataFrame(columns=cols)
    w = set_group(workers.copy(), by)
    w["_sc_worker"] = np.where(w["social_care_cases"] > 0, w["worker_id"], None)
    w["_eh_worker"] = np.where(w["early_help_cases"] > 0, w["worker_id"], None)
    g = w.groupby(["period", "group_id", "group"], sort=False)
    sums = g[[c for c, _ in CASE_TYPES] + ["social_care_cases", "total_cases"]].sum()
    out = sums.join(g.agg(workers=("_sc_worker", "nunique"), early_help_workers=("_eh_worker", "nunique"),
                          over_threshold=("over_threshold", "sum"))).reset_index()
    out["average"] = out["social_care_cases"] / out["workers"].where(out["workers"] > 0)
    out["over_threshold"] = out["over_threshold"].astype(int)
    return out[cols].sort_values(["period", "group"], ignore_index=True)


OPEN_CASE_COLUMNS = ["period", "person_id", "child_name", *ORG, "case_type", "services", "episode_id", "start_date"]


def open_cases(tables: Mapping[str, pd.DataFrame], periods: list[Period]) -> pd.DataFrame:
    """The children behind :func:`worker_caseloads`: for each period end, every open social care
    case with an allocated worker (case_type as the ``caseload`` measure counts it, services all
    the child is open to) and every open early help episode with a worker (case_type "Early
    help"), labelled with the worker and team."""
    from metrics.workforce import allocated_cases_on

    parts = []
    for p in periods:
        c = allocated_cases_on(tables, p.end)
        c = c[(c["worker_id"] != "").to_numpy()].reset_index(drop=True)
        c = label_org(c.rename(columns={"worker_id": "worker_code", "team_id": "team_code"}), tables,
                      team_col="team_code", worker_col="worker_code")
        c["period"] = p.label
        parts.append(c)
    sc = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["period", "person_id"])
    sc = add_child_names(sc, tables) if len(sc) else sc
    eh = early_help_open(tables, periods)
    eh = eh[(eh["worker_id"].astype(str) != "").to_numpy()].assign(case_type="Early help", services="Early help")
    out = pd.concat([sc, eh], ignore_index=True)
    for c in OPEN_CASE_COLUMNS:
        if c not in out:
            out[c] = pd.Series(dtype=object)
    return out[OPEN_CASE_COLUMNS].reset_index(drop=True)


def caseload_bands(workers: pd.DataFrame, threshold: float, width: int = 5) -> pd.DataFrame:
    """Workers per band of total caseload: 1-5, 6-10, ... up to the threshold (the last band below
    it ends at the threshold), then bands of ``width`` above it. Columns band, workers,
    over_threshold (the band lies above the threshold), in order."""
    t = int(threshold)
    top = int(workers["total_cases"].max()) if len(workers) else t
    edges = list(range(0, t, width)) + [t]
    while edges[-1] < max(top, t + width):
        edges.append(edges[-1] + width)
    edges = sorted(set(edges))
    labels = [f"{a + 1}-{b}" if b > a + 1 else f"{b}" for a, b in zip(edges[:-1], edges[1:])]
    cut = pd.cut(workers["total_cases"], bins=edges, labels=labels, right=True, include_lowest=False)
    counts = cut.value_counts().reindex(labels, fill_value=0)
    return pd.DataFrame({"band": labels, "workers": counts.to_numpy(dtype=int),
                         "over_threshold": [a >= t for a in edges[:-1]]})


def unallocated_waits(tables: Mapping[str, pd.DataFrame], rows: pd.DataFrame, periods: list[Period]) -> pd.DataFrame:
    """The ``unallocated`` measure's rows with how long each child has waited at the period end.

    - open_since: when the current case opened, the earliest start among what the child is open
      to at the period end (the open CIN referral, the open CP plan, the current period of care);
      blank for a care leaver open to nothing else.
    - unallocated_since: the day after their last allocation to a worker ended, if that was on or
      after open_since; otherwise open_since (never allocated in this case).
    - days_unallocated: days from unallocated_since to the period end (1 = since the last day).
    - held_by_team_id / held_by_team: the team the case sits with: the measure's team (an
      involvement with a team but no worker) or else the team of the last allocation, so that a
      team can see the unallocated children that were (or are) theirs.
    """
    if rows.empty:
        out = rows.copy()
        for c in ("open_since", "unallocated_since"):
            out[c] = pd.Series(dtype="datetime64[ns]")
        out["days_unallocated"] = pd.Series(dtype=float)
        for c in ("held_by_service_id", "held_by_service", "held_by_team_id", "held_by_team", "last_worker"):
            out[c] = pd.Series(dtype=object)
        return out
    ends = {p.label: p.end for p in periods}
    r = rows.reset_index(drop=True).copy()
    r["_end"] = pd.to_datetime(r["period"].map(ends))
    starts = []
    cin = tables.get("ssd_cin_episodes")
    if cin is not None and len(cin):
        starts.append(pd.DataFrame({"person_id": text(cin["cine_person_id"]), "start": day(cin["cine_referral_date"]),
                                    "end": day(cin["cine_close_date"]), "skip": yes(cin["cine_referral_nfa"])}))
    cp = tables.get("ssd_cp_plans")
    if cp is not None and len(cp):
        starts.append(pd.DataFrame({"person_id": text(cp["cppl_person_id"]), "start": day(cp["cppl_cp_plan_start_date"]),
                                    "end": day(cp["cppl_cp_plan_end_date"]), "skip": False}))
    if "ssd_cla_episodes" in tables and len(tables["ssd_cla_episodes"]):
        poc = periods_of_care(tables)
        starts.append(pd.DataFrame({"person_id": poc["person_id"].to_numpy(dtype=object), "start": poc["start"].to_numpy(),
                                    "end": poc["end"].to_numpy(), "skip": False}))
    r["_i"] = np.arange(len(r))
    if starts:
        s = pd.concat(starts, ignore_index=True)
        m = r[["_i", "person_id", "_end"]].merge(s, on="person_id", how="inner")
        m = m[open_at(m["start"], m["end"], m["_end"]) & ~m["skip"].astype(bool).to_numpy()]
        first = m.groupby("_i")["start"].min()
        r["open_since"] = pd.to_datetime(first.reindex(r["_i"]).to_numpy())
    else:
        r["open_since"] = pd.NaT
    after_last = pd.to_datetime(r["last_allocation_end"]) + pd.Timedelta(days=1)
    use_last = after_last.notna() & (r["open_since"].isna() | (after_last >= r["open_since"]))
    r["unallocated_since"] = after_last.where(use_last, r["open_since"])
    r["days_unallocated"] = (r["_end"] - r["unallocated_since"]).dt.days + 1
    # The team of the last allocation (the last involvement with a worker ending before the end).
    inv = tables.get("ssd_involvements")
    last_team = pd.Series("", index=r.index, dtype=object)
    if inv is not None and len(inv):
        iv = pd.DataFrame({"person_id": text(inv["invo_person_id"]), "worker_id": text(inv["invo_professional_id"]),
                           "team_id": text(inv["invo_professional_team"]),
                           "start": day(inv["invo_involvement_start_date"]), "end": day(inv["invo_involvement_end_date"])})
        iv = iv[(iv["worker_id"] != "").to_numpy() & iv["end"].notna().to_numpy()]
        m = r[["_i", "person_id", "_end"]].merge(iv, on="person_id", how="inner")
        m = m[(m["end"] < m["_end"]).to_numpy()]
        m = m.sort_values(["_i", "end", "start"], kind="stable").drop_duplicates("_i", keep="last")
        last_team = pd.Series(m.set_index("_i")["team_id"].reindex(r["_i"]).fillna("").to_numpy(dtype=object), index=r.index)
    own = r["team_id"].fillna("").astype(str)
    held = np.where((own != "").to_numpy(), own.to_numpy(dtype=object), last_team.to_numpy(dtype=object))
    tmp = pd.DataFrame({"_team": held, "_worker": r["last_worker_id"].fillna("").astype(str).to_numpy(dtype=object)})
    lab = label_org(tmp, tables, team_col="_team", worker_col="_worker")
    r["held_by_service_id"] = lab["service_id"].to_numpy()
    r["held_by_service"] = lab["service"].to_numpy()
    r["held_by_team_id"] = lab["team_id"].to_numpy()
    r["held_by_team"] = lab["team"].to_numpy()
    r["last_worker"] = np.where(tmp["_worker"] == "", "", lab["worker"].to_numpy())
    return r.drop(columns=["_end", "_i"]).sort_values(["period", "days_unallocated"], ascending=[True, False],
                                                       na_position="last", ignore_index=True)


# ---- missing children --------------------------------------------------------------------------

REPEAT_MISSING_EPISODES = 2   # "repeat missing": two or more missing episodes starting in the period


def missing_breakdown(rows: pd.DataFrame, by: By = None) -> pd.DataFrame:
    """From ``missing_children`` rows (one per child per period): per period and group, children
    (who went missing), episodes, children_in_care / children_not_in_care (looked after when they
    first went missing in the period), episodes_in_care, rhi_offered and rhi_accepted (episodes
    with a return home interview offered / accepted), pct_offered and pct_accepted (of episodes),
    repeat_children (children with 2 or more episodes in the period) and pct_repeat (of children)."""
    cols = ["period", "group_id", "group", "children", "episodes", "children_in_care", "children_not_in_care",
            "episodes_in_care", "rhi_offered", "rhi_accepted", "pct_offered", "pct_accepted",
            "repeat_children", "pct_repeat"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    r = set_group(rows.copy(), by)
    r["cla"] = r["looked_after_at_first_start"].astype(bool)
    r["cla_episodes"] = np.where(r["cla"], r["episodes"], 0)
    r["repeat"] = r["episodes"] >= REPEAT_MISSING_EPISODES
    g = r.groupby(["period", "group_id", "group"], sort=False)
    out = g.agg(children=("person_id", "nunique"), episodes=("episodes", "sum"), children_in_care=("cla", "sum"),
                episodes_in_care=("cla_episodes", "sum"), rhi_offered=("rhi_offered", "sum"),
                rhi_accepted=("rhi_accepted", "sum"), repeat_children=("repeat", "sum")).reset_index()
    for c in ("children", "episodes", "children_in_care", "episodes_in_care", "rhi_offered", "rhi_accepted",
              "repeat_children"):
        out[c] = out[c].astype(int)
    out["children_not_in_care"] = out["children"] - out["children_in_care"]
    ep = out["episodes"].where(out["episodes"] > 0)
    out["pct_offered"] = out["rhi_offered"] / ep
    out["pct_accepted"] = out["rhi_accepted"] / ep
    out["pct_repeat"] = out["repeat_children"] / out["children"].where(out["children"] > 0)
    return out[cols]


# ---- visits and reviews due as at a date ------------------------------------------------------------

KIND_LABELS = {"cp": "CP", "cin": "CIN", "cla": "CLA"}
VISIT_TABLES = {"cp": ("ssd_cp_visits", "ssd_cp_plans"), "cin": ("ssd_cin_visits", "ssd_cin_plans"),
                "cla": ("ssd_cla_visits", "ssd_cla_placement")}
REVIEW_TABLES = {"cp": ("ssd_cp_reviews", "ssd_cp_plans"), "cin": ("ext_cin_reviews", "ssd_cin_plans"),
                 "cla": ("ssd_cla_reviews", "ssd_cla_episodes")}
DUE_COLUMNS = ["kind", "person_id", "child_name", *ORG, "span_id", "span_start", "last_done_date",
               "next_due_date", "latest_on_time_date", "limit", "overdue", "days_overdue", "days_until_due"]


def _due(tables, on, status_fn, needs: dict, settings) -> pd.DataFrame:
    on = pd.Timestamp(on).normalize()
    parts = []
    for kind, label in KIND_LABELS.items():
        if any(t not in tables for t in needs[kind]):
            continue
        s = status_fn(tables, kind, on, settings)
        if s.empty:
            continue
        s = s.assign(kind=label)
        parts.append(s)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DUE_COLUMNS})
    rows = pd.concat(parts, ignore_index=True)
    rows["as_at"] = on
    rows = label_allocated(rows, tables, date_col="as_at")
    rows = add_child_names(rows, tables)
    lot = pd.to_datetime(rows["latest_on_time_date"])
    rows["days_overdue"] = np.where(rows["overdue"].to_numpy(dtype=bool), (on - lot).dt.days, 0)
    rows["days_until_due"] = (pd.to_datetime(rows["next_due_date"]) - on).dt.days
    return rows[DUE_COLUMNS].sort_values(["overdue", "days_overdue", "next_due_date"],
                                         ascending=[False, False, True], ignore_index=True)


def visits_due(tables: Mapping[str, pd.DataFrame], on, settings: MetricSettings | None = None) -> pd.DataFrame:
    """Every child on a CP plan, on a CIN plan or in a placement on ``on``, with their statutory
    visit position that day (:func:`metrics.visits.visit_status`, the rule the visit measures use):
    last visit, next due, overdue (``on`` is after the last day the next visit was still on time)
    and days_overdue, grouped by the allocation on ``on``. A kind the source lacks is left out."""
    from metrics.visits import visit_status

    return _due(tables, on, visit_status, VISIT_TABLES, settings or MetricSettings())


def reviews_due(tables: Mapping[str, pd.DataFrame], on, settings: MetricSettings | None = None) -> pd.DataFrame:
    """As :func:`visits_due` for CP, CIN and CLA reviews (:func:`metrics.visits.review_status`):
    each child's last review, next review due, overdue and days_until_due."""
    from metrics.visits import review_status

    return _due(tables, on, review_status, REVIEW_TABLES, settings or MetricSettings())


def due_within(due: pd.DataFrame, on, weeks: int) -> pd.DataFrame:
    """Rows not yet overdue whose next due date falls in the ``weeks`` weeks after ``on``
    (``on`` + 1 day to ``on`` + 7 x weeks days), soonest first, with the week ending (Sunday) each
    falls in."""
    on = pd.Timestamp(on).normalize()
    d = pd.to_datetime(due["next_due_date"])
    keep = ~due["overdue"].astype(bool) & (d > on) & (d <= on + pd.Timedelta(days=7 * weeks))
    out = due[keep.to_numpy()].copy()
    dd = pd.to_datetime(out["next_due_date"])
    out["week_ending"] = dd + pd.to_timedelta((6 - dd.dt.weekday) % 7, unit="D")
    return out.sort_values(["next_due_date", "kind", "person_id"], ignore_index=True)
