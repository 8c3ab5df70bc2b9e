"""The Ofsted Annex A drop-down values, and the mapping from source codes to them.

The official template is not public; the values below are those the open implementations use
(``../shared/reference/domain.md`` section 1.4): the D2I SSD-to-Annex-A script
(data-to-insight/ssd-data-model, ``AnnexA_sqlserver``) and the option values the London LIIA
Annex A schema recognises as the template's own (SocialFinanceDigitalLabs/liia-tools-pipeline,
``Annex_A_schema.yml``), checked against the sample workbook in ``../shared/external/annex-a/``.

A source value that maps to no option is passed through unchanged, so the list shows what the
source holds and the data-quality panel reports it as an invalid code (nothing is silently
blanked or guessed).
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

_PREFIX = re.compile(r"^\s*[a-z]{1,2}\d?\)\s*", re.I)   # "a) ", "zz) ", "p1) "
_SPACES = re.compile(r"\s+")


def key(value) -> str:
    """A source value reduced for matching: no Ofsted letter prefix, upper case, single spaces,
    curly quotes straightened."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = str(value).replace("\u2019", "'").replace("\u2018", "'").replace("\xa0", " ")
    return _SPACES.sub(" ", _PREFIX.sub("", text.strip())).strip().upper()


def _code_part(option: str) -> str:
    """The code in an option ("a) 1A: Individual" -> "1A", "N1 - Abuse or neglect" -> "N1")."""
    body = _PREFIX.sub("", option)
    for sep in (":", " - "):
        if sep in body:
            return key(body.split(sep, 1)[0])
    return key(body)


class Codes:
    """One drop-down: its options in order and the source spellings that mean each."""

    def __init__(self, options: Iterable[str], aliases: Mapping[str, str] | None = None,
                 by_code: bool = True):
        self.options: tuple[str, ...] = tuple(options)
        lookup: dict[str, str] = {}
        for option in self.options:
            lookup[key(option)] = option
            if by_code:
                lookup.setdefault(_code_part(option), option)
        for alias, option in (aliases or {}).items():
            if option not in self.options:
                raise ValueError(f"alias {alias!r} points at {option!r}, which is not an option")
            lookup[key(alias)] = option
        self._lookup = lookup

    def map(self, values) -> np.ndarray:
        """Each value as its option; blanks as None; a value matching no option unchanged."""
        raw = pd.Series(values, dtype=object).reset_index(drop=True)
        out = np.empty(len(raw), dtype=object)
        cache: dict = {}
        for i, value in enumerate(raw.tolist()):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                out[i] = None
                continue
            if value not in cache:
                k = key(value)
                cache[value] = None if k == "" else self._lookup.get(k, str(value).strip())
            out[i] = cache[value]
        return out

    def valid(self, values) -> np.ndarray:
        """True where a value is one of the options exactly (blanks are not judged here)."""
        allowed = set(self.options)
        return np.array([v in allowed for v in pd.Series(values, dtype=object).tolist()], dtype=bool)


YES, NO = "a) Yes", "b) No"
YES_NO = Codes((YES, NO), {"Y": YES, "YES": YES, "TRUE": YES, "T": YES, "1": YES,
                           "N": NO, "NO": NO, "FALSE": NO, "F": NO, "0": NO})

GENDER = Codes(
    ("a) Male", "b) Female", "c) Not stated/recorded", "d) Neither"),
    {"M": "a) Male", "1": "a) Male", "MALE": "a) Male",
     "F": "b) Female", "2": "b) Female", "FEMALE": "b) Female",
     "U": "c) Not stated/recorded", "0": "c) Not stated/recorded", "9": "c) Not stated/recorded",
     "UNKNOWN": "c) Not stated/recorded", "NOT KNOWN": "c) Not stated/recorded",
     "NOT RECORDED": "c) Not stated/recorded", "NOT STATED": "c) Not stated/recorded",
     "UNBORN": "c) Not stated/recorded", "NOT STATED/RECORDED (OR UNBORN)": "c) Not stated/recorded",
     "I": "d) Neither", "INDETERMINATE": "d) Neither", "NEITHER": "d) Neither"},
)

