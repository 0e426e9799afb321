"""All number parsing: numerals and quantities (a number with its measure word).

Two layers:

- `parse_numeral` turns one numeral as written into an exact `Decimal`:
  Arabic ("12,345.67"), Chinese ("一亿零五十万", "二〇二五", financial 壹贰叁),
  and the mixed forms reports are full of ("16.4亿", "3万4000").
- `find_quantities` scans a whole text once with a single compiled pattern and
  returns every number that is followed by a measure word, plus every
  percentage and percentage-point change, with exact spans.

A number is only a quantity when a measure word (rules/units.yaml) follows it,
so years, dates, article numbers and identifiers never match: 年/月/日/号/届/是
are not measure words. Chinese numeral characters are also ordinary word parts
(进一步, 统一, 万一), which is why a Chinese numeral run must start with a digit
or 十 and be directly followed by its measure word.
"""
from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Iterable, Mapping
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal

import regex

from .records import Quantity

log = logging.getLogger(__name__)

__all__ = ["NUMERAL", "NUMERAL_RE", "arabic_years", "find_quantities", "parse_numeral"]

# A private context, exact for any numeral (a 61-digit run must not raise or
# round: pipeline.contract drops what the outputs cannot hold), and we must
# not touch the thread's global decimal context.
_CTX = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_ONE = Decimal(1)

# --- characters ----------------------------------------------------------------------

_CN_DIGIT_VALUES = {
    "零": 0, "〇": 0,
    "一": 1, "壹": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
_CN_SMALL_VALUES = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG_VALUES = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_ZEROS = "零〇"
# the financial forms (大写), written in amounts: 壹万贰仟元
_FINANCIAL = frozenset("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟")

_D = "0-9０-９"  # Arabic digits, ASCII and full-width (PDF text has both)
_CN_DIGITS = "".join(_CN_DIGIT_VALUES)
# 两 is a digit but never part of a digit string like 二〇二五.
_CN_PLAIN_DIGITS = "".join(c for c in _CN_DIGIT_VALUES if c not in "两兩")
# A Chinese numeral may not start with 零/〇 (零件, 零投诉) nor with a bare
# 百/千/万/亿 (百姓, 千家万户, 万一).
_CN_START = "".join(c for c in _CN_DIGIT_VALUES if c not in _ZEROS) + "十拾"
_MAG = "百佰千仟万萬亿億"
_BIG_MAG = "万萬亿億"
_CN_ALL = _CN_DIGITS + "十拾" + _MAG

_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")

# --- the numeral token ---------------------------------------------------------------

# Thousands separators only when exactly 3 digits follow ("1,234" but not the
# "1,2345" of a list); a decimal point only between digits. Atomic so a long
# digit run is never re-split while the engine backtracks.
_ARABIC = rf"(?>[{_D}]{{1,3}}(?:,[{_D}]{{3}}(?![{_D}]))+|[{_D}]+)(?:[.．][{_D}]+)?"
# "1.2万", "16.4亿", "3千万", "3万4000". The repeats are bounded: a real
# numeral has at most a few magnitude groups (1亿2345万6789), and unbounded
# ones made "1万1万1万…" quadratic (every "1" starts a match that runs to the
# end of the run before failing: 48 KB took 503 s).
_MAX_GROUPS = 6
_MIXED = rf"{_ARABIC}(?:[{_MAG}]{{1,{_MAX_GROUPS}}}{_ARABIC}){{0,{_MAX_GROUPS}}}[{_MAG}]{{0,{_MAX_GROUPS}}}"
# "一亿零五十万", "十四", "二〇二五", "十二点五". Bounded like the Arabic form's
# groups: the longest real numeral (三千二百五十四亿六千七百八十九万零一百二十三)
# is 22 characters, and an unbounded run was tried back from its end, one
# measure-word test per character.
_CN_MAX = 40
_CN = rf"[{_CN_START}][{_CN_ALL}]{{0,{_CN_MAX}}}(?:点[{_CN_PLAIN_DIGITS}]{{1,{_CN_MAX}}}[{_BIG_MAG}]{{0,{_MAX_GROUPS}}})?"

# Never start inside another number: not after a digit, nor after "1." / "1,"
# of a decimal or grouped number, nor after another Chinese numeral character.
# Nor after "3万" (the 4000 of 3万4000): with the bounded repeats above, this
# makes a run of "1万1万…" one failed start instead of one per "1".
_ARABIC_LEFT = rf"(?<![{_D}])(?<![{_D}][.．,])(?<![{_D}][{_MAG}]{{1,{_MAX_GROUPS}}})"
_CN_LEFT = rf"(?<![{_CN_ALL}])"

NUMERAL = rf"(?:{_ARABIC_LEFT}{_MIXED}|{_CN_LEFT}{_CN})"
"""One numeral token (no capture groups, safe to embed in other patterns).

Arabic with optional thousands separators and decimals, optionally with
magnitude characters (1.2万, 3万4000); or a run of Chinese numeral characters
starting with a digit or 十. Bare 百/千 (百分之百, 逾千人) are not matched on
their own: they are words as often as numbers.
"""
NUMERAL_RE = regex.compile(NUMERAL)

_ARABIC_FULL_RE = regex.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_ARABIC_TOKEN_RE = regex.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3}(?![0-9]))+|[0-9]+)(?:\.[0-9]+)?")
_FRACTION_RE = regex.compile(rf"([{_CN_PLAIN_DIGITS}]+)([{_BIG_MAG}]*)")


