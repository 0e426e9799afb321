"""The user cache: what is derived from installed files once, for every later run.

Where: `$GOVREPORT_CACHE_DIR`, else `$XDG_CACHE_HOME/govreport`, else
`~/.cache/govreport`; never inside the installed package (it may be read-only
and is shared by every user). Every cache file is named by a key that changes
whenever what it was made from changes, written to a temporary name and
renamed (a reader sees a whole file or none), and checked when read: a cache
that is missing, stale, corrupt or unwritable costs time, never a wrong result
or a failed run.
"""
from __future__ import annotations

import copyreg
import hashlib
import io
import logging
import os
import pickle
import tempfile
from pathlib import Path
from types import MappingProxyType
from typing import Callable, TypeVar

log = logging.getLogger(__name__)

ENV = "GOVREPORT_CACHE_DIR"
_MAGIC = b"govreport cache 1\n"
T = TypeVar("T")


def cache_dir() -> Path:
    """The folder of govreport's cache files (not created here)."""
    explicit = os.environ.get(ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "govreport"


def write(name: str, data: bytes) -> Path | None:
    """Store `data` as cache file `name`; None (and a debug line) when the cache
    cannot be written: the caller goes on with what it computed."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, folder / name)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as exc:
        log.debug("cache not written (%s): %s", folder / name, exc)
        return None
    return folder / name


def load_or_build(kind: str, key: bytes, build: Callable[[], T]) -> T:
    """`build()`'s value, from the cache file of (`kind`, `key`) when a sound one is there.

    `key` must change whenever the value would: callers hash into it every
    input file and the program's own version (`rules.program_version`). The
    file holds a SHA-256 of its payload, checked before unpickling: a damaged
    file is rebuilt, never half-read. Values are pickled: compiled `regex`
    patterns keep their compiled code, so reading them back costs no parsing.
    Anything going wrong with the cache (unreadable, unwritable, unpicklable)
    falls back to `build()`; errors of `build()` itself propagate.
    """
    name = f"{kind}-{hashlib.sha256(key).hexdigest()[:32]}.pickle"
    path = cache_dir() / name
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    if data is not None:
        head = len(_MAGIC) + 32
        payload = data[head:]
        if data[:len(_MAGIC)] == _MAGIC and hashlib.sha256(payload).digest() == data[len(_MAGIC):head]:
            try:
                return pickle.loads(payload)
            except Exception as exc:  # written by this program, checked: only a bug gets here
                log.debug("cache file %s unreadable (%s): rebuilt", path, exc)
        else:
            log.debug("cache file %s damaged: rebuilt", path)
    value = build()
    try:
        payload = _dumps(value)
    except Exception as exc:  # pragma: no cover - every value cached is picklable; the run goes on
        log.debug("%s not cached: %s", kind, exc)
        return value
    if write(name, _MAGIC + hashlib.sha256(payload).digest() + payload) is not None:
        prune(kind)
    return value


# Files of one kind kept, the newest first: each program or rules version
# writes its own, and an upgrade (or a day of editing rules) would otherwise
# leave every older one behind. A few stay for other installs sharing the cache.
KEEP_PER_KIND = 4


def prune(kind: str, keep: int = KEEP_PER_KIND) -> None:
    """Remove all but the `keep` newest cache files of `kind` (quietly: a file
    another process is reading stays readable until it closes it)."""
    folder = cache_dir()
    try:
        files = sorted(folder.glob(f"{kind}-{'[0-9a-f]' * 32}.pickle"), key=lambda p: p.stat().st_mtime_ns,
                       reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("cache not pruned (%s): %s", folder, exc)


def _mapping_proxy(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


def _dumps(value: object) -> bytes:
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    # read-only views of dicts (rules settings) are not picklable as such
    pickler.dispatch_table = {**copyreg.dispatch_table, MappingProxyType: lambda m: (_mapping_proxy, (dict(m),))}
    pickler.dump(value)
    return buf.getvalue()
