"""The synthetic demo authority: a deterministic, vectorised simulation of one English local
authority's children's social care, written in the Standard Safeguarding Dataset shape
(:data:`data_access.schema.TABLES`, every ``ssd_*`` and ``ext_*`` table, exactly their columns).

    tables = generate_tables("small")                 # dict of DataFrames, same seed -> same data
    counts = build_demo("demo/demo.sqlite", "medium")  # SQLite file, replaced atomically

What is simulated (journeys, not independent rows):

- an organisation: services, teams within them (assessment, safeguarding, children in care,
  leaving care, disabled children, early help), posts in teams filled by a succession of workers
  (turnover), one team manager per team. Teams and workers differ in practice quality;
- children in families; contacts (decided within a working day, mostly); early help episodes;
- referrals (CIN episodes) in chains per child (re-referrals), each with a child and family
  assessment, and as the case goes: section 47 enquiry, initial child protection conference,
  child protection plan (reviews, visits), child in need plan (reviews, visits), or closure;
- periods of care (looked after) with placements, legal statuses, SSDA903-style episodes,
  reviews, visits, health and dental checks, SDQs, PEPs, missing episodes, care plans,
  permanence (adoption, special guardianship) and care leavers;
- allocations (``ssd_involvements``): a worker and team per child over time. Every team and
  worker named on a referral, assessment, S47, ICPC, CIN plan or care-leaver row is the one
  allocated to the child at that date; an assessment's worker holds the case from the referral
  to the end of the assessment unless they leave the authority.

Timeliness varies by team, by worker, by season (August and December dip) and over the years.
Working days are Monday to Friday excluding England bank holidays (``holidays`` package).

The simulation starts some years before the reporting history (a burn-in, so that the caseload
and the children in care are already there on the first day of the history) and keeps every
journey still open on the first day of the history; journeys closed before it are dropped, as an
SSD extract with a look-back would. Nothing is dated after ``as_at``; whatever is still open then
has a blank end date.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import holidays
import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_access.schema import TABLES

__all__ = ["SIZES", "DemoSize", "generate_tables", "build_demo"]

# ---------------------------------------------------------------------------------------------
# Sizes


@dataclass(frozen=True)
class DemoSize:
    name: str
    children: int  # rows of ssd_person that are children (a few of them are also mothers)
    years: int  # reporting history ending at as_at
    workers: int  # rows of ssd_professionals
    teams: int
    services: int
    referrals: int  # target rows of ssd_cin_episodes
    contacts: int  # target rows of ssd_contacts
    layout: tuple  # ((service name, ((team type, team names...), ...)), ...)
    burn_in_years: int = 16
    first_referral_factor: float = 1.0  # children first referred, per target referral (tuned)


def _names(fmt: str, n: int) -> tuple[str, ...]:
    return tuple(fmt.format(i + 1) for i in range(n))


_SMALL_LAYOUT = (
    ("Assessment and Family Support", (
        ("assessment", ("Assessment Team North", "Assessment Team South")),
        ("safeguarding", ("Family Support and Protection Team",)),
    )),
    ("Children in Care and Care Leavers", (
        ("cla", ("Children in Care Team",)),
        ("leaving", ("Leaving Care Team",)),
    )),
)
_MEDIUM_LAYOUT = (
    ("Front Door and Assessment", (("assessment", _names("Assessment Team {}", 5)),)),
    ("Safeguarding North", (("safeguarding", _names("Safeguarding North {}", 4)),)),
    ("Safeguarding South", (("safeguarding", _names("Safeguarding South {}", 4)),)),
    ("Children in Care and Disabled Children", (
        ("cla", _names("Children in Care Team {}", 3)),
        ("disabled", ("Disabled Children's Team",)),
    )),
    ("Care Leavers and Early Help", (
        ("leaving", _names("Leaving Care Team {}", 2)),
        ("early_help", ("Early Help Team",)),
    )),
)
_LARGE_LAYOUT = (
    ("Front Door and Assessment North", (("assessment", _names("Assessment North {}", 10)),)),
    ("Front Door and Assessment South", (("assessment", _names("Assessment South {}", 10)),)),
    ("Safeguarding and Family Support North", (("safeguarding", _names("Safeguarding North {}", 10)),)),
    ("Safeguarding and Family Support South", (("safeguarding", _names("Safeguarding South {}", 10)),)),
    ("Safeguarding and Family Support East", (("safeguarding", _names("Safeguarding East {}", 9)),)),
    ("Children in Care North", (("cla", _names("Children in Care North {}", 6)),)),
    ("Children in Care South", (("cla", _names("Children in Care South {}", 6)),)),
    ("Disabled Children's Service", (("disabled", _names("Disabled Children's Team {}", 4)),)),
    ("Care Leavers Service", (("leaving", _names("Leaving Care Team {}", 6)),)),
    ("Early Help Service", (("early_help", _names("Early Help Team {}", 4)),)),
)

SIZES: dict[str, DemoSize] = {
    "small": DemoSize("small", 600, 2, 30, 5, 2, 500, 2_400, _SMALL_LAYOUT),
    "medium": DemoSize("medium", 21_000, 6, 200, 20, 5, 20_000, 96_000, _MEDIUM_LAYOUT),
    "large": DemoSize("large", 250_000, 10, 800, 75, 10, 240_000, 1_150_000, _LARGE_LAYOUT),
}

# ---------------------------------------------------------------------------------------------
# Code lists (DfE CIN census, SSDA903, Annex A)

REFERRAL_SOURCES = (  # code, description, share
    ("1A", "Individual: family member/relative/carer", 0.04),
    ("1B", "Individual: acquaintance", 0.015),
    ("1C", "Individual: self", 0.015),
    ("1D", "Individual: other", 0.01),
    ("2A", "Schools", 0.18),
    ("2B", "Education services", 0.015),
    ("3A", "Health services: GP", 0.025),
    ("3B", "Health services: health visitor", 0.025),
    ("3C", "Health services: school nurse", 0.005),
    ("3D", "Health services: other primary health services", 0.02),
    ("3E", "Health services: A&E", 0.02),
    ("3F", "Health services: other", 0.06),
    ("4", "Housing", 0.015),
    ("5A", "LA services: social care", 0.04),
    ("5B", "LA services: other internal", 0.02),
    ("5C", "LA services: external", 0.02),
    ("5D", "LA services: early help", 0.04),
    ("6", "Police", 0.29),
    ("7", "Other legal agency", 0.02),
    ("8", "Other", 0.04),
    ("9", "Anonymous", 0.015),
    ("10", "Unknown", 0.01),
)
NEED_CODES = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0")
NEED_SHARES = (0.55, 0.04, 0.04, 0.10, 0.17, 0.03, 0.005, 0.035, 0.02, 0.01)
ABUSE_CATEGORIES = ("NEG", "EMO", "PHY", "SAB", "MUL")
ABUSE_SHARES = (0.50, 0.38, 0.06, 0.04, 0.02)
ETHNICITIES = (
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
    "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
)
ETHNICITY_SHARES = (
    0.66, 0.005, 0.004, 0.05, 0.006, 0.03, 0.012, 0.012, 0.025, 0.02, 0.04,
    0.012, 0.012, 0.012, 0.03, 0.008, 0.003, 0.015, 0.01, 0.007,
)
DISABILITY_CODES = ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA")
DISABILITY_SHARES = (0.07, 0.03, 0.05, 0.03, 0.14, 0.17, 0.04, 0.03, 0.14, 0.05, 0.22, 0.03)
ASSESSMENT_FACTORS = (
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C",
    "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A",
    "14A", "15A", "16A", "17A", "18B", "18C", "19A", "19B", "19C", "20", "21", "22A", "23A", "24A",
)
CONTACT_OUTCOMES = (
    ("Information and advice", 0.33),
    ("Early help", 0.20),
    ("No further action", 0.32),
    ("Signposted to universal services", 0.15),
)
REFERRAL_OUTCOME = "Referral to children's social care"
UASC_NATIONALITIES = ("Afghan", "Eritrean", "Sudanese", "Iranian", "Albanian", "Vietnamese",
                      "Syrian", "Iraqi", "Ethiopian", "Kuwaiti")
OTHER_NATIONALITIES = ("Polish", "Romanian", "Pakistani", "Indian", "Nigerian", "Lithuanian",
                       "Irish", "Somali", "Bangladeshi", "Portuguese")
EH_REASONS = ("Parenting support", "School attendance", "Domestic abuse", "Parental mental health",
              "Child's behaviour", "Housing", "Substance misuse", "Child's emotional wellbeing")
EH_END_REASONS = (("Needs met", 0.55), ("Step up to children's social care", 0.10),
                  ("Family disengaged", 0.15), ("Moved out of area", 0.05),
                  ("Step down to universal services", 0.15))
EH_ORGANISATIONS = ("Local authority early help team", "Family hub", "School", "Health visiting",
                    "Voluntary sector partner")
WORKER_CHANGE_REASONS = (("MANAGE", 0.45), ("ABSENC", 0.12), ("ORGRST", 0.10), ("CHCHAN", 0.13),
                         ("OTHERS", 0.20))
PLACEMENT_CHANGE_REASONS = (("CARPL", 0.32), ("OTHER", 0.22), ("PLACE", 0.10), ("STAND", 0.10),
                            ("CREQB", 0.08), ("CREQO", 0.07), ("CHILD", 0.04), ("LAREQ", 0.04),
                            ("APPRR", 0.02), ("ALLEG", 0.01))
CARE_LEAVER_ACCOMMODATION = (  # 903 ACCOM letters (suffix 1 suitable / 2 unsuitable)
    ("B", 0.12), ("D", 0.20), ("E", 0.06), ("K", 0.05), ("U", 0.30), ("Z", 0.10),
    ("T", 0.04), ("X", 0.03), ("S", 0.02), ("V", 0.03), ("Y", 0.05))
CARE_LEAVER_ACTIVITY = (("F1", 0.05), ("P1", 0.01), ("F2", 0.17), ("P2", 0.04), ("F4", 0.19),
                        ("P4", 0.06), ("F5", 0.02), ("G4", 0.12), ("G5", 0.24), ("G6", 0.06),
                        ("0", 0.04))
ASSESSMENT_QUESTIONS = ("What are we worried about?", "What is working well?", "What needs to happen?")
_WORRIES = (
    "Domestic abuse between the adults in the home has been reported by police on several occasions.",
    "The child's school attendance has fallen below 70% this term.",
    "Mother's mental health has deteriorated and she has stopped taking her medication.",
    "There are concerns about parental alcohol use in the evenings.",
    "The home conditions are poor: little food, broken heating and unsafe electrics.",
    "The child has unexplained bruising noticed by school staff.",
    "The young person is staying out overnight and may be at risk of exploitation.",
    "Father has a history of violence and has recently returned to the household.",
    "The baby has missed several health appointments and immunisations.",
    "The child presents as withdrawn and anxious and has disclosed feeling unsafe at home.",
    "Older siblings are caring for the younger children for long periods.",
    "The family faces eviction and have moved three times this year.",
)
_WORKING_WELL = (
    "Maternal grandmother is a consistent, protective presence and visits daily.",
    "The child is settled at school and has a trusted adult there.",
    "Mother engages well with the health visitor and attends appointments.",
    "The parents recognise the concerns and have agreed to a safety plan.",
    "The young person has a positive relationship with their youth worker.",
    "There is a warm bond between the parents and the children.",
    "Father has completed a parenting course and is putting it into practice.",
    "The children are meeting their developmental milestones.",
    "The family have accepted support from the family hub.",
    "School reports improved behaviour and attendance since the summer.",
)
_NEXT_STEPS = (
    "A child in need plan with weekly family support sessions.",
    "Referral to the domestic abuse service and a safety plan reviewed monthly.",
    "Mother to be supported to re-engage with the community mental health team.",
    "A strategy discussion is needed if any further injuries are seen.",
    "Family group conference to identify a wider family support network.",
    "Parenting assessment to be completed within 12 weeks.",
    "Return home interview and an exploitation risk assessment.",
    "Step down to early help with a lead professional from school.",
    "Housing officer to be invited to the next core group.",
    "Regular visits by the allocated social worker, seeing the children alone.",
)
_BOY_NAMES = (
    "Oliver", "Jack", "Harry", "George", "Noah", "Charlie", "Jacob", "Alfie", "Freddie", "Oscar",
    "Leo", "Logan", "Archie", "Theo", "Thomas", "James", "Joshua", "Henry", "William", "Max",
    "Lucas", "Ethan", "Arthur", "Mason", "Isaac", "Harrison", "Teddy", "Finley", "Daniel",
    "Riley", "Edward", "Joseph", "Alexander", "Adam", "Reggie", "Samuel", "Jaxon", "Sebastian",
    "Elijah", "Harley", "Toby", "Arlo", "Dylan", "Jude", "Benjamin", "Rory", "Tommy", "Jake",
    "Louie", "Carter", "Jayden", "Mohammed", "Muhammad", "Ali", "Ibrahim", "Kai", "Tyler",
    "Callum", "Kyle", "Liam", "Connor", "Ryan", "Bradley", "Lewis", "Jamie", "Kieran",
)
_GIRL_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Isabella", "Sophia", "Grace", "Lily", "Freya",
    "Emily", "Ivy", "Ella", "Rosie", "Evie", "Florence", "Poppy", "Charlotte", "Willow",
    "Isabelle", "Phoebe", "Sienna", "Daisy", "Sofia", "Alice", "Elsie", "Matilda", "Harper",
    "Ruby", "Ellie", "Millie", "Evelyn", "Jessica", "Layla", "Chloe", "Lola", "Maisie", "Eva",
    "Esme", "Aria", "Scarlett", "Erin", "Summer", "Bella", "Hannah", "Holly", "Lucy", "Amber",
    "Megan", "Leah", "Aisha", "Maryam", "Zara", "Nevaeh", "Kayla", "Tia", "Paige", "Courtney",
    "Jasmine", "Abigail", "Lacey", "Niamh", "Skye", "Sophie", "Katie", "Chantelle",
)
_LOCAL_POSTCODE_AREAS = ("DM",)  # the demo borough's own (fictional) postcode area
_OTHER_POSTCODE_AREAS = ("LS", "BD", "HD", "WF", "S", "DN", "HU", "YO", "M", "OL", "B", "NE", "L", "NG")

ROLE = "ALLOCATED CASE WORKER"

# team types
ASSESS, SAFE, CLA, LEAVE, DIS, EH = range(6)
_TYPE_CODES = {"assessment": ASSESS, "safeguarding": SAFE, "cla": CLA, "leaving": LEAVE,
               "disabled": DIS, "early_help": EH}

# CLA routes (how the period of care ends)
R_ADOPT, R_SGO, R_CAO, R_HOME, R_LONG, R_OTHER, R_UASC, R_AGE, R_REMAND = range(9)

OPEN = 2_000_000  # an "open" / missing date (day number, far in the future)
_KEY = 10**7  # composite sort keys: owner * _KEY + day
_EPOCH = np.datetime64("1970-01-01", "D")

# ---------------------------------------------------------------------------------------------
# Small vectorised helpers


def _day(value) -> int:
    return int((np.datetime64(pd.Timestamp(value).date(), "D") - _EPOCH).astype(np.int64))


def _dt(days) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def _add_months(days, months) -> np.ndarray:
    """Calendar month arithmetic, clipping to the month end (as pandas DateOffset does)."""
    d = _dt(days)
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    m2 = m + np.asarray(months, dtype=np.int64)
    dim = ((m2 + 1).astype("datetime64[D]") - m2.astype("datetime64[D]")).astype(np.int64)
    return (m2.astype("datetime64[D]") + np.minimum(dom, dim - 1)).astype(np.int64) - 0


def _months_since_epoch(days) -> np.ndarray:
    return _dt(days).astype("datetime64[M]").astype(np.int64)


def _month_of(days) -> np.ndarray:
    return _months_since_epoch(days) % 12 + 1


def _repeat(counts) -> tuple[np.ndarray, np.ndarray]:
    """(owner, position within owner) for owners repeated counts times."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    return owner, pos


def _group_cumsum(values, counts) -> np.ndarray:
    cs = np.cumsum(values)
    starts = np.cumsum(counts) - counts
    offset = np.concatenate([[0], cs])[starts]
    return cs - np.repeat(offset, counts)


def _choice(rng, options, shares, n):
    p = np.asarray(shares, dtype=float)
    idx = rng.choice(len(options), size=n, p=p / p.sum())
    return np.asarray(options, dtype=object)[idx]


def _uniform_int(rng, low, high, n=None) -> np.ndarray:
    """Integers in [low, high] inclusive; low/high may be arrays."""
    low = np.asarray(low, dtype=np.int64)
    high = np.asarray(high, dtype=np.int64)
    size = n if n is not None else np.broadcast(low, high).shape
    return low + np.floor(rng.random(size) * (np.maximum(high - low, 0) + 1)).astype(np.int64)


def _ids(prefix: str, n: int, width: int = 7) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _yn(mask) -> np.ndarray:
    return np.where(np.asarray(mask, dtype=bool), "Y", "N").astype(object)


def _json_list(values) -> np.ndarray:
    """Each value as a one-item JSON list."""
    codes, uniques = pd.factorize(pd.Series(np.asarray(values, dtype=object)), use_na_sentinel=False)
    encoded = np.array([json.dumps([u]) for u in uniques], dtype=object)
    return encoded[codes]


class _Calendar:
    """Working days: Monday to Friday except England bank holidays."""

    def __init__(self, first_year: int, last_year: int):
        days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
        self.holidays = np.array(sorted(days), dtype="datetime64[D]")

    def add(self, days, n, roll="forward") -> np.ndarray:
        """The n-th working day after a date (rolled to a working day first)."""
        return np.busday_offset(_dt(days), np.asarray(n, dtype=np.int64), roll=roll,
                                holidays=self.holidays).astype(np.int64)

    def roll(self, days) -> np.ndarray:
        return self.add(days, 0)

    def count(self, start, end) -> np.ndarray:
        """Working days after start up to and including end."""
        return np.busday_count(_dt(np.asarray(start) + 1), _dt(np.asarray(end) + 1), holidays=self.holidays)

    def is_workday(self, days) -> np.ndarray:
        return np.is_busday(_dt(days), holidays=self.holidays)


class _Acc:
    """Accumulates arrays per key across batches."""

    def __init__(self):
        self.parts: dict[str, list] = {}

    def add(self, **cols):
        for k, v in cols.items():
            self.parts.setdefault(k, []).append(np.asarray(v))

    def get(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.parts.items()}


# ---------------------------------------------------------------------------------------------
# The generator


