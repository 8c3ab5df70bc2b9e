"""Server-side lockout (auth.lockout.LockoutStore): five failures lock a username for a while,
the right password is refused meanwhile, the lock expires, success clears the count, and the
state lives in the database (new store instances, restarts, threads)."""

from __future__ import annotations

import threading
import time

import pytest

from auth import db
from auth.lockout import LockoutStore


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'audit' / 'portal.sqlite'}"


def store(url, clock=None, **kw):
    kw = {"max_failures": 5, "window_seconds": 900, "lockout_seconds": 900} | kw
    return LockoutStore(url, clock=clock or time.time, **kw)


def test_five_failures_lock_and_the_lock_is_refused_until_it_expires(url):
    clock = Clock()
    s = store(url, clock)
    for i in range(4):
        assert s.record_failure("jbloggs") is False
        assert not s.is_locked("jbloggs")
    assert s.record_failure("JBloggs ") is True  # same username, normalised
    assert s.is_locked("jbloggs")
    assert s.seconds_left("jbloggs") == pytest.approx(900)
    # further failures while locked neither extend the lock nor count
    assert s.record_failure("jbloggs") is False
    clock.now += 899
    assert s.is_locked("jbloggs")
    clock.now += 2
    assert not s.is_locked("jbloggs")  # not permanent
    assert s.failures("jbloggs") == 0  # a fresh count after the lock


def test_lock_is_per_username(url):
    s = store(url, Clock())
    for _ in range(5):
        s.record_failure("victim")
    assert s.is_locked("victim") and not s.is_locked("someone-else")


def test_failures_outside_the_window_do_not_count(url):
    clock = Clock()
    s = store(url, clock, window_seconds=60)
    for _ in range(4):
        s.record_failure("u")
    clock.now += 61
    assert s.record_failure("u") is False
    assert s.failures("u") == 1


def test_success_clears_the_failures(url):
    s = store(url, Clock())
    for _ in range(4):
        s.record_failure("u")
    s.record_success("u")
    assert s.failures("u") == 0
    for _ in range(4):
        assert s.record_failure("u") is False


def test_real_short_lockout_expires(url):
    s = store(url, max_failures=2, window_seconds=5, lockout_seconds=0.3)
    s.record_failure("u")
    assert s.record_failure("u") is True
    assert s.is_locked("u")
    time.sleep(0.4)
    assert not s.is_locked("u")


def test_state_survives_new_instances_and_a_restart(url):
    clock = Clock()
    first = store(url, clock)
    for _ in range(3):
        first.record_failure("u")
    second = store(url, clock)
    assert second.failures("u") == 3
    second.record_failure("u")
    db.dispose_all()  # as if the server restarted: engines gone, only the file remains
    third = store(url, clock)
    assert third.record_failure("u") is True
    assert store(url, clock).is_locked("u")


def test_usernames_are_not_stored_in_clear(url, tmp_path):
    s = store(url, Clock())
    s.record_failure("a-password-typed-as-username")
    raw = (tmp_path / "audit" / "portal.sqlite").read_bytes()
    wal = tmp_path / "audit" / "portal.sqlite-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"a-password-typed-as-username" not in raw


def test_concurrent_failures_lock_exactly_once(url):
    # One store per thread: only the database transaction (BEGIN IMMEDIATE) keeps the
    # count-then-lock atomic, as between server processes.
    stores = [store(url, max_failures=5, window_seconds=60, lockout_seconds=60) for _ in range(12)]
    results, start = [], threading.Barrier(12)

    def fail(s):
        start.wait()
        results.append(s.record_failure("u"))

    threads = [threading.Thread(target=fail, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert stores[0].is_locked("u")


def test_invalid_settings_are_refused(url):
    with pytest.raises(ValueError):
        LockoutStore(url, max_failures=0)