# DfE ethnicity codes in the census order, lettered a) ... t) as the D2I script and domain.md do.
ETHNICITY_CODES = ("WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
                   "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT")
_LEGACY_ETHNICITY = ("A1", "A2", "A4", "A3", "A5", "B1", "B2", "B3", "B4", "C1", "C2", "C3", "C4",
                     "D1", "D2", "D3", "E1", "E2", "E3", "E4")  # the older letter-number codes
ETHNICITY = Codes(
    tuple(f"{chr(ord('a') + i)}) {code}" for i, code in enumerate(ETHNICITY_CODES)),
    {legacy: f"{chr(ord('a') + i)}) {code}" for i, (legacy, code) in enumerate(zip(_LEGACY_ETHNICITY, ETHNICITY_CODES))},
)

# Contact and referral source (CIN census codes); 5D (added 2023) sits between 5C and 6 as "p1)".
SOURCE = Codes(
    ("a) 1A: Individual", "b) 1B: Individual", "c) 1C: Individual", "d) 1D: Individual",
     "e) 2A: Schools", "f) 2B: Education services", "g) 3A: Health services",
     "h) 3B: Health services", "i) 3C: Health services", "j) 3D: Health services",
     "k) 3E: Health services", "l) 3F: Health services", "m) 4: Housing", "n) 5A: LA services",
     "o) 5B: LA services", "p) 5C: LA services", "p1) 5D: LA services", "q) 6: Police",
     "r) 7: Other legal agency", "s) 8: Other", "t) 9: Anonymous", "u) 10: Unknown"),
    {  # the CIN census descriptions, as some sources hold them instead of the code
        "Individual: family member/relative/carer": "a) 1A: Individual",
        "Individual: acquaintance": "b) 1B: Individual", "Individual: self": "c) 1C: Individual",
        "Individual: other": "d) 1D: Individual", "Schools": "e) 2A: Schools",
        "Education services": "f) 2B: Education services",
        "Health services: GP": "g) 3A: Health services",
        "Health services: health visitor": "h) 3B: Health services",
        "Health services: school nurse": "i) 3C: Health services",
        "Health services: other primary health services": "j) 3D: Health services",
        "Health services: A&E": "k) 3E: Health services", "Health services: other": "l) 3F: Health services",
        "Housing": "m) 4: Housing", "LA services: social care": "n) 5A: LA services",
        "LA services: other internal": "o) 5B: LA services", "LA services: external": "p) 5C: LA services",
        "LA services: early help": "p1) 5D: LA services", "Police": "q) 6: Police",
        "Other legal agency": "r) 7: Other legal agency", "Other": "s) 8: Other",
        "Anonymous": "t) 9: Anonymous", "Unknown": "u) 10: Unknown",
    },
)

PRIMARY_NEED = Codes(
    ("N1 - Abuse or neglect", "N2 - Child's disability", "N3 - Parental disability or illness",
     "N4 - Family in acute stress", "N5 - Family dysfunction", "N6 - Socially unacceptable behaviour",
     "N7 - Low income", "N8 - Absent parenting", "N9 - Cases other than children in need",
     "N0 - Not stated"),
)

CIN_CLOSURE = Codes(
    ("RC1 - Adopted", "RC2 - Died", "RC3 - Child arrangements order", "RC4 - Special guardianship order",
     "RC5 - Transferred to services of another local authority",
     "RC6 - Transferred to adult social care services",
     "RC7 - Services ceased for any other reason, including child no longer in need",
     "RC8 - Case closed after assessment, no further action",
     "RC9 - Case closed after assessment, referred to early help"),
)

CASE_LOOKED_AFTER, CASE_CP, CASE_CIN_PLAN, CASE_ASSESSMENT, CASE_CLOSED = (
    "a) Looked after child", "b) Child Protection plan", "c) Child in need plan", "d) Open assessment",
    "e) Closed episode")
CASE_STATUS = Codes((CASE_LOOKED_AFTER, CASE_CP, CASE_CIN_PLAN, CASE_ASSESSMENT, CASE_CLOSED))

