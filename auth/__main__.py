"""Admin commands of the sign-in package.

    python -m auth demo-users [--config PATH] [--out PATH]   demo accounts from the current extract
    python -m auth new-key                                   print a fresh cookie signing key
    python -m auth init-secrets [--path .streamlit/secrets.toml]
                                                             add auth_cookie_key to the secrets file
                                                             when it has none (never prints it)
    python -m auth hash-password                             bcrypt hash for a credentials file
    python -m auth unlock USERNAME [--config PATH]           lift a sign-in lockout early
"""

from __future__ import annotations

import argparse
import getpass
import sys
import tomllib
from pathlib import Path

from auth.keys import SECRET_NAME, generate_key, key_problem


def _settings(config: str | None):
    from auth.settings import load_settings

    return load_settings(config)


def cmd_demo_users(args) -> int:
    from data_access.cache import NoCacheError, load_current
    from data_access.config import load_config

    from auth.demo_users import DEMO_PASSWORDS, write_demo_users

    cfg = load_config(args.config)
    settings = _settings(str(cfg.path))
    out = Path(args.out).resolve() if args.out else settings.credentials
    try:
        cache = load_current(cfg.cache_folder, ["ssd_involvements", "ssd_professionals", "ssd_department"])
    except NoCacheError as exc:
        print(exc, file=sys.stderr)
        return 1
    users = write_demo_users(out, cache.tables, cache.as_at)
    print(f"Wrote {len(users)} demo users to {out} (FOR THE DEMO ONLY):")
    for u in users:
        tied = f"worker {u.worker_id}" if u.worker_id else "no worker"
        where = f", team {u.team}" if u.team else ""
        services = f", services {', '.join(u.services)}" if u.services else ""
        print(f"  {u.username:<13} password {DEMO_PASSWORDS[u.username]:<18} {u.role.value} ({tied}{where}{services})")
    return 0


def cmd_new_key(_args) -> int:
    print(generate_key())
    return 0


def cmd_init_secrets(args) -> int:
    path = Path(args.path)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if existing:
        try:
            current = tomllib.loads(existing).get(SECRET_NAME)
        except tomllib.TOMLDecodeError:
            print(f"{path} is not valid TOML; not changed.", file=sys.stderr)
            return 1
        if current is not None:
            problem = key_problem(current)
            if problem:
                print(f"{path}: {problem}. Replace it (python -m auth new-key); not changed.", file=sys.stderr)
                return 1
            print(f"{path} already has a good {SECRET_NAME}; not changed.")
            return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    # Top-level keys must come before any [table] of the file.
    text = f'{SECRET_NAME} = "{generate_key()}"\n' + (("\n" + existing) if existing else "")
    path.write_text(text, encoding="utf-8")
    try:
        path.chmod(0o600)
    except OSError:
        pass
    print(f"Added a new {SECRET_NAME} to {path}.")
    return 0


def cmd_hash_password(_args) -> int:
    from auth.credentials import hash_password

    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if not password:
        print("no password given", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


def cmd_unlock(args) -> int:
    from auth.lockout import LockoutStore

    s = _settings(args.config)
    LockoutStore(s.database, max_failures=s.max_failures, window_seconds=s.failure_window_seconds,
                 lockout_seconds=s.lockout_seconds).clear(args.username)
    print("Failures and lockout cleared for that username.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m auth", description="Sign-in administration.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo-users", help="write demo accounts tied to workers of the current extract")
    p.add_argument("--config", help="portal config file (default: PORTAL_CONFIG or config.toml)")
    p.add_argument("--out", help="credentials file to write (default: [auth] credentials)")
    p.set_defaults(func=cmd_demo_users)
    p = sub.add_parser("new-key", help="print a fresh random cookie signing key")
    p.set_defaults(func=cmd_new_key)
    p = sub.add_parser("init-secrets", help=f"add {SECRET_NAME} to the Streamlit secrets file if missing")
    p.add_argument("--path", default=".streamlit/secrets.toml")
    p.set_defaults(func=cmd_init_secrets)
    p = sub.add_parser("hash-password", help="bcrypt hash of a password read from the terminal or stdin")
    p.set_defaults(func=cmd_hash_password)
    p = sub.add_parser("unlock", help="clear failed sign-ins and the lockout of a username")
    p.add_argument("username")
    p.add_argument("--config")
    p.set_defaults(func=cmd_unlock)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
