"""A tiny, hand-built, valid source: every table of ``schema.TABLES`` (ext_* included), a few
rows each, with foreign keys that resolve. Tests break a copy of it to check the refresh.

    tables = minimal_source_tables()
    write_source(tmp_path / "source.sqlite", tables)      # or a SQLAlchemy URL

Personal fields use distinctive made-up values (``FORENAMES``, ``SURNAMES``) so a test can
assert that they never appear in an error message.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_access.schema import TABLES

FORENAMES = ["Zephyrine", "Quillon", "Marigoldia", "Thaddeusz", "Oriabel"]
SURNAMES = ["Wexcombe", "Pellinore", "Ashgrove", "Vantreight", "Wexcombe"]

T = pd.Timestamp


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows (dicts; unspecified columns blank) as a frame in schema column order; date
    columns as datetime64, everything else as given."""
    spec = TABLES[table]
    unknown = {k for r in rows for k in r} - set(spec.columns)
    assert not unknown, f"{table}: unknown columns {unknown}"
    data = {}
    for col, col_type in spec.columns.items():
        values = [r.get(col) for r in rows]
        if col_type == "date":
            data[col] = pd.Series(pd.to_datetime(values, format="ISO8601"), dtype="datetime64[ns]")
        elif col_type == "float":
            data[col] = pd.Series(values, dtype="float64")
        elif col_type == "int":
            data[col] = pd.Series(values, dtype="Int64")
        else:
            data[col] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