ABUSE = Codes(
    ("a) Neglect", "b) Physical abuse", "c) Sexual abuse", "d) Emotional abuse", "e) Multiple/not recommended"),
    {"NEG": "a) Neglect", "PHY": "b) Physical abuse", "PHYSICAL": "b) Physical abuse",
     "SAB": "c) Sexual abuse", "SEXUAL": "c) Sexual abuse", "EMO": "d) Emotional abuse",
     "EMOTIONAL": "d) Emotional abuse", "MUL": "e) Multiple/not recommended",
     "MULTIPLE": "e) Multiple/not recommended"},
)

SEEN_ALONE = Codes((YES, NO, "c) Unknown"), {
    "Y": YES, "YES": YES, "TRUE": YES, "1": YES, "N": NO, "NO": NO, "FALSE": NO, "0": NO,
    "UNKNOWN": "c) Unknown"})

LEGAL_STATUS = Codes(
    ("C1: ICO", "C2: FCO", "D1: Freeing order", "E1: Placement order", "J1: Remanded to LA or youth detention",
     "J2: LA accommodation under PACE", "J3: Youth rehabilitation order", "L1: Police protection LA accommodation",
     "L2: EPO", "L3: Child assessment order LA accommodation", "V2: Single period under S20",
     "V3: Short term breaks, episodes recorded", "V4: Short term breaks, agreements recorded",
     "W1: Wardship"),
)
SHORT_BREAK_LEGAL_STATUSES = ("V1", "V3", "V4")   # not "in care" for Annex A List 8
PROTECTION_LEGAL_STATUSES = ("L1", "L2")          # police protection, emergency protection order

CEASED_REASON = Codes(
    ("a) E11: Adopted - application unopposed", "b) E12: Adopted - consent dispensed", "c) E2: Died",
     "d) E3: Care taken by another LA",
     "e) E4A: Returned home to live with parents or relatives - part of planning",
     "f) E4B: Returned home to live with parents or relatives - not part of planning",
     "g) E13: Parents, relatives or other with no parental responsibility",
     "h) E41: Residence order granted",
     "i) E45: Special Guardianship Orders - former carer relative/friend",
     "j) E46: Special Guardianship Orders - former carer other",
     "k) E47: Special Guardianship Orders - relative/friend", "l) E48: Special Guardianship Orders - other",
     "m) E5: Moved into independent living - supported", "n) E6: Moved into independent living - no support",
     "o) E7: Transferred to residential care funded by adult social services", "p) E9: Sentenced to custody",
     "q) E14: Accommodation on remand ended", "r) E15: Age assessment determined child was 18 or over",
     "s) E16: Child moved abroad", "t) E8: Care ceased for any other reason",
     "v) E17: Aged 18 (or over) and remained with current carers (inc under staying put arrangements)"),
)

PERMANENCE_PLAN = Codes(
    ("a) Return to family", "b) Adoption", "c) SGO/CAO", "d) Supported living in the community",
     "e) Long-term residential placement", "f) Long-term fostering", "g) Other"),
    {"Return home": "a) Return to family", "Return to birth family": "a) Return to family",
     "Remain with family": "a) Return to family", "Fostering for adoption": "b) Adoption",
     "Special guardianship order": "c) SGO/CAO", "Special guardianship": "c) SGO/CAO",
     "Child arrangements order": "c) SGO/CAO", "SGO": "c) SGO/CAO", "CAO": "c) SGO/CAO",
     "Independent living": "d) Supported living in the community",
     "Supported living": "d) Supported living in the community",
     "Residential care": "e) Long-term residential placement",
     "Long term residential placement": "e) Long-term residential placement",
     "Long term fostering": "f) Long-term fostering", "LTFOST18": "f) Long-term fostering",
     "Other": "g) Other"},
)

