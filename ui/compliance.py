"""The sections the Management → Visits and Management → Reviews pages share: several registered
"on time" measures (CP, CIN, CLA) side by side for the chosen service/team, the teams compared,
the chosen team's workers and the 13-month trend. Pages pass their measures and their words;
every number comes from the measures (metrics.activity.group_summary over their rows, worked out
once per selection and shared: ui.measures.summary_of)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import registry
from metrics.rag import rag
from ui import charts
from ui.downloads import download_table
from ui.filters import OrgSelection, PeriodChoice
from ui.format import fmt_value
from ui.frame import PageContext
from ui.measures import run_measure, summary_of
from ui.tables import data_table


def run_kinds(ctx: PageContext, kinds: dict[str, str], choice: PeriodChoice) -> dict:
    """{kind: (result for the period, result for the trend)} of the measures the source supports;
    says which it does not, and stops the page when none."""
    results, unavailable = {}, []
    for kind, mid in kinds.items():
        try:
            results[kind] = (run_measure(ctx, mid, [choice.period]), run_measure(ctx, mid, choice.trend))
        except registry.MeasureUnavailable as exc:
            unavailable.append(f"{registry.get(mid).title} (needs {', '.join(exc.missing)})")
    if unavailable:
        st.info("Not available from this source: " + "; ".join(unavailable) + ".")
    if not results:
        st.stop()
    return results


def headline(ctx: PageContext, results: dict, kinds: dict[str, str], selection: OrgSelection,
             choice: PeriodChoice, on_time: str):
    """One metric per kind ("CP <on_time>"); returns the spare last column for the page's own."""
    st.subheader(f"{selection.name}: {choice.period.title}")
    cols = st.columns(len(results) + 1)
    for col, (kind, (res, _)) in zip(cols, results.items()):
        s = summary_of(ctx, kinds[kind], [choice.period], selection, "selected", None, [choice.period])
        num, den = int(s["numerator"].iloc[0]), int(s["denominator"].iloc[0])
        col.metric(f"{kind} {on_time}", fmt_value(s["value"].iloc[0], "percent"),
                   help=f"{num:,} of {den:,} children. {registry.get(kinds[kind]).title}.")
        col.caption(f"{num:,} of {den:,} children")
    return cols[-1]


def by_group(ctx: PageContext, results: dict, kinds: dict[str, str], selection: OrgSelection, part: str,
             by: str, choice: PeriodChoice) -> pd.DataFrame:
    """One row per group with % on time and children counted for each kind, over the ``part``
    of the selection ("in_service" or "selected")."""
    out = None
    for kind in results:
        s = summary_of(ctx, kinds[kind], [choice.period], selection, part, by)
        s = s[["group_id", "group", "value", "numerator", "denominator"]].rename(columns={
            "value": f"{kind} % on time", "numerator": f"{kind} on time", "denominator": f"{kind} children"})
        out = s if out is None else out.merge(s, on=["group_id", "group"], how="outer")
    if out is None:
        return pd.DataFrame(columns=["group_id", "group"])
    for kind in results:
        for c in (f"{kind} on time", f"{kind} children"):
            out[c] = out[c].fillna(0).astype(int)
    return out.sort_values("group", ignore_index=True)


def _percent_table(ctx: PageContext, table: pd.DataFrame, key: str, **download) -> None:
    pct = tuple(c for c in table.columns if c.endswith("% on time"))
    data_table(table, hide_index=True, key=key,
               column_config={c: st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
                              for c in pct})
    download_table(ctx, percent_columns=pct, **download)


def teams_and_workers(ctx: PageContext, results: dict, kinds: dict[str, str], selection: OrgSelection,
                      choice: PeriodChoice, noun: str) -> str:
    """Teams compared (chart for the chosen kind, table, download) and the chosen team's workers.
    ``noun`` is the plural ("Visits"). Returns the chosen kind."""
    notes = [registry.get(kinds[k]).definition for k in kinds]
    st.subheader("Teams compared")
    teams = by_group(ctx, results, kinds, selection, "in_service", "team", choice)
    if not selection.sees_everything or selection.org.service_id:
        teams = teams[teams["group_id"].isin(selection.visible_teams)]
    kind = st.segmented_control(noun, list(results), default=list(results)[0], key="kind",
                                help=f"Which {noun.lower()} the chart and the list of children show.")
    kind = kind or list(results)[0]
    measure = registry.get(kinds[kind])
    target = ctx.settings.target(kinds[kind]) or measure.default_target
    if teams.empty:
        st.info("No children were counted for these teams in this period.")
    else:
        chart = teams.assign(value=teams[f"{kind} % on time"])
        chart["rag"] = [rag(v, target, measure.polarity, ctx.settings.rag_tolerance) for v in chart["value"]]
        st.plotly_chart(charts.group_bars(chart, label="group", value="value", unit="percent", target=target,
                                          rag="rag" if target is not None else None), key="teams_chart")
        team_table = teams.drop(columns="group_id").rename(columns={"group": "Team"})
        _percent_table(ctx, team_table, "teams_table", sheets={"Teams": team_table},
                       name=f"{noun.lower()}-teams-{choice.period.label}",
                       title=f"{noun} on time by team, {choice.period.title}", notes=notes)

    st.subheader("Workers")
    if selection.team_id is None:
        st.info("Choose a team above to see each of its workers.")
    else:
        workers = by_group(ctx, results, kinds, selection, "selected", "worker", choice)
        worker_table = workers.drop(columns="group_id").rename(columns={"group": "Worker"})
        _percent_table(ctx, worker_table, "workers_table", sheets={"Workers": worker_table},
                       name=f"{noun.lower()}-workers-{choice.period.label}",
                       title=f"{noun} on time by worker, {selection.name}, {choice.period.title}", notes=notes)
    return kind


def trend(ctx: PageContext, results: dict, kinds: dict[str, str], selection: OrgSelection, choice: PeriodChoice,
          on_time: str) -> None:
    st.subheader("Trend by month")
    series = {f"{k} {on_time}": summary_of(ctx, kinds[k], choice.trend, selection, "selected", None, choice.trend)
              for k in results}
    st.plotly_chart(charts.trend_lines(series, target=None), key="trend_chart")
    st.caption(f"{selection.name}, the 13 months to {choice.trend[-1].title}.")
