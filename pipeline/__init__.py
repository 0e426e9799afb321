"""govreport: Chinese annual rule-of-law government reports as structured, traceable data.

    >>> import pipeline
    >>> report = pipeline.extract("corpus/nankai-gov-office-2025.txt")
    >>> report.indicators[0].indicator, report.indicators[0].value
    ('study_sessions', Decimal('14'))
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import GovreportError, InputError, RulesError  # noqa: E402
from .extract import extract  # noqa: E402
from .records import Finding, Indicator, Meta, Region, Report, Section, Source  # noqa: E402
from .rules import load_rules  # noqa: E402
from .store import load  # noqa: E402

__all__ = ["extract", "load_rules", "load", "Report", "Indicator", "Section", "Meta", "Region", "Source", "Finding",
           "GovreportError", "InputError", "RulesError", "__version__"]
