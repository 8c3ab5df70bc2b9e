"""The server starts reading the extract when it first shows the sign-in form (data_access.live
.preload), and the first signed-in page takes that read instead of starting its own."""

from pathlib import Path

from data_access import cache as cache_mod
from data_access import live


def test_the_first_page_takes_the_preloaded_extract(portal_env, monkeypatch):
    live._load.clear()
    monkeypatch.setattr(live, "_PRELOAD", {})
    monkeypatch.setattr(live, "_LOADED", set())
    reads = []
    real = cache_mod.load_extract

    def counted(folder, tables=None):
        reads.append(Path(folder))
        return real(folder, tables)

    monkeypatch.setattr(cache_mod, "load_extract", counted)
    live.preload()
    live.preload()  # a second sign-in form while the read runs: still one read
    folder = cache_mod.current_dir(live.get_config().cache_folder)
    loaded = live.current_cache()
    assert loaded.folder == folder and loaded.tables
    assert reads == [folder]  # the page took the background read
    live.preload()  # once loaded, showing the form again reads nothing
    assert reads == [folder] and not live._PRELOAD
    live._load.clear()


def test_a_failed_background_read_is_read_again_where_the_user_sees_it(portal_env, monkeypatch):
    live._load.clear()
    monkeypatch.setattr(live, "_PRELOAD", {})
    monkeypatch.setattr(live, "_LOADED", set())
    real = cache_mod.load_extract
    calls = []

    def flaky(folder, tables=None):
        calls.append(folder)
        if len(calls) == 1:
            raise OSError("disk hiccup")
        return real(folder, tables)

    monkeypatch.setattr(cache_mod, "load_extract", flaky)
    live.preload()
    assert live.current_cache().tables
    assert len(calls) == 2
    live._load.clear()