# --- parse_numeral -------------------------------------------------------------------

def parse_numeral(s: str) -> Decimal:
    """The exact value of one numeral; `ValueError` if `s` is not a numeral.

    >>> parse_numeral("16.4亿")
    Decimal('1640000000')
    """
    if not isinstance(s, str):
        raise ValueError(f"not a numeral: {s!r}")
    return _parse_cached(s)


# A year written in Chinese digits (二〇二三年, 一九九九年; ○ or an Arabic 0 for 〇,
# as typed or scanned in many documents), which titles and dates of the more
# formal reports use.
_CN_YEAR_RE = regex.compile(r"(?<![" + _CN_DIGITS + r"○0-9])((?:一九|二[〇○零0])[" + _CN_PLAIN_DIGITS
                            + r"○0]{2})(?=\s*年)")


def arabic_years(text: str) -> str:
    """`text` with each year in Chinese digits written in Arabic digits, same length.

    >>> arabic_years("宝鸡市统计局二〇二二年度法治政府建设情况报告")
    '宝鸡市统计局2022年度法治政府建设情况报告'
    >>> arabic_years("二○二四年一月")
    '2024年一月'
    >>> arabic_years("二0二三年2月15日")  # an Arabic 0 among Chinese digits
    '2023年2月15日'
    >>> arabic_years("十二年")  # no year: a count of years
    '十二年'
    """
    return _CN_YEAR_RE.sub(lambda m: "".join(str(_CN_DIGIT_VALUES.get(c, 0)) for c in m.group(1)), text)


@functools.lru_cache(maxsize=8192)
def _parse_cached(s: str) -> Decimal:
    # Cached: the same few hundred numerals recur across thousands of reports,
    # and Decimal is immutable so sharing results is safe.
    t = s.strip().translate(_FULLWIDTH)
    if not t:
        raise ValueError(f"not a numeral: {s!r}")
    if _ARABIC_FULL_RE.fullmatch(t):
        return _tidy(Decimal(t.replace(",", "")))
    if "点" in t:
        head, _, tail = t.partition("点")
        m = _FRACTION_RE.fullmatch(tail)
        if not head or m is None or not all(c in _CN_ALL for c in head):
            raise ValueError(f"not a numeral: {s!r}")
        whole = _evaluate(_tokens(head, s)) if head not in _ZEROS else Decimal(0)
        frac = Decimal("0." + "".join(str(_CN_DIGIT_VALUES[c]) for c in m.group(1)))
        value = _CTX.add(whole, frac)
        for c in m.group(2):
            value = _CTX.multiply(value, _CN_BIG_VALUES[c])
        return _tidy(value)
    if len(t) > 1 and all(c in _CN_PLAIN_DIGITS for c in t):
        # A string of single digits: 二〇二五 is 2025, not 2+0+2+5.
        return Decimal("".join(str(_CN_DIGIT_VALUES[c]) for c in t))
    return _tidy(_evaluate(_tokens(t, s)))


