"""The user cache: data derived once from installed files, reused by every run.

Where: `$GOVREPORT_CACHE_DIR`, else `$XDG_CACHE_HOME/govreport`, else
`~/.cache/govreport`; never inside the installed package (it may be read-only
and is shared by every user). Every cache file is named by a key that changes
whenever what it was made from changes, written to a temporary name and
renamed (a reader sees a whole file or none), and checked when read: a cache
that is missing, stale, corrupt or unwritable costs time, never a wrong result
or a failed run.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

ENV = "GOVREPORT_CACHE_DIR"


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
