"""The shape of the Annex A workbook: for each list its Ofsted name, who it covers, its look-back
and its columns (exact headers in order, kind, mandatory or not, drop-down values).

Headers follow ``../shared/reference/domain.md`` section 1.3 (the 2023+ layout; the LIIA schema's
canonical names): the common block's age column is "Age of Child (Years)" on every list (the LIIA
sample workbook says just "Age") and List 8's missing/absent headers keep the template's curly
quotes. Lists 1-10 describe children; List 11 describes adopters.
"""

from __future__ import annotations

from dataclasses import dataclass

from annex_a import codes as C

LOOKBACK_MONTHS = 6        # Lists 1-8: "in the six months before the inspection"
LONG_LOOKBACK_MONTHS = 12  # Lists 10-11, and the "in the last 12 months" columns


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"          # id | text | date | int | code
    mandatory: bool = False     # blank is a data-quality problem
    codes: C.Codes | None = None
    available: bool = True      # False: the SSD holds nothing for it (always blank, not a problem)


@dataclass(frozen=True)
class ListSpec:
    name: str                   # sheet name, "List 1"
    title: str                  # "Contacts"
    covers: str                 # who is on the list (Ofsted's wording, shortened)
    lookback: str               # the period, in words
    columns: tuple[Column, ...]
    date_pairs: tuple[tuple[str, str], ...] = ()   # (earlier, later): later must not precede earlier
    end_column: str | None = None                  # blank = the case is open at the reference date
    child_list: bool = True                        # False: List 11 (adopters)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)


ID = Column("Child Unique ID", "id", True)
GENDER = Column("Gender", "code", True, C.GENDER)
ETHNICITY = Column("Ethnicity", "code", True, C.ETHNICITY)
DOB = Column("Date of Birth", "date", True)
AGE = Column("Age of Child (Years)", "int")   # worked out from the date of birth
DISABILITY = Column("Does the Child have a Disability", "code", True, C.YES_NO)
TEAM = Column("Allocated Team")
WORKER = Column("Allocated Worker")
COMMON = (ID, GENDER, ETHNICITY, DOB, AGE)


def _date(header: str, mandatory: bool = False) -> Column:
    return Column(header, "date", mandatory)


def _int(header: str, mandatory: bool = True) -> Column:
    return Column(header, "int", mandatory)


def _code(header: str, codes: C.Codes, mandatory: bool = False) -> Column:
    return Column(header, "code", mandatory, codes)


