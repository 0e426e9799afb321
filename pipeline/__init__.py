r"""govreport: Chinese government reports (rule-of-law, information-disclosure and work reports) as structured, traceable data.

    >>> import pipeline
    >>> report = pipeline.extract_text("某区司法局2025年度法治政府建设情况报告\n全年组织集中学法8次，出庭应诉3次。")
    >>> [(i.indicator, i.value, i.unit) for i in report.indicators]
    [('study_sessions', Decimal('8'), '次'), ('court_appearances', Decimal('3'), '次')]

A file is read with `extract(path)`; a path that is not there is an error, never text:

    >>> pipeline.extract("no/such/report.txt")
    Traceback (most recent call last):
    pipeline.errors.MissingFile: E002 no/such/report.txt: no such file
"""
from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

# The names of the public API load on first use (PEP 562): `import pipeline`
# and `govreport --help` import nothing else, and each command imports only
# the modules it uses (tests/test_startup.py checks it).
_EXPORTS = {
    "extract": "extract", "extract_text": "extract",
    "load_rules": "rules",
    "load": "store",
    "Report": "records", "Indicator": "records", "Section": "records", "Meta": "records",
    "Region": "records", "Source": "records", "Finding": "records",
    "GovreportError": "errors", "InputError": "errors", "MissingFile": "errors", "RulesError": "errors",
}

__all__ = ["extract", "extract_text", "load_rules", "load", "Report", "Indicator", "Section", "Meta", "Region", "Source", "Finding",
           "GovreportError", "InputError", "MissingFile", "RulesError", "__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value
    if not name.startswith("__"):
        try:  # pipeline.records, pipeline.store … as attributes, as an eager package had them
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The submodule `pipeline.extract` must not replace the function
    `pipeline.extract`: importing a submodule sets it as an attribute of its
    package, which an eager `from .extract import extract` used to undo."""

    def __setattr__(self, name: str, value) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return  # the submodule stays reachable through sys.modules and imports
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