def _tidy(d: Decimal) -> Decimal:
    # 12000 rather than 12000.0 or 1.2E+4: same value, but the form a reader
    # (and to_dict) expects.
    if d == d.to_integral_value():
        return d.quantize(_ONE, context=_CTX)
    return d.normalize(_CTX)


# Token kinds of the numeral grammar.
_NUM, _ZERO, _SMALL, _BIG = range(4)


def _tokens(t: str, original: str) -> list[tuple[int, Decimal, bool]]:
    """(kind, value, is_arabic) for each token; Arabic runs are one token."""
    out: list[tuple[int, Decimal, bool]] = []
    i = 0
    while i < len(t):
        c = t[i]
        if "0" <= c <= "9":
            m = _ARABIC_TOKEN_RE.match(t, i)
            assert m is not None
            out.append((_NUM, Decimal(m.group().replace(",", "")), True))
            i = m.end()
            continue
        if c in _ZEROS:
            out.append((_ZERO, Decimal(0), False))
        elif c in _CN_DIGIT_VALUES:
            out.append((_NUM, Decimal(_CN_DIGIT_VALUES[c]), False))
        elif c in _CN_SMALL_VALUES:
            out.append((_SMALL, Decimal(_CN_SMALL_VALUES[c]), False))
        elif c in _CN_BIG_VALUES:
            out.append((_BIG, Decimal(_CN_BIG_VALUES[c]), False))
        else:
            raise ValueError(f"not a numeral: {original!r}")
        i += 1
    return out


def _evaluate(tokens: list[tuple[int, Decimal, bool]]) -> Decimal:
    """Value of a tokenised Chinese or mixed numeral.

    Works section by section: 十/百/千 build a value below 10^4, 万/亿 close a
    section and multiply it together with any lower sections already closed
    (so 一万亿 is 10^12 and 三万四千亿 is 3.4×10^12).
    """
    if not tokens:
        raise ValueError("empty numeral")
    if len(tokens) == 1 and tokens[0][0] == _ZERO:
        return Decimal(0)
    if tokens[0][0] == _ZERO:
        raise ValueError("numeral starts with 零")

    stack: list[tuple[Decimal, Decimal]] = []  # closed sections: (value, effective unit)
    section = Decimal(0)
    last_small = Decimal(10**4)  # small units must fall within a section
    pending: Decimal | None = None
    pending_arabic = False
    zero = False  # a 零 since the last unit: no "一百五" shorthand then
    last_unit: Decimal | None = None  # unit right before the pending digit
    last_unit_small = False

    def fail(why: str) -> ValueError:
        return ValueError(f"malformed numeral: {why}")

    for pos, (kind, val, arabic) in enumerate(tokens):
        if kind == _NUM:
            if pending is not None:
                raise fail("two numbers without a unit between them")
            pending, pending_arabic = val, arabic
        elif kind == _ZERO:
            if pending is not None:
                raise fail("零 right after a digit")
            zero = True
        elif kind == _SMALL:
            if val >= last_small:
                raise fail("units out of order")
            if pending is None:
                # Bare 十 is normal anywhere (十四, 一百零十); bare 百/千 only
                # as the whole start (百分之百, 逾千人).
                if val != 10 and pos != 0:
                    raise fail("unit without a digit")
                mult = _ONE
            else:
                if pending_arabic and not (0 < pending < 10):
                    raise fail("an Arabic number before 十/百/千 must be below 10")
                mult = pending
            section = _CTX.add(section, _CTX.multiply(mult, val))
            last_small = val
            pending, zero = None, False
            last_unit, last_unit_small = val, True
        else:  # _BIG
            if pending is not None and last_unit_small and last_unit is not None \
                    and last_unit > 10 and not zero:
                # 一千五万: the digit after 千 has no unit of its own.
                raise fail("digit without a unit before 万/亿")
            base = _CTX.add(section, pending or 0)
            absorbed = [e for e in stack if e[1] < val]
            stack = [e for e in stack if e[1] >= val]
            if pending is None and section == 0 and not absorbed:
                raise fail("万/亿 without a number")
            eff = val
            for _, u in absorbed:
                eff = max(eff, _CTX.multiply(val, u))
            total = base
            for v, _ in absorbed:
                total = _CTX.add(total, v)
            value = _CTX.multiply(total, val)
            if stack and (stack[-1][1] <= eff or value >= stack[-1][1]):
                raise fail("万/亿 sections out of order")
            stack.append((value, eff))
            section = Decimal(0)
            last_small = Decimal(10**4)
            pending, zero = None, False
            last_unit, last_unit_small = eff, False

    if zero and pending is None:
        raise fail("numeral ends with 零")
    if pending is not None:
        if last_unit is not None and not zero and not pending_arabic and last_unit > 10:
            # Shorthand: 一百五 = 150, 两万五 = 25000 (the digit takes the next unit down).
            pending = _CTX.multiply(pending, _CTX.divide(last_unit, 10))
        elif last_unit is not None and pending_arabic and last_unit_small:
            raise fail("an Arabic number after 十/百/千")
        section = _CTX.add(section, pending)
    if stack and section >= stack[-1][1]:
        raise fail("the last section is too large")
    total = section
    for v, _ in stack:
        total = _CTX.add(total, v)
    return total


