"""Load `rules/layout.yaml`, the readers' layout data (page numbers, chrome).

An installed wheel carries the rules inside the package (`pipeline/rules`);
a source checkout keeps them in `rules/` next to the package. The lead's
rules loader may replace this helper later.
"""
from __future__ import annotations

import functools
import importlib.resources
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import RulesError

LAYOUT_FILE = "layout.yaml"


def _find(name: str) -> tuple[str, str]:
    """(shown path, file text) of a rules file, packaged copy first."""
    try:
        packaged = importlib.resources.files("pipeline") / "rules" / name
        if packaged.is_file():
            return str(packaged), packaged.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, TypeError):
        pass
    checkout = Path(__file__).resolve().parents[2] / "rules" / name
    if not checkout.is_file():
        raise RulesError(str(checkout), None, "rules file not found (neither packaged nor in the source checkout)")
    return str(checkout), checkout.read_text(encoding="utf-8")


@functools.cache
def layout() -> dict[str, Any]:
    """The parsed layout rules (read once per process)."""
    shown, text = _find(LAYOUT_FILE)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(shown, None, f"not valid YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise RulesError(shown, None, "expected a mapping at the top level")
    return data


@functools.cache
def patterns(key: str, sub: str | None = None) -> tuple[re.Pattern[str], ...]:
    """Compiled regexes listed under `key` (or `key.sub`) in layout.yaml."""
    shown, _ = _find(LAYOUT_FILE)
    node: Any = layout().get(key)
    if sub is not None:
        node = node.get(sub) if isinstance(node, dict) else None
    name = key if sub is None else f"{key}.{sub}"
    if not isinstance(node, list):
        raise RulesError(shown, name, "expected a list of regular expressions")
    compiled = []
    for item in node:
        try:
            compiled.append(re.compile(str(item)))
        except re.error as exc:
            raise RulesError(shown, name, f"bad regular expression {item!r}: {exc}") from None
    return tuple(compiled)


def setting(section: str, key: str, default: Any) -> Any:
    """One scalar setting, e.g. setting("pdf", "ocr_dpi", 300)."""
    node = layout().get(section)
    if isinstance(node, dict) and key in node:
        return node[key]
    return default