class _Generator:
    def __init__(self, size: DemoSize, as_at, seed: int, progress):
        self.size = size
        self.seed = int(seed)
        self.progress = progress
        self.A = _day(as_at)  # last day of data
        as_at_ts = pd.Timestamp(as_at)
        self.H = _day(as_at_ts - pd.DateOffset(years=size.years)) + 1  # first day of the history
        self.S = _day(as_at_ts - pd.DateOffset(years=size.years + size.burn_in_years)) + 1
        self.cal = _Calendar(as_at_ts.year - size.years - size.burn_in_years - 25, as_at_ts.year + 3)
        self.tables: dict[str, dict[str, np.ndarray]] = {}

    # -- infrastructure --------------------------------------------------------------------

    def rng(self, stage: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(stage.encode())])

    def say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)

    def day_weights(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Days in [start, end] and their relative weights for new work arriving: working days,
        fewer in August and late December, a gentle rise over the years."""
        days = np.arange(start, end + 1, dtype=np.int64)
        w = np.where(self.cal.is_workday(days), 1.0, 0.12)
        month = _month_of(days)
        w = w * np.where(month == 8, 0.78, 1.0) * np.where(month == 12, 0.88, 1.0)
        years = (days - self.A) / 365.25
        w = w * (1.0 + 0.025 * years)
        return days, w / w.sum()

    def draw_days(self, rng, n: int, start: int, end: int) -> np.ndarray:
        days, p = self.day_weights(start, end)
        return days[rng.choice(len(days), size=n, p=p)]

    # -- organisation ----------------------------------------------------------------------

    def build_organisation(self) -> None:
        self.say("organisation")
        rng = self.rng("organisation")
        size = self.size
        svc_names, team_names, team_svc, team_type = [], [], [], []
        for s, (svc, groups) in enumerate(size.layout):
            svc_names.append(svc)
            for type_name, names in groups:
                for name in names:
                    team_names.append(name)
                    team_svc.append(s)
                    team_type.append(_TYPE_CODES[type_name])
        n_teams = len(team_names)
        team_svc = np.array(team_svc)
        team_type = np.array(team_type)
        # Practice quality z in [0, 1]: spread evenly within each team type (so every type has a
        # strong and a weak team), nudged by a service effect.
        z = np.zeros(n_teams)
        svc_effect = rng.uniform(-0.12, 0.12, len(svc_names))
        for t in np.unique(team_type):
            idx = np.nonzero(team_type == t)[0]
            spread = np.linspace(0.0, 1.0, len(idx)) if len(idx) > 1 else np.array([0.6])
            z[idx] = rng.permutation(spread)
        if len(svc_names) > 2:
            z = np.clip(z + svc_effect[team_svc] * (team_type != ASSESS), 0, 1)
        self.team_z = z
        self.team_trend = rng.uniform(-0.025, 0.035, n_teams)  # per year, assessments
        self.team_type = team_type
        self.team_svc = team_svc
        self.svc_ids = np.array([f"S{i + 1:02d}" for i in range(len(svc_names))], dtype=object)
        self.svc_names = np.array(svc_names, dtype=object)
        self.team_ids = np.array([f"T{i + 1:03d}" for i in range(n_teams)], dtype=object)
        self.team_names = np.array(team_names, dtype=object)

        # Posts: one team manager per team (stable), case-holding posts filled by a succession
        # of workers (turnover). Worker count is exactly size.workers.
        # Turnover happens over the history (and the year before it); before that each post's
        # first worker simply holds it, which only the oldest open cases ever see.
        # About a third of the workers on record have left (turnover spread over the history).
        case_workers = size.workers - n_teams
        n_posts = max(2 * n_teams, int(round(case_workers / 1.45)))
        n_posts = min(n_posts, case_workers)
        # staff each team for its share of the open cases (assessment, long-term safeguarding
        # work, children in care, care leavers...)
        share = np.array([0.22, 0.38, 0.23, 0.11, 0.04, 0.02])[team_type]
        n_of_type = np.bincount(team_type, minlength=6)[team_type]
        weight = share / n_of_type * rng.uniform(0.85, 1.2, n_teams)
        per_team = np.full(n_teams, 2)
        extra = n_posts - per_team.sum()
        if extra > 0:
            per_team += rng.multinomial(extra, weight / weight.sum())
        post_team = np.repeat(np.arange(n_teams), per_team)
        n_posts = len(post_team)
        per_post = 1 + rng.multinomial(case_workers - n_posts, np.full(n_posts, 1.0 / n_posts))
        w_post, w_pos = _repeat(per_post)
        # cut points: the first worker started before the simulation, successors at uniform times
        cuts = rng.uniform(self.H - 365, self.A - 20, len(w_post)).astype(np.int64)
        cuts = np.where(w_pos == 0, self.S - rng.integers(30, 6 * 365, len(w_post)), cuts)
        order = np.lexsort((cuts, w_post))
        w_post, cuts = w_post[order], cuts[order]
        _, w_pos = _repeat(per_post)
        w_start = cuts
        nxt = np.append(w_start[1:], OPEN)
        last = np.append(w_post[1:] != w_post[:-1], True)
        w_end = np.where(last, OPEN, nxt)  # exclusive
        w_end = np.maximum(w_end, w_start + 1)
        # managers
        m_team = np.arange(n_teams)
        m_start = self.S - rng.integers(365, 10 * 365, n_teams)
        self.n_case_workers = len(w_post)
        self.w_post = w_post
        self.w_team = np.concatenate([post_team[w_post], m_team])
        self.w_start = np.concatenate([w_start, m_start])
        self.w_end = np.concatenate([w_end, np.full(n_teams, OPEN)])
        self.w_manager = np.concatenate([np.zeros(len(w_post), bool), np.ones(n_teams, bool)])
        self.w_key = w_post * _KEY + w_start  # sorted (case workers only)
        q = rng.normal(0.0, 0.045, len(self.w_team))
        q = np.where(rng.random(len(q)) < 0.08, q - 0.12, q)  # a few struggling workers
        self.w_quality = np.clip(q, -0.3, 0.08)
        self.post_team = post_team
        # posts per team (CSR) for picking workers
        order = np.argsort(post_team, kind="stable")
        self.team_posts = order
        self.team_post_ptr = np.concatenate([[0], np.cumsum(np.bincount(post_team, minlength=n_teams))])
        self.team_weight = per_team.astype(float)
        self.n_teams = n_teams

    def choose_team(self, rng, team_type: int, n: int, disabled=None) -> np.ndarray:
        """Teams of a type for n cases (weighted by the team's posts); children with a disability
        need go to a disabled children's team where the authority has one."""
        def pick(t, m):
            idx = np.nonzero(self.team_type == t)[0]
            w = self.team_weight[idx]
            return idx[rng.choice(len(idx), size=m, p=w / w.sum())]

        out = pick(team_type, n)
        if disabled is not None and np.any(self.team_type == DIS) and team_type in (SAFE, CLA):
            d = np.nonzero(disabled)[0]
            if len(d):
                out[d] = pick(DIS, len(d))
        return out

    def worker_in_post(self, post, day) -> np.ndarray:
        idx = np.searchsorted(self.w_key, post * _KEY + day, side="right") - 1
        return np.maximum(idx, 0)

    def random_post(self, rng, team) -> np.ndarray:
        lo = self.team_post_ptr[team]
        cnt = self.team_post_ptr[team + 1] - lo
        return self.team_posts[lo + np.floor(rng.random(len(team)) * cnt).astype(np.int64)]

    def pick_worker(self, rng, team, day, cover_until=None, tries: int = 8) -> np.ndarray:
        """A case-holding worker of the team in post on day (preferably still in post at
        cover_until)."""
        w = self.worker_in_post(self.random_post(rng, team), day)
        if cover_until is not None:
            for _ in range(tries):
                bad = np.nonzero(self.w_end[w] <= cover_until)[0]
                if not len(bad):
                    break
                w[bad] = self.worker_in_post(self.random_post(rng, team[bad]), day[bad])
        return w

    # -- children --------------------------------------------------------------------------

    def new_children(self, rng, first_day, age_days, sex, uasc=None, unborn=None, family=None):
        """Register children; returns their indices."""
        n = len(first_day)
        base = getattr(self, "n_children", 0)
        dob = first_day - age_days
        cols = dict(
            dob=dob, sex=sex,
            uasc=np.zeros(n, bool) if uasc is None else uasc,
            unborn=np.zeros(n, bool) if unborn is None else unborn,
            family=np.full(n, -1) if family is None else family,
            referred=np.zeros(n, bool),
            had_cp=np.zeros(n, bool),
        )
        if not hasattr(self, "child"):
            self.child = {k: v for k, v in cols.items()}
        else:
            for k, v in cols.items():
                self.child[k] = np.concatenate([self.child[k], v])
        self.n_children = base + n
        return np.arange(base, base + n)

    def child_arrays(self):
        c = self.child
        c["b18"] = _add_months(c["dob"], 12 * 18)
        c["b16"] = _add_months(c["dob"], 12 * 16)

    @staticmethod
    def draw_age_days(rng, n: int) -> np.ndarray:
        """Age at first referral/contact: DfE-like spread (more teenagers and infants)."""
        bands = np.array([[14, 364], [365, 5 * 365 - 1], [5 * 365, 10 * 365 - 1],
                          [10 * 365, 16 * 365 - 1], [16 * 365, 17 * 365 + 300]])
        band = rng.choice(len(bands), size=n, p=[0.11, 0.21, 0.26, 0.34, 0.08])
        return _uniform_int(rng, bands[band, 0], bands[band, 1])

    def make_referred_children(self) -> np.ndarray:
        self.say("children")
        rng = self.rng("children")
        size = self.size
        sim_years = size.years + size.burn_in_years
        # children first referred over the whole simulation; tuned so the kept referrals match
        # (measured: each child first referred yields about 2 (years + 0.46) / sim_years kept
        # referrals: chains of re-referrals, and burn-in journeys still open in the history)
        k = int(round(size.referrals * sim_years * 0.5 / (size.years + 0.46) * size.first_referral_factor))
        k = max(k, 40)
        # families: 1-4 children, often referred together
        fam_size = rng.choice([1, 2, 3, 4], size=k, p=[0.52, 0.28, 0.13, 0.07])
        fam_size = fam_size[np.cumsum(fam_size) <= k]
        fam_size = np.append(fam_size, k - fam_size.sum())
        fam_size = fam_size[fam_size > 0]
        fam, _ = _repeat(fam_size)
        n = len(fam)
        fam_day = self.draw_days(rng, len(fam_size), self.S, self.A - 5)
        own_day = self.draw_days(rng, n, self.S, self.A - 5)
        first = np.where(rng.random(n) < 0.6, fam_day[fam], own_day)
        first = self.cal.roll(first)
        first = np.minimum(first, self.cal.add(self.A, 0, roll="backward"))
        age = self.draw_age_days(rng, n)
        sex = _choice(rng, ["M", "F", "U"], [0.505, 0.49, 0.005], n)
        # unaccompanied asylum-seeking children: teenagers, mostly boys, alone
        uasc = (rng.random(n) < 0.0055) & (fam_size[fam] == 1)
        age = np.where(uasc, _uniform_int(rng, 14 * 365 + 100, 17 * 365 + 200, n), age)
        sex = np.where(uasc, np.where(rng.random(n) < 0.9, "M", "F"), sex).astype(object)
        self.family_count = len(fam_size)
        idx = self.new_children(rng, first, age, sex, uasc=uasc, family=fam)
        self.child["referred"][idx] = True
        # unborn babies referred in the last weeks: born after as_at
        n_unborn = max(1, int(round(size.children * 0.0015)))
        ref = self.cal.roll(self.A - rng.integers(5, 80, n_unborn))
        ref = np.minimum(ref, self.cal.add(self.A, 0, roll="backward"))
        due = self.A + rng.integers(20, 150, n_unborn)
        fam_u = self.family_count + np.arange(n_unborn)
        self.family_count += n_unborn
        uidx = self.new_children(rng, ref, ref - due, _choice(rng, ["M", "F"], [0.5, 0.5], n_unborn),
                                 unborn=np.ones(n_unborn, bool), family=fam_u)
        self.child["referred"][uidx] = True
        self.child_arrays()
        return np.concatenate([idx, uidx]), np.concatenate([first, ref])

    # -- journeys --------------------------------------------------------------------------

    def review_chain(self, rng, start, first_due, next_due, limit, p_late, n_max=None,
                     early=(0, 20), late=(1, 35)):
        """Sequential reviews: each due date depends on when the previous review was held.

        Returns (owner, k, due, held) for reviews held before limit (exclusive) and up to n_max
        per owner."""
        n = len(start)
        due = np.asarray(first_due, dtype=np.int64).copy()
        prev = np.asarray(start, dtype=np.int64).copy()
        active = np.ones(n, bool)
        out = _Acc()
        k = 0
        while active.any():
            idx = np.nonzero(active)[0]
            d = due[idx]
            m = len(idx)
            is_late = rng.random(m) < p_late[idx]
            held = np.where(is_late, d + _uniform_int(rng, late[0], late[1], m),
                            d - _uniform_int(rng, early[0], early[1], m))
            held = self.cal.add(np.maximum(held, prev[idx] + 1), 0, roll="backward")
            held = np.maximum(held, prev[idx] + 1)
            ok = held < limit[idx]
            if n_max is not None:
                ok &= k < n_max[idx]
            out.add(owner=idx[ok], k=np.full(int(ok.sum()), k), due=d[ok], held=held[ok])
            active[idx[~ok]] = False
            prev[idx] = held
            due[idx] = next_due(held, k)
            k += 1
        r = out.get() if out.parts else {"owner": np.zeros(0, np.int64), "k": np.zeros(0, np.int64),
                                         "due": np.zeros(0, np.int64), "held": np.zeros(0, np.int64)}
        return r["owner"], r["k"], r["due"], r["held"]

    def plan_course(self, rng, start, n_rev, first_months, gap_months, p_late):
        """A plan that ends at its n-th review; returns (natural end or OPEN, reviews)."""
        limit = np.full(len(start), self.A + 1)
        owner, k, due, held = self.review_chain(
            rng, start, _add_months(start, first_months),
            lambda h, _k: _add_months(h, gap_months), limit, p_late, n_max=n_rev)
        end = np.full(len(start), OPEN)
        final = k == (n_rev[owner] - 1)
        end[owner[final]] = held[final]
        return end, (owner, k, due, held)

    def journeys(self, rng, child, ref, rank):
        """Simulate one referral per child from its referral date onwards (vectorised)."""
        A, cal = self.A, self.cal
        c = self.child
        n = len(child)
        dob = c["dob"][child]
        unborn = c["unborn"][child]
        uasc = c["uasc"][child] & (rank == 0)
        age = np.maximum(ref - dob, 0) / 365.25
        b18 = c["b18"][child]
        r = {"child": child, "ref": ref, "rank": np.full(n, rank), "uasc": uasc}

        need = _choice(rng, NEED_CODES, NEED_SHARES, n)
        need[uasc] = "N8"
        nfa = (rng.random(n) < 0.07) & ~unborn & ~uasc
        need[nfa & (rng.random(n) < 0.5)] = "N0"
        r["need"], r["nfa"] = need, nfa
        disabled = need == "N2"
        r["disabled"] = disabled
        src_i = rng.choice(len(REFERRAL_SOURCES), size=n,
                           p=np.array([s[2] for s in REFERRAL_SOURCES]) / sum(s[2] for s in REFERRAL_SOURCES))
        src_i[uasc] = [s[0] for s in REFERRAL_SOURCES].index("5C")
        r["source"] = src_i

        # the assessment team and the worker who holds the case until the assessment is done
        team_a = self.choose_team(rng, ASSESS, n)
        worker_a = self.pick_worker(rng, team_a, ref, cover_until=ref + 160)
        ass_start = cal.add(ref, _uniform_int(rng, 0, 3, n))
        due = cal.add(ass_start, 45)
        month_due = _month_of(due)
        season = np.select([month_due == 8, month_due == 12, month_due == 9, month_due == 1],
                           [-0.15, -0.15, -0.05, -0.05], 0.0)
        years_from_mid = (ass_start - (self.H + self.A) / 2) / 365.25
        q = (0.70 + 0.27 * self.team_z[team_a] + self.w_quality[worker_a] + season
             + self.team_trend[team_a] * years_from_mid)
        q = np.clip(q, 0.3, 0.985)
        in_time = rng.random(n) < q
        wd_in = np.maximum(1, 45 - np.floor(rng.gamma(2.0, 6.5, n))).astype(np.int64)
        wd_late = 46 + np.floor(rng.gamma(1.3, 11.0, n)).astype(np.int64)
        stuck = rng.random(n) < 0.02
        wd_late = np.where(stuck, 46 + _uniform_int(rng, 30, 220, n), wd_late)
        wd = np.where(in_time, wd_in, wd_late)
        auth = cal.add(ass_start, wd)
        has_ass = ~nfa
        r.update(team_a=team_a, worker_a=worker_a, ass_start=ass_start, auth=auth, has_ass=has_ass)
        r["child_seen"] = rng.random(n) < (0.90 + 0.08 * self.team_z[team_a])

        # section 47, ICPC, child protection plan
        p_s47 = np.select([need == "N1", need == "N0"], [0.57, 0.0], 0.16)
        prior_cp = c["had_cp"][child]
        p_s47 = np.where(prior_cp, 0.8, p_s47)
        p_s47 = np.where(unborn, 0.5, np.where(uasc, 0.0, p_s47))
        s47 = has_ass & (rng.random(n) < p_s47)
        s47_start = cal.add(ref, np.where(rng.random(n) < 0.8, _uniform_int(rng, 0, 2, n),
                                          _uniform_int(rng, 3, 20, n)))
        s47_len = np.where(rng.random(n) < 0.9, _uniform_int(rng, 2, 15, n), _uniform_int(rng, 16, 30, n))
        s47_end = cal.add(s47_start, s47_len)
        p_icpc = np.where(age < 1, 0.42, np.where(age >= 12, 0.22, 0.31))
        p_icpc = np.where(prior_cp, 0.7, p_icpc)
        icpc = s47 & (rng.random(n) < p_icpc)
        m_s47 = _month_of(s47_start)
        p_icpc_ontime = np.clip(0.60 + 0.33 * self.team_z[team_a]
                                - 0.10 * np.isin(m_s47, (7, 8, 12)), 0.3, 0.97)
        icpc_ontime = rng.random(n) < p_icpc_ontime
        icpc_wd = np.where(icpc_ontime, _uniform_int(rng, 7, 15, n), _uniform_int(rng, 16, 30, n))
        icpc_date = cal.add(s47_start, icpc_wd)
        s47_end = np.where(icpc, np.minimum(s47_end, icpc_date), s47_end)
        cp = icpc & (rng.random(n) < 0.86)
        c["had_cp"][child[cp]] = True
        r.update(s47=s47, s47_start=s47_start, s47_end=s47_end, icpc=icpc, icpc_date=icpc_date,
                 icpc_target=cal.add(s47_start, 15), cp=cp)

        # when the assessment (and any S47/ICPC) is done
        t_done = np.where(has_ass, auth, ref)
        t_done = np.where(s47, np.maximum(t_done, s47_end), t_done)
        t_done = np.where(icpc, np.maximum(t_done, icpc_date), t_done)

        # emergencies and unaccompanied children become looked after straight away
        emergency = has_ass & ~unborn & ~uasc & (rng.random(n) < 0.012)
        remand = has_ass & ~unborn & ~uasc & ~emergency & (age >= 12) & (rng.random(n) < 0.005)
        direct_cla = uasc | emergency | remand

        u = rng.random(n)
        icpc_no_plan = icpc & ~cp
        out_close = has_ass & ~cp & ~direct_cla & np.where(icpc_no_plan, u < 0.3, u < 0.46)
        out_cinplan = has_ass & ~cp & ~direct_cla & ~out_close & np.where(icpc_no_plan, True, u < 0.79)
        out_cinserv = has_ass & ~cp & ~direct_cla & ~out_close & ~out_cinplan
        cont = has_ass & ~out_close  # continues beyond the assessment
        close_a = np.where(nfa, cal.add(ref, _uniform_int(rng, 0, 2, n)), t_done + _uniform_int(rng, 0, 7, n))
        handover = t_done + _uniform_int(rng, 1, 10, n)
        r.update(out_close=out_close, out_cinplan=out_cinplan, out_cinserv=out_cinserv,
                 direct_cla=direct_cla, emergency=emergency, remand=remand)

        team_s = self.choose_team(rng, SAFE, n, disabled)
        zs = self.team_z[team_s]
        cla_start = np.full(n, OPEN)
        cla_start = np.where(direct_cla, cal.add(ref, _uniform_int(rng, 0, 1, n)), cla_start)

        # child protection plan: ends at a review (or earlier when the child moves away or
        # becomes looked after)
        cp_i = np.nonzero(cp)[0]
        cp_start = icpc_date[cp_i]
        n_rev = rng.choice([1, 2, 3, 4, 5, 6], size=len(cp_i), p=[0.2, 0.36, 0.25, 0.15, 0.03, 0.01])
        p_late_rev = 0.01 + 0.09 * (1 - zs[cp_i])
        cp_end, cp_reviews = self.plan_course(rng, cp_start, n_rev, 3, 6, p_late_rev)
        horizon = np.where(cp_end < OPEN, cp_end, np.maximum(A, cp_start + 400))
        dur = np.maximum(horizon - cp_start, 20)
        moved = rng.random(len(cp_i)) < 0.1
        cp_end = np.where(moved, cp_start + (dur * rng.uniform(0.15, 0.9, len(cp_i))).astype(np.int64), cp_end)
        cp_end_reason = np.where(moved, "moved", "review").astype(object)
        age_cp = age[cp_i]
        p_cla = np.where(age_cp < 1, 0.36, np.where(age_cp >= 12, 0.13, 0.25))
        to_cla = (rng.random(len(cp_i)) < p_cla) & ~unborn[cp_i]
        c_start = cp_start + _uniform_int(rng, 10, np.minimum(np.maximum(dur, 11), 450))
        to_cla &= c_start < np.minimum(cp_end, b18[cp_i] - 30)
        cp_end = np.where(to_cla, c_start, cp_end)
        cp_end_reason[to_cla] = "cla"
        cla_start[cp_i[to_cla]] = c_start[to_cla]
        cp_end = np.where(cp_end > A, OPEN, cp_end)
        # reviews held on or before the plan end
        o, k, d, h = cp_reviews
        keep = h <= cp_end[o]
        o, k, d, h = o[keep], k[keep], d[keep], h[keep]
        cont_flag = ~((h == cp_end[o]) & (cp_end_reason[o] == "review"))
        cpr = dict(ref=cp_i[o], k=k, due=d, held=h, cont=cont_flag,
                   quorate=rng.random(len(o)) < 0.96, particip=rng.random(len(o)) < 0.7)
        cps = dict(ref=cp_i, start=cp_start, end=cp_end, team=team_s[cp_i])

        # child in need plan: from the assessment, or stepping down from a CP plan
        step_down = np.zeros(n, bool)
        step_down[cp_i] = (cp_end < OPEN) & ~to_cla & (rng.random(len(cp_i)) < 0.5)
        cin = out_cinplan | step_down
        cin_i = np.nonzero(cin)[0]
        cin_plan_start = np.where(step_down, 0, handover)
        cin_plan_start[cp_i] = np.where(step_down[cp_i], cp_end, cin_plan_start[cp_i])
        ci_start = cin_plan_start[cin_i]
        n_cr = rng.choice([1, 2, 3, 4, 5, 6, 7, 8], size=len(cin_i),
                          p=[0.24, 0.3, 0.2, 0.11, 0.06, 0.04, 0.03, 0.02])
        p_late_cr = 0.02 + 0.12 * (1 - zs[cin_i])
        ci_end, ci_reviews = self.plan_course(rng, ci_start, n_cr, 3, 3, p_late_cr)
        horizon = np.where(ci_end < OPEN, ci_end, np.maximum(A, ci_start + 400))
        dur = np.maximum(horizon - ci_start, 20)
        ci_cla = ~step_down[cin_i] & ~unborn[cin_i] & (rng.random(len(cin_i)) < 0.06)
        c_start = ci_start + _uniform_int(rng, 20, np.maximum(dur - 1, 21))
        ci_cla &= (c_start < ci_end) & (c_start < b18[cin_i] - 30) & (cla_start[cin_i] == OPEN)
        ci_end = np.where(ci_cla, c_start, ci_end)
        cla_start[cin_i[ci_cla]] = np.where(ci_cla, c_start, OPEN)[ci_cla]
        ci_end = np.where(ci_end > A, OPEN, ci_end)
        o, k, d, h = ci_reviews
        keep = h <= ci_end[o]
        cir = dict(ref=cin_i[o[keep]], k=k[keep], due=d[keep], held=h[keep])
        cis = dict(ref=cin_i, start=ci_start, end=ci_end, team=team_s[cin_i])

        # child in need services without a plan
        serv_end = np.where(out_cinserv, handover + _uniform_int(rng, 30, 250, n), OPEN)
        serv_cla = out_cinserv & ~unborn & (rng.random(n) < 0.03)
        c_start = handover + _uniform_int(rng, 10, np.maximum(serv_end - handover - 1, 11))
        serv_cla &= (c_start < serv_end) & (c_start < b18 - 30) & (cla_start == OPEN)
        cla_start = np.where(serv_cla, c_start, cla_start)
        serv_end = np.where(serv_cla, c_start, serv_end)
        serv_end = np.where(serv_end > A, OPEN, serv_end)

        # looked after: the period of care
        cla = (cla_start <= A) & (cla_start < b18)
        cla_start = np.where(cla, cla_start, OPEN)
        cl_i = np.nonzero(cla)[0]
        route, cla_end = self.cla_course(rng, age[cl_i] + (cla_start[cl_i] - ref[cl_i]) / 365.25,
                                         cla_start[cl_i], b18[cl_i], uasc[cl_i], remand[cl_i])
        cla_end = np.where(direct_cla[cl_i] & (route == R_HOME),
                           np.maximum(cla_end, handover[cl_i] + 30), cla_end)
        cla_end = np.minimum(cla_end, b18[cl_i])
        cla_end = np.where(cla_end > A, OPEN, cla_end)
        team_c = self.choose_team(rng, CLA, n, disabled)
        age_end = (np.where(cla_end < OPEN, cla_end, A) - dob[cl_i]) / 365.25
        leaver = ((cla_end < OPEN) & (age_end >= 16) & (cla_end - cla_start[cl_i] >= 91)
                  & np.isin(route, (R_LONG, R_UASC, R_OTHER, R_HOME)))
        # leaving-care support runs to the 22nd birthday; some young people take up the offer of
        # a personal adviser to 25 (Children and Social Work Act 2017)
        extended = rng.random(len(cl_i)) < 0.35
        ent_end = _add_months(dob[cl_i], 12 * np.where(extended, 25, 22))
        cla_rec = dict(ref=cl_i, start=cla_start[cl_i], end=cla_end, route=route, team=team_c[cl_i],
                       leaver=leaver, ent_end=ent_end)

        # the referral (CIN episode) closes when the last part of the case ends
        cla_end_full = np.full(n, -1)
        cla_end_full[cl_i] = cla_end
        cp_end_full = np.full(n, -1)
        cp_end_full[cp_i] = cp_end
        ci_end_full = np.full(n, -1)
        ci_end_full[cin_i] = ci_end
        serv_full = np.where(out_cinserv, serv_end, -1)
        parts = np.vstack([cla_end_full, cp_end_full, ci_end_full, serv_full, handover])
        close_cont = parts.max(axis=0)
        close = np.where(cont, close_cont, close_a)
        close = np.where(nfa, close_a, close)
        close = np.where((close > A) | (cont & (handover > A)), OPEN, close)
        close = np.where(~has_ass & ~nfa, OPEN, close)
        r["close"] = close
        r["handover"] = handover
        r["cont"] = cont
        # closure reason
        reason = np.full(n, "RC7", dtype=object)
        reason[nfa | out_close] = np.where(rng.random(int((nfa | out_close).sum())) < 0.72, "RC8", "RC9")
        reason[nfa] = "RC8"
        route_full = np.full(n, -1)
        route_full[cl_i] = route
        ended_in_care = (cla_end_full >= 0) & (cla_end_full == close)
        reason = np.where(ended_in_care & (route_full == R_ADOPT), "RC1", reason)
        reason = np.where(ended_in_care & (route_full == R_SGO), "RC4", reason)
        reason = np.where(ended_in_care & (route_full == R_CAO), "RC3", reason)
        moved_full = np.zeros(n, bool)
        moved_full[cp_i] = cp_end_reason == "moved"
        reason = np.where(moved_full & (cp_end_full == close), "RC5", reason)
        reason = np.where(close == OPEN, None, reason)
        r["close_reason"] = reason

        # allocation phases: assessment team, then safeguarding, children in care, leaving care
        end_a = np.where(cont, handover, close_a + 1)
        end_a = np.where(close == OPEN, np.where(cont, handover, OPEN), end_a)
        end_a = np.minimum(end_a, np.where(close == OPEN, OPEN, close + 1))
        ph = _Acc()
        ph.add(ref=np.arange(n), team=team_a, start=ref, end=end_a, worker0=worker_a,
               kind=np.zeros(n, np.int64), may_wait=np.zeros(n, bool))
        close_x = np.where(close == OPEN, OPEN, close + 1)
        s_end = np.minimum(cla_start, close_x)
        s_ok = cont & ~direct_cla & (s_end > handover)
        ph.add(ref=np.nonzero(s_ok)[0], team=team_s[s_ok], start=handover[s_ok], end=s_end[s_ok],
               worker0=np.full(int(s_ok.sum()), -1), kind=np.full(int(s_ok.sum()), 1),
               may_wait=~out_cinplan[s_ok])
        c_start = np.maximum(cla_start[cl_i], np.where(cont[cl_i], handover[cl_i], end_a[cl_i]))
        c_end = np.where(cla_end == OPEN, OPEN, np.where(leaver, cla_end, cla_end + 1))
        c_ok = c_end > c_start
        ph.add(ref=cl_i[c_ok], team=team_c[cl_i][c_ok], start=c_start[c_ok], end=c_end[c_ok],
               worker0=np.full(int(c_ok.sum()), -1), kind=np.full(int(c_ok.sum()), 2),
               may_wait=np.ones(int(c_ok.sum()), bool))
        l_i = cl_i[leaver]
        team_l = self.choose_team(rng, LEAVE, len(l_i))
        l_start = cla_end[leaver]
        l_end = ent_end[leaver]
        l_end = np.where(l_end > A, OPEN, l_end)
        l_ok = l_end > l_start
        ph.add(ref=l_i[l_ok], team=team_l[l_ok], start=l_start[l_ok], end=l_end[l_ok],
               worker0=np.full(int(l_ok.sum()), -1), kind=np.full(int(l_ok.sum()), 3),
               may_wait=np.ones(int(l_ok.sum()), bool))
        phases = ph.get()
        r["last_end"] = np.maximum(np.where(close == OPEN, OPEN, close), -1)
        last_l = np.full(n, -1)
        last_l[l_i[l_ok]] = l_end[l_ok]
        r["last_end"] = np.maximum(r["last_end"], last_l)

        # does the child come back? (re-referral)
        p_next = np.where(nfa | out_close, 0.42, 0.30)
        p_next = np.where(c["had_cp"][child], 0.5, p_next)
        p_next = np.where(cla & ~np.isin(route_full, (R_HOME,)), 0.0, p_next)
        p_next = np.where(unborn | uasc, 0.0, p_next)
        p_next[cl_i[leaver]] = 0.0
        gap = 14 + np.floor(rng.exponential(170.0, n)).astype(np.int64)
        nxt = cal.roll(np.where(close < OPEN, close, A) + gap)
        again = (close < OPEN) & (rng.random(n) < p_next) & (nxt <= A) & (nxt < b18 - 60)
        return dict(r=r, cps=cps, cpr=cpr, cis=cis, cir=cir, cla=cla_rec, phases=phases,
                    next_child=child[again], next_ref=nxt[again])

    def cla_course(self, rng, age, start, b18, uasc, remand):
        """How and when a period of care ends (end OPEN-free: may lie after as_at)."""
        n = len(age)
        probs = np.array([
            # adopt  sgo   cao   home  long  other
            [0.35, 0.18, 0.04, 0.23, 0.17, 0.03],  # under 1
            [0.20, 0.20, 0.05, 0.30, 0.22, 0.03],  # 1-4
            [0.02, 0.18, 0.05, 0.35, 0.37, 0.03],  # 5-9
            [0.00, 0.06, 0.03, 0.45, 0.40, 0.06],  # 10-15
            [0.00, 0.00, 0.00, 0.30, 0.65, 0.05],  # 16-17
        ])
        band = np.digitize(age, [1, 5, 10, 16])
        u = rng.random(n)
        cum = np.cumsum(probs[band], axis=1)
        route = (u[:, None] > cum).sum(axis=1)  # 0..5 == R_ADOPT..R_OTHER
        route = np.minimum(route, R_OTHER)
        ur = rng.random(n)
        route = np.where(uasc, np.where(ur < 0.88, R_UASC, np.where(ur < 0.95, R_AGE, R_OTHER)), route)
        route = np.where(remand, R_REMAND, route)
        dur = np.select(
            [route == R_ADOPT, route == R_SGO, route == R_CAO, route == R_HOME, route == R_OTHER,
             route == R_AGE, route == R_REMAND],
            [_uniform_int(rng, 560, 1000, n), _uniform_int(rng, 200, 900, n),
             _uniform_int(rng, 150, 700, n), 7 + np.floor(rng.exponential(260.0, n)).astype(np.int64),
             _uniform_int(rng, 30, 700, n), _uniform_int(rng, 20, 200, n), _uniform_int(rng, 14, 150, n)],
            OPEN)
        end = np.where(dur >= OPEN, b18, start + dur)
        end = np.minimum(end, b18)
        return route, end

    def simulate_referrals(self):
        self.say("referrals")
        rng = self.rng("referrals")
        child, ref = self.make_referred_children()
        acc = {k: _Acc() for k in ("r", "cps", "cpr", "cis", "cir", "cla", "phases")}
        offset = 0
        rank = 0
        while len(child):
            out = self.journeys(rng, child, ref, rank)
            n = len(child)
            for key in acc:
                part = dict(out[key])
                if key != "r":
                    part["ref"] = part["ref"] + offset
                acc[key].add(**part)
            offset += n
            child, ref = out["next_child"], out["next_ref"]
            order = np.argsort(ref, kind="stable")
            child, ref = child[order], ref[order]
            rank += 1
        self.j = {k: v.get() for k, v in acc.items()}
        self.say("keeping journeys open during the history")
        self.keep_journeys()

    def keep_journeys(self):
        """Drop referrals whose whole journey ended before the history starts."""
        r = self.j["r"]
        keep = r["last_end"] >= self.H
        new_index = np.full(len(keep), -1)
        new_index[keep] = np.arange(int(keep.sum()))
        for key, t in self.j.items():
            if key == "r":
                self.j[key] = {k: v[keep] for k, v in t.items()}
            else:
                m = keep[t["ref"]]
                self.j[key] = {k: v[m] for k, v in t.items()}
                self.j[key]["ref"] = new_index[self.j[key]["ref"]]
        self.child["referred"][:] = False
        self.child["referred"][self.j["r"]["child"]] = True

    # -- allocations -----------------------------------------------------------------------

    def build_allocations(self):
        """Worker segments within each phase: planned changes, and changes because a worker
        leaves the authority (their cases pass to the successor in post, mostly)."""
        self.say("allocations")
        rng = self.rng("allocations")
        p = self.j["phases"]
        A = self.A
        n = len(p["ref"])
        rate = np.array([0.0, 0.55, 0.40, 0.30])[p["kind"]]
        # a few children wait for allocation when their case moves to a new team (not when a
        # CIN plan starts: the plan names its worker)
        gap = np.where(p["may_wait"] & (rng.random(n) < 0.08), _uniform_int(rng, 1, 25, n), 0)
        start = np.minimum(p["start"] + gap, np.maximum(p["end"] - 1, p["start"]))
        end_cap = np.minimum(p["end"], A + 1)
        years = np.maximum(end_cap - start, 0) / 365.25
        n_ch = rng.poisson(rate * years)
        n_ch = np.where(end_cap - start > 2, n_ch, 0)
        o, _ = _repeat(n_ch)
        ch = start[o] + 1 + np.floor(rng.random(len(o)) * np.maximum(end_cap[o] - start[o] - 1, 1)).astype(np.int64)
        seg_phase = np.concatenate([np.arange(n), o])
        seg_start = np.concatenate([start, ch])
        order = np.lexsort((seg_start, seg_phase))
        seg_phase, seg_start = seg_phase[order], seg_start[order]
        # drop duplicate change days
        dup = np.concatenate([[False], (seg_phase[1:] == seg_phase[:-1]) & (seg_start[1:] == seg_start[:-1])])
        seg_phase, seg_start = seg_phase[~dup], seg_start[~dup]
        last = np.append(seg_phase[1:] != seg_phase[:-1], True)
        seg_end = np.where(last, p["end"][seg_phase], np.append(seg_start[1:], 0))
        first = np.concatenate([[True], seg_phase[1:] != seg_phase[:-1]])
        team = p["team"][seg_phase]
        worker = self.pick_worker(rng, team, seg_start)
        fixed = first & (p["worker0"][seg_phase] >= 0)
        worker[fixed] = p["worker0"][seg_phase][fixed]
        why = np.where(last, np.where(p["end"][seg_phase] >= OPEN, "", "end"), "planned").astype(object)
        # split segments whose worker leaves before the segment ends
        for _ in range(60):
            w_end = self.w_end[worker]
            bad = np.nonzero((w_end < seg_end) & (w_end < A + 1) & (w_end > seg_start))[0]
            if not len(bad):
                break
            succ = worker[bad] + 1  # next worker in the same post (sorted by post, start)
            same_post = (succ < self.n_case_workers) & (self.w_post[np.minimum(succ, self.n_case_workers - 1)]
                                                        == self.w_post[worker[bad]])
            use_succ = same_post & (rng.random(len(bad)) < 0.75)
            new_start = w_end[bad]
            other = self.pick_worker(rng, team[bad], new_start)
            new_worker = np.where(use_succ, succ, other)
            seg_phase = np.concatenate([seg_phase, seg_phase[bad]])
            seg_start = np.concatenate([seg_start, new_start])
            seg_end_new = seg_end[bad].copy()
            seg_end[bad] = new_start
            seg_end = np.concatenate([seg_end, seg_end_new])
            team = np.concatenate([team, team[bad]])
            worker = np.concatenate([worker, new_worker])
            why_new = why[bad].copy()
            why[bad] = "left"
            why = np.concatenate([why, why_new])
        order = np.lexsort((seg_start, seg_phase))
        seg = dict(phase=seg_phase[order], start=seg_start[order], end=seg_end[order],
                   team=team[order], worker=worker[order], why=why[order])
        seg["ref"] = p["ref"][seg["phase"]]
        seg["kind"] = p["kind"][seg["phase"]]
        # the reason a worker changed
        why = seg["why"]
        nxt_phase = np.append(seg["phase"][1:], -1)
        nxt_ref = np.append(seg["ref"][1:], -1)
        reason = np.full(len(why), None, dtype=object)
        planned = why == "planned"
        reason[planned] = _choice(rng, [x[0] for x in WORKER_CHANGE_REASONS],
                                  [x[1] for x in WORKER_CHANGE_REASONS], int(planned.sum()))
        reason[why == "left"] = "LEFTRL"
        transfer = (why == "end") & (nxt_ref == seg["ref"]) & (nxt_phase != seg["phase"])
        reason[transfer] = np.where(seg["kind"][transfer] == 2, "PCCHAN", "TSPROC")
        seg["reason"] = reason
        keep = (seg["end"] > seg["start"]) & (seg["start"] <= A)
        seg = {k: v[keep] for k, v in seg.items()}
        # sort by (referral, start) for look-ups
        order = np.lexsort((seg["start"], seg["ref"]))
        self.seg = {k: v[order] for k, v in seg.items()}
        self.seg_key = self.seg["ref"] * _KEY + self.seg["start"]

    def allocated(self, ref, day) -> tuple[np.ndarray, np.ndarray]:
        """(team, worker) allocated to a referral's child on a day: the segment covering the day,
        else the next one of the same referral (a child waiting for allocation), else the last."""
        s = self.seg
        idx = np.searchsorted(self.seg_key, ref * _KEY + day, side="right") - 1
        nseg = len(s["ref"])
        idx_c = np.clip(idx, 0, nseg - 1)
        covered = (idx >= 0) & (s["ref"][idx_c] == ref) & (day < s["end"][idx_c])
        nxt = np.clip(idx + 1, 0, nseg - 1)
        use_next = ~covered & (s["ref"][nxt] == ref) & (s["start"][nxt] > day)
        use_prev = ~covered & ~use_next & (idx >= 0) & (s["ref"][idx_c] == ref)
        out = np.where(covered | use_prev, idx_c, np.where(use_next, nxt, -1))
        if (out < 0).any():  # should not happen: every referral has an assessment-phase segment
            first = np.searchsorted(self.seg_key, ref * _KEY, side="left")
            out = np.where(out < 0, np.clip(first, 0, nseg - 1), out)
        return s["team"][out], s["worker"][out]

    # -- tables ----------------------------------------------------------------------------

    def put(self, name: str, **cols) -> None:
        self.tables[name] = cols

    def table_department(self):
        n_s = len(self.svc_ids)
        self.put(
            "ssd_department",
            dept_team_id=np.concatenate([self.svc_ids, self.team_ids]),
            dept_team_name=np.concatenate([self.svc_names, self.team_names]),
            dept_team_parent_id=np.concatenate([np.full(n_s, None, object), self.svc_ids[self.team_svc]]),
            dept_team_parent_name=np.concatenate([np.full(n_s, None, object), self.svc_names[self.team_svc]]),
        )

    def table_professionals(self):
        self.say("professionals")
        rng = self.rng("professionals")
        from faker import Faker

        fake = Faker("en_GB")
        fake.seed_instance(self.seed)
        n = len(self.w_team)
        names, seen = [], set()
        initials = "ABCDEFGHJKLMNPRSTW"
        for i in range(n):
            first, last = fake.first_name(), fake.last_name()
            name = f"{first} {last}"
            j = 0
            while name in seen:  # disambiguate: a middle initial, then a number
                name = (f"{first} {initials[j % len(initials)]}. {last}" if j < len(initials)
                        else f"{first} {last} {j - len(initials) + 2}")
                j += 1
            seen.add(name)
            names.append(name)
        order = np.lexsort((self.w_team, self.w_start))  # staff numbers in order of joining
        staff_no = np.empty(n, np.int64)
        staff_no[order] = np.arange(n)
        ttype = self.team_type[self.w_team]
        title = _choice(rng, ["Social Worker", "Senior Social Worker", "Advanced Practitioner",
                              "Newly Qualified Social Worker (ASYE)"], [0.55, 0.2, 0.1, 0.15], n)
        title = np.where(ttype == LEAVE, "Personal Adviser", title)
        title = np.where(ttype == EH, "Early Help Practitioner", title)
        title = np.where(self.w_manager, "Team Manager", title).astype(object)
        registered = ~np.isin(title, ["Personal Adviser", "Early Help Practitioner"])
        reg_no = rng.choice(np.arange(100_000, 999_999), size=n, replace=False)
        reg = np.where(registered, np.char.add("SW", reg_no.astype(str)).astype(object), None)
        fte = _choice(rng, [1.0, 0.8, 0.6, 0.5], [0.72, 0.14, 0.09, 0.05], n).astype(float)
        agency = (rng.random(n) < 0.06 + 0.2 * (1 - self.team_z[self.w_team])) & ~self.w_manager
        # caseload on the last 30 September
        as_at = pd.Timestamp(_dt([self.A])[0])
        sept = pd.Timestamp(as_at.year if as_at.month >= 10 else as_at.year - 1, 9, 30)
        d = _day(sept)
        s = self.seg
        open_ = (s["start"] <= d) & (s["end"] > d)
        caseload = np.bincount(s["worker"][open_], minlength=n)
        self.put(
            "ssd_professionals",
            prof_professional_id=self.worker_ids,
            prof_staff_id=np.array([f"STF{i + 1:05d}" for i in staff_no], dtype=object),
            prof_professional_name=np.array(names, dtype=object),
            prof_social_worker_registration_no=reg,
            prof_professional_job_title=title,
            prof_professional_caseload=caseload.astype(np.int64),
            prof_professional_department=self.team_ids[self.w_team],
            prof_full_time_equivalency=fte,
            prof_agency_worker_flag=_yn(agency),
        )

    def table_involvements(self):
        s = self.seg
        n = len(s["ref"])
        end = s["end"] - 1  # inclusive
        end = np.where((s["end"] >= OPEN) | (end > self.A), OPEN, end)
        self.put(
            "ssd_involvements",
            invo_involvements_id=_ids("INV", n, 8),
            invo_professional_id=self.worker_ids[s["worker"]],
            invo_professional_role_id=np.full(n, ROLE, dtype=object),
            invo_professional_team=self.team_ids[s["team"]],
            invo_involvement_start_date=s["start"],
            invo_involvement_end_date=end,
            invo_worker_change_reason=s["reason"],
            invo_person_id=self.person_ids[self.j["r"]["child"][s["ref"]]],
            invo_referral_id=self.ref_ids[s["ref"]],
        )

    def table_supervision(self):
        """Case supervision of the allocated worker, roughly monthly (team-dependent)."""
        self.say("case supervision")
        rng = self.rng("supervision")
        s = self.seg
        A = self.A
        lo = np.maximum(s["start"], self.H - 60)
        hi = np.minimum(s["end"], A + 1)
        ok = hi - lo > 5
        idx = np.nonzero(ok)[0]
        lo, hi = lo[idx], hi[idx]
        z = self.team_z[s["team"][idx]]
        n_max = ((hi - lo) // 14 + 2).astype(np.int64)
        o, pos = _repeat(n_max)
        p_late = (0.06 + 0.30 * (1 - z))[o]
        late = rng.random(len(o)) < p_late
        gap = np.where(late, _uniform_int(rng, 31, 60, len(o)), _uniform_int(rng, 18, 30, len(o)))
        gap = np.where(pos == 0, _uniform_int(rng, 3, 25, len(o)), gap)
        when = lo[o] + _group_cumsum(gap, n_max)
        when = self.cal.add(when, 0, roll="backward")
        keep = (when < hi[o]) & (when >= lo[o]) & (when >= self.H)
        o, when = o[keep], when[keep]
        seg_i = idx[o]
        n = len(o)
        self.put(
            "ext_case_supervision",
            supe_id=_ids("SUP", n, 8),
            supe_person_id=self.person_ids[self.j["r"]["child"][s["ref"][seg_i]]],
            supe_professional_id=self.worker_ids[s["worker"][seg_i]],
            supe_date=when,
        )

    def visits(self, rng, start, end, z, first, gap_ok, gap_late, p_late_base, unit="wd"):
        """Visits from start to end (exclusive, capped at as_at) with gaps mostly within the
        standard; lateness depends on the team (z) and the season (August, December)."""
        A = self.A
        end_cap = np.minimum(end, A + 1)
        n = len(start)
        length = np.maximum(end_cap - start, 0)
        span = length * 5 // 7 + 5 if unit == "wd" else length
        n_max = (span // max(gap_ok[0], 1) + 2).astype(np.int64)
        n_max = np.where(length > 0, n_max, 0)
        o, pos = _repeat(n_max)
        m = len(o)
        p_late = (p_late_base[0] + p_late_base[1] * (1 - z))[o]
        ok_gap = _uniform_int(rng, gap_ok[0], gap_ok[1], m)
        late_gap = _uniform_int(rng, gap_late[0], gap_late[1], m)
        u = rng.random(m)
        first_gap = _uniform_int(rng, first[0], first[1], m)
        for _pass in range(2):
            if _pass == 0:
                late = u < p_late
            else:
                month = _month_of(when)
                late = u < p_late + 0.07 * np.isin(month, (8, 12))
            gap = np.where(pos == 0, np.where(late, first_gap + (late_gap - gap_ok[1]) // 2, first_gap),
                           np.where(late, late_gap, ok_gap))
            off = _group_cumsum(gap, n_max)
            if unit == "wd":
                when = self.cal.add(start[o], off)
            else:
                when = self.cal.add(start[o] + off, 0, roll="backward")
                when = np.maximum(when, start[o])
        keep = when < end_cap[o]
        return o[keep], when[keep]

    def table_cp(self):
        self.say("child protection")
        rng = self.rng("child protection")
        r, cps, cpr = self.j["r"], self.j["cps"], self.j["cpr"]
        A = self.A
        n = len(cps["ref"])
        plan_ids = _ids("CPP", n)
        self.cp_plan_ids = plan_ids
        child = r["child"][cps["ref"]]
        cat = _choice(rng, ABUSE_CATEGORIES, ABUSE_SHARES, n)
        latest = np.where(rng.random(n) < 0.88, cat, _choice(rng, ABUSE_CATEGORIES, ABUSE_SHARES, n))
        # ICPCs (every ICPC, with or without a plan)
        ic = np.nonzero(r["icpc"] & (r["icpc_date"] <= A))[0]
        n_ic = len(ic)
        icpc_ids = _ids("ICPC", n_ic)
        plan_of_ref = np.full(len(r["child"]), -1)
        plan_of_ref[cps["ref"]] = np.arange(n)
        ic_plan = plan_of_ref[ic]
        team, worker = self.allocated(ic, r["icpc_date"][ic])
        transfer = rng.random(n_ic) < 0.02
        outcome = np.where(ic_plan >= 0, "CP plan", np.where(r["out_cinplan"][ic], "CIN plan", "NFA"))
        self.put(
            "ssd_initial_cp_conference",
            icpc_icpc_id=icpc_ids,
            icpc_icpc_meeting_id=_ids("MTG", n_ic),
            icpc_s47_enquiry_id=self.s47_id_of_ref[ic],
            icpc_person_id=self.person_ids[r["child"][ic]],
            icpc_cp_plan_id=np.where(ic_plan >= 0, plan_ids[np.maximum(ic_plan, 0)], None),
            icpc_referral_id=self.ref_ids[ic],
            icpc_icpc_transfer_in=_yn(transfer),
            icpc_icpc_target_date=r["icpc_target"][ic],
            icpc_icpc_date=r["icpc_date"][ic],
            icpc_icpc_outcome_cp_flag=_yn(ic_plan >= 0),
            icpc_icpc_outcome_json=_json_list(outcome),
            icpc_icpc_team=self.team_ids[team],
            icpc_icpc_worker_id=self.worker_ids[worker],
        )
        icpc_of_ref = np.full(len(r["child"]), None, dtype=object)
        icpc_of_ref[ic] = icpc_ids
        started = cps["start"] <= A
        self.put(
            "ssd_cp_plans",
            cppl_cp_plan_id=plan_ids[started],
            cppl_referral_id=self.ref_ids[cps["ref"]][started],
            cppl_icpc_id=icpc_of_ref[cps["ref"]][started],
            cppl_person_id=self.person_ids[child][started],
            cppl_cp_plan_start_date=cps["start"][started],
            cppl_cp_plan_end_date=cps["end"][started],
            cppl_cp_plan_initial_category=cat[started],
            cppl_cp_plan_ola=_yn(rng.random(n) < 0.01)[started],
            cppl_cp_plan_latest_category=latest[started],
        )
        # reviews
        plan = plan_of_ref[cpr["ref"]]
        m = len(plan)
        self.put(
            "ssd_cp_reviews",
            cppr_cp_review_id=_ids("CPR", m),
            cppr_person_id=self.person_ids[r["child"][cpr["ref"]]],
            cppr_cp_plan_id=plan_ids[plan],
            cppr_cp_review_due=cpr["due"],
            cppr_cp_review_date=cpr["held"],
            cppr_cp_review_meeting_id=_ids("MTG", m, 8),
            cppr_cp_review_outcome_continue_cp=_yn(cpr["cont"]),
            cppr_cp_review_quorate=_yn(cpr["quorate"]),
            cppr_cp_review_participation=_yn(cpr["particip"]),
        )
        # visits: at least every 10 working days (mostly)
        end = np.where(cps["end"] >= OPEN, OPEN, cps["end"])
        o, when = self.visits(rng, cps["start"], end, self.team_z[cps["team"]], first=(1, 5),
                              gap_ok=(6, 10), gap_late=(11, 17), p_late_base=(0.02, 0.09))
        self.add_child_visits("cp", rng, o, when, cps["ref"], plan_ids)

    def add_child_visits(self, kind, rng, o, when, plan_ref, plan_ids=None, cla_ids=None):
        r = self.j["r"]
        child = r["child"][plan_ref[o]]
        n = len(o)
        age = (when - self.child["dob"][child]) / 365.25
        unborn = self.child["unborn"][child]
        seen = (rng.random(n) < 0.95) & ~unborn
        alone = seen & (age >= 4) & (rng.random(n) < 0.65)
        bedroom = seen & (rng.random(n) < 0.35)
        pid = self.person_ids[child]
        if kind == "cp":
            self.put("ssd_cp_visits", cppv_cp_visit_id=_ids("CPV", n, 8), cppv_person_id=pid,
                     cppv_cp_plan_id=plan_ids[o], cppv_cp_visit_date=when,
                     cppv_cp_visit_seen=_yn(seen), cppv_cp_visit_seen_alone=_yn(alone),
                     cppv_cp_visit_bedroom=_yn(bedroom))
        elif kind == "cin":
            self.put("ssd_cin_visits", cinv_cin_visit_id=_ids("CINV", n, 8), cinv_person_id=pid,
                     cinv_cin_visit_date=when, cinv_cin_visit_seen=_yn(seen),
                     cinv_cin_visit_seen_alone=_yn(alone), cinv_cin_visit_bedroom=_yn(bedroom))
        else:
            self.put("ssd_cla_visits", clav_cla_visit_id=_ids("CLAV", n, 8), clav_cla_id=cla_ids,
                     clav_person_id=pid, clav_cla_visit_date=when, clav_cla_visit_seen=_yn(seen),
                     clav_cla_visit_seen_alone=_yn(alone))

    def table_cin_plans(self):
        self.say("child in need plans")
        rng = self.rng("cin plans")
        r, cis, cir = self.j["r"], self.j["cis"], self.j["cir"]
        A = self.A
        started = cis["start"] <= A
        cis = {k: v[started] for k, v in cis.items()}
        n = len(cis["ref"])
        plan_ids = _ids("CINP", n)
        team, worker = self.allocated(cis["ref"], cis["start"])
        self.put(
            "ssd_cin_plans",
            cinp_cin_plan_id=plan_ids,
            cinp_referral_id=self.ref_ids[cis["ref"]],
            cinp_person_id=self.person_ids[r["child"][cis["ref"]]],
            cinp_cin_plan_start_date=cis["start"],
            cinp_cin_plan_end_date=cis["end"],
            cinp_cin_plan_team=self.team_ids[team],
            cinp_cin_plan_worker_id=self.worker_ids[worker],
        )
        # reviews (extension table): match a review to its plan by referral
        plan_of_ref = np.full(len(r["child"]), -1)
        plan_of_ref[cis["ref"]] = np.arange(n)
        plan = plan_of_ref[cir["ref"]]
        ok = plan >= 0
        m = int(ok.sum())
        self.put("ext_cin_reviews", cinr_id=_ids("CINR", m), cinr_person_id=self.person_ids[r["child"][cir["ref"][ok]]],
                 cinr_cin_plan_id=plan_ids[plan[ok]], cinr_review_due_date=cir["due"][ok],
                 cinr_review_date=cir["held"][ok])
        o, when = self.visits(rng, cis["start"], cis["end"], self.team_z[cis["team"]], first=(2, 10),
                              gap_ok=(12, 20), gap_late=(21, 35), p_late_base=(0.03, 0.14))
        self.add_child_visits("cin", rng, o, when, cis["ref"])

    def table_referrals_and_assessments(self):
        self.say("referrals and assessments")
        rng = self.rng("assessments")
        r = self.j["r"]
        A = self.A
        n = len(r["child"])
        pid = self.person_ids[r["child"]]
        team, worker = self.allocated(np.arange(n), r["ref"])
        src = r["source"]
        self.put(
            "ssd_cin_episodes",
            cine_referral_id=self.ref_ids,
            cine_person_id=pid,
            cine_referral_date=r["ref"],
            cine_cin_primary_need_code=r["need"],
            cine_referral_source_code=np.array([s[0] for s in REFERRAL_SOURCES], dtype=object)[src],
            cine_referral_source_desc=np.array([s[1] for s in REFERRAL_SOURCES], dtype=object)[src],
            cine_referral_outcome_json=_json_list(np.where(r["nfa"], "No further action",
                                                           "Child and family assessment")),
            cine_referral_nfa=_yn(r["nfa"]),
            cine_close_reason=r["close_reason"],
            cine_close_date=r["close"],
            cine_referral_team=self.team_ids[team],
            cine_referral_worker_id=self.worker_ids[worker],
        )
        # first assessments (one per referral that was not NFA), plus re-assessments during
        # long pieces of work (done by the team and worker allocated then)
        a_i = np.nonzero(r["has_ass"] & (r["ass_start"] <= A))[0]
        a_start = r["ass_start"][a_i]
        a_auth = r["auth"][a_i]
        a_team, a_worker = r["team_a"][a_i], r["worker_a"][a_i]
        a_seen = r["child_seen"][a_i]
        p = self.j["phases"]
        long_ = np.nonzero((p["kind"] == 1) & (np.minimum(p["end"], A) - p["start"] > 150)
                           & (rng.random(len(p["ref"])) < 0.14))[0]
        rs_ref = p["ref"][long_]
        rs_start = self.cal.roll(p["start"][long_] + _uniform_int(
            rng, 60, np.minimum(np.minimum(p["end"][long_], A) - p["start"][long_] - 30, 400)))
        ok = rs_start <= A
        long_, rs_ref, rs_start = long_[ok], rs_ref[ok], rs_start[ok]
        rs_team, rs_worker = self.allocated(rs_ref, rs_start)
        q = np.clip(0.70 + 0.22 * self.team_z[rs_team] + self.w_quality[rs_worker]
                    - 0.12 * np.isin(_month_of(self.cal.add(rs_start, 45)), (8, 12)), 0.3, 0.98)
        m = len(rs_ref)
        in_time = rng.random(m) < q
        wd = np.where(in_time, np.maximum(1, 45 - np.floor(rng.gamma(2.0, 6.5, m))),
                      46 + np.floor(rng.gamma(1.3, 11.0, m))).astype(np.int64)
        rs_auth = self.cal.add(rs_start, wd)
        ass_ref = np.concatenate([a_i, rs_ref])
        start = np.concatenate([a_start, rs_start])
        auth = np.concatenate([a_auth, rs_auth])
        team = np.concatenate([a_team, rs_team])
        worker = np.concatenate([a_worker, rs_worker])
        seen = np.concatenate([a_seen, rng.random(m) < 0.95])
        order = np.lexsort((ass_ref, start))
        ass_ref, start, auth, team, worker, seen = (x[order] for x in (ass_ref, start, auth, team, worker, seen))
        n_a = len(ass_ref)
        first = np.zeros(n_a, bool)
        first[: len(a_i)] = True
        first = first[order]
        nfa = first & ~r["cont"][ass_ref]
        outcome = np.where(nfa, np.where(r["close_reason"][ass_ref] == "RC9", "Early help", "No further action"),
                           np.where(r["cp"][ass_ref] & first, "Strategy discussion",
                                    np.where(r["out_cinserv"][ass_ref] & first, "CIN services",
                                             "CIN plan")))
        auth = np.where(auth > A, OPEN, auth)
        ids = _ids("ASM", n_a)
        self.put(
            "ssd_cin_assessments",
            cina_assessment_id=ids,
            cina_person_id=self.person_ids[r["child"][ass_ref]],
            cina_referral_id=self.ref_ids[ass_ref],
            cina_assessment_start_date=start,
            cina_assessment_child_seen=_yn(seen),
            cina_assessment_auth_date=auth,
            cina_assessment_outcome_json=np.where(auth < OPEN, _json_list(outcome), None),
            cina_assessment_outcome_nfa=np.where(auth < OPEN, _yn(nfa), None),
            cina_assessment_team=self.team_ids[team],
            cina_assessment_worker_id=self.worker_ids[worker],
        )
        done = np.nonzero(auth < OPEN)[0]
        nd = len(done)
        # factors: 1-4 distinct codes per completed assessment, in code-list order
        picks = np.sort(rng.integers(0, len(ASSESSMENT_FACTORS), (nd, 4)), axis=1)
        k = rng.integers(1, 5, nd)
        keep = (np.arange(4)[None, :] < k[:, None])
        keep[:, 1:] &= picks[:, 1:] != picks[:, :-1]
        quoted = np.array([f'"{f}"' for f in ASSESSMENT_FACTORS] + [""], dtype=object)
        cells = np.where(keep, quoted[picks], None)
        factors = np.array(["[" + ", ".join(x for x in row if x) + "]" for row in cells.tolist()], dtype=object)
        self.put("ssd_assessment_factors", cinf_table_id=_ids("AF", nd),
                 cinf_assessment_id=ids[done], cinf_assessment_factors_json=factors)
        # key questions (extension table): three answers per completed assessment, each one or
        # two sentences from a bank per question
        q_idx = np.repeat(np.arange(3), nd)
        a_idx = np.tile(done, 3)
        combos = []
        offsets = [0]
        for bank in (_WORRIES, _WORKING_WELL, _NEXT_STEPS):
            texts = list(bank) + [f"{a} {b}" for i, a in enumerate(bank) for j, b in enumerate(bank) if i != j]
            combos += texts
            offsets.append(len(combos))
        combos = np.array(combos, dtype=object)
        offsets = np.array(offsets)
        size_q = offsets[1:] - offsets[:-1]
        pick = offsets[q_idx] + np.floor(rng.random(len(q_idx)) * size_q[q_idx]).astype(np.int64)
        answers = combos[pick]
        order = np.lexsort((q_idx, a_idx))
        self.put("ext_assessment_answers", cinq_id=_ids("AQ", len(q_idx), 8),
                 cinq_assessment_id=ids[a_idx[order]],
                 cinq_question=np.array(ASSESSMENT_QUESTIONS, dtype=object)[q_idx[order]],
                 cinq_answer=answers[order])

    def table_s47(self):
        self.say("section 47 enquiries")
        r = self.j["r"]
        A = self.A
        s = np.nonzero(r["s47"] & (r["s47_start"] <= A))[0]
        n = len(s)
        ids = _ids("S47", n)
        self.s47_id_of_ref = np.full(len(r["child"]), None, dtype=object)
        self.s47_id_of_ref[s] = ids
        end = np.where(r["s47_end"][s] > A, OPEN, r["s47_end"][s])
        icpc = r["icpc"][s]
        outcome = np.where(icpc, "ICPC", np.where(r["out_cinplan"][s], "CIN plan",
                                                   np.where(r["cont"][s], "Continue assessment", "NFA")))
        team, worker = self.allocated(s, np.minimum(r["s47_end"][s], A))
        self.put(
            "ssd_s47_enquiry",
            s47e_s47_enquiry_id=ids,
            s47e_referral_id=self.ref_ids[s],
            s47e_person_id=self.person_ids[r["child"][s]],
            s47e_s47_start_date=r["s47_start"][s],
            s47e_s47_end_date=end,
            s47e_s47_nfa=np.where(end < OPEN, _yn(outcome == "NFA"), None),
            s47e_s47_outcome_json=np.where(end < OPEN, _json_list(outcome), None),
            s47e_s47_completed_by_worker_id=self.worker_ids[worker],
            s47e_s47_completed_by_team=self.team_ids[team],
        )

    # -- children in care ------------------------------------------------------------------

    def table_cla(self):
        self.say("children in care")
        rng = self.rng("children in care")
        r, cl = self.j["r"], self.j["cla"]
        A = self.A
        cal = self.cal
        n = len(cl["ref"])
        child = r["child"][cl["ref"]]
        dob = self.child["dob"][child]
        start, end, route = cl["start"], cl["end"], cl["route"]
        end_x = np.where(end >= OPEN, OPEN, end)  # period ends (exclusive of care after it)
        horizon = np.minimum(end_x, A + 1)
        cla_ids = _ids("CLA", n)
        self.cla_ids = cla_ids
        age_start = (start - dob) / 365.25
        length = horizon - start
        # permanence milestones for adoption
        adopt = route == R_ADOPT
        d_total = np.where(end_x < OPEN, end_x - start, _uniform_int(rng, 560, 1000, n))
        adm = start + (d_total * rng.uniform(0.16, 0.24, n)).astype(np.int64)
        po = start + (d_total * rng.uniform(0.36, 0.44, n)).astype(np.int64)
        matched = start + (d_total * rng.uniform(0.56, 0.62, n)).astype(np.int64)
        placed = matched + _uniform_int(rng, 7, 30, n)
        # -- placements
        # Most children settle: perhaps one early move from the first (emergency or short-term)
        # placement, then rarely another. Some, more of them teenagers and more in the weaker
        # teams, go through an unsettled spell of one to three years, moving again and again.
        z_c = self.team_z[cl["team"]]
        unstable = rng.random(n) < np.where(age_start >= 12, 0.42, 0.22) + 0.08 * (1 - z_c)
        spell = np.minimum(_uniform_int(rng, 365, 1100, n), length)
        spell_start = start + np.floor(rng.random(n) * (length - spell + 1)).astype(np.int64)
        n_early = ((length > 45) & (rng.random(n) < 0.5)).astype(np.int64)
        n_settled = rng.poisson(0.13 * length / 365.25)
        n_spell = np.where(unstable, rng.poisson(3.6 * spell / 365.25), 0)
        n_ch = n_early + n_settled + n_spell
        n_ch = np.where(length > 10, np.minimum(n_ch, length // 20), 0)
        o, pos = _repeat(n_ch)
        t = start[o] + 5 + np.floor(rng.random(len(o)) * np.maximum(length[o] - 10, 1)).astype(np.int64)
        early_t = start[o] + _uniform_int(rng, 20, np.maximum(np.minimum(240, length[o] - 5), 20))
        spell_t = spell_start[o] + np.floor(rng.random(len(o)) * np.maximum(spell[o], 1)).astype(np.int64)
        in_spell = (pos >= n_early[o] + n_settled[o])
        t = np.where(pos < n_early[o], early_t, np.where(in_spell, np.maximum(spell_t, start[o] + 5), t))
        t = np.minimum(t, start[o] + np.maximum(length[o] - 5, 5))
        # adoption: the final move is the adoption placement; SGO: to connected carers
        final_move = (adopt & (placed < horizon)) | ((route == R_SGO) & (rng.random(n) < 0.5) & (length > 120))
        fm_day = np.where(adopt, placed, start + (length * rng.uniform(0.4, 0.8, n)).astype(np.int64))
        fm = np.nonzero(final_move)[0]
        keep_t = ~(final_move[o] & (t >= fm_day[o] - 5))
        o, t = o[keep_t], t[keep_t]
        p_per = np.concatenate([np.arange(n), o, fm])
        p_start = np.concatenate([start, t, fm_day[fm]])
        p_final = np.concatenate([np.zeros(n, bool), np.zeros(len(o), bool), np.ones(len(fm), bool)])
        order = np.lexsort((p_start, p_per))
        p_per, p_start, p_final = p_per[order], p_start[order], p_final[order]
        dup = np.concatenate([[False], (p_per[1:] == p_per[:-1]) & (p_start[1:] <= p_start[:-1] + 2)])
        p_per, p_start, p_final = p_per[~dup], p_start[~dup], p_final[~dup]
        np_ = len(p_per)
        last = np.append(p_per[1:] != p_per[:-1], True)
        p_end = np.where(last, end_x[p_per], np.append(p_start[1:], 0))
        p_age = (p_start - dob[p_per]) / 365.25
        p_route = route[p_per]
        ptype = self.placement_types(rng, p_age, p_route, p_final, last & (p_route == R_HOME))
        provider, distance, postcode, urn = self.placement_details(rng, ptype)
        change = np.where(last, None, _choice(rng, [x[0] for x in PLACEMENT_CHANGE_REASONS],
                                              [x[1] for x in PLACEMENT_CHANGE_REASONS], np_))
        place_ids = _ids("PL", np_)
        self.put(
            "ssd_cla_placement",
            clap_cla_placement_id=place_ids,
            clap_cla_placement_start_date=p_start,
            clap_cla_placement_type=ptype,
            clap_cla_placement_urn=urn,
            clap_cla_placement_distance=distance,
            clap_cla_id=cla_ids[p_per],
            clap_cla_placement_provider=provider,
            clap_cla_placement_postcode=postcode,
            clap_cla_placement_end_date=np.where(p_end > A, OPEN, p_end),
            clap_cla_placement_change_reason=change,
            clap_person_id=self.person_ids[child[p_per]],
        )
        # -- legal statuses
        ls_per, ls_start, ls_code = self.legal_statuses(rng, n, start, horizon, route, age_start,
                                                        adopt, po)
        lorder = np.lexsort((ls_start, ls_per))
        ls_per, ls_start, ls_code = ls_per[lorder], ls_start[lorder], ls_code[lorder]
        llast = np.append(ls_per[1:] != ls_per[:-1], True)
        ls_end = np.where(llast, end_x[ls_per], np.append(ls_start[1:], 0))
        nl = len(ls_per)
        self.put(
            "ssd_legal_status",
            lega_legal_status_id=_ids("LS", nl),
            lega_person_id=self.person_ids[child[ls_per]],
            lega_legal_status=ls_code,
            lega_legal_status_start_date=ls_start,
            lega_legal_status_end_date=np.where(ls_end > A, OPEN, ls_end),
        )
        # -- 903-style episodes: a new one at every placement or legal status change
        ev_per = np.concatenate([p_per, ls_per])
        ev_day = np.concatenate([p_start, ls_start])
        ev_place = np.concatenate([np.ones(np_, bool), np.zeros(nl, bool)])
        frame = pd.DataFrame({"per": ev_per, "day": ev_day, "place": ev_place, "legal": ~ev_place})
        g = frame.groupby(["per", "day"], sort=True).agg(place=("place", "any"), legal=("legal", "any")).reset_index()
        e_per = g["per"].to_numpy()
        e_day = g["day"].to_numpy()
        e_first = np.concatenate([[True], e_per[1:] != e_per[:-1]])
        e_last = np.append(e_per[1:] != e_per[:-1], True)
        rne = np.where(e_first, "S", np.where(g["place"] & g["legal"], "B", np.where(g["place"], "P", "L")))
        e_end = np.where(e_last, end_x[e_per], np.append(e_day[1:], 0))
        # the placement in force on the episode's start day
        pk = p_per * _KEY + p_start
        pi = np.searchsorted(pk, e_per * _KEY + e_day, side="right") - 1
        ne = len(e_per)
        reason = np.where(e_last, self.ceased_reasons(rng, route[e_per]), "X1").astype(object)
        reason = np.where(e_end > A, None, reason)
        # last IRO contact: the latest review held by the episode's end (reviews below)
        rv_o, rv_k, rv_due, rv_held = self.review_chain(
            rng, start, cal.add(start, 20),
            lambda h, k: _add_months(h, 3 if k == 0 else 6), horizon,
            0.004 + 0.03 * (1 - self.team_z[cl["team"]]), early=(0, 25), late=(1, 30))
        rv_order = np.lexsort((rv_held, rv_o))
        rv_o, rv_k, rv_due, rv_held = rv_o[rv_order], rv_k[rv_order], rv_due[rv_order], rv_held[rv_order]
        rk = rv_o * _KEY + rv_held
        e_stop = np.minimum(e_end, A)
        ri = np.searchsorted(rk, e_per * _KEY + e_stop, side="right") - 1
        ri_ok = (ri >= 0) & (rv_o[np.clip(ri, 0, max(len(rv_o) - 1, 0))] == e_per) if len(rv_o) else np.zeros(ne, bool)
        iro = np.where(ri_ok, rv_held[np.clip(ri, 0, max(len(rv_o) - 1, 0))] if len(rv_o) else OPEN, OPEN)
        need = r["need"][cl["ref"]]
        need = np.where(np.isin(need, ["N0", "N9"]), "N1", need)
        self.put(
            "ssd_cla_episodes",
            clae_cla_episode_id=_ids("CLAE", ne),
            clae_person_id=self.person_ids[child[e_per]],
            clae_cla_episode_start_date=e_day,
            clae_cla_episode_start_reason=rne.astype(object),
            clae_cla_primary_need_code=need[e_per],
            clae_cla_episode_ceased_date=np.where(e_end > A, OPEN, e_end),
            clae_cla_episode_ceased_reason=reason,
            clae_cla_id=cla_ids[e_per],
            clae_referral_id=self.ref_ids[cl["ref"]][e_per],
            clae_cla_placement_id=place_ids[pi],
            clae_entered_care_date=start[e_per],
            clae_cla_last_iro_contact_date=iro,
        )
        # reviews
        nr = len(rv_o)
        age_rev = (rv_held - dob[rv_o]) / 365.25
        particip = _choice(rng, ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"],
                           [0.45, 0.05, 0.04, 0.18, 0.15, 0.08, 0.05], nr)
        particip = np.where(age_rev < 4, "PN0", particip).astype(object)
        # a few review meetings are cancelled and held again a little later (both recorded)
        c_i = np.nonzero(rng.random(nr) < 0.03)[0]
        c_day = np.maximum(rv_held[c_i] - _uniform_int(rng, 1, 14, len(c_i)), start[rv_o[c_i]])
        r_per = np.concatenate([rv_o, rv_o[c_i]])
        r_due = np.concatenate([rv_due, rv_due[c_i]])
        r_day = np.concatenate([rv_held, c_day])
        r_cancelled = np.concatenate([np.zeros(nr, bool), np.ones(len(c_i), bool)])
        r_particip = np.concatenate([particip, particip[c_i]])
        order = np.lexsort((~r_cancelled, r_day, r_per))
        self.put(
            "ssd_cla_reviews",
            clar_cla_review_id=_ids("CLAR", len(order)),
            clar_cla_id=cla_ids[r_per[order]],
            clar_cla_review_due_date=r_due[order],
            clar_cla_review_date=r_day[order],
            clar_cla_review_cancelled=_yn(r_cancelled[order]),
            clar_cla_review_participation=r_particip[order],
        )
        # visits: within a week of each placement starting, then at most every six weeks
        pz = self.team_z[cl["team"]][p_per]
        vo, when = self.visits(rng, p_start, p_end, pz, first=(1, 7), gap_ok=(21, 42),
                               gap_late=(43, 70), p_late_base=(0.02, 0.10), unit="days")
        # visits belong to the placement's period of care
        self.add_child_visits("cla", rng, vo, when, cl["ref"][p_per], cla_ids=cla_ids[p_per][vo])
        self.table_cla_health(rng, n, child, dob, start, horizon, cl)
        self.table_missing(rng, child, dob, start, horizon)
        self.table_care_plans(rng, n, child, start, end_x, route, adm)
        self.table_permanence(rng, n, child, start, end_x, route, adm, po, matched, placed, cl,
                              p_per, p_start, ptype)
        self.table_care_leavers(rng, cl, child, dob, start, end_x)

    def placement_types(self, rng, age, route, final, home_last):
        n = len(age)
        young = _choice(rng, ["U6", "U4", "U3", "U1", "U5", "K2"], [0.45, 0.22, 0.13, 0.1, 0.07, 0.03], n)
        middle = _choice(rng, ["U6", "U4", "U3", "U1", "K2", "R1", "R2"],
                         [0.34, 0.2, 0.07, 0.07, 0.27, 0.03, 0.02], n)
        older = _choice(rng, ["H5", "U6", "U4", "K2", "S1", "U1", "P2"],
                        [0.34, 0.2, 0.1, 0.22, 0.04, 0.05, 0.05], n)
        t = np.where(age < 10, young, np.where(age < 16, middle, older))
        t = np.where((route == R_ADOPT) & final, _choice(rng, ["A6", "A5"], [0.8, 0.2], n), t)
        t = np.where((route == R_SGO) & final, _choice(rng, ["U1", "U3", "U4"], [0.5, 0.3, 0.2], n), t)
        t = np.where(route == R_UASC, np.where(age >= 16, _choice(rng, ["H5", "U6", "K2"], [0.6, 0.25, 0.15], n),
                                               _choice(rng, ["U6", "U4", "K2"], [0.6, 0.15, 0.25], n)), t)
        t = np.where(route == R_REMAND, _choice(rng, ["K2", "U6", "R5"], [0.5, 0.3, 0.2], n), t)
        t = np.where(home_last & (rng.random(n) < 0.3), "P1", t)
        return t.astype(object)

    def placement_details(self, rng, ptype):
        n = len(ptype)
        u = rng.random(n)
        provider = np.select(
            [np.isin(ptype, ["P1", "S1"]), np.isin(ptype, ["U1", "U2", "U3"]),
             np.isin(ptype, ["U4", "U5", "U6"]), ptype == "K2", np.isin(ptype, ["R1", "R2", "R5"]),
             np.isin(ptype, ["H5", "P2"]), np.isin(ptype, ["A5", "A6"])],
            [np.full(n, "PR0"), np.full(n, "PR1"), np.where(u < 0.62, "PR1", "PR4"),
             np.where(u < 0.28, "PR1", "PR4"), np.full(n, "PR3"),
             np.where(u < 0.25, "PR1", np.where(u < 0.8, "PR4", "PR5")),
             np.where(u < 0.6, "PR1", np.where(u < 0.8, "PR2", "PR5"))],
            "PR1").astype(object)
        median = np.select([provider == "PR0", provider == "PR1", provider == "PR2", provider == "PR3",
                            provider == "PR4"], [1.0, 5.0, 30.0, 18.0, 20.0], 15.0)
        distance = np.round(np.clip(median * rng.lognormal(0.0, 0.75, n), 0.1, 250.0), 1)
        local = distance < np.where(provider == "PR1", 25, 9)
        letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
        area = np.where(local, _LOCAL_POSTCODE_AREAS[0],
                        np.array(_OTHER_POSTCODE_AREAS, dtype=object)[rng.integers(0, len(_OTHER_POSTCODE_AREAS), n)])
        district = rng.integers(1, 20, n)
        inward = rng.integers(1, 10, n)
        l1 = letters[rng.integers(0, len(letters), n)]
        l2 = letters[rng.integers(0, len(letters), n)]
        postcode = np.array([f"{a}{d} {i}{x}{y}" for a, d, i, x, y in zip(area, district, inward, l1, l2)],
                            dtype=object)
        has_urn = np.isin(ptype, ["K2", "R1", "H5"]) | (np.isin(provider, ["PR4", "PR5"]))
        urn = np.where(has_urn, np.char.add("SC", rng.integers(100_000, 999_999, n).astype(str)).astype(object),
                       "XXXXXXX").astype(object)
        return provider, distance.astype(float), postcode, urn

    def legal_statuses(self, rng, n, start, horizon, route, age, adopt, po):
        parts = _Acc()
        u = rng.random(n)
        emergency = u < 0.05
        epo = (u >= 0.05) & (u < 0.08)
        vol = np.isin(route, (R_UASC, R_AGE)) | ((age >= 10) & (rng.random(n) < 0.45)) | (rng.random(n) < 0.18)
        vol &= ~adopt
        first = np.where(emergency, "L1", np.where(epo, "L2", np.where(vol, "V2", "C2"))).astype(object)
        first = np.where(route == R_REMAND, "J1", first)
        parts.add(per=np.arange(n), day=start, code=first)
        # after police protection / EPO: interim care order or s20
        pe = np.nonzero((emergency | epo) & (route != R_REMAND))[0]
        d = start[pe] + np.where(emergency[pe], _uniform_int(rng, 1, 3, len(pe)), _uniform_int(rng, 3, 8, len(pe)))
        ok = d < horizon[pe]
        second = np.where(vol[pe], "V2", "C2")
        parts.add(per=pe[ok], day=d[ok], code=second[ok])
        care_order = ~vol & (route != R_REMAND)
        # s20 becoming an interim care order for some longer stays
        v2c = np.nonzero(vol & ~np.isin(route, (R_UASC, R_AGE)) & (rng.random(n) < 0.15))[0]
        d = start[v2c] + _uniform_int(rng, 60, 400, len(v2c))
        ok = d < horizon[v2c]
        parts.add(per=v2c[ok], day=d[ok], code=np.full(int(ok.sum()), "C2", dtype=object))
        care_order[v2c[ok]] = True
        # interim to full care order
        c1 = np.nonzero(care_order)[0]
        d = start[c1] + _uniform_int(rng, 150, 320, len(c1))
        d = np.where(adopt[c1], np.minimum(d, po[c1] - 20), d)
        ok = (d < horizon[c1]) & (d > start[c1] + 10)
        parts.add(per=c1[ok], day=d[ok], code=np.full(int(ok.sum()), "C1", dtype=object))
        # placement order on the adoption route
        a = np.nonzero(adopt & (po < horizon))[0]
        parts.add(per=a, day=po[a], code=np.full(len(a), "E1", dtype=object))
        p = parts.get()
        return p["per"], p["day"], p["code"]

    def ceased_reasons(self, rng, route):
        n = len(route)
        at18 = _choice(rng, ["E17", "E5", "E6", "E8", "E7"], [0.25, 0.37, 0.12, 0.23, 0.03], n)
        return np.select(
            [route == R_ADOPT, route == R_SGO, route == R_CAO, route == R_HOME, route == R_LONG,
             route == R_UASC, route == R_AGE, route == R_REMAND, route == R_OTHER],
            [_choice(rng, ["E11", "E12"], [0.9, 0.1], n), _choice(rng, ["E45", "E46"], [0.55, 0.45], n),
             _choice(rng, ["E41", "E47", "E48"], [0.3, 0.2, 0.5], n),
             _choice(rng, ["E4A", "E4B", "E13"], [0.7, 0.12, 0.18], n), at18, at18,
             np.full(n, "E15"), np.full(n, "E14"), _choice(rng, ["E3", "E8", "E9", "E16"], [0.35, 0.35, 0.2, 0.1], n)],
            "E8").astype(object)

    def table_cla_health(self, rng, n, child, dob, start, horizon, cl):
        A = self.A
        z = self.team_z[cl["team"]]
        parts = _Acc()
        age_start = (start - dob) / 365.25

        def chain(kind, due, active, p_late, late_days, early_days, interval_months, reluctant):
            """Checks one after another: each due a set time after the last one; some held late
            (more in the weaker teams); a reluctant teenager often refuses, and is asked again
            about three months later."""
            prev = start.copy()
            while active.any():
                idx = np.nonzero(active)[0]
                m = len(idx)
                late = rng.random(m) < p_late[idx]
                held = np.where(late, due[idx] + _uniform_int(rng, 1, late_days, m),
                                due[idx] - _uniform_int(rng, 0, early_days, m))
                held = self.cal.add(np.maximum(held, prev[idx] + 1), 0, roll="backward")
                held = np.maximum(held, prev[idx] + 1)
                ok = held < horizon[idx]
                teen = (held - dob[idx]) >= 12 * 365.25
                refused = rng.random(m) < np.where(reluctant[idx] & teen, 0.6, 0.01)
                parts.add(per=idx[ok], day=held[ok], kind=np.full(int(ok.sum()), kind, np.int64),
                          refused=refused[ok])
                active[idx[~ok]] = False
                prev[idx] = held
                due[idx] = np.where(refused, _add_months(held, 3), _add_months(held, interval_months(idx, held)))

        # health assessments: initial within 20 working days, then 6-monthly under 5, yearly after
        # (the interval depends on the child's age at the last assessment)
        chain(0, self.cal.add(start, 20), horizon - start > 20, 0.14 + 0.36 * (1 - z), 150, 45,
              lambda idx, held: np.where((held - dob[idx]) < 5 * 365.25, 6, 12),
              (rng.random(n) < 0.30) & (age_start >= 8))
        # dental checks: yearly, first within a few months; more often late, and more refused
        chain(1, start + _uniform_int(rng, 60, 200, n), horizon - start > 60, 0.30 + 0.40 * (1 - z), 200, 60,
              lambda idx, held: np.full(len(idx), 12), rng.random(n) < 0.24)
        p = parts.get()
        order = np.lexsort((p["kind"], p["day"], p["per"]))
        per, day, kind = p["per"][order], p["day"][order], p["kind"][order]
        m = len(per)
        status = np.where(p["refused"][order], "Refused", "Completed").astype(object)
        self.put(
            "ssd_cla_health",
            clah_health_check_id=_ids("HC", m),
            clah_person_id=self.person_ids[child[per]],
            clah_health_check_type=np.where(kind == 0, "Health Assessment", "Dental Check").astype(object),
            clah_health_check_date=day,
            clah_health_check_status=status,
        )
        # SDQs: yearly for children aged 4-16 looked after for a year or more
        b4 = _add_months(dob, 48)
        b17 = _add_months(dob, 12 * 17)
        first = np.maximum(start + _uniform_int(rng, 300, 365, n), b4)
        n_max = np.maximum((np.minimum(horizon, b17) - first) // 300 + 1, 0)
        o, pos = _repeat(n_max)
        late = rng.random(len(o)) < (0.14 + 0.34 * (1 - z))[o]
        gap = np.where(pos == 0, 0, np.where(late, _uniform_int(rng, 366, 520, len(o)), _uniform_int(rng, 300, 365, len(o))))
        day = self.cal.add(first[o] + _group_cumsum(gap, n_max), 0, roll="backward")
        keep = (day < horizon[o]) & (day < b17[o]) & (day >= b4[o])
        o, day = o[keep], day[keep]
        m = len(o)
        no_score = rng.random(m) < 0.10
        score = np.clip(np.round(rng.normal(14.5, 6.5, m)), 0, 40).astype(int).astype(str).astype(object)
        self.put(
            "ssd_sdq_scores",
            csdq_table_id=_ids("SDQ", m),
            csdq_person_id=self.person_ids[child[o]],
            csdq_sdq_completed_date=day,
            csdq_sdq_reason=np.where(no_score, _choice(rng, ["SDQ2", "SDQ4", "SDQ5"], [0.4, 0.3, 0.3], m), None),
            csdq_sdq_score=np.where(no_score, None, score),
        )
        # PEPs: school-age children, within 10-20 working days of entering care, then termly
        b5 = _add_months(dob, 60)
        b16 = _add_months(dob, 12 * 16)
        first = np.maximum(self.cal.add(start, _uniform_int(rng, 8, 22, n)), b5)
        stop = np.minimum(horizon, b16)
        n_max = np.maximum((stop - first) // 60 + 1, 0)
        o, pos = _repeat(n_max)
        late = rng.random(len(o)) < (0.05 + 0.22 * (1 - z))[o]
        gap = np.where(pos == 0, 0, np.where(late, _uniform_int(rng, 123, 170, len(o)), _uniform_int(rng, 75, 122, len(o))))
        day = self.cal.add(first[o] + _group_cumsum(gap, n_max), 0, roll="backward")
        keep = (day < stop[o]) & (day >= b5[o]) & (day >= start[o])
        o, day = o[keep], day[keep]
        self.put("ext_cla_pep", pepr_id=_ids("PEP", len(o)), pepr_person_id=self.person_ids[child[o]],
                 pepr_pep_date=day)

    def table_missing(self, rng, child, dob, start, horizon):
        """Missing and absent episodes, mostly teenagers in care (plus a few not in care)."""
        A = self.A
        b11 = _add_months(dob, 132)
        lo = np.maximum(start, b11)
        span = horizon - lo
        n = len(child)
        goes = (span > 30) & (rng.random(n) < 0.28)
        k = np.where(goes, 1 + rng.poisson(2.2, n), 0)
        o, _ = _repeat(k)
        day = lo[o] + np.floor(rng.random(len(o)) * np.maximum(span[o] - 1, 1)).astype(np.int64)
        who = child[o]
        # a few children on plans who are not in care go missing too
        r = self.j["r"]
        age_ref = (r["ref"] - self.child["dob"][r["child"]]) / 365.25
        extra = np.nonzero((age_ref >= 12) & r["cont"] & ~np.isin(np.arange(len(r["child"])), self.j["cla"]["ref"])
                           & (rng.random(len(r["child"])) < 0.05))[0]
        ed = r["ref"][extra] + _uniform_int(rng, 5, 200, len(extra))
        ok = ed <= np.minimum(A, np.where(r["close"][extra] < OPEN, r["close"][extra], A))
        who = np.concatenate([who, r["child"][extra[ok]]])
        day = np.concatenate([day, ed[ok]])
        m = len(who)
        length = np.where(rng.random(m) < 0.55, 0, _uniform_int(rng, 1, 6, m))
        end = day + length
        end = np.where(end > A, OPEN, end)
        order = np.lexsort((day, who))
        who, day, end = who[order], day[order], end[order]
        missing = rng.random(m) < 0.82
        offered = missing & (rng.random(m) < 0.86) & (end < OPEN)
        accepted = offered & (rng.random(m) < 0.62)
        self.put(
            "ssd_missing",
            miss_table_id=_ids("MIS", m),
            miss_person_id=self.person_ids[who],
            miss_missing_episode_start_date=day,
            miss_missing_episode_type=np.where(missing, "Missing", "Absent").astype(object),
            miss_missing_episode_end_date=end,
            miss_missing_rhi_offered=np.where(missing, _yn(offered), None),
            miss_missing_rhi_accepted=np.where(offered, _yn(accepted), None),
        )

    def table_care_plans(self, rng, n, child, start, end_x, route, adm):
        plan_final = np.select(
            [route == R_ADOPT, route == R_SGO, route == R_CAO, route == R_HOME, route == R_REMAND],
            ["Adoption", "Special guardianship order", "Child arrangements order", "Return to family",
             "Return to family"],
            np.where(rng.random(n) < 0.75, "Long-term fostering", "Residential care"))
        plan_final = np.where(np.isin(route, (R_LONG, R_UASC)) & (rng.random(n) < 0.25),
                              "Independent living", plan_final)
        initial = np.where(rng.random(n) < 0.55, "Return to family", plan_final)
        change = np.where(route == R_ADOPT, adm, start + ((np.minimum(end_x, self.A + 1) - start)
                                                           * rng.uniform(0.2, 0.6, n)).astype(np.int64))
        two = (initial != plan_final) & (change < np.minimum(end_x, self.A + 1)) & (change > start)
        per = np.concatenate([np.arange(n), np.nonzero(two)[0]])
        s = np.concatenate([start, change[two]])
        plan = np.concatenate([np.where(two, initial, plan_final), plan_final[two]])
        order = np.lexsort((s, per))
        per, s, plan = per[order], s[order], plan[order]
        last = np.append(per[1:] != per[:-1], True)
        e = np.where(last, end_x[per], np.append(s[1:], 0))
        m = len(per)
        self.put(
            "ssd_cla_care_plan",
            lacp_table_id=_ids("CP", m),
            lacp_person_id=self.person_ids[child[per]],
            lacp_cla_care_plan_start_date=s,
            lacp_cla_care_plan_end_date=np.where(e > self.A, OPEN, e),
            lacp_cla_care_plan_json=_json_list(plan),
        )

    def table_permanence(self, rng, n, child, start, end_x, route, adm, po, matched, placed, cl,
                         p_per, p_start, ptype):
        A = self.A
        adopt = route == R_ADOPT
        sgo = np.isin(route, (R_SGO, R_CAO))
        # some children had an adoption decision that was later reversed (then SGO / long term)
        young = (start - self.child["dob"][child]) < 5 * 365
        reversed_ = ~adopt & young & np.isin(route, (R_SGO, R_LONG)) & (rng.random(n) < 0.15) & (adm <= A)
        rows = np.nonzero((adopt & (adm <= A)) | (sgo & (end_x <= A)) | reversed_)[0]
        m = len(rows)

        def when(days, ok):
            return np.where(ok & (days <= A), days, OPEN)

        a = adopt[rows]
        rev = reversed_[rows]
        rev_day = adm[rows] + _uniform_int(rng, 60, 300, m)
        rev_ok = rev & (rev_day < np.minimum(end_x[rows], A + 1))
        order_day = when(end_x[rows], (a | sgo[rows]) & (end_x[rows] < OPEN))
        order_type = np.where(a, "Adoption order", np.where(route[rows] == R_SGO, "Special guardianship order",
                                                            np.where(sgo[rows], "Child arrangements order", None)))
        order_type = np.where(order_day < OPEN, order_type, None)
        # adopted by foster carers: the adoption placement is with the current carers (A5)
        by_carer = a & (rng.random(m) < 0.15)
        fam = self.child["family"][child[rows]]
        fam_n = np.bincount(self.child["family"][self.child["family"] >= 0], minlength=self.family_count)
        sib = fam_n[np.maximum(fam, 0)] * (fam >= 0)
        sib_group = sib > 1
        together = np.where(sib_group & a, np.minimum(sib, 1 + rng.integers(0, 2, m)), np.where(a, 1, 0))
        apart = np.where(sib_group & a, np.maximum(sib - together, 0), 0)
        _, worker = self.allocated(cl["ref"][rows], np.minimum(adm[rows], A))
        n_adopters = np.where(rng.random(m) < 0.78, "2", "1")
        sex = np.where(n_adopters == "2", _choice(rng, ["MF", "FF", "MM"], [0.85, 0.08, 0.07], m),
                       _choice(rng, ["F", "M"], [0.82, 0.18], m))
        legal = np.where(n_adopters == "2", _choice(rng, ["Married couple", "Civil partners", "Unmarried couple"],
                                                      [0.7, 0.12, 0.18], m), "Single")
        adopted_placed = when(placed[rows], a)
        self.put(
            "ssd_permanence",
            perm_table_id=_ids("PERM", m),
            perm_person_id=self.person_ids[child[rows]],
            perm_cla_id=self.cla_ids[rows],
            perm_adm_decision_date=when(adm[rows], a | rev),
            perm_ffa_cp_decision_date=when(adm[rows] + 14, a & (rng.random(m) < 0.1)),
            perm_placement_order_date=when(po[rows], a),
            perm_placed_for_adoption_date=adopted_placed,
            perm_matched_date=when(matched[rows], a),
            perm_adopted_by_carer_flag=np.where(a, _yn(by_carer), None),
            perm_placed_ffa_cp_date=OPEN + np.zeros(m, np.int64),
            perm_decision_reversed_date=when(rev_day, rev_ok),
            perm_placed_foster_carer_date=when(start[rows], by_carer),
            perm_part_of_sibling_group=np.where(a, _yn(sib_group), None),
            perm_siblings_placed_together=np.where(a, together, -1).astype(np.int64),
            perm_siblings_placed_apart=np.where(a, apart, -1).astype(np.int64),
            perm_placement_provider_urn=np.where(a, np.char.add("SC", rng.integers(100_000, 999_999, m).astype(str)).astype(object), None),
            perm_decision_reversed_reason=np.where(rev_ok, _choice(rng, ["RD1", "RD2", "RD3", "RD4"],
                                                                    [0.3, 0.2, 0.3, 0.2], m), None),
            perm_permanence_order_date=order_day,
            perm_permanence_order_type=order_type,
            perm_adoption_worker_id=np.where(a | rev, self.worker_ids[worker], None),
            perm_adopter_sex=np.where(a & (adopted_placed < OPEN), sex, None),
            perm_adopter_legal_status=np.where(a & (adopted_placed < OPEN), legal, None),
            perm_number_of_adopters=np.where(a & (adopted_placed < OPEN), n_adopters, None),
        )

    def table_care_leavers(self, rng, cl, child, dob, start, end_x):
        """The young people entitled to leaving-care support on as_at: care leavers up to their
        22nd birthday (25th where they took up extended support) and young people still in care
        from 16 ("eligible"). One row per birthday from 16 while entitled, and one at as_at, each
        with the position on its day (an SSD extract holds the current record; the older rows are
        the yearly snapshots behind it).

        Personal advisers keep in touch roughly monthly: at any day the last contact is mostly
        within six weeks, sometimes overdue (more so in weaker teams), and some young people lose
        touch or refuse contact. Pathway plans are reviewed six-monthly, mostly on time. A young
        person's latest contact and review never go backwards from one row to the next."""
        A = self.A
        cal = self.cal
        c = self.child
        n = len(child)
        b16 = c["b16"][child]
        ent_end = cl["ent_end"]
        left = cl["leaver"] & (end_x <= A) & (ent_end > A)
        current = left | ((end_x > A) & (b16 <= A))
        rows_per, rows_day = [], []
        for age in range(16, 25):
            bd = _add_months(dob, 12 * age)
            ok = current & (bd >= start) & (bd <= A) & (bd < ent_end)
            rows_per.append(np.nonzero(ok)[0])
            rows_day.append(bd[ok])
        now = np.nonzero(current)[0]
        rows_per.append(now)
        rows_day.append(np.full(len(now), A))
        per = np.concatenate(rows_per)
        day = np.concatenate(rows_day)
        order = np.lexsort((day, per))
        per, day = per[order], day[order]
        dup = np.concatenate([[False], (per[1:] == per[:-1]) & (day[1:] == day[:-1])])
        per, day = per[~dup], day[~dup]
        m = len(per)
        in_care = day < end_x[per]
        age_at = (day - dob[per]) / 365.25
        left_age = (end_x[per] - dob[per]) / 365.25
        eligibility = np.where(in_care, "Eligible", np.where(age_at < 18, "Relevant",
                                                             np.where(left_age < 16, "Qualifying", "Former relevant")))
        team, worker = self.allocated(cl["ref"][per], day)
        z = self.team_z[team]
        # the young person: practice of the team holding them now; losing touch (at a day
        # after leaving care) and refusing contact are properties of the person
        team_now, _ = self.allocated(cl["ref"], np.full(n, A))
        z_now = self.team_z[team_now]
        lost = left & (rng.random(n) < 0.02 + 0.07 * (1 - z_now))
        when = np.floor(rng.random(n) * np.maximum(A - end_x, 1)).astype(np.int64)
        lost_day = np.full(n, OPEN)
        lost_day[lost] = np.maximum(cal.add(end_x[lost] + when[lost], 0, roll="backward"), end_x[lost])
        refused = rng.random(n) < 0.35
        # contact: about monthly (six-weekly from 22), sometimes overdue
        overdue = rng.random(m) < 0.015 + 0.07 * (1 - z)
        usual = np.where(age_at >= 22, 75, 40)
        gap = np.where(overdue, _uniform_int(rng, 57, 110, m), _uniform_int(rng, 0, usual, m))
        gap = np.where(in_care, _uniform_int(rng, 0, 30, m), gap)
        is_lost = day >= lost_day[per]
        latest = np.where(is_lost, lost_day[per], cal.add(day - gap, 0, roll="backward"))
        latest = np.where(in_care, latest, np.maximum(latest, np.minimum(end_x[per], day)))
        latest = np.minimum(latest, day)
        in_touch = np.where(~is_lost | in_care, "YES", np.where(refused[per], "REFU", "NO")).astype(object)
        # pathway plan reviews: six-monthly, less reliably for young people out of touch
        p_review = np.where(is_lost, 0.45, 0.80 + 0.16 * z)
        pathway = cal.add(day - np.where(rng.random(m) < p_review, _uniform_int(rng, 0, 175, m),
                                         _uniform_int(rng, 190, 330, m)), 0, roll="backward")
        pathway = np.where(pathway < np.maximum(start[per], b16[per]), OPEN, pathway)
        # never backwards: each row's latest is at most the next row's
        rev = pd.Series(per[::-1])
        latest = pd.Series(latest[::-1]).groupby(rev.to_numpy()).cummin().to_numpy()[::-1]
        pathway = pd.Series(pathway[::-1]).groupby(rev.to_numpy()).cummin().to_numpy()[::-1]
        pathway = np.where(pathway > day, OPEN, pathway)  # none yet on that day
        acc = _choice(rng, [x[0] for x in CARE_LEAVER_ACCOMMODATION], [x[1] for x in CARE_LEAVER_ACCOMMODATION], m)
        suitable = rng.random(m) < np.where(np.isin(acc, ["S", "X", "V"]), 0.15, 0.93)
        acc = np.where(in_care, "Z", acc)
        activity = _choice(rng, [x[0] for x in CARE_LEAVER_ACTIVITY], [x[1] for x in CARE_LEAVER_ACTIVITY], m)
        # personal adviser: a leaving care worker (allocated, or assigned from 16 while in care)
        pa_team = np.where(self.team_type[team] == LEAVE, team, self.choose_team(rng, LEAVE, m))
        pa = np.where(self.team_type[team] == LEAVE, worker, self.pick_worker(rng, pa_team, day))
        self.put(
            "ssd_care_leavers",
            clea_table_id=_ids("CL", m),
            clea_person_id=self.person_ids[child[per]],
            clea_care_leaver_eligibility=eligibility.astype(object),
            clea_care_leaver_in_touch=in_touch,
            clea_care_leaver_latest_contact=np.minimum(latest, A),
            clea_care_leaver_accommodation=acc,
            clea_care_leaver_accom_suitable=np.where(suitable | in_care, "Suitable", "Unsuitable").astype(object),
            clea_care_leaver_activity=activity,
            clea_pathway_plan_review_date=pathway,
            clea_care_leaver_personal_advisor=self.worker_names[pa],
            clea_care_leaver_allocated_team=self.team_ids[team],
            clea_care_leaver_worker_id=self.worker_ids[worker],
        )

    # -- people, contacts, early help ----------------------------------------------------------

    def make_contact_only_children(self):
        self.say("contacts")
        rng = self.rng("contact children")
        referred = np.unique(self.j["r"]["child"])
        n_ref = len(referred)
        target = self.size.children
        k = max(target - n_ref, 0)
        first = self.draw_days(rng, k, self.H, self.A)
        age = self.draw_age_days(rng, k)
        sex = _choice(rng, ["M", "F", "U"], [0.505, 0.49, 0.005], k)
        fam = self.family_count + np.arange(k)
        self.family_count += k
        idx = self.new_children(rng, first, age, sex, family=fam)
        self.child_arrays()
        self.contact_only = idx
        self.contact_only_first = first
        # persons kept: referred children still in the data and these
        keep = np.zeros(self.n_children, bool)
        keep[referred] = True
        keep[idx] = True
        if n_ref > target:
            self.say(f"note: {n_ref} referred children, more than the target {target}")
        return keep

    def contacts(self, keep):
        rng = self.rng("contacts")
        A, H = self.A, self.H
        r = self.j["r"]
        c = self.child
        n_refs = len(r["child"])
        # one contact before every referral
        ref_contact = self.cal.add(r["ref"], -_uniform_int(rng, 0, 1, n_refs), roll="backward")
        ref_contact = np.maximum(ref_contact, np.minimum(c["dob"][r["child"]], r["ref"]))
        ref_contact = np.where(c["unborn"][r["child"]], r["ref"] - _uniform_int(rng, 0, 1, n_refs), ref_contact)
        # other contacts: contact-only children 1+, referred children the rest of the target
        co = self.contact_only
        n_co = 1 + rng.poisson(0.55, len(co))
        referred = np.unique(r["child"])
        remaining = max(self.size.contacts - n_refs - int(n_co.sum()), 0)
        lam = remaining / max(len(referred), 1)
        n_rc = rng.poisson(lam, len(referred))
        who = np.concatenate([np.repeat(co, n_co), np.repeat(referred, n_rc)])
        lo = np.maximum(H, c["dob"][who])
        hi = np.minimum(A, c["b18"][who] - 1)
        # contact-only children's first contact is the day they were created
        first_co = np.zeros(len(who), bool)
        o, pos = _repeat(n_co)
        first_co[: len(o)] = pos == 0
        days = lo + np.floor(rng.random(len(who)) * np.maximum(hi - lo + 1, 1)).astype(np.int64)
        days[: len(o)] = np.where(pos == 0, self.contact_only_first[o], days[: len(o)])
        # police notifications arrive any day; the rest mostly on working days
        wd = rng.random(len(who)) < 0.85
        days = np.where(wd, self.cal.add(days, 0, roll="backward"), days)
        ok = (days >= lo) & (days <= hi) & ~c["unborn"][who]
        who, days = who[ok], days[ok]
        outcome_other = _choice(rng, [x[0] for x in CONTACT_OUTCOMES], [x[1] for x in CONTACT_OUTCOMES], len(who))
        all_child = np.concatenate([r["child"], who])
        all_day = np.concatenate([ref_contact, days])
        outcome = np.concatenate([np.full(n_refs, REFERRAL_OUTCOME, dtype=object), outcome_other])
        src_i = np.concatenate([r["source"], rng.choice(len(REFERRAL_SOURCES), size=len(who),
                                                        p=np.array([s[2] for s in REFERRAL_SOURCES]) / sum(s[2] for s in REFERRAL_SOURCES))])
        is_ref = np.concatenate([np.ones(n_refs, bool), np.zeros(len(who), bool)])
        ref_day = np.concatenate([r["ref"], np.full(len(who), OPEN)])
        order = np.lexsort((all_child, all_day))
        all_child, all_day, outcome, src_i, is_ref, ref_day = (x[order] for x in (all_child, all_day, outcome, src_i,
                                                                                 is_ref, ref_day))
        n = len(all_child)
        ids = _ids("CON", n, 8)
        self.contact = dict(child=all_child, day=all_day, outcome=outcome, ids=ids)
        # decisions: mostly the same or next working day; slower in busy spells
        years = (all_day - A) / 365.25
        p_fast = np.clip(0.80 + 0.025 * years - 0.08 * np.isin(_month_of(all_day), (9, 1)), 0.5, 0.95)
        fast = rng.random(n) < p_fast
        wdays = np.where(fast, _uniform_int(rng, 0, 1, n), _uniform_int(rng, 2, 6, n))
        decision = self.cal.add(all_day, wdays)
        decision = np.where(is_ref, np.maximum(ref_day, all_day), decision)
        decided = decision <= A
        self.put(
            "ext_contact_decisions",
            cond_contact_id=ids[decided],
            cond_decision_date=decision[decided],
        )
        self.contact_pending = ~decided
        self.contact_src = src_i

    def early_help(self):
        self.say("early help")
        rng = self.rng("early help")
        A = self.A
        con = self.contact
        c = self.child
        eh = np.nonzero((con["outcome"] == "Early help") & (rng.random(len(con["day"])) < 0.85))[0]
        # and step-downs after an assessment
        r = self.j["r"]
        sd = np.nonzero((r["close_reason"] == "RC9") & (r["close"] < OPEN))[0]
        child = np.concatenate([con["child"][eh], r["child"][sd]])
        start = np.concatenate([con["day"][eh], r["close"][sd]]) + _uniform_int(rng, 1, 14, len(eh) + len(sd))
        start = self.cal.roll(start)
        death_day = np.full(self.n_children, OPEN)
        death_day[self.deaths] = r["close"][self.death_refs]
        ok = (start <= A) & (start < c["b18"][child]) & (start < death_day[child])
        child, start = child[ok], start[ok]
        n = len(child)
        length = _uniform_int(rng, 45, 330, n)
        end = start + length
        end = np.minimum(np.minimum(end, c["b18"][child]), death_day[child])
        end = np.where(end > A, OPEN, end)
        team_type = EH if np.any(self.team_type == EH) else SAFE
        team = self.choose_team(rng, team_type, n)
        worker = self.pick_worker(rng, team, start)
        org = _choice(rng, EH_ORGANISATIONS, [0.45, 0.25, 0.15, 0.08, 0.07], n)
        worker_id = np.where(org == EH_ORGANISATIONS[0], self.worker_ids[worker],
                             np.where(rng.random(n) < 0.4, self.worker_ids[worker], None))
        order = np.lexsort((child, start))
        child, start, end, org, worker_id = child[order], start[order], end[order], org[order], worker_id[order]
        self.put(
            "ssd_early_help_episodes",
            earl_episode_id=_ids("EH", n),
            earl_person_id=self.person_ids[child],
            earl_episode_start_date=start,
            earl_episode_end_date=end,
            earl_episode_reason=_choice(rng, EH_REASONS, np.ones(len(EH_REASONS)), n),
            earl_episode_end_reason=np.where(end < OPEN, _choice(rng, [x[0] for x in EH_END_REASONS],
                                                                  [x[1] for x in EH_END_REASONS], n), None),
            earl_episode_organisation=org,
            earl_episode_worker_id=worker_id,
        )

    def table_contacts(self):
        con = self.contact
        src = self.contact_src
        self.put(
            "ssd_contacts",
            cont_contact_id=con["ids"],
            cont_person_id=self.person_ids[con["child"]],
            cont_contact_date=con["day"],
            cont_contact_source_code=np.array([s[0] for s in REFERRAL_SOURCES], dtype=object)[src],
            cont_contact_source_desc=np.array([s[1] for s in REFERRAL_SOURCES], dtype=object)[src],
            cont_contact_outcome_json=_json_list(con["outcome"]),
        )

    def assign_person_ids(self, keep):
        """Person IDs in order of the child's first contact with the service."""
        r = self.j["r"]
        first = np.full(self.n_children, OPEN)
        np.minimum.at(first, r["child"], r["ref"])
        np.minimum.at(first, self.contact_only, self.contact_only_first)
        kept = np.nonzero(keep)[0]
        order = kept[np.lexsort((kept, first[kept]))]
        ids = np.full(self.n_children, None, dtype=object)
        ids[order] = np.array([str(1_000_001 + i) for i in range(len(order))], dtype=object)
        self.person_ids = ids
        self.person_order = order
        self.ref_ids = _ids("REF", len(r["child"]))
        self.worker_ids = np.array([f"W{i + 1:05d}" for i in range(len(self.w_team))], dtype=object)

    def table_people(self):
        self.say("people")
        rng = self.rng("people")
        from faker.providers.person.en_GB import Provider

        c = self.child
        A = self.A
        idx = self.person_order
        n = len(idx)
        # surnames are shared in a family
        surnames = list(Provider.last_names.keys())
        weights = np.array(list(Provider.last_names.values()), dtype=float)
        fam = c["family"][idx]
        fam_surname = rng.choice(len(surnames), size=self.family_count, p=weights / weights.sum())
        surname = np.array(surnames, dtype=object)[fam_surname[fam]]
        sex = c["sex"][idx]
        boy = rng.choice(len(_BOY_NAMES), size=n)
        girl = rng.choice(len(_GIRL_NAMES), size=n)
        forename = np.where(sex == "M", np.array(_BOY_NAMES, dtype=object)[boy],
                            np.where(sex == "F", np.array(_GIRL_NAMES, dtype=object)[girl],
                                     np.where(rng.random(n) < 0.5, np.array(_BOY_NAMES, dtype=object)[boy],
                                              np.array(_GIRL_NAMES, dtype=object)[girl])))
        unborn = c["unborn"][idx]
        forename = np.where(unborn, "Unborn", forename).astype(object)
        dob = c["dob"][idx]
        uasc = c["uasc"][idx]
        ethnicity = _choice(rng, ETHNICITIES, ETHNICITY_SHARES, n)
        ethnicity = np.where(uasc, _choice(rng, ["AOTH", "BAFR", "OOTH", "WOTH"], [0.45, 0.3, 0.15, 0.1], n),
                             ethnicity).astype(object)
        nationality = np.where(rng.random(n) < 0.94, "British", _choice(rng, OTHER_NATIONALITIES,
                                                                           np.ones(len(OTHER_NATIONALITIES)), n))
        nationality = np.where(uasc, _choice(rng, UASC_NATIONALITIES, np.ones(len(UASC_NATIONALITIES)), n),
                               nationality).astype(object)
        age_now = (A - dob) / 365.25
        upn_unknown = np.where(age_now < 5, np.where(rng.random(n) < 0.6, "UN1", None),
                               np.where(uasc, "UN2", np.where(rng.random(n) < 0.02, "UN5", None))).astype(object)
        upn_unknown = np.where(unborn, None, upn_unknown)
        # disability
        r = self.j["r"]
        dis_need = np.zeros(self.n_children, bool)
        dis_need[r["child"][r["need"] == "N2"]] = True
        disabled = dis_need[idx] | (rng.random(n) < 0.07)
        disabled &= ~unborn
        send = disabled | (rng.random(n) < 0.08)
        nhs = self.nhs_numbers(rng, n)
        nhs = np.where(unborn | uasc | (rng.random(n) < 0.06), None, nhs)
        self.is_mother = np.zeros(n, bool)
        mothers, babies = self.mothers(rng, idx, dob, sex, unborn)
        self.is_mother[mothers] = True
        death = np.full(n, OPEN)
        pos_of = np.full(self.n_children, -1)
        pos_of[idx] = np.arange(n)
        death[pos_of[self.deaths]] = r["close"][self.death_refs]
        self.put(
            "ssd_person",
            pers_person_id=self.person_ids[idx],
            pers_forename=forename,
            pers_surname=surname,
            pers_sex=sex.astype(object),
            pers_gender=np.where(sex == "U", "U", sex).astype(object),
            pers_ethnicity=ethnicity,
            pers_dob=np.where(unborn, OPEN, dob),
            pers_common_child_id=nhs,
            pers_legacy_id=np.array([f"LCS{200000 + i}" for i in range(n)], dtype=object),
            pers_upn_unknown=upn_unknown,
            pers_send_flag=_yn(send),
            pers_expected_dob=np.where(unborn, dob, OPEN),
            pers_death_date=death,
            pers_is_mother=_yn(self.is_mother),
            pers_nationality=nationality,
        )
        m = len(mothers)
        self.put(
            "ssd_mother",
            moth_table_id=_ids("MO", m),
            moth_person_id=self.person_ids[idx[mothers]],
            moth_childs_person_id=self.person_ids[idx[babies]],
            moth_childs_dob=dob[babies],
        )
        # families (one row per child)
        self.put("ssd_family", fami_table_id=_ids("FAM", n), fami_family_id=np.array(
            [f"F{f + 1:07d}" for f in fam], dtype=object), fami_person_id=self.person_ids[idx])
        # disabilities
        di = np.nonzero(disabled)[0]
        k = np.where(rng.random(len(di)) < 0.3, 2, 1)
        o, pos = _repeat(k)
        codes = _choice(rng, DISABILITY_CODES, DISABILITY_SHARES, len(o))
        dup = np.concatenate([[False], (o[1:] == o[:-1]) & (codes[1:] == codes[:-1])])
        o, codes = o[~dup], codes[~dup]
        self.put("ssd_disability", disa_person_id=self.person_ids[idx[di[o]]], disa_table_id=_ids("DIS", len(o)),
                 disa_disability_code=codes)
        # immigration status: UASC (to 18), and a few others
        ui = np.nonzero(uasc)[0]
        first_ref = np.full(self.n_children, OPEN)
        np.minimum.at(first_ref, r["child"], r["ref"])
        s = first_ref[idx[ui]]
        e = c["b18"][idx[ui]]
        oi = np.nonzero(~uasc & (nationality != "British") & (rng.random(n) < 0.3) & ~unborn)[0]
        o_start = np.maximum(dob[oi] + _uniform_int(rng, 0, 3000, len(oi)), dob[oi])
        o_start = np.minimum(o_start, A)
        status = np.concatenate([np.full(len(ui), "UASC", dtype=object),
                                 _choice(rng, ["Refugee status", "Indefinite leave to remain", "Limited leave to remain",
                                               "EU settled status"], [0.3, 0.3, 0.2, 0.2], len(oi))])
        # former UASC from 18
        fu = ui[e <= A]
        who = np.concatenate([ui, oi, fu])
        start = np.concatenate([s, o_start, c["b18"][idx[fu]]])
        end = np.concatenate([np.where(e > A, OPEN, e), np.full(len(oi), OPEN), np.full(len(fu), OPEN)])
        status = np.concatenate([status, np.full(len(fu), "Former UASC", dtype=object)])
        self.put("ssd_immigration_status", immi_person_id=self.person_ids[idx[who]],
                 immi_immigration_status_id=_ids("IMM", len(who)), immi_immigration_status=status,
                 immi_immigration_status_start_date=start, immi_immigration_status_end_date=end)
        self.relationships(rng, idx, fam, dob, mothers, babies)

    def mothers(self, rng, idx, dob, sex, unborn):
        """Young women known to the service (mostly in care or care leavers) who are mothers of
        babies also known to the service."""
        A = self.A
        n = len(idx)
        cl = self.j["cla"]
        in_care = np.zeros(self.n_children, bool)
        in_care[self.j["r"]["child"][cl["ref"]]] = True
        age = (A - dob) / 365.25
        k = max(2, int(round(n * 0.0012)))
        # aged 17.5+ and babies under 1.5: the mother was at least 16 at the birth
        women = np.nonzero((sex == "F") & (age >= 17.5) & ~unborn)[0]
        women = women[np.argsort(~in_care[idx[women]] + rng.random(len(women)), kind="stable")]
        babies = rng.permutation(np.nonzero((age < 1.5) & ~unborn)[0])
        k = min(k, len(women), len(babies))
        return women[:k], babies[:k]

    def relationships(self, rng, idx, fam, dob, mothers, babies):
        """Key relationships (extension table): siblings (who are people in the data), parents,
        grandparents and foster carers (who are not)."""
        A = self.A
        n = len(idx)
        referred = self.child["referred"][idx]
        # siblings: every pair in a family, both ways
        order = np.lexsort((np.arange(n), fam))
        f_sorted = fam[order]
        parts = _Acc()
        for offset in range(1, 4):
            same = np.zeros(n, bool)
            same[:-offset] = f_sorted[:-offset] == f_sorted[offset:]
            a = order[:-offset][same[:-offset]]
            b = order[offset:][same[:-offset]]
            for x, y in ((a, b), (b, a)):
                parts.add(person=x, related=self.person_ids[idx[y]], rel=np.full(len(x), "sibling", dtype=object),
                          key=np.ones(len(x), bool), start=np.maximum(dob[x], dob[y]), end=np.full(len(x), OPEN))
        ri = np.nonzero(referred)[0]
        m = len(ri)
        has_mother = rng.random(m) < 0.96
        has_father = rng.random(m) < 0.7
        has_gp = rng.random(m) < 0.3
        fam_ref = fam[ri]
        # parents are shared by siblings: ids derived from the family
        for mask, rel, prefix, key in ((has_mother, "mother", "RPM", True), (has_father, "father", "RPF", True),
                                       (has_gp, "grandparent", "RPG", False)):
            x = ri[mask]
            is_key = np.full(len(x), key) | (rng.random(len(x)) < 0.4)
            parts.add(person=x, related=np.array([f"{prefix}{f + 1:07d}" for f in fam_ref[mask]], dtype=object),
                      rel=np.full(len(x), rel, dtype=object), key=is_key, start=dob[x], end=np.full(len(x), OPEN))
        # mothers who are themselves in the data
        parts.add(person=babies, related=self.person_ids[idx[mothers]], rel=np.full(len(babies), "mother", dtype=object),
                  key=np.ones(len(babies), bool), start=dob[babies], end=np.full(len(babies), OPEN))
        # foster carers: one per foster placement
        pl = self.tables["ssd_cla_placement"]
        foster = np.isin(pl["clap_cla_placement_type"], ["U1", "U2", "U3", "U4", "U5", "U6"])
        pos_of = {p: i for i, p in enumerate(self.person_ids[idx])}
        who = np.array([pos_of[p] for p in pl["clap_person_id"][foster]], dtype=np.int64)
        k = len(who)
        parts.add(person=who, related=np.array([f"RFC{i + 1:07d}" for i in range(k)], dtype=object),
                  rel=np.full(k, "foster carer", dtype=object), key=np.ones(k, bool),
                  start=pl["clap_cla_placement_start_date"][foster], end=pl["clap_cla_placement_end_date"][foster])
        p = parts.get()
        order = np.lexsort((p["start"], p["person"]))
        p = {k2: v[order] for k2, v in p.items()}
        # children in the data who were never referred have no recorded parents, but siblings
        m = len(p["person"])
        start = np.minimum(p["start"], A)
        self.put(
            "ext_relationships",
            rela_id=_ids("REL", m, 8),
            rela_person_id=self.person_ids[idx[p["person"]]],
            rela_related_person_id=p["related"],
            rela_relationship=p["rel"],
            rela_is_key=_yn(p["key"]),
            rela_start_date=start,
            rela_end_date=np.where(p["end"] > A, OPEN, p["end"]),
        )

    @staticmethod
    def nhs_numbers(rng, n):
        digits = rng.integers(0, 10, (n, 9))
        digits[:, 0] = rng.integers(4, 7, n)
        total = (digits * np.arange(10, 1, -1)).sum(axis=1)
        check = 11 - total % 11
        check = np.where(check == 11, 0, check)
        valid = check != 10  # such numbers are never issued: leave those children without one
        nums = digits @ (10 ** np.arange(9, 0, -1)) + np.where(valid, check, 0)
        out = np.array([f"{x:010d}" for x in nums], dtype=object)
        return np.where(valid, out, None)

    def choose_deaths(self):
        """A very few children die (closure reason RC2); nothing of theirs follows."""
        rng = self.rng("deaths")
        r = self.j["r"]
        n = len(r["child"])
        # the child's last referral, closed after a plan, not in care
        last = np.zeros(n, bool)
        order = np.lexsort((r["ref"], r["child"]))
        last[order] = np.append(r["child"][order][1:] != r["child"][order][:-1], True)
        in_care = np.zeros(n, bool)
        in_care[self.j["cla"]["ref"]] = True
        cand = np.nonzero(last & (r["close"] < OPEN) & r["cont"] & ~in_care & (r["close"] >= self.H))[0]
        k = min(len(cand), max(1, int(round(self.size.children * 0.0004))))
        pick = np.sort(rng.choice(cand, size=k, replace=False)) if k else np.zeros(0, np.int64)
        r["close_reason"][pick] = "RC2"
        self.death_refs = pick
        self.deaths = r["child"][pick]
        # nothing after death: supervision/visits stop at the close date already (the plans
        # end then); contacts after the death are removed in contacts()

    # -- assembly --------------------------------------------------------------------------

    def run(self) -> dict[str, pd.DataFrame]:
        self.build_organisation()
        self.simulate_referrals()
        self.choose_deaths()
        keep = self.make_contact_only_children()
        self.assign_person_ids(keep)
        self.worker_names = None
        self.build_allocations()
        self.contacts(keep)
        self.drop_after_death()
        self.table_department()
        self.table_professionals()
        self.worker_names = self.tables["ssd_professionals"]["prof_professional_name"]
        self.table_s47()
        self.table_referrals_and_assessments()
        self.table_cp()
        self.table_cin_plans()
        self.table_cla()
        self.table_involvements()
        self.table_supervision()
        self.table_contacts()
        self.early_help()
        self.table_people()
        self.trim_history()
        self.say("assembling tables")
        return {name: self.frame(name) for name in TABLES}

    def trim_history(self):
        """Keep what an SSD extract with this look-back holds: episodes (referrals, plans,
        periods of care, allocations) open on or after the first day of the history, and events
        (assessments, enquiries, conferences, visits, checks, contacts) dated within it. Rows
        another kept row refers to are kept."""
        H = self.H
        t = self.tables

        def open_after(table, end_col, start_col=None):
            end = t[table][end_col]
            return end >= H  # OPEN (blank) is far in the future

        def keep(table, mask):
            t[table] = {k: v[mask] for k, v in t[table].items()}

        def isin(values, allowed):
            return pd.Series(values, dtype=object).isin(pd.Series(allowed, dtype=object)).to_numpy()

        keep("ssd_cin_episodes", open_after("ssd_cin_episodes", "cine_close_date"))
        keep("ssd_cin_assessments", open_after("ssd_cin_assessments", "cina_assessment_auth_date"))
        ids = t["ssd_cin_assessments"]["cina_assessment_id"]
        keep("ssd_assessment_factors", isin(t["ssd_assessment_factors"]["cinf_assessment_id"], ids))
        keep("ext_assessment_answers", isin(t["ext_assessment_answers"]["cinq_assessment_id"], ids))
        keep("ssd_cp_plans", open_after("ssd_cp_plans", "cppl_cp_plan_end_date"))
        plans = t["ssd_cp_plans"]["cppl_cp_plan_id"]
        keep("ssd_cp_reviews", isin(t["ssd_cp_reviews"]["cppr_cp_plan_id"], plans))
        v = t["ssd_cp_visits"]
        keep("ssd_cp_visits", isin(v["cppv_cp_plan_id"], plans) & (v["cppv_cp_visit_date"] >= H))
        ic = t["ssd_initial_cp_conference"]
        keep("ssd_initial_cp_conference", (ic["icpc_icpc_date"] >= H) | isin(ic["icpc_icpc_id"], t["ssd_cp_plans"]["cppl_icpc_id"]))
        s47 = t["ssd_s47_enquiry"]
        keep("ssd_s47_enquiry", (s47["s47e_s47_end_date"] >= H)
             | isin(s47["s47e_s47_enquiry_id"], t["ssd_initial_cp_conference"]["icpc_s47_enquiry_id"]))
        keep("ssd_cin_plans", open_after("ssd_cin_plans", "cinp_cin_plan_end_date"))
        keep("ext_cin_reviews", isin(t["ext_cin_reviews"]["cinr_cin_plan_id"], t["ssd_cin_plans"]["cinp_cin_plan_id"]))
        keep("ssd_cin_visits", t["ssd_cin_visits"]["cinv_cin_visit_date"] >= H)
        # periods of care open during the history, with everything that belongs to them
        e = t["ssd_cla_episodes"]
        periods = pd.Series(e["clae_cla_episode_ceased_date"]).groupby(pd.Series(e["clae_cla_id"])).max()
        periods = periods.index[periods.to_numpy() >= H].to_numpy(dtype=object)
        keep("ssd_cla_episodes", isin(e["clae_cla_id"], periods))
        keep("ssd_cla_placement", isin(t["ssd_cla_placement"]["clap_cla_id"], periods))
        keep("ssd_cla_reviews", isin(t["ssd_cla_reviews"]["clar_cla_id"], periods))
        keep("ssd_permanence", isin(t["ssd_permanence"]["perm_cla_id"], periods))
        keep("ssd_legal_status", open_after("ssd_legal_status", "lega_legal_status_end_date"))
        keep("ssd_cla_care_plan", open_after("ssd_cla_care_plan", "lacp_cla_care_plan_end_date"))
        for table, col in (("ssd_cla_visits", "clav_cla_visit_date"), ("ssd_cla_health", "clah_health_check_date"),
                           ("ssd_sdq_scores", "csdq_sdq_completed_date"), ("ext_cla_pep", "pepr_pep_date"),
                           ("ssd_missing", "miss_missing_episode_start_date"),
                           ("ssd_care_leavers", "clea_care_leaver_latest_contact"),
                           ("ssd_contacts", "cont_contact_date")):
            keep(table, t[table][col] >= H)
        keep("ssd_early_help_episodes", open_after("ssd_early_help_episodes", "earl_episode_end_date"))
        keep("ext_contact_decisions", isin(t["ext_contact_decisions"]["cond_contact_id"], t["ssd_contacts"]["cont_contact_id"]))
        # allocations open in the history, and those behind any kept assessment, enquiry,
        # conference or plan (so the worker and team named on it are in the allocation history)
        cutoff = pd.Series(H, index=pd.Index(t["ssd_cin_episodes"]["cine_referral_id"], dtype=object), dtype=np.int64)
        for table, ref_col, day_col in (("ssd_cin_assessments", "cina_referral_id", "cina_assessment_start_date"),
                                        ("ssd_s47_enquiry", "s47e_referral_id", "s47e_s47_start_date"),
                                        ("ssd_initial_cp_conference", "icpc_referral_id", "icpc_icpc_date"),
                                        ("ssd_cin_plans", "cinp_referral_id", "cinp_cin_plan_start_date")):
            first = pd.Series(t[table][day_col]).groupby(pd.Series(t[table][ref_col], dtype=object)).min()
            cutoff = pd.concat([cutoff, first]).groupby(level=0).min()
        inv = t["ssd_involvements"]
        limit = pd.Series(inv["invo_referral_id"], dtype=object).map(cutoff).fillna(H).to_numpy(dtype=np.int64)
        keep("ssd_involvements", inv["invo_involvement_end_date"] >= np.minimum(limit, H))

    def drop_after_death(self):
        if not len(self.deaths):
            return
        death_day = np.full(self.n_children, OPEN)
        death_day[self.deaths] = self.j["r"]["close"][self.death_refs]
        con = self.contact
        ok = con["day"] <= death_day[con["child"]]
        self.contact = {k: v[ok] for k, v in con.items()}
        self.contact_src = self.contact_src[ok]
        dec = self.tables["ext_contact_decisions"]
        m = pd.Series(dec["cond_contact_id"], dtype=object).isin(pd.Series(self.contact["ids"], dtype=object)).to_numpy()
        self.tables["ext_contact_decisions"] = {k: v[m] for k, v in dec.items()}

    def frame(self, name: str) -> pd.DataFrame:
        spec = TABLES[name]
        cols = self.tables[name]
        missing = set(spec.columns) - set(cols)
        extra = set(cols) - set(spec.columns)
        if missing or extra:
            raise AssertionError(f"{name}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        data = {}
        for col, kind in spec.columns.items():
            v = np.asarray(cols[col])
            if kind == "date":
                v = v.astype(np.int64)
                blank = v >= OPEN
                if np.any(v[~blank] > self.A) and not col.endswith(("_due", "_due_date", "_target_date", "expected_dob")):
                    raise AssertionError(f"{name}.{col} has dates after as_at")
                d = v.astype("datetime64[D]").astype("datetime64[ns]")
                d[blank] = np.datetime64("NaT")
                data[col] = pd.Series(d, dtype="datetime64[ns]")
            elif kind == "float":
                data[col] = pd.Series(v.astype(float), dtype="float64")
            elif kind == "int":
                vals = v.astype(np.int64)
                data[col] = pd.Series(pd.array(np.where(vals < 0, 0, vals), dtype="Int64")).mask(vals < 0)
            else:
                data[col] = pd.Series(v.astype(object), dtype=object)
        return pd.DataFrame(data)


# ---------------------------------------------------------------------------------------------
# Public API


def generate_tables(size: str = "medium", as_at: str = "2026-10-31", seed: int = 20261031,
                    progress: Callable[[str], None] | None = None) -> dict[str, pd.DataFrame]:
    """Every table of :data:`data_access.schema.TABLES` for a synthetic authority, as DataFrames
    (dates as datetime64, blanks as missing). Same size, as_at and seed give the same tables."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)} (got {size!r})")
    return _Generator(SIZES[size], as_at, seed, progress).run()


def _sql_type(kind: str):
    return {"str": sa.Text(), "date": sa.Date(), "float": sa.Float(), "int": sa.Integer()}[kind]


def _column_values(series: pd.Series, kind: str) -> list:
    if kind == "date":
        v = series.to_numpy(dtype="datetime64[D]")
        text = np.datetime_as_string(v, unit="D").astype(object)
        text[np.isnat(v)] = None
        return text.tolist()
    if kind == "int":
        return [None if pd.isna(x) else int(x) for x in series.astype(object)]
    if kind == "float":
        v = series.to_numpy(dtype=float).astype(object)
        v[np.isnan(series.to_numpy(dtype=float))] = None
        return v.tolist()
    v = series.to_numpy(dtype=object, na_value=None)
    return v.tolist()


def build_demo(path, size: str = "medium", as_at: str = "2026-10-31", seed: int = 20261031,
               progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Generate the demo authority and write it to a SQLite database at ``path`` (replaced
    atomically). Returns the rows written per table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tables = generate_tables(size, as_at, seed, progress)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    engine = sa.create_engine(f"sqlite:///{tmp}")
    counts: dict[str, int] = {}
    try:
        metadata = sa.MetaData()
        sa_tables = {
            name: sa.Table(name, metadata, *[sa.Column(c, _sql_type(k)) for c, k in spec.columns.items()])
            for name, spec in TABLES.items()
        }
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("PRAGMA journal_mode=OFF")
            cur.execute("PRAGMA synchronous=OFF")
            for name, spec in TABLES.items():
                if progress is not None:
                    progress(f"writing {name}")
                frame = tables[name]
                cur.execute(str(sa.schema.CreateTable(sa_tables[name]).compile(dialect=engine.dialect)))
                cols = list(spec.columns)
                values = [_column_values(frame[c], spec.columns[c]) for c in cols]
                rows = list(zip(*values)) if values else []
                placeholders = ", ".join("?" for _ in cols)
                cur.executemany(f'INSERT INTO "{name}" ({", ".join(cols)}) VALUES ({placeholders})', rows)
                raw.commit()
                counts[name] = len(frame)
            cur.close()
        finally:
            raw.close()
        engine.dispose()
        os.replace(tmp, path)
    except BaseException:
        engine.dispose()
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return counts
