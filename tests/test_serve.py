"""python -m ui.serve starts again once with MALLOC_ARENA_MAX=2 (glibc reads it only at start-up),
and not a second time, nor when the operator has set it; Arrow uses the system allocator unless
the operator chose another."""

from __future__ import annotations

import sys

import pytest

from ui import serve


class Execd(Exception):
    pass


def test_restarts_once_with_two_arenas(monkeypatch):
    if not sys.platform.startswith("linux"):
        pytest.skip("glibc only")
    seen = []

    def fake_execv(path, args):
        seen.append((path, args, serve.os.environ.get(serve.ARENAS)))
        raise Execd

    monkeypatch.delenv(serve.ARENAS, raising=False)
    monkeypatch.delenv(serve.ARROW_POOL, raising=False)
    monkeypatch.setattr(serve.os, "execv", fake_execv)
    with pytest.raises(Execd):
        serve.main(["--server.port=1"])
    assert seen == [(sys.executable, [sys.executable, "-m", "ui.serve", "--server.port=1"], "2")]
    assert serve.os.environ[serve.ARROW_POOL] == "system"  # the restarted process inherits it


def test_an_operators_arrow_pool_is_kept(monkeypatch):
    monkeypatch.setenv(serve.ARROW_POOL, "jemalloc")
    monkeypatch.setenv(serve.ARENAS, "4")
    monkeypatch.setattr(serve, "warm", lambda: (_ for _ in ()).throw(Execd()))
    with pytest.raises(Execd):
        serve.main([])
    assert serve.os.environ[serve.ARROW_POOL] == "jemalloc"


@pytest.mark.parametrize("value", ["2", "8"])
def test_does_not_restart_when_set(monkeypatch, value):
    monkeypatch.setenv(serve.ARENAS, value)
    monkeypatch.delenv(serve.ARROW_POOL, raising=False)  # tracked, so what main() sets is undone
    monkeypatch.setattr(serve.os, "execv", lambda *a: pytest.fail("restarted"))
    monkeypatch.setattr(serve, "warm", lambda: (_ for _ in ()).throw(Execd()))  # stop before Streamlit starts
    with pytest.raises(Execd):
        serve.main([])
