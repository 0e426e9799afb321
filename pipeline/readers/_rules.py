"""The readers' view of `rules/layout.yaml` (page numbers, running lines, site chrome).

The layout rules belong to the `Rules` in use (`--rules DIR` included):
`ingest.read_document` sets them for the duration of one read with `using`;
a reader called on its own gets the bundled rules.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import regex

from ..rules import LayoutRules, load_rules

_current: contextvars.ContextVar[LayoutRules | None] = contextvars.ContextVar("govreport_layout", default=None)


@contextlib.contextmanager
def using(layout: LayoutRules) -> Iterator[None]:
    token = _current.set(layout)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> LayoutRules:
    return _current.get() or load_rules().layout


def patterns(key: str, sub: str | None = None) -> tuple[regex.Pattern, ...]:
    """Compiled regexes listed under `key` (or `key.sub`) in layout.yaml."""
    return current().patterns(key, sub)


def setting(section: str, key: str) -> Any:
    """One scalar setting, e.g. setting("pdf", "ocr_dpi"); its default is in the schema."""
    return current().setting(section, key)


def section(name: str) -> dict[str, Any]:
    """A whole section of layout.yaml, e.g. section("html_meta")."""
    return current().settings[name]