LISTS: dict[str, ListSpec] = {s.name: s for s in (
    ListSpec("List 1", "Contacts",
             "All contacts in the six months before the inspection, one row per child per contact.",
             "6 months", (*COMMON, _date("Date of Contact", True), _code("Contact Source", C.SOURCE, True))),
    ListSpec("List 2", "Early help",
             "Early help assessments started in the six months before the inspection, and early help "
             "open at the inspection.", "6 months + open",
             (*COMMON, _date("Assessment start date", True), _date("Assessment completion date"),
              Column("Organisation completing assessment", mandatory=True)),
             date_pairs=(("Assessment start date", "Assessment completion date"),)),
    ListSpec("List 3", "Referrals",
             "All referrals in the six months before the inspection; a child appears once per referral.",
             "6 months",
             (*COMMON, _date("Date of referral", True), _code("Referral Source", C.SOURCE, True),
              _code("Referral NFA?", C.YES_NO, True), _int("Number of Referrals in Last 12 Months"),
              TEAM, WORKER)),
    ListSpec("List 4", "Assessments",
             "Children with a child and family assessment open at any time in the six months before "
             "the inspection (started, open or completed in them).", "6 months + open",
             (*COMMON, DISABILITY, _date("Continuous Assessment Start Date", True),
              _code("Child Seen During Continuous Assessment", C.YES_NO),
              _date("Continuous Assessment Date of Authorisation"),
              _code("Was the child assessed as requiring LA children's social care support?", C.YES_NO),
              TEAM, WORKER),
             date_pairs=(("Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"),),
             end_column="Continuous Assessment Date of Authorisation"),
    ListSpec("List 5", "Section 47 enquiries and ICPCs",
             "All section 47 enquiries in the six months before the inspection, including open ones; "
             "one row per enquiry.", "6 months + open",
             (*COMMON, DISABILITY, _date("Strategy discussion initiating Section 47 Enquiry Start Date", True),
              _code("Was an Initial Child Protection Conference deemed unnecessary?", C.YES_NO),
              _date("Date of Initial Child Protection Conference"),
              _code("Did the Initial Child Protection Conference Result in a Child Protection Plan", C.YES_NO),
              _int("Number of Section 47 Enquiries in the last 12 months"),
              _int("Number of ICPCs in the last 12 months"), TEAM, WORKER),
             date_pairs=(("Strategy discussion initiating Section 47 Enquiry Start Date",
                          "Date of Initial Child Protection Conference"),)),
    ListSpec("List 6", "Children in need",
             "Children receiving services as a child in need at the inspection or in the six months "
             "before it (not care leavers, not children only the subject of a referral); one row per "
             "child, their latest episode.", "6 months + open",
             (*COMMON, DISABILITY, _date("CIN Start Date", True), _code("Primary Need Code", C.PRIMARY_NEED, True),
              _date("Date Child Was Last Seen"), _date("CIN Closure Date"),
              _code("Reason for Closure", C.CIN_CLOSURE), _code("Case Status", C.CASE_STATUS, True),
              TEAM, WORKER),
             date_pairs=(("CIN Start Date", "CIN Closure Date"),),
             end_column="CIN Closure Date"),
    ListSpec("List 7", "Child protection",
             "Children on a child protection plan at the inspection, and those whose plan ended in the "
             "six months before it; one row per child, their latest plan.", "6 months + open",
             (*COMMON, DISABILITY, _date("Child Protection Plan Start Date", True),
              _code("Initial Category of Abuse", C.ABUSE, True), _code("Latest Category of Abuse", C.ABUSE, True),
              _date("Date of the Last Statutory Visit"), _code("Was the Child Seen Alone?", C.SEEN_ALONE),
              _date("Date of latest review conference"), _date("Child Protection Plan End Date"),
              _code("Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
                    C.YES_NO, True),
              _int("Number of Previous Child Protection Plans"), TEAM, WORKER),
             date_pairs=(("Child Protection Plan Start Date", "Child Protection Plan End Date"),),
             end_column="Child Protection Plan End Date"),
    ListSpec("List 8", "Children in care",
             "Children looked after at the inspection, and those who ceased to be looked after in the "
             "six months before it (not children on short breaks only); one row per child.",
             "6 months + open",
             (*COMMON, _code("Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", C.YES_NO, True),
              DISABILITY, _date("Date Started to be Looked After", True),
              _code("Child's Category of Need", C.PRIMARY_NEED, True),
              _code("Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
                    C.YES_NO, True),
              _date("Start date of current legal status", True), _code("Child's Legal Status", C.LEGAL_STATUS, True),
              _date("Date of Latest Statutory Review"), _date("Date of Last Social Work Visit"),
              _code("What is the permanence plan for this child?", C.PERMANENCE_PLAN),
              _date("Date of Last IRO Visit / Contact to the Child"), _date("Date of Last Health Assessment"),
              _date("Date of Last Dental Check"), _int("Number of Placements in the Last 12 months"),
              _date("Date Ceased to be Looked After"), _code("Reason Ceased to be Looked After", C.CEASED_REASON),
              _date("Start Date of Most Recent Placement", True), _code("Placement Type", C.PLACEMENT_TYPE, True),
              _code("Placement Provider", C.PLACEMENT_PROVIDER, True), Column("Placement postcode"),
              Column("URN of Placement"), Column("Placement Location", available=False),
              Column("LA of Placement", available=False),
              _int("Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months"),
              _int("Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last 12 months"),
              _code("Was the child offered a Return Interview after their last missing episode (Y/N)?", C.YES_NO),
              _code("Did the child accept a Return Interview after their last missing episode (Y/N)?", C.YES_NO),
              TEAM, WORKER),
             date_pairs=(("Date Started to be Looked After", "Date Ceased to be Looked After"),
                         ("Date Started to be Looked After", "Start Date of Most Recent Placement")),
             end_column="Date Ceased to be Looked After"),
    ListSpec("List 9", "Care leavers",
             "Young people entitled to leaving care services at the inspection (relevant, former "
             "relevant, qualifying and eligible), aged 16 to 25.", "at the reference date",
             (*COMMON, _code("Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
                             C.YES_NO, True),
              DISABILITY, TEAM, WORKER, Column("Allocated Personal Advisor"),
              _code("Eligibility Category", C.ELIGIBILITY, True), _date("Latest Pathway Plan Review Date"),
              _code("LA in Touch", C.IN_TOUCH, True), _date("Latest Date of Contact"),
              _code("Type of Accommodation", C.ACCOMMODATION), _code("Suitability of Accommodation", C.SUITABILITY),
              _code("Activity Status", C.ACTIVITY))),
    ListSpec("List 10", "Adoption",
             "Children who in the twelve months before the inspection were adopted, had an adoption "
             "decision reversed, or have an adoption decision and are not yet adopted.", "12 months + open",
             (ID, Column("Family identifier", available=False), GENDER, ETHNICITY, DOB, AGE, DISABILITY,
              _date("Date the Child Entered Care"),
              _date("Date of Decision that Child Should be Placed for Adoption", True),
              _date("Date of Placement Order"), _date("Date of Matching Child and Prospective Adopters"),
              _date("Date Placed for Adoption"), _date("Date of Adoption Order"),
              _date("Date of Decision that Child Should No Longer be Placed for Adoption"),
              _code("Reason Why Child No Longer Placed for Adoption", C.ADOPTION_REVERSED),
              _date("Date the child was placed for fostering in FFA or concurrent planning placement")),
             date_pairs=(("Date the Child Entered Care", "Date of Decision that Child Should be Placed for Adoption"),
                         ("Date of Decision that Child Should be Placed for Adoption", "Date Placed for Adoption"),
                         ("Date Placed for Adoption", "Date of Adoption Order"),
                         ("Date of Decision that Child Should be Placed for Adoption",
                          "Date of Decision that Child Should No Longer be Placed for Adoption"))),
    ListSpec("List 11", "Adopters",
             "Individuals who in the twelve months before the inspection had contact with the "
             "authority's adoption agency.", "12 months",
             tuple(Column(h, "date" if h.startswith("Date") else ("int" if h.startswith("No.") else "text"),
                          available=False)
                   for h in ("Individual adopter identifier", "Family identifier", "Gender", "Ethnicity",
                             "Disability", "Is the (prospective) adopter fostering for adoption?",
                             "Date enquiry received", "Date Stage 1 started", "Date Stage 1 ended",
                             "Date Stage 2 started", "Date Stage 2 ended", "Date application submitted",
                             "Date application approved", "Date adopter matched with child(ren)",
                             "Date child/children placed with adopter(s)", "No. of children placed",
                             "Date of Adoption Order", "Date of leaving adoption process",
                             "Reason for leaving adoption process")),
             child_list=False),
)}

LIST_NAMES = tuple(LISTS)