def minimal_source_tables() -> dict[str, pd.DataFrame]:
    t: dict[str, pd.DataFrame] = {}
    # People: four children and one mother (P5, mother of P4).
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": f"P{i + 1}", "pers_forename": FORENAMES[i], "pers_surname": SURNAMES[i],
         "pers_sex": sex, "pers_gender": sex, "pers_ethnicity": eth, "pers_dob": dob,
         "pers_upn_unknown": None, "pers_send_flag": "N", "pers_is_mother": mother,
         "pers_nationality": "British", "pers_legacy_id": f"L{i + 1}"}
        for i, (sex, eth, dob, mother) in enumerate([
            ("M", "WBRI", "2015-03-14", "N"), ("F", "WBRI", "2012-07-01", "N"),
            ("M", "MWBC", "2019-11-30", "N"), ("F", "AIND", "2024-02-10", "N"),
            ("F", "AIND", "1996-05-05", "Y")])
    ])
    t["ssd_family"] = _frame("ssd_family", [
        {"fami_table_id": "F1", "fami_family_id": "FAM1", "fami_person_id": "P1"},
        {"fami_table_id": "F2", "fami_family_id": "FAM1", "fami_person_id": "P2"},
        {"fami_table_id": "F3", "fami_family_id": "FAM2", "fami_person_id": "P4"},
    ])
    t["ssd_mother"] = _frame("ssd_mother", [
        {"moth_table_id": "MO1", "moth_person_id": "P5", "moth_childs_person_id": "P4",
         "moth_childs_dob": "2024-02-10"},
    ])
    t["ssd_disability"] = _frame("ssd_disability", [
        {"disa_table_id": "D1", "disa_person_id": "P2", "disa_disability_code": "LD"},
    ])
    t["ssd_immigration_status"] = _frame("ssd_immigration_status", [
        {"immi_immigration_status_id": "I1", "immi_person_id": "P3", "immi_immigration_status": "UASC",
         "immi_immigration_status_start_date": "2025-01-10", "immi_immigration_status_end_date": None},
    ])
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Children's Services", "dept_team_parent_id": None},
        {"dept_team_id": "T1", "dept_team_name": "Assessment Team North", "dept_team_parent_id": "S1",
         "dept_team_parent_name": "Children's Services"},
        {"dept_team_id": "T2", "dept_team_name": "Assessment Team South", "dept_team_parent_id": "S1",
         "dept_team_parent_name": "Children's Services"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": "W1", "prof_staff_id": "ST1", "prof_professional_name": "Worker One",
         "prof_social_worker_registration_no": "SW100001", "prof_professional_job_title": "Social Worker",
         "prof_professional_caseload": 12, "prof_professional_department": "T1",
         "prof_full_time_equivalency": 1.0, "prof_agency_worker_flag": "N"},
        {"prof_professional_id": "W2", "prof_staff_id": "ST2", "prof_professional_name": "Worker Two",
         "prof_social_worker_registration_no": "SW100002", "prof_professional_job_title": "Senior Practitioner",
         "prof_professional_caseload": 8, "prof_professional_department": "T2",
         "prof_full_time_equivalency": 0.6, "prof_agency_worker_flag": "Y"},
    ])
    t["ssd_contacts"] = _frame("ssd_contacts", [
        {"cont_contact_id": "C1", "cont_person_id": "P1", "cont_contact_date": "2026-01-05",
         "cont_contact_source_code": "1A", "cont_contact_source_desc": "Individual"},
        {"cont_contact_id": "C2", "cont_person_id": "P2", "cont_contact_date": "2026-02-10 09:30:00",
         "cont_contact_source_code": "2B", "cont_contact_source_desc": "Police"},
        {"cont_contact_id": "C3", "cont_person_id": "P3", "cont_contact_date": "2026-09-28",
         "cont_contact_source_code": "3A", "cont_contact_source_desc": "School"},
    ])
    t["ssd_early_help_episodes"] = _frame("ssd_early_help_episodes", [
        {"earl_episode_id": "E1", "earl_person_id": "P3", "earl_episode_start_date": "2025-06-01",
         "earl_episode_end_date": "2025-12-01", "earl_episode_reason": "Family support",
         "earl_episode_worker_id": "W2"},
    ])
    t["ssd_cin_episodes"] = _frame("ssd_cin_episodes", [
        {"cine_referral_id": "R1", "cine_person_id": "P1", "cine_referral_date": "2026-01-06",
         "cine_cin_primary_need_code": "N1", "cine_referral_source_code": "1A", "cine_referral_nfa": "N",
         "cine_close_date": None, "cine_referral_team": "T1", "cine_referral_worker_id": "W1"},
        {"cine_referral_id": "R2", "cine_person_id": "P2", "cine_referral_date": "2026-02-11",
         "cine_cin_primary_need_code": "N2", "cine_referral_source_code": "2B", "cine_referral_nfa": "N",
         "cine_close_reason": "RC1", "cine_close_date": "2026-08-31", "cine_referral_team": "T2",
         "cine_referral_worker_id": "W2"},
        {"cine_referral_id": "R3", "cine_person_id": "P3", "cine_referral_date": "2026-09-29",
         "cine_cin_primary_need_code": "N1", "cine_referral_source_code": "3A", "cine_referral_nfa": "N",
         "cine_referral_team": "T1", "cine_referral_worker_id": "W1"},
    ])
    t["ssd_cin_assessments"] = _frame("ssd_cin_assessments", [
        {"cina_assessment_id": "A1", "cina_person_id": "P1", "cina_referral_id": "R1",
         "cina_assessment_start_date": "2026-01-07", "cina_assessment_child_seen": "Y",
         "cina_assessment_auth_date": "2026-02-20", "cina_assessment_outcome_nfa": "N",
         "cina_assessment_team": "T1", "cina_assessment_worker_id": "W1"},
        {"cina_assessment_id": "A2", "cina_person_id": "P2", "cina_referral_id": "R2",
         "cina_assessment_start_date": "2026-02-12", "cina_assessment_child_seen": "Y",
         "cina_assessment_auth_date": "2026-05-01", "cina_assessment_outcome_nfa": "N",
         "cina_assessment_team": "T2", "cina_assessment_worker_id": "W2"},
        {"cina_assessment_id": "A3", "cina_person_id": "P3", "cina_referral_id": "R3",
         "cina_assessment_start_date": "2026-09-30", "cina_assessment_child_seen": "N",
         "cina_assessment_auth_date": None, "cina_assessment_team": "T1",
         "cina_assessment_worker_id": "W1"},
    ])
    t["ssd_assessment_factors"] = _frame("ssd_assessment_factors", [
        {"cinf_table_id": "AF1", "cinf_assessment_id": "A1", "cinf_assessment_factors_json": '["2A","3B"]'},
    ])
    t["ssd_cin_plans"] = _frame("ssd_cin_plans", [
        {"cinp_cin_plan_id": "CP1", "cinp_referral_id": "R1", "cinp_person_id": "P1",
         "cinp_cin_plan_start_date": "2026-02-21", "cinp_cin_plan_end_date": None,
         "cinp_cin_plan_team": "T1", "cinp_cin_plan_worker_id": "W1"},
    ])
    t["ssd_cin_visits"] = _frame("ssd_cin_visits", [
        {"cinv_cin_visit_id": "V1", "cinv_person_id": "P1", "cinv_cin_visit_date": "2026-03-01",
         "cinv_cin_visit_seen": "Y", "cinv_cin_visit_seen_alone": "N", "cinv_cin_visit_bedroom": "Y"},
    ])
    t["ssd_s47_enquiry"] = _frame("ssd_s47_enquiry", [
        {"s47e_s47_enquiry_id": "S47_1", "s47e_referral_id": "R2", "s47e_person_id": "P2",
         "s47e_s47_start_date": "2026-02-12", "s47e_s47_end_date": "2026-02-20", "s47e_s47_nfa": "N",
         "s47e_s47_completed_by_worker_id": "W2", "s47e_s47_completed_by_team": "T2"},
    ])
    t["ssd_initial_cp_conference"] = _frame("ssd_initial_cp_conference", [
        {"icpc_icpc_id": "IC1", "icpc_icpc_meeting_id": "MT1", "icpc_s47_enquiry_id": "S47_1",
         "icpc_person_id": "P2", "icpc_cp_plan_id": "CPP1", "icpc_referral_id": "R2",
         "icpc_icpc_transfer_in": "N", "icpc_icpc_target_date": "2026-03-05",
         "icpc_icpc_date": "2026-03-03", "icpc_icpc_outcome_cp_flag": "Y", "icpc_icpc_team": "T2",
         "icpc_icpc_worker_id": "W2"},
    ])
    t["ssd_cp_plans"] = _frame("ssd_cp_plans", [
        {"cppl_cp_plan_id": "CPP1", "cppl_referral_id": "R2", "cppl_icpc_id": "IC1",
         "cppl_person_id": "P2", "cppl_cp_plan_start_date": "2026-03-03",
         "cppl_cp_plan_end_date": "2026-08-31", "cppl_cp_plan_initial_category": "NEG",
         "cppl_cp_plan_latest_category": "NEG"},
    ])
    t["ssd_cp_visits"] = _frame("ssd_cp_visits", [
        {"cppv_cp_visit_id": "CV1", "cppv_person_id": "P2", "cppv_cp_plan_id": "CPP1",
         "cppv_cp_visit_date": "2026-03-10", "cppv_cp_visit_seen": "Y"},
    ])
    t["ssd_cp_reviews"] = _frame("ssd_cp_reviews", [
        {"cppr_cp_review_id": "CR1", "cppr_person_id": "P2", "cppr_cp_plan_id": "CPP1",
         "cppr_cp_review_due": "2026-06-02", "cppr_cp_review_date": "2026-06-01",
         "cppr_cp_review_outcome_continue_cp": "N"},
    ])
    t["ssd_cla_placement"] = _frame("ssd_cla_placement", [
        {"clap_cla_placement_id": "PL1", "clap_cla_placement_start_date": "2026-04-01",
         "clap_cla_placement_type": "U1", "clap_cla_placement_urn": "SC000001",
         "clap_cla_placement_distance": 4.5, "clap_cla_id": "CLA1",
         "clap_cla_placement_postcode": "AB1", "clap_person_id": "P4"},
    ])
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": "CE1", "clae_person_id": "P4", "clae_cla_episode_start_date": "2026-04-01",
         "clae_cla_episode_start_reason": "S", "clae_cla_primary_need_code": "N1",
         "clae_cla_id": "CLA1", "clae_cla_placement_id": "PL1", "clae_entered_care_date": "2026-04-01"},
    ])
    t["ssd_legal_status"] = _frame("ssd_legal_status", [
        {"lega_legal_status_id": "LS1", "lega_person_id": "P4", "lega_legal_status": "C2",
         "lega_legal_status_start_date": "2026-04-01"},
    ])
    t["ssd_cla_reviews"] = _frame("ssd_cla_reviews", [
        {"clar_cla_review_id": "CLR1", "clar_cla_id": "CLA1", "clar_cla_review_due_date": "2026-04-29",
         "clar_cla_review_date": "2026-04-28", "clar_cla_review_cancelled": "N"},
    ])
    t["ssd_cla_visits"] = _frame("ssd_cla_visits", [
        {"clav_cla_visit_id": "CLV1", "clav_cla_id": "CLA1", "clav_person_id": "P4",
         "clav_cla_visit_date": "2026-04-07", "clav_cla_visit_seen": "Y"},
    ])
    t["ssd_cla_health"] = _frame("ssd_cla_health", [
        {"clah_health_check_id": "H1", "clah_person_id": "P4", "clah_health_check_type": "Health assessment",
         "clah_health_check_date": "2026-05-01", "clah_health_check_status": "Completed"},
    ])
    t["ssd_sdq_scores"] = _frame("ssd_sdq_scores", [
        {"csdq_table_id": "SDQ1", "csdq_person_id": "P4", "csdq_sdq_completed_date": "2026-06-01",
         "csdq_sdq_score": "12"},
    ])
    t["ssd_missing"] = _frame("ssd_missing", [
        {"miss_table_id": "MI1", "miss_person_id": "P2", "miss_missing_episode_start_date": "2026-05-01",
         "miss_missing_episode_type": "M", "miss_missing_episode_end_date": "2026-05-02",
         "miss_missing_rhi_offered": "Y", "miss_missing_rhi_accepted": "N"},
    ])
    t["ssd_care_leavers"] = _frame("ssd_care_leavers", [
        {"clea_table_id": "CL1", "clea_person_id": "P2", "clea_care_leaver_eligibility": "Relevant",
         "clea_care_leaver_in_touch": "YES", "clea_care_leaver_latest_contact": "2026-09-01",
         "clea_care_leaver_allocated_team": "T2", "clea_care_leaver_worker_id": "W2"},
    ])
    t["ssd_permanence"] = _frame("ssd_permanence", [
        {"perm_table_id": "PM1", "perm_person_id": "P4", "perm_cla_id": "CLA1",
         "perm_adm_decision_date": "2026-07-01", "perm_siblings_placed_together": 0,
         "perm_siblings_placed_apart": 1, "perm_adoption_worker_id": "W1"},
    ])
    t["ssd_cla_care_plan"] = _frame("ssd_cla_care_plan", [
        {"lacp_table_id": "LCP1", "lacp_person_id": "P4", "lacp_cla_care_plan_start_date": "2026-04-01",
         "lacp_cla_care_plan_json": '{"plan": "REU"}'},
    ])
    t["ssd_involvements"] = _frame("ssd_involvements", [
        {"invo_involvements_id": "IN1", "invo_professional_id": "W1", "invo_professional_team": "T1",
         "invo_involvement_start_date": "2026-01-06", "invo_person_id": "P1", "invo_referral_id": "R1"},
        {"invo_involvements_id": "IN2", "invo_professional_id": "W2", "invo_professional_team": "T2",
         "invo_involvement_start_date": "2026-02-11", "invo_involvement_end_date": "2026-08-31",
         "invo_person_id": "P2", "invo_referral_id": "R2"},
    ])
    # ---- optional extension tables ----
    t["ext_relationships"] = _frame("ext_relationships", [
        {"rela_id": "RL1", "rela_person_id": "P1", "rela_related_person_id": "P2",
         "rela_relationship": "Sibling", "rela_is_key": "N", "rela_start_date": "2012-07-01"},
    ])
    t["ext_assessment_answers"] = _frame("ext_assessment_answers", [
        {"cinq_id": "Q1", "cinq_assessment_id": "A1", "cinq_question": "Q01", "cinq_answer": "Yes"},
    ])
    t["ext_cin_reviews"] = _frame("ext_cin_reviews", [
        {"cinr_id": "CRV1", "cinr_person_id": "P1", "cinr_cin_plan_id": "CP1",
         "cinr_review_due_date": "2026-05-21", "cinr_review_date": "2026-05-20"},
    ])
    t["ext_case_supervision"] = _frame("ext_case_supervision", [
        {"supe_id": "SU1", "supe_person_id": "P1", "supe_professional_id": "W1", "supe_date": "2026-03-15"},
    ])
    t["ext_cla_pep"] = _frame("ext_cla_pep", [
        {"pepr_id": "PEP1", "pepr_person_id": "P4", "pepr_pep_date": "2026-05-15"},
    ])
    t["ext_contact_decisions"] = _frame("ext_contact_decisions", [
        {"cond_contact_id": "C1", "cond_decision_date": "2026-01-06"},
    ])
    missing = set(TABLES) - set(t)
    assert not missing, f"fixture lacks {missing}"
    return {name: t[name] for name in TABLES}