# --- quantities ----------------------------------------------------------------------

# Range connectors: 3至5次, 3-5次, 3—5次, 3~5次, 3～5次, 3到5次.
_CONN = r"(?:至|到|[-—–－~～〜]{1,2})"
_SP = r"[ \t]*"  # ASCII spaces in PDF text ("30 项")

# Qualifiers before the number. Lookbehinds keep words that merely end in the
# character: 节约/制约 (save/constrain) and 最近/附近 (recent/nearby).
# 不少于/不低于 (at least) and 不超过 (at most) bound a target: 新增就业不少于28万人.
_PRE = (r"(?P<pre>不少于|不低于|不超过|超过|大约|将近|接近|逾|(?<!赶)超|(?<![节制公契预违履签邀合])约|"
        r"(?<![最附临])近)")
_PRE_QUALIFIER = {"超过": "over", "逾": "over", "超": "over", "大约": "about", "约": "about",
                  "将近": "nearly", "接近": "nearly", "近": "nearly",
                  "不少于": "over", "不低于": "over", "不超过": "within"}
_SUF = r"(?P<suf>及以上|以上|左右|以内|以下)"
_SUF_QUALIFIER = {"及以上": "over", "以上": "over", "左右": "about", "以内": "within", "以下": "within"}

# Characters that make a following Chinese numeral part of a word or an
# ordinal: 第一, 统一(部署), 唯一, 逐一, 每一, 这一, 那一, 另一, (三分)之一;
# and 同一(部门), but not the 同 of 合同 (合同三份 is a count).
_CN_WORD_BEFORE = "第统唯逐每这那另之"
_CN_WORD_BEFORE_2 = r"(?<!(?<!合)同)"
# Numeral + measure word that are one word, not a count: 一部分, 一起 (together;
# but 一起案件/一起事故 is a count), 一件事 (the 高效办成一件事 reform).
_CN_IDIOM = r"(?!一(?:部分|起(?![案事])|件事))"
# 数十/数百 means "several tens"; but in 人数/件数/总数 the 数 belongs to the
# word before (人数十余万 is 人数 + 十余万).
_SHU_WORD_BEFORE = "总半多少无倍指分系基参函"

_PCT_UNITS = {"%": "%", "％": "%", "个百分点": "pp", "百分点": "pp"}
_PCT_CLASS = {"%": "percent", "pp": "points"}


