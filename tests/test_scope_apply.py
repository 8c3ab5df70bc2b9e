"""data_access.scope.apply_scope on a hand-built extract: rows follow their child, and rows that
reach a child only through another row (review → period of care, factor and answer → assessment,
decision → contact) follow that row; organisation tables keep only the scope's teams and workers."""

from __future__ import annotations

import pandas as pd

from data_access.scope import Scope, apply_scope
from tests.source_fixtures import _frame


def extract() -> dict[str, pd.DataFrame]:
    t = {}
    t["ssd_person"] = _frame("ssd_person", [{"pers_person_id": p} for p in ("C1", "C2")])
    t["ssd_contacts"] = _frame("ssd_contacts", [
        {"cont_contact_id": "K1", "cont_person_id": "C1", "cont_contact_date": "2026-01-05"},
        {"cont_contact_id": "K2", "cont_person_id": "C2", "cont_contact_date": "2026-01-06"}])
    t["ext_contact_decisions"] = _frame("ext_contact_decisions", [
        {"cond_contact_id": "K1", "cond_decision_date": "2026-01-06"},
        {"cond_contact_id": "K2", "cond_decision_date": "2026-01-07"}])
    t["ssd_cin_assessments"] = _frame("ssd_cin_assessments", [
        {"cina_assessment_id": "A1", "cina_person_id": "C1", "cina_assessment_start_date": "2026-01-10"},
        {"cina_assessment_id": "A2", "cina_person_id": "C2", "cina_assessment_start_date": "2026-01-10"}])
    t["ssd_assessment_factors"] = _frame("ssd_assessment_factors", [
        {"cinf_table_id": "F1", "cinf_assessment_id": "A1"}, {"cinf_table_id": "F2", "cinf_assessment_id": "A2"}])
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": "E1", "clae_person_id": "C1", "clae_cla_id": "P1",
         "clae_cla_episode_start_date": "2025-01-01"},
        {"clae_cla_episode_id": "E2", "clae_person_id": "C2", "clae_cla_id": "P2",
         "clae_cla_episode_start_date": "2025-01-01"}])
    t["ssd_cla_reviews"] = _frame("ssd_cla_reviews", [
        {"clar_cla_review_id": "R1", "clar_cla_id": "P1"}, {"clar_cla_review_id": "R2", "clar_cla_id": "P2"}])
    t["ssd_department"] = _frame("ssd_department", [{"dept_team_id": "T1"}, {"dept_team_id": "T2"}])
    t["ssd_professionals"] = _frame("ssd_professionals", [{"prof_professional_id": "W1"},
                                                          {"prof_professional_id": "W2"}])
    return t


def test_linked_rows_follow_their_parent_row():
    scoped = apply_scope(extract(), Scope(teams=frozenset({"T1"}), workers=frozenset({"W1"}),
                                          children=frozenset({"C1"})))
    assert list(scoped["ssd_person"]["pers_person_id"]) == ["C1"]
    assert list(scoped["ssd_contacts"]["cont_contact_id"]) == ["K1"]
    assert list(scoped["ext_contact_decisions"]["cond_contact_id"]) == ["K1"]
    assert list(scoped["ssd_assessment_factors"]["cinf_table_id"]) == ["F1"]
    assert list(scoped["ssd_cla_reviews"]["clar_cla_review_id"]) == ["R1"]
    assert list(scoped["ssd_department"]["dept_team_id"]) == ["T1"]
    assert list(scoped["ssd_professionals"]["prof_professional_id"]) == ["W1"]


def test_no_children_in_scope_means_no_linked_rows_and_everything_means_the_same_frames():
    t = extract()
    empty = apply_scope(t, Scope(teams=frozenset({"T1"})))
    for name in ("ext_contact_decisions", "ssd_assessment_factors", "ssd_cla_reviews", "ssd_contacts"):
        assert empty[name].empty, name
    full = apply_scope(t, Scope.everything())
    assert all(full[n] is t[n] for n in t)


def test_labels_when_the_viewer_sees_no_team_or_worker_at_all():
    from metrics.lookups import OTHER_TEAM, OTHER_WORKER, UNALLOCATED, UNKNOWN_TEAM, label_org

    t = {"ssd_department": _frame("ssd_department", []), "ssd_professionals": _frame("ssd_professionals", [])}
    out = label_org(pd.DataFrame({"team": ["T1", None], "worker": ["W1", ""]}), t, team_col="team", worker_col="worker")
    assert list(out["team"]) == [OTHER_TEAM, UNKNOWN_TEAM]
    assert list(out["worker"]) == [OTHER_WORKER, UNALLOCATED]


def test_a_source_without_allocations_gives_managers_nothing_rather_than_failing():
    from auth.identity import Role, derive_scope

    t = extract()
    scope, aggregate = derive_scope(Role.TEAM_MANAGER, "W1", t, "2026-10-31")
    assert not scope.all_access and not scope.children and not aggregate.children
