"""The cookie signing key: weak, missing or example keys are refused."""

from __future__ import annotations

import pytest

from auth.keys import MIN_LENGTH, generate_key, key_problem


@pytest.mark.parametrize("value, reason", [
    (None, "missing"),
    ("", "empty"),
    ("   ", "empty"),
    (123, "must be a string"),
    ("short-but-random-Xq93", "shorter than 32"),
    ("some_key", "shorter than 32"),
    ("some_key_some_key_some_key_some_key", "known default"),
    ("please-change-me-to-a-long-random-value", "known default"),
    ("REPLACE-WITH-A-LONG-RANDOM-STRING-0123456789", "known default"),
    ("your-secret-key-goes-here-and-is-long", "known default"),
    ("a" * 40, "not random"),
    ("abababababababababababababababababab", "not random"),
    ("0123456012345601234560123456012345", "not random"),
])
def test_bad_keys_are_refused(value, reason):
    problem = key_problem(value)
    assert problem and reason in problem
    if isinstance(value, str) and value.strip():
        assert value not in problem  # the message never echoes the key


def test_generated_keys_pass():
    for _ in range(50):
        key = generate_key()
        assert len(key) >= MIN_LENGTH
        assert key_problem(key) is None


def test_random_hex_and_base64_keys_are_accepted():
    import secrets

    for _ in range(200):
        assert key_problem(secrets.token_hex(16)) is None
        assert key_problem(secrets.token_urlsafe(32)) is None


def test_init_secrets_adds_a_key_once_and_never_overwrites(tmp_path, capsys):
    import tomllib

    from auth.__main__ import main

    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir()
    path.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    assert main(["init-secrets", "--path", str(path)]) == 0
    first = tomllib.loads(path.read_text())
    assert key_problem(first["auth_cookie_key"]) is None
    assert first["auth"]["redirect_uri"].endswith("oauth2callback")  # the rest is kept
    assert main(["init-secrets", "--path", str(path)]) == 0
    assert tomllib.loads(path.read_text()) == first
    assert first["auth_cookie_key"] not in capsys.readouterr().out  # never printed
    path.write_text('auth_cookie_key = "some_key"\n')
    assert main(["init-secrets", "--path", str(path)]) == 1
    assert path.read_text() == 'auth_cookie_key = "some_key"\n'