PLACEMENT_TYPE = Codes(
    ("a) U1: Foster placement - relatives - long term", "b) U2: Foster placement - relative - FFA",
     "c) U3: Foster placement - relative - not FFA", "d) U4: Foster placement - long term",
     "e) U5: Foster placement - FFA", "f) U6: Foster placement - not FFA",
     "g) A3: Placed for adoption - consent - current foster", "h) A4: Placed for adoption - consent - not foster",
     "i) A5: Placed for adoption - order - foster", "j) A6: Placed for adoption - order - not foster",
     "k) P1: Placed with parents", "l) P2: Independent living", "m) P3: Residential employment",
     "n) H5: Residential accommodation", "o) K1: Secure Children's Homes", "p) K2: Children's Homes",
     "q) R1: Residential Care Home", "r) R2: NHS/Health Trust", "s) R3: Family Centre or Mother and Baby Unit",
     "t) R5: Young Offender Institution", "u) S1: Residential school", "v) Z1: Other placements",
     "w) T0: Temporary placement", "x) T1: Temporary placement - hospital",
     "y) T2: Temporary placement - holiday", "z) T3: Temporary placement - carer holiday",
     "zz) T4: Temporary placement - seven days or less"),
)

PLACEMENT_PROVIDER = Codes(
    ("a) PR0 - Parent(s) or other person(s) with parental responsibility", "b) PR1 - Own provision",
     "c) PR2 - Other LA provision", "d) PR3 - Other public provision", "e) PR4 - Private provision",
     "f) PR5 - Voluntary/third sector"),
)

ADOPTION_REVERSED = Codes(
    ("RD1 - The child's needs changed subsequent to the decision",
     "RD2 - The Court did not make a placement order",
     "RD3 - Prospective adopters could not be found", "RD4 - Any other reason"),
)

ELIGIBILITY = Codes(
    ("a) Relevant child", "b) Former relevant child", "c) Qualifying care leaver", "d) Eligible child"),
    {"Relevant": "a) Relevant child", "Former relevant": "b) Former relevant child",
     "Qualifying": "c) Qualifying care leaver", "Eligible": "d) Eligible child"},
)

IN_TOUCH = Codes(
    ("a) Yes", "b) No", "c) Died", "d) Refu", "e) NREQ", "f) Rhom"),
    {"Y": "a) Yes", "YES": "a) Yes", "N": "b) No", "NO": "b) No", "DIED": "c) Died",
     "REFU": "d) Refu", "REFUSED": "d) Refu", "NREQ": "e) NREQ", "NOT REQUIRED": "e) NREQ",
     "RHOM": "f) Rhom", "RETURNED HOME": "f) Rhom"},
)

ACCOMMODATION = Codes(
    ("B: Parents/relatives", "C: Community home / residential care",
     "D: Semi-independent, transitional accommodation and self-contained accommodation",
     "E: Supported lodgings", "G: Abroad", "H: Deported", "K: Ordinary lodgings, without formal support",
     "R: Residence not known", "S: No fixed abode / homeless", "T: Foyers and similar supported accommodation",
     "U: Independent living", "V: Emergency accommodation", "W: Bed and breakfast", "X: In custody",
     "Y: Other accommodation", "Z: With former foster carers"),
)

SUITABILITY = Codes(
    ("a) Suitable", "b) Unsuitable"),
    {"1": "a) Suitable", "Y": "a) Suitable", "YES": "a) Suitable",
     "2": "b) Unsuitable", "N": "b) Unsuitable", "NO": "b) Unsuitable", "NOT SUITABLE": "b) Unsuitable"},
)

ACTIVITY = Codes(
    ("F1: Full time in higher education", "P1: Part time in higher education",
     "F2: Full time in education other than higher", "P2: Part time in education other than higher",
     "F4: Young person engaged full time in an apprenticeship",
     "P4: Young person engaged part time in an apprenticeship",
     "F5: Young person engaged full time in training or employment (not apprenticeship)",
     "P5: Young person engaged part time in training or employment (not apprenticeship)",
     "G4: Not in education, employment or training - illness or disability",
     "G5: Not in education, employment or training - other",
     "G6: Not in education, employment or training - pregnancy or parenting"),
)


def accommodation(values) -> np.ndarray:
    """903 accommodation: a letter, sometimes with the suitability digit appended ("U1")."""
    raw = pd.Series(values, dtype=object).reset_index(drop=True)
    text = raw.where(raw.isna(), raw.astype(str).str.strip())
    short = text.where(~text.str.fullmatch(r"[A-Za-z][12]", na=False), text.str[:1])
    return ACCOMMODATION.map(short)