def _sql_type(series: pd.Series):
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        times = series.dropna()
        if len(times) and (times != times.dt.normalize()).any():
            return sa.DateTime()
        return sa.Date()
    if pd.api.types.is_integer_dtype(series.dtype):
        return sa.Integer()
    if pd.api.types.is_float_dtype(series.dtype):
        return sa.Float()
    return sa.Text()  # strings, and deliberately broken values (e.g. "not a date")


def _plain(v):
    if isinstance(v, (pd.Timestamp, datetime, date)):
        text = v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
        return text.removesuffix(" 00:00:00")
    return v


def source_url(url_or_path: str | Path) -> str:
    text = str(url_or_path)
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


def write_source(url_or_path: str | Path, tables: dict[str, pd.DataFrame]) -> str:
    """Write ``tables`` to a database (a SQLite file path or any SQLAlchemy URL), replacing any
    table of the same name. Datetime columns become real DATE (or DATETIME when a value has a
    time) columns; other columns keep their values as given. Returns the URL."""
    url = source_url(url_or_path)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for name, frame in tables.items():
                dtypes = {col: _sql_type(frame[col]) for col in frame.columns}
                out = frame.copy()
                for col, typ in dtypes.items():
                    if isinstance(typ, sa.Date) and not isinstance(typ, sa.DateTime):
                        out[col] = out[col].dt.date.astype(object).where(out[col].notna(), None)
                    elif isinstance(typ, sa.DateTime):
                        out[col] = out[col].dt.to_pydatetime().astype(object) if hasattr(out[col].dt, "to_pydatetime") else out[col]
                        out[col] = out[col].where(frame[col].notna(), None)
                    elif pd.api.types.is_integer_dtype(frame[col].dtype):
                        out[col] = frame[col].astype(object).where(frame[col].notna(), None)
                    elif frame[col].dtype == object:  # e.g. dates mixed with broken text
                        out[col] = frame[col].map(_plain)
                out.to_sql(name, conn, if_exists="replace", index=False, dtype=dtypes)
    finally:
        engine.dispose()
    return url
