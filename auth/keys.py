"""The secret key that signs sign-in cookies, and the checks that refuse a weak one.

The key is read from Streamlit secrets (``.streamlit/secrets.toml``, never committed)::

    auth_cookie_key = "<at least 32 random characters: python -m auth new-key>"

The portal refuses to start (an error and no data) when the key is missing, empty, shorter than
32 characters, a known default or example value (streamlit-authenticator's ``some_key``,
"change me" and the like) or visibly not random. The OIDC backend applies the same checks to
Streamlit's own ``[auth] cookie_secret``.
"""

from __future__ import annotations

import secrets as _secrets
from typing import Any

SECRET_NAME = "auth_cookie_key"
MIN_LENGTH = 32

# Defaults and examples that appear in documentation, sample configs and tutorials.
KNOWN_VALUES = frozenset({
    "some_key", "some_signature_key", "random_signature_key", "some_cookie_name", "abcdef",
    "xxx", "changeme", "change_me", "change-me", "secret", "mysecret", "my_secret", "password",
    "your_secret_key", "your-secret-key", "yoursecretkey", "cookie_secret", "cookiesecret",
    "replace-with-a-long-random-string", "replace-me",
})
# Words no randomly generated key contains in practice (five characters or more, so that a
# random hex or base64 key is not refused by chance).
MARKERS = (
    "changeme", "change_me", "change-me", "change me", "replace", "example", "sample", "placeholder",
    "your_", "your-", "some_key", "signature_key", "default", "secret", "password", "xxxxx",
)


def key_problem(value: Any, name: str = SECRET_NAME) -> str | None:
    """Why ``value`` cannot be used as a signing key, or None when it can. Never echoes it."""
    if value is None:
        return f"the secret `{name}` is missing"
    if not isinstance(value, str):
        return f"the secret `{name}` must be a string"
    key = value.strip()
    if not key:
        return f"the secret `{name}` is empty"
    if len(key) < MIN_LENGTH:
        return f"the secret `{name}` is shorter than {MIN_LENGTH} characters"
    lower = key.lower()
    if lower in KNOWN_VALUES or any(marker in lower for marker in MARKERS):
        return f"the secret `{name}` is a known default or example value"
    if len(set(key)) < 8:
        return f"the secret `{name}` is not random enough"
    return None


def generate_key() -> str:
    """A fresh random key (64 URL-safe characters) that passes :func:`key_problem`."""
    while True:
        key = _secrets.token_urlsafe(48)
        if key_problem(key) is None:
            return key


def read_secret(name: str, section: str | None = None) -> Any:
    """A value from ``st.secrets`` (or ``st.secrets[section]``), or None when absent — including
    when there is no secrets file at all."""
    import streamlit as st

    try:
        holder = st.secrets
        if section is not None:
            if section not in holder:
                return None
            holder = holder[section]
        return holder[name] if name in holder else None
    except Exception:  # no secrets file, unreadable file: treated as missing
        return None
