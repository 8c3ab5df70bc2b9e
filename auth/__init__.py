"""Sign-in, roles, row-level scope and the audit log of the portal.

Every page starts with :func:`require_user` (see :mod:`auth.gate`); the scope it returns is the
one thing that limits what the page may read. ``python -m auth --help`` lists the admin commands
(demo users, new secret key, password hashes, unlock).
"""

from auth.audit import ACTIONS, AuditLog
from auth.gate import (NOT_AVAILABLE, audit_event, current_user, require_user, sign_out_button,
                       signed_in_user)
from auth.identity import ALL_ROLES, OrgIndex, Role, User, build_org_index, derive_scope
from auth.lockout import LockoutStore
from auth.settings import AuthSettings, load_settings

__all__ = [
    "ACTIONS", "ALL_ROLES", "AuditLog", "AuthSettings", "current_user", "LockoutStore", "NOT_AVAILABLE", "OrgIndex",
    "Role", "User", "audit_event", "build_org_index", "derive_scope", "load_settings",
    "require_user", "sign_out_button", "signed_in_user",
]
