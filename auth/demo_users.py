"""Demo accounts tied to real workers and teams of the current extract.

``python -m auth demo-users`` writes the credentials YAML (``[auth] credentials``, by default
``demo/users.yaml``, a git-ignored folder) with four users, chosen deterministically:

- ``practitioner``: the worker with the most open involvements at the extract's date (ties: lowest
  ID) among workers whose current team has another worker and a service;
- ``manager``: team manager of that team: a worker of the team whose job title says "manager"
  (or "team leader" / "supervisor"), else the lowest other worker ID in the team;
- ``head``: head of service of that team's service: a worker of the service whose job title says
  "head of service" / "service manager" / "head of", else no worker (the service is configured);
- ``analyst``: senior leader, no worker.

The passwords are fixed and public, FOR THE DEMO ONLY.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pandas as pd
import yaml

from auth.credentials import hash_password
from auth.identity import Role, build_org_index

DEMO_PASSWORDS = {
    "practitioner": "practitioner-demo",
    "manager": "manager-demo",
    "head": "head-demo",
    "analyst": "analyst-demo",
}

_TEAM_MANAGER = [re.compile(p, re.I) for p in (r"team manager", r"manager|team leader|supervisor")]
_HEAD = [re.compile(p, re.I) for p in (r"head of service", r"service manager|head of|assistant director")]


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    worker_id: str | None
    team: str | None
    services: tuple[str, ...]
    display_name: str


def _rank(title: str | None, patterns) -> int:
    title = title or ""
    for i, pattern in enumerate(patterns):
        if pattern.search(title):
            return i
    return len(patterns)


def choose_demo_users(tables: Mapping[str, pd.DataFrame], as_at) -> list[DemoUser]:
    index = build_org_index(tables)
    prof = tables["ssd_professionals"]
    titles = dict(zip(prof["prof_professional_id"].astype(str).tolist(),
                      prof["prof_professional_job_title"].tolist()))
    names = dict(zip(prof["prof_professional_id"].astype(str).tolist(),
                     prof["prof_professional_name"].tolist()))

    inv = tables["ssd_involvements"]
    end = pd.to_datetime(inv["invo_involvement_end_date"])
    open_ = (end.isna() | (end >= pd.Timestamp(as_at))).to_numpy()
    counts = inv.loc[open_, "invo_professional_id"].dropna().value_counts()
    ranked = sorted(((int(n), str(w)) for w, n in counts.items()), key=lambda x: (-x[0], x[1]))

    members: dict[str, list[str]] = {}
    for worker, team in index.worker_team.items():
        members.setdefault(team, []).append(worker)

    practitioner = None
    for need_service in (True, False):
        for n, worker in ranked:
            team = index.worker_team.get(worker)
            if team is None or len(members.get(team, [])) < 2:
                continue
            if need_service and index.service_of(team) is None:
                continue
            practitioner = (worker, team)
            break
        if practitioner:
            break
    if practitioner is None:
        raise ValueError("the extract has no worker with open cases in a team with other workers")
    worker, team = practitioner

    others = sorted((w for w in members[team] if w != worker), key=lambda w: (_rank(titles.get(w), _TEAM_MANAGER), w))
    manager = others[0]

    service = index.service_of(team)
    head_worker = None
    if service is not None:
        in_service = index.workers_in(index.teams_in({service}) | {service})
        heads = sorted((w for w in in_service if _rank(titles.get(w), _HEAD) < len(_HEAD) and w not in (worker, manager)),
                       key=lambda w: (_rank(titles.get(w), _HEAD), w))
        head_worker = heads[0] if heads else None

    def name(w, fallback):
        value = names.get(w) if w else None
        return str(value) if isinstance(value, str) and value.strip() else fallback

    users = [
        DemoUser("practitioner", DEMO_PASSWORDS["practitioner"], Role.PRACTITIONER, worker, team, (),
                 name(worker, "Demo practitioner")),
        DemoUser("manager", DEMO_PASSWORDS["manager"], Role.TEAM_MANAGER, manager, team, (),
                 name(manager, "Demo team manager")),
        DemoUser("head", DEMO_PASSWORDS["head"], Role.HEAD_OF_SERVICE, head_worker,
                 index.worker_team.get(head_worker) if head_worker else None,
                 (service,) if service else (), name(head_worker, "Demo head of service")),
        DemoUser("analyst", DEMO_PASSWORDS["analyst"], Role.SENIOR_LEADER, None, None, (),
                 "Demo performance analyst"),
    ]
    return users


def credentials_yaml(users: list[DemoUser], rounds: int = 12) -> str:
    entries = {}
    for u in users:
        entry = {"name": u.display_name, "password": hash_password(u.password, rounds), "role": u.role.value}
        if u.worker_id:
            entry["worker_id"] = u.worker_id
        if u.services:
            entry["services"] = list(u.services)
        entries[u.username] = entry
    header = (
        "# Demo accounts written by `python -m auth demo-users` from the current extract.\n"
        "# FOR THE DEMO ONLY: the passwords are public. Never use this file with real data.\n"
    )
    return header + yaml.safe_dump({"credentials": {"usernames": entries}}, sort_keys=False, allow_unicode=True)


def write_demo_users(path: Path, tables: Mapping[str, pd.DataFrame], as_at, rounds: int = 12) -> list[DemoUser]:
    users = choose_demo_users(tables, as_at)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(credentials_yaml(users, rounds), encoding="utf-8")
    tmp.replace(path)
    return users
