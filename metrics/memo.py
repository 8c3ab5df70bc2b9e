"""Work derived once per extract: what the measures prepare from a source table (normalised ID
and date columns, sorted indexes, lookups) is kept for as long as that table lives, so twenty
measures x thirteen months prepare each table once rather than once per measure and month.

Only frames registered as read-only shared data are cached (:func:`data_access.cache.
mark_read_only`: the frames of a loaded extract and the access-scoped frames cut from them). For
any other frame, such as a test's hand-built table, :func:`derived` simply builds the value each
time, so a frame changed in place is never served stale results.

A derived value is keyed by the identity of the frames it was built from, is dropped when any of
them is garbage-collected (a newer extract replacing the old one), and must never hold a reference
to those frames (numpy arrays and new frames only). Callers treat derived values as read-only:
functions that hand them to other modules return shallow copies (pandas copy-on-write then keeps
the cached frame intact).
"""

from __future__ import annotations

import threading
import weakref
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")

_VALUES: dict[tuple, object] = {}
_KEYS_OF: dict[int, set[tuple]] = {}
_WATCHED: dict[int, weakref.ref] = {}
_LOCK = threading.RLock()
_BUILDING: dict[tuple, threading.Lock] = {}


def _read_only(frame) -> bool:
    from data_access.cache import is_read_only

    return is_read_only(frame)


def _drop(frame_id: int, ref: weakref.ref) -> None:
    with _LOCK:
        if _WATCHED.get(frame_id) is ref:
            del _WATCHED[frame_id]
        for key in _KEYS_OF.pop(frame_id, ()):
            _VALUES.pop(key, None)


def derived(name: str, frames: tuple, build: Callable[[], T], *extra: Hashable) -> T:
    """``build()``, kept per (``name``, the identity of ``frames``, ``extra``) while every frame in
    ``frames`` (None entries allowed) is alive, when all of them are read-only shared frames."""
    live = [f for f in frames if f is not None]
    if not live or not all(_read_only(f) for f in live):
        return build()
    key = (name, tuple(id(f) for f in frames), extra)
    try:
        return _VALUES[key]  # type: ignore[return-value]
    except KeyError:
        pass
    with _LOCK:
        lock = _BUILDING.setdefault(key, threading.Lock())
    with lock:  # one build per key, even with many sessions asking at once
        if key in _VALUES:
            return _VALUES[key]  # type: ignore[return-value]
        value = build()
        with _LOCK:
            if all(_read_only(f) for f in live):
                _VALUES[key] = value
                for f in live:
                    fid = id(f)
                    if fid not in _WATCHED:
                        _WATCHED[fid] = weakref.ref(f, lambda ref, fid=fid: _drop(fid, ref))
                    _KEYS_OF.setdefault(fid, set()).add(key)
            _BUILDING.pop(key, None)
    return value


def clear() -> None:
    """Forget every derived value (tests; memory)."""
    with _LOCK:
        _VALUES.clear()
        _KEYS_OF.clear()


def size() -> int:
    return len(_VALUES)
