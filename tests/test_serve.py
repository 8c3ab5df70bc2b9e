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


def test_streamlit_does_not_collect_all_garbage_after_every_page_run():
    # .streamlit/config.toml: a full gc.collect() per run held the interpreter lock ~0.1 s per page
    # view on a large authority (see the comment there). Read as Streamlit reads it, from the root.
    import subprocess

    code = ("from streamlit import config; config.get_config_options(force_reparse=True); "
            "print(config.get_option('runner.postScriptGC'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=serve.ROOT, capture_output=True, text=True,
                         timeout=120, env={k: v for k, v in serve.os.environ.items() if not k.startswith("STREAMLIT_")})
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr[-2000:]