def _numx(i: int, first: bool, shu_block: str) -> str:
    """Pattern of one number with its inner qualifier and magnitude.

    Groups: a{i} (几/数 prefix), n{i} (numeral), q{i} (余/多/几), m{i} (magnitude
    after 余: 十余万). `first` adds the left-context guards, which a second
    number of a range (after 至/-) must not have.
    """
    q = rf"(?P<q{i}>[余多]|(?<=[十拾])几)"
    guard = ""
    cn_left = _CN_LEFT
    if first:
        # 第3批, 第 3 批, 每10万人, and the second half of a range that did
        # not match as a whole (第2-3次).
        guard = (rf"(?<!第{_SP})(?<!每{_SP})"
                 rf"(?<![{_D}{_CN_ALL}]{_SP}{_CONN}{_SP})")
        cn_left = rf"(?<![{_CN_ALL}{_CN_WORD_BEFORE}]){_CN_WORD_BEFORE_2}{_CN_IDIOM}"
    bare_mag = ""
    if first:
        # 逾千人, 近百人, 超万亿元, 近亿元: a bare 百/千/万/亿 is a number only after a qualifier.
        bare_mag = rf"|(?(pre)[百佰千仟万萬亿億][{_CN_ALL}]{{0,{_CN_MAX}}}|(?!))"
    return (
        rf"{guard}(?:"
        rf"(?P<a{i}>(?<![{shu_block}])数|几)(?P<n{i}>[十拾百佰千仟万萬亿億]{{1,{_MAX_GROUPS}}})(?P<q{i}>[余多])?"
        rf"|(?P<n{i}>{_ARABIC_LEFT}{_MIXED}|{cn_left}{_CN}{bare_mag})"
        rf"(?:{q}(?P<m{i}>[{_BIG_MAG}]{{1,{_MAX_GROUPS}}})?)?"
        rf")"
    )


@functools.lru_cache(maxsize=32)
def _quantity_re(units: tuple[tuple[str, str], ...], not_before: tuple[str, ...]) -> regex.Pattern:
    words = sorted({u for u, _ in units if u}, key=lambda u: (-len(u), u))  # longest first
    measure = "|".join(regex.escape(u) for u in words) or r"(?!)"
    nb = "".join(sorted(set("".join(not_before))))
    nb_guard = rf"(?![{regex.escape(nb)}])" if nb else ""
    unit = rf"(?:个百分点|百分点|[%％]|(?:{measure}){nb_guard})"
    # 数 directly after a measure word is the 数 of 人数/次数 etc.
    shu_block = regex.escape("".join(sorted({u[-1] for u in words} | set(_SHU_WORD_BEFORE))))
    pnum = rf"(?:{NUMERAL}|零(?:点[{_CN_PLAIN_DIGITS}]+)?|百)"
    percent = (
        rf"(?<![{_CN_ALL}])(?P<pct>百分之){_SP}(?P<n1>{pnum})"
        rf"(?:{_SP}{_CONN}{_SP}(?:百分之{_SP})?(?P<n2>{pnum}))?"
    )
    counted = (
        rf"{_numx(1, True, shu_block)}"
        rf"(?:{_SP}(?:(?P<u1>{unit}){_SP})?{_CONN}{_SP}{_numx(2, False, shu_block)}{_SP}"
        rf"(?(u1)(?P<unit>(?P=u1))|(?P<unit>{unit}))"
        rf"|{_SP}(?P<unit>{unit}))"
    )
    first_chars = regex.escape("不超大将接逾约近百几数" + _CN_START) + _D
    pattern = (
        rf"(?=[{first_chars}])"  # cheap filter: most positions fail here
        # no match starts at a digit right after a digit, nor at a Chinese
        # numeral character right after one: said once here, so a long run
        # costs one test per character, not every branch's guards
        rf"(?:(?<![{_D}])|(?![{_D}]))(?:(?<![{_CN_ALL}])|(?![{_CN_ALL}]))"
        rf"(?:{_PRE}{_SP})?(?:{percent}|{counted})(?:{_SP}{_SUF})?"
    )
    return regex.compile(pattern)


def find_quantities(text: str, units: Mapping[str, str],
                    not_before: Iterable[str] = ()) -> list[Quantity]:
    """Every number with a measure word, percentage and percentage-point change.

    `units` maps measure words to unit classes (longest wins: 人次 over 人);
    `not_before` lists characters that make a measure word the start of a
    longer word (一次性, 一体化). Results are in text order, non-overlapping.
    """
    units_key = tuple(sorted(units.items()))
    rx = _quantity_re(units_key, tuple(sorted(set(not_before))))
    out: list[Quantity] = []
    for m in rx.finditer(text):
        try:
            out.append(_quantity(m, units))
        except ValueError as exc:
            log.debug("not a quantity %r at %d: %s", m.group(), m.start(), exc)
    return out


