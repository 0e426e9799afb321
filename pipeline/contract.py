"""What the output contract can hold, defined once.

Every value written (JSON, CSV, Parquet) must fit the Parquet column type
`decimal128(VALUE_PRECISION, VALUE_SCALE)`: at most `VALUE_INTEGER_DIGITS`
digits before the point and `VALUE_SCALE` after it. That is far beyond any
real figure (10^28 yuan; a rate to ten decimals), so a value outside it is a
digit run or a misread, never a fact: the indicator is dropped, and the
report's warnings name it. Checking here, where the indicators are built,
keeps one document's absurd number from failing the document or the batch
later in a writer.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, TypeVar

VALUE_INTEGER_DIGITS = 28
VALUE_SCALE = 10
VALUE_PRECISION = VALUE_INTEGER_DIGITS + VALUE_SCALE  # 38: the widest decimal128

T = TypeVar("T")


def value_fits(value: Decimal | None) -> bool:
    """True when `value` is None or finite with at most 28 integer digits and 10 decimals."""
    if value is None:
        return True
    if not value.is_finite():
        return False
    if value.is_zero():
        return True
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    integer_digits = value.adjusted() + 1  # digits before the point (<= 0 for 0.0x)
    return integer_digits <= VALUE_INTEGER_DIGITS and -exponent <= VALUE_SCALE


def scale_of(value: Decimal) -> int:
    """Decimals `value` needs (0 for whole numbers)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def within_contract(indicators: Iterable[T]) -> tuple[list[T], list[str]]:
    """The indicators whose value and value_high fit, and a warning per one dropped."""
    kept: list[T] = []
    warnings: list[str] = []
    for ind in indicators:
        value, high = getattr(ind, "value"), getattr(ind, "value_high", None)
        if value_fits(value) and value_fits(high):
            kept.append(ind)
            continue
        span = getattr(ind, "span", None)
        where = f" at {span[0]}-{span[1]}" if span else ""
        text = str(getattr(ind, "text", ""))
        shown = text if len(text) <= 80 else text[:77] + "…"
        warnings.append(f"value out of range (at most {VALUE_INTEGER_DIGITS} integer digits and {VALUE_SCALE} "
                        f"decimals), not kept: {shown!r}{where}")
    return kept, warnings
