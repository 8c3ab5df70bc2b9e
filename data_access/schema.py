"""The tables the portal reads: the Standard Safeguarding Dataset (SSD 1.4.5) shape plus a few
documented extension tables (``ext_*``).

This module is the single description of the source shape. The demo generator writes it, the
refresh validates against it and the cache stores it. See ``../shared/spec/data-model.md``.

Column types:
- ``str``   identifiers, codes, names, flags (IDs are always strings)
- ``date``  dates / datetimes (parsed once at refresh; unparseable values abort the refresh)
- ``float`` / ``int`` numbers

Rules a refresh checks, from this description: every table present (``ext_*`` tables are
optional), every column present, types and dates parse, primary keys unique and not blank,
foreign keys resolve, and end dates are not before start dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = "ssd-1.4.5+ext-1"

S, D, F, I = "str", "date", "float", "int"


@dataclass(frozen=True)
class ForeignKey:
    column: str
    ref_table: str
    ref_column: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: dict[str, str]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    # (start column, end column): the end may be blank, but never before the start.
    date_ranges: tuple[tuple[str, str], ...] = ()
    optional: bool = False  # ext_* tables: a source may lack them; measures then say so
    description: str = ""

    @property
    def date_columns(self) -> list[str]:
        return [c for c, t in self.columns.items() if t == D]


def _fk(column: str, ref: str) -> ForeignKey:
    table, col = ref.split(".")
    return ForeignKey(column, table, col)


PERSON = "ssd_person.pers_person_id"
PROF = "ssd_professionals.prof_professional_id"
TEAM = "ssd_department.dept_team_id"
REFERRAL = "ssd_cin_episodes.cine_referral_id"

_TABLES: list[TableSpec] = [
    TableSpec(
        "ssd_person",
        {
            "pers_person_id": S, "pers_forename": S, "pers_surname": S, "pers_sex": S,
            "pers_gender": S, "pers_ethnicity": S, "pers_dob": D, "pers_common_child_id": S,
            "pers_legacy_id": S, "pers_upn_unknown": S, "pers_send_flag": S,
            "pers_expected_dob": D, "pers_death_date": D, "pers_is_mother": S,
            "pers_nationality": S,
        },
        primary_key=("pers_person_id",),
        description="Children (and mothers) known to the service",
    ),
    TableSpec(
        "ssd_family",
        {"fami_table_id": S, "fami_family_id": S, "fami_person_id": S},
        primary_key=("fami_table_id",),
        foreign_keys=(_fk("fami_person_id", PERSON),),
    ),
    TableSpec(
        "ssd_mother",
        {"moth_table_id": S, "moth_person_id": S, "moth_childs_person_id": S, "moth_childs_dob": D},
        primary_key=("moth_table_id",),
        foreign_keys=(_fk("moth_person_id", PERSON), _fk("moth_childs_person_id", PERSON)),
    ),
    TableSpec(
        "ssd_disability",
        {"disa_person_id": S, "disa_table_id": S, "disa_disability_code": S},
        primary_key=("disa_table_id",),
        foreign_keys=(_fk("disa_person_id", PERSON),),
    ),
    TableSpec(
        "ssd_immigration_status",
        {
            "immi_person_id": S, "immi_immigration_status_id": S, "immi_immigration_status": S,
            "immi_immigration_status_start_date": D, "immi_immigration_status_end_date": D,
        },
        primary_key=("immi_immigration_status_id",),
        foreign_keys=(_fk("immi_person_id", PERSON),),
        date_ranges=(("immi_immigration_status_start_date", "immi_immigration_status_end_date"),),
    ),
    TableSpec(
        "ssd_contacts",
        {
            "cont_contact_id": S, "cont_person_id": S, "cont_contact_date": D,
            "cont_contact_source_code": S, "cont_contact_source_desc": S,
            "cont_contact_outcome_json": S,
        },
        primary_key=("cont_contact_id",),
        foreign_keys=(_fk("cont_person_id", PERSON),),
    ),
    TableSpec(
        "ssd_early_help_episodes",
        {
            "earl_episode_id": S, "earl_person_id": S, "earl_episode_start_date": D,
            "earl_episode_end_date": D, "earl_episode_reason": S, "earl_episode_end_reason": S,
            "earl_episode_organisation": S, "earl_episode_worker_id": S,
        },
        primary_key=("earl_episode_id",),
        foreign_keys=(_fk("earl_person_id", PERSON), _fk("earl_episode_worker_id", PROF)),
        date_ranges=(("earl_episode_start_date", "earl_episode_end_date"),),
    ),
    TableSpec(
        "ssd_cin_episodes",
        {
            "cine_referral_id": S, "cine_person_id": S, "cine_referral_date": D,
            "cine_cin_primary_need_code": S, "cine_referral_source_code": S,
            "cine_referral_source_desc": S, "cine_referral_outcome_json": S,
            "cine_referral_nfa": S, "cine_close_reason": S, "cine_close_date": D,
            "cine_referral_team": S, "cine_referral_worker_id": S,
        },
        primary_key=("cine_referral_id",),
        foreign_keys=(
            _fk("cine_person_id", PERSON), _fk("cine_referral_team", TEAM),
            _fk("cine_referral_worker_id", PROF),
        ),
        date_ranges=(("cine_referral_date", "cine_close_date"),),
        description="Referrals (CIN episodes)",
    ),
    TableSpec(
        "ssd_cin_assessments",
        {
            "cina_assessment_id": S, "cina_person_id": S, "cina_referral_id": S,
            "cina_assessment_start_date": D, "cina_assessment_child_seen": S,
            "cina_assessment_auth_date": D, "cina_assessment_outcome_json": S,
            "cina_assessment_outcome_nfa": S, "cina_assessment_team": S,
            "cina_assessment_worker_id": S,
        },
        primary_key=("cina_assessment_id",),
        foreign_keys=(
            _fk("cina_person_id", PERSON), _fk("cina_referral_id", REFERRAL),
            _fk("cina_assessment_team", TEAM), _fk("cina_assessment_worker_id", PROF),
        ),
        date_ranges=(("cina_assessment_start_date", "cina_assessment_auth_date"),),
        description="Child and family assessments",
    ),
    TableSpec(
        "ssd_assessment_factors",
        {"cinf_table_id": S, "cinf_assessment_id": S, "cinf_assessment_factors_json": S},
        primary_key=("cinf_table_id",),
        foreign_keys=(_fk("cinf_assessment_id", "ssd_cin_assessments.cina_assessment_id"),),
    ),
    TableSpec(
        "ssd_cin_plans",
        {
            "cinp_cin_plan_id": S, "cinp_referral_id": S, "cinp_person_id": S,
            "cinp_cin_plan_start_date": D, "cinp_cin_plan_end_date": D,
            "cinp_cin_plan_team": S, "cinp_cin_plan_worker_id": S,
        },
        primary_key=("cinp_cin_plan_id",),
        foreign_keys=(
            _fk("cinp_referral_id", REFERRAL), _fk("cinp_person_id", PERSON),
            _fk("cinp_cin_plan_team", TEAM), _fk("cinp_cin_plan_worker_id", PROF),
        ),
        date_ranges=(("cinp_cin_plan_start_date", "cinp_cin_plan_end_date"),),
    ),
    TableSpec(
        "ssd_cin_visits",
        {
            "cinv_cin_visit_id": S, "cinv_person_id": S, "cinv_cin_visit_date": D,
            "cinv_cin_visit_seen": S, "cinv_cin_visit_seen_alone": S,
            "cinv_cin_visit_bedroom": S,
        },
        primary_key=("cinv_cin_visit_id",),
        foreign_keys=(_fk("cinv_person_id", PERSON),),
    ),
    TableSpec(
        "ssd_s47_enquiry",
        {
            "s47e_s47_enquiry_id": S, "s47e_referral_id": S, "s47e_person_id": S,
            "s47e_s47_start_date": D, "s47e_s47_end_date": D, "s47e_s47_nfa": S,
            "s47e_s47_outcome_json": S, "s47e_s47_completed_by_worker_id": S,
            "s47e_s47_completed_by_team": S,
        },
        primary_key=("s47e_s47_enquiry_id",),
        foreign_keys=(
            _fk("s47e_referral_id", REFERRAL), _fk("s47e_person_id", PERSON),
            _fk("s47e_s47_completed_by_worker_id", PROF), _fk("s47e_s47_completed_by_team", TEAM),
        ),
        date_ranges=(("s47e_s47_start_date", "s47e_s47_end_date"),),
    ),
    TableSpec(
        "ssd_initial_cp_conference",
        {
            "icpc_icpc_id": S, "icpc_icpc_meeting_id": S, "icpc_s47_enquiry_id": S,
            "icpc_person_id": S, "icpc_cp_plan_id": S, "icpc_referral_id": S,
            "icpc_icpc_transfer_in": S, "icpc_icpc_target_date": D, "icpc_icpc_date": D,
            "icpc_icpc_outcome_cp_flag": S, "icpc_icpc_outcome_json": S, "icpc_icpc_team": S,
            "icpc_icpc_worker_id": S,
        },
        primary_key=("icpc_icpc_id",),
        foreign_keys=(
            _fk("icpc_s47_enquiry_id", "ssd_s47_enquiry.s47e_s47_enquiry_id"),
            _fk("icpc_person_id", PERSON), _fk("icpc_referral_id", REFERRAL),
            _fk("icpc_icpc_team", TEAM), _fk("icpc_icpc_worker_id", PROF),
        ),
    ),
    TableSpec(
        "ssd_cp_plans",
        {
            "cppl_cp_plan_id": S, "cppl_referral_id": S, "cppl_icpc_id": S, "cppl_person_id": S,
            "cppl_cp_plan_start_date": D, "cppl_cp_plan_end_date": D,
            "cppl_cp_plan_initial_category": S, "cppl_cp_plan_ola": S,
            "cppl_cp_plan_latest_category": S,
        },
        primary_key=("cppl_cp_plan_id",),
        foreign_keys=(
            _fk("cppl_icpc_id", "ssd_initial_cp_conference.icpc_icpc_id"),
            _fk("cppl_person_id", PERSON),
        ),
        date_ranges=(("cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),),
    ),
    TableSpec(
        "ssd_cp_visits",
        {
            "cppv_cp_visit_id": S, "cppv_person_id": S, "cppv_cp_plan_id": S,
            "cppv_cp_visit_date": D, "cppv_cp_visit_seen": S, "cppv_cp_visit_seen_alone": S,
            "cppv_cp_visit_bedroom": S,
        },
        primary_key=("cppv_cp_visit_id",),
        foreign_keys=(_fk("cppv_person_id", PERSON), _fk("cppv_cp_plan_id", "ssd_cp_plans.cppl_cp_plan_id")),
    ),
    TableSpec(
        "ssd_cp_reviews",
        {
            "cppr_cp_review_id": S, "cppr_person_id": S, "cppr_cp_plan_id": S,
            "cppr_cp_review_due": D, "cppr_cp_review_date": D, "cppr_cp_review_meeting_id": S,
            "cppr_cp_review_outcome_continue_cp": S, "cppr_cp_review_quorate": S,
            "cppr_cp_review_participation": S,
        },
        primary_key=("cppr_cp_review_id",),
        foreign_keys=(_fk("cppr_person_id", PERSON), _fk("cppr_cp_plan_id", "ssd_cp_plans.cppl_cp_plan_id")),
    ),
    TableSpec(
        "ssd_cla_episodes",
        {
            "clae_cla_episode_id": S, "clae_person_id": S, "clae_cla_episode_start_date": D,
            "clae_cla_episode_start_reason": S, "clae_cla_primary_need_code": S,
            "clae_cla_episode_ceased_date": D, "clae_cla_episode_ceased_reason": S,
            "clae_cla_id": S, "clae_referral_id": S, "clae_cla_placement_id": S,
            "clae_entered_care_date": D, "clae_cla_last_iro_contact_date": D,
        },
        primary_key=("clae_cla_episode_id",),
        foreign_keys=(
            _fk("clae_person_id", PERSON),
            _fk("clae_cla_placement_id", "ssd_cla_placement.clap_cla_placement_id"),
        ),
        date_ranges=(("clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),),
        description="Looked-after episodes; clae_cla_id identifies the period of care",
    ),
    TableSpec(
        "ssd_legal_status",
        {
            "lega_legal_status_id": S, "lega_person_id": S, "lega_legal_status": S,
            "lega_legal_status_start_date": D, "lega_legal_status_end_date": D,
        },
        primary_key=("lega_legal_status_id",),
        foreign_keys=(_fk("lega_person_id", PERSON),),
        date_ranges=(("lega_legal_status_start_date", "lega_legal_status_end_date"),),
    ),
    TableSpec(
        "ssd_cla_placement",
        {
            "clap_cla_placement_id": S, "clap_cla_placement_start_date": D,
            "clap_cla_placement_type": S, "clap_cla_placement_urn": S,
            "clap_cla_placement_distance": F, "clap_cla_id": S,
            "clap_cla_placement_provider": S, "clap_cla_placement_postcode": S,
            "clap_cla_placement_end_date": D, "clap_cla_placement_change_reason": S,
            "clap_person_id": S,
        },
        primary_key=("clap_cla_placement_id",),
        foreign_keys=(_fk("clap_person_id", PERSON),),
        date_ranges=(("clap_cla_placement_start_date", "clap_cla_placement_end_date"),),
    ),
    TableSpec(
        "ssd_cla_reviews",
        {
            "clar_cla_review_id": S, "clar_cla_id": S, "clar_cla_review_due_date": D,
            "clar_cla_review_date": D, "clar_cla_review_cancelled": S,
            "clar_cla_review_participation": S,
        },
        primary_key=("clar_cla_review_id",),
    ),
    TableSpec(
        "ssd_cla_visits",
        {
            "clav_cla_visit_id": S, "clav_cla_id": S, "clav_person_id": S,
            "clav_cla_visit_date": D, "clav_cla_visit_seen": S, "clav_cla_visit_seen_alone": S,
        },
        primary_key=("clav_cla_visit_id",),
        foreign_keys=(_fk("clav_person_id", PERSON),),
    ),
    TableSpec(
        "ssd_cla_health",
        {
            "clah_health_check_id": S, "clah_person_id": S, "clah_health_check_type": S,
            "clah_health_check_date": D, "clah_health_check_status": S,
        },
        primary_key=("clah_health_check_id",),
        foreign_keys=(_fk("clah_person_id", PERSON),),
    ),
    TableSpec(
        "ssd_sdq_scores",
        {
            "csdq_table_id": S, "csdq_person_id": S, "csdq_sdq_completed_date": D,
            "csdq_sdq_reason": S, "csdq_sdq_score": S,
        },
        primary_key=("csdq_table_id",),
        foreign_keys=(_fk("csdq_person_id", PERSON),),
    ),
    TableSpec(
        "ssd_missing",
        {
            "miss_table_id": S, "miss_person_id": S, "miss_missing_episode_start_date": D,
            "miss_missing_episode_type": S, "miss_missing_episode_end_date": D,
            "miss_missing_rhi_offered": S, "miss_missing_rhi_accepted": S,
        },
        primary_key=("miss_table_id",),
        foreign_keys=(_fk("miss_person_id", PERSON),),
        date_ranges=(("miss_missing_episode_start_date", "miss_missing_episode_end_date"),),
    ),
    TableSpec(
        "ssd_care_leavers",
        {
            "clea_table_id": S, "clea_person_id": S, "clea_care_leaver_eligibility": S,
            "clea_care_leaver_in_touch": S, "clea_care_leaver_latest_contact": D,
            "clea_care_leaver_accommodation": S, "clea_care_leaver_accom_suitable": S,
            "clea_care_leaver_activity": S, "clea_pathway_plan_review_date": D,
            "clea_care_leaver_personal_advisor": S, "clea_care_leaver_allocated_team": S,
            "clea_care_leaver_worker_id": S,
        },
        primary_key=("clea_table_id",),
        foreign_keys=(
            _fk("clea_person_id", PERSON), _fk("clea_care_leaver_allocated_team", TEAM),
            _fk("clea_care_leaver_worker_id", PROF),
        ),
    ),
    TableSpec(
        "ssd_permanence",
        {
            "perm_table_id": S, "perm_person_id": S, "perm_cla_id": S,
            "perm_adm_decision_date": D, "perm_ffa_cp_decision_date": D,
            "perm_placement_order_date": D, "perm_placed_for_adoption_date": D,
            "perm_matched_date": D, "perm_adopted_by_carer_flag": S, "perm_placed_ffa_cp_date": D,
            "perm_decision_reversed_date": D, "perm_placed_foster_carer_date": D,
            "perm_part_of_sibling_group": S, "perm_siblings_placed_together": I,
            "perm_siblings_placed_apart": I, "perm_placement_provider_urn": S,
            "perm_decision_reversed_reason": S, "perm_permanence_order_date": D,
            "perm_permanence_order_type": S, "perm_adoption_worker_id": S, "perm_adopter_sex": S,
            "perm_adopter_legal_status": S, "perm_number_of_adopters": S,
        },
        primary_key=("perm_table_id",),
        # The SSD names clae_cla_episode_id here; in practice the column holds the person ID.
        foreign_keys=(_fk("perm_person_id", PERSON), _fk("perm_adoption_worker_id", PROF)),
    ),
    TableSpec(
        "ssd_cla_care_plan",
        {
            "lacp_table_id": S, "lacp_person_id": S, "lacp_cla_care_plan_start_date": D,
            "lacp_cla_care_plan_end_date": D, "lacp_cla_care_plan_json": S,
        },
        primary_key=("lacp_table_id",),
        foreign_keys=(_fk("lacp_person_id", PERSON),),
        date_ranges=(("lacp_cla_care_plan_start_date", "lacp_cla_care_plan_end_date"),),
    ),
    TableSpec(
        "ssd_professionals",
        {
            "prof_professional_id": S, "prof_staff_id": S, "prof_professional_name": S,
            "prof_social_worker_registration_no": S, "prof_professional_job_title": S,
            "prof_professional_caseload": I, "prof_professional_department": S,
            "prof_full_time_equivalency": F, "prof_agency_worker_flag": S,
        },
        primary_key=("prof_professional_id",),
        description="Workers",
    ),
    TableSpec(
        "ssd_department",
        {"dept_team_id": S, "dept_team_name": S, "dept_team_parent_id": S, "dept_team_parent_name": S},
        primary_key=("dept_team_id",),
        foreign_keys=(_fk("dept_team_parent_id", TEAM),),
        description="Teams; a team's parent is its service (services have no parent)",
    ),
    TableSpec(
        "ssd_involvements",
        {
            "invo_involvements_id": S, "invo_professional_id": S, "invo_professional_role_id": S,
            "invo_professional_team": S, "invo_involvement_start_date": D,
            "invo_involvement_end_date": D, "invo_worker_change_reason": S, "invo_person_id": S,
            "invo_referral_id": S,
        },
        primary_key=("invo_involvements_id",),
        foreign_keys=(
            _fk("invo_professional_id", PROF), _fk("invo_professional_team", TEAM),
            _fk("invo_person_id", PERSON),
        ),
        date_ranges=(("invo_involvement_start_date", "invo_involvement_end_date"),),
        description="Allocation history: worker + team per child over time",
    ),
    # ---- extension tables (optional) ----
    TableSpec(
        "ext_relationships",
        {
            "rela_id": S, "rela_person_id": S, "rela_related_person_id": S, "rela_relationship": S,
            "rela_is_key": S, "rela_start_date": D, "rela_end_date": D,
        },
        primary_key=("rela_id",),
        foreign_keys=(_fk("rela_person_id", PERSON),),
        date_ranges=(("rela_start_date", "rela_end_date"),),
        optional=True,
    ),
    TableSpec(
        "ext_assessment_answers",
        {"cinq_id": S, "cinq_assessment_id": S, "cinq_question": S, "cinq_answer": S},
        primary_key=("cinq_id",),
        foreign_keys=(_fk("cinq_assessment_id", "ssd_cin_assessments.cina_assessment_id"),),
        optional=True,
    ),
    TableSpec(
        "ext_cin_reviews",
        {
            "cinr_id": S, "cinr_person_id": S, "cinr_cin_plan_id": S,
            "cinr_review_due_date": D, "cinr_review_date": D,
        },
        primary_key=("cinr_id",),
        foreign_keys=(_fk("cinr_person_id", PERSON), _fk("cinr_cin_plan_id", "ssd_cin_plans.cinp_cin_plan_id")),
        optional=True,
    ),
    TableSpec(
        "ext_case_supervision",
        {"supe_id": S, "supe_person_id": S, "supe_professional_id": S, "supe_date": D},
        primary_key=("supe_id",),
        foreign_keys=(_fk("supe_person_id", PERSON), _fk("supe_professional_id", PROF)),
        optional=True,
    ),
    TableSpec(
        "ext_cla_pep",
        {"pepr_id": S, "pepr_person_id": S, "pepr_pep_date": D},
        primary_key=("pepr_id",),
        foreign_keys=(_fk("pepr_person_id", PERSON),),
        optional=True,
    ),
    TableSpec(
        "ext_contact_decisions",
        {"cond_contact_id": S, "cond_decision_date": D},
        primary_key=("cond_contact_id",),
        foreign_keys=(_fk("cond_contact_id", "ssd_contacts.cont_contact_id"),),
        optional=True,
    ),
]

TABLES: dict[str, TableSpec] = {t.name: t for t in _TABLES}
REQUIRED_TABLES = [t.name for t in _TABLES if not t.optional]
OPTIONAL_TABLES = [t.name for t in _TABLES if t.optional]