def _magnitude(chars: str | None) -> Decimal:
    value = _ONE
    for c in chars or "":
        value = _CTX.multiply(value, _CN_BIG_VALUES[c])
    return value


def _trailing_magnitude(numeral: str) -> Decimal:
    """10^4 for "5万", 10^7 for "5千万": what a bare lower bound (3至5万) shares."""
    value = _ONE
    for c in reversed(numeral):
        if c in _CN_BIG_VALUES:
            value = _CTX.multiply(value, _CN_BIG_VALUES[c])
        elif c in _CN_SMALL_VALUES and c not in "十拾":
            value = _CTX.multiply(value, _CN_SMALL_VALUES[c])
        else:
            break
    return value


_CN_PLAIN_SET = frozenset(_CN_PLAIN_DIGITS)
_MAG_SET = frozenset(_MAG)


def _number(m: regex.Match, g: dict[str, str | None], i: int) -> tuple[Decimal, str | None, int, int, bool]:
    """(value, qualifier, start, end, has_magnitude) of number i of a match."""
    # `g` is m.groupdict(): one call instead of a dozen m.group() calls, which
    # dominate the cost on number-dense text.
    numeral = g[f"n{i}"]
    if numeral is None:
        raise ValueError("no numeral")
    start, end = m.span(f"n{i}")
    qual = None
    if g[f"a{i}"]:
        # 几十/数百万: "some tens" → at least 10.
        value = parse_numeral("一" + numeral)
        start = m.start(f"a{i}")
        qual = "over"
    else:
        if len(numeral) > 1 and _CN_PLAIN_SET.issuperset(numeral):
            # 二〇二五 is a year, 三五个 an approximate range: not one count.
            raise ValueError("Chinese digit string")
        if len(numeral) == 1 and numeral in _FINANCIAL and not g[f"m{i}"]:
            # 执法队伍组建, 陆续, 大陆: a lone financial digit is a word
            raise ValueError("a lone financial digit")
        # 近万人, 超万亿元: a bare 万 (only after a qualifier, see _numx) is one 万
        value = parse_numeral("一" + numeral if numeral[0] in _BIG_MAG else numeral)
    mag = g[f"m{i}"]
    if g[f"q{i}"]:
        qual = "over"
        if mag:
            # 十余万: the magnitude comes after the qualifier.
            value = _tidy(_CTX.multiply(value, _magnitude(mag)))
            end = m.end(f"m{i}")
    has_mag = bool(mag) or not _MAG_SET.isdisjoint(numeral)
    return value, qual, start, end, has_mag


def _quantity(m: regex.Match, units: Mapping[str, str]) -> Quantity:
    g = m.groupdict()
    low, q_low, start, end, low_mag = _number(m, g, 1)
    high = None
    q_high = None
    if g["n2"] is not None:
        high, q_high, _, end, _ = _number(m, g, 2)
        mag = _trailing_magnitude(g["n2"])
        if not low_mag and mag > 1 and low < _CTX.divide(high, mag):
            # 3至5万元: the lower bound shares the magnitude of the upper one.
            low = _tidy(_CTX.multiply(low, mag))
        if not low < high:
            raise ValueError("range bounds not increasing")
    if g["pct"]:
        unit, unit_class = "%", "percent"
    else:
        written = g["unit"]
        if written in _PCT_UNITS:
            unit = _PCT_UNITS[written]
            unit_class = _PCT_CLASS[unit]
        else:
            # interned: one string per measure word, not one per quantity
            # (a 1-character str is 76 bytes, kept by every indicator)
            unit, unit_class = sys.intern(written), units[written]
    if g["pre"]:
        qualifier = _PRE_QUALIFIER[g["pre"]]
    elif q_low or q_high:
        qualifier = q_low or q_high
    elif g["suf"]:
        qualifier = _SUF_QUALIFIER[g["suf"]]
    else:
        qualifier = None
    return Quantity(
        span=(m.start(), m.end()),
        text=m.group(),
        number_span=(start, end),
        value=low,
        unit=unit,
        unit_class=unit_class,
        value_high=high,
        qualifier=qualifier,
    )
