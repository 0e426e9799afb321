"""Tests of pipeline.numbers: numerals, the numeral token, quantities."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.numbers import NUMERAL, NUMERAL_RE, find_quantities, parse_numeral

RULES = Path(__file__).resolve().parents[1] / "rules" / "units.yaml"


def _load_units() -> tuple[dict[str, str], list[str]]:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    units = {word: cls for cls, words in data["units"].items() for word in words}
    return units, list(data.get("not_before", []))


UNITS, NOT_BEFORE = _load_units()


def find(text: str):
    return find_quantities(text, UNITS, NOT_BEFORE)


def _check_spans(text: str, quantities) -> None:
    for q in quantities:
        assert text[q.span[0]:q.span[1]] == q.text
        assert q.span[0] <= q.number_span[0] < q.number_span[1] <= q.span[1]
        assert isinstance(q.value, Decimal)
        assert q.value_high is None or isinstance(q.value_high, Decimal)
    for a, b in zip(quantities, quantities[1:]):
        assert a.span[1] <= b.span[0], "quantities overlap or are out of order"


# --- parse_numeral -------------------------------------------------------------------

NUMERALS = [
    # Arabic
    ("0", "0"), ("7", "7"), ("274", "274"), ("1,234", "1234"), ("12,345.67", "12345.67"),
    ("1,234,567", "1234567"), ("1.26", "1.26"), ("0.5", "0.5"), ("18.88", "18.88"),
    ("１２", "12"), ("１２．５", "12.5"),
    # Chinese
    ("零", "0"), ("〇", "0"), ("一", "1"), ("十", "10"), ("十四", "14"), ("一十四", "14"),
    ("二十", "20"), ("一百二十", "120"), ("一百零五", "105"), ("一百一十", "110"),
    ("一千零五", "1005"), ("一千零五十", "1050"), ("两千", "2000"), ("两百", "200"),
    ("三万四千", "34000"), ("十万零一千", "101000"), ("十万一千", "101000"),
    ("一万零五", "10005"), ("一亿零五十万", "100500000"), ("一亿五千万", "150000000"),
    ("一万亿", "1000000000000"), ("三万四千亿", "3400000000000"),
    ("两亿", "200000000"), ("两万", "20000"),
    ("九千九百九十九亿九千九百九十九万九千九百九十九", "999999999999"),
    ("百", "100"), ("千", "1000"),
    ("二〇二五", "2025"), ("二零二五", "2025"), ("一二三", "123"),
    ("壹仟贰佰叁拾肆", "1234"), ("伍万", "50000"), ("玖佰", "900"), ("拾", "10"),
    # shorthand: the last digit takes the next unit down
    ("一百五", "150"), ("两万五", "25000"), ("三千五", "3500"),
    # Chinese decimals
    ("零点五", "0.5"), ("十二点五", "12.5"), ("一点二万", "12000"),
    # mixed
    ("1.2万", "12000"), ("3万4000", "34000"), ("3万4千", "34000"), ("16.4亿", "1640000000"),
    ("4.1万", "41000"), ("392万", "3920000"), ("9.5万", "95000"), ("2841万", "28410000"),
    ("3千", "3000"), ("3千万", "30000000"), ("1.2万亿", "1200000000000"),
    ("1万2千", "12000"), ("1,234万", "12340000"), ("0.5万", "5000"),
    # surrounding whitespace is not part of the numeral
    (" 12 ", "12"),
]


@pytest.mark.parametrize(("text", "expected"), NUMERALS)
def test_parse_numeral(text: str, expected: str) -> None:
    value = parse_numeral(text)
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)
    # Exact and tidy: 16.4亿 is 1640000000, not 1.64E+9 nor 1640000000.0
    assert str(value) == expected


NOT_NUMERALS = [
    "", " ", "abc", "1,23", "1,2345", "1.", ".5", "1.2.3", "-3", "100%", "3次",
    "十十", "一二三十", "万", "亿", "一亿万", "一万一万", "3千5万", "一千五万",
    "第一", "三分之一", "百分之五", "零五十", "12千", "1,2万x", "一十百", "五千零",
]


@pytest.mark.parametrize("text", NOT_NUMERALS)
def test_parse_numeral_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_numeral(text)


# --- the numeral token ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "tokens"), [
    ("共1,234件", ["1,234"]),
    ("12,345.67元", ["12,345.67"]),
    ("1,2345", ["1"]),  # not a thousands separator: no token may start inside 1,2345
    ("3.5亿元", ["3.5亿"]),
    ("1.2.3", ["1.2"]),
    ("3万4000人", ["3万4000"]),
    ("一亿零五十万元", ["一亿零五十万"]),
    ("进一步", ["一"]),  # a token only; find_quantities decides what is a quantity
    ("百姓", []),
    ("零件", []),
    ("3. 建立", ["3"]),
])
def test_numeral_token(text: str, tokens: list[str]) -> None:
    assert [m.group() for m in NUMERAL_RE.finditer(text)] == tokens
    assert isinstance(NUMERAL, str)


# --- find_quantities: positive table ----------------------------------------------------

# (text, quantity text, value, value_high, unit, unit_class, qualifier)
QUANTITIES = [
    ("开展3次", "3次", "3", None, "次", "count", None),
    ("办结建议提案274件。", "274件", "274", None, "件", "count", None),
    ("列席2人次", "2人次", "2", None, "人次", "people", None),
    ("1.2万件", "1.2万件", "12000", None, "件", "count", None),
    ("120万元", "120万元", "1200000", None, "元", "money", None),
    ("3.5亿元", "3.5亿元", "350000000", None, "元", "money", None),
    ("16.4亿元", "16.4亿元", "1640000000", None, "元", "money", None),
    ("12,345.67元", "12,345.67元", "12345.67", None, "元", "money", None),
    ("1,234件", "1,234件", "1234", None, "件", "count", None),
    ("12345件", "12345件", "12345", None, "件", "count", None),
    ("10个工作日", "10个工作日", "10", None, "个工作日", "duration", None),
    ("3个月", "3个月", "3", None, "个月", "duration", None),
    ("3个", "3个", "3", None, "个", "count", None),
    ("24小时", "24小时", "24", None, "小时", "duration", None),
    ("3万4000人", "3万4000人", "34000", None, "人", "people", None),
    ("2841万元", "2841万元", "28410000", None, "元", "money", None),
    ("3千元", "3千元", "3000", None, "元", "money", None),
    ("１２件", "１２件", "12", None, "件", "count", None),
    # Chinese numerals
    ("十四次", "十四次", "14", None, "次", "count", None),
    ("一百二十人", "一百二十人", "120", None, "人", "people", None),
    ("一千零五件", "一千零五件", "1005", None, "件", "count", None),
    ("两千份", "两千份", "2000", None, "份", "count", None),
    ("三万四千人", "三万四千人", "34000", None, "人", "people", None),
    ("十万零一千元", "十万零一千元", "101000", None, "元", "money", None),
    ("一亿零五十万元", "一亿零五十万元", "100500000", None, "元", "money", None),
    ("两批", "两批", "2", None, "批", "count", None),
    ("一批", "一批", "1", None, "批", "count", None),
    ("召开一次", "一次", "1", None, "次", "count", None),
    ("签订合同三份", "三份", "3", None, "份", "count", None),
    ("办理一起案件", "一起", "1", None, "起", "count", None),
    # percentages
    ("100%", "100%", "100", None, "%", "percent", None),
    ("98.5％", "98.5％", "98.5", None, "%", "percent", None),
    ("１２．５％", "１２．５％", "12.5", None, "%", "percent", None),
    ("百分之九十五", "百分之九十五", "95", None, "%", "percent", None),
    ("百分之百", "百分之百", "100", None, "%", "percent", None),
    ("百分之12.5", "百分之12.5", "12.5", None, "%", "percent", None),
    ("百分之 12.5", "百分之 12.5", "12.5", None, "%", "percent", None),
    ("百分之零点五", "百分之零点五", "0.5", None, "%", "percent", None),
    ("九十五%", "九十五%", "95", None, "%", "percent", None),
    # percentage points
    ("18.88个百分点", "18.88个百分点", "18.88", None, "pp", "points", None),
    ("3个百分点", "3个百分点", "3", None, "pp", "points", None),
    ("三个百分点", "三个百分点", "3", None, "pp", "points", None),
    ("2.5百分点", "2.5百分点", "2.5", None, "pp", "points", None),
    # qualifiers: 余/多/几 after the number or after the magnitude
    ("20余次", "20余次", "20", None, "次", "count", "over"),
    ("300余人次", "300余人次", "300", None, "人次", "people", "over"),
    ("9.5万余场", "9.5万余场", "95000", None, "场", "count", "over"),
    ("30多次", "30多次", "30", None, "次", "count", "over"),
    ("十余项", "十余项", "10", None, "项", "count", "over"),
    ("1.2万余次", "1.2万余次", "12000", None, "次", "count", "over"),
    ("392万余人次", "392万余人次", "3920000", None, "人次", "people", "over"),
    ("十余万人", "十余万人", "100000", None, "人", "people", "over"),
    ("五千余人", "五千余人", "5000", None, "人", "people", "over"),
    ("一百多人", "一百多人", "100", None, "人", "people", "over"),
    ("十几次", "十几次", "10", None, "次", "count", "over"),
    ("二十几个", "二十几个", "20", None, "个", "count", "over"),
    ("十几万人", "十几万人", "100000", None, "人", "people", "over"),
    ("几十次", "几十次", "10", None, "次", "count", "over"),
    ("开展数十场", "数十场", "10", None, "场", "count", "over"),
    ("数百万元", "数百万元", "1000000", None, "元", "money", "over"),
    ("参与人数十余万人", "十余万人", "100000", None, "人", "people", "over"),
    # qualifiers before the number
    ("超过90%", "超过90%", "90", None, "%", "percent", "over"),
    ("超过 90%", "超过 90%", "90", None, "%", "percent", "over"),
    ("超3次", "超3次", "3", None, "次", "count", "over"),
    ("逾200人", "逾200人", "200", None, "人", "people", "over"),
    ("逾千人", "逾千人", "1000", None, "人", "people", "over"),
    ("近千家企业", "近千家", "1000", None, "家", "count", "nearly"),
    ("约50人", "约50人", "50", None, "人", "people", "about"),
    ("大约200份", "大约200份", "200", None, "份", "count", "about"),
    ("近3000人", "近3000人", "3000", None, "人", "people", "nearly"),
    ("将近100件", "将近100件", "100", None, "件", "count", "nearly"),
    ("接近95%", "接近95%", "95", None, "%", "percent", "nearly"),
    ("近百分之九十", "近百分之九十", "90", None, "%", "percent", "nearly"),
    # qualifiers after the unit
    ("90%以上", "90%以上", "90", None, "%", "percent", "over"),
    ("3次以上", "3次以上", "3", None, "次", "count", "over"),
    ("3次及以上", "3次及以上", "3", None, "次", "count", "over"),
    ("3次 以上", "3次 以上", "3", None, "次", "count", "over"),
    ("百分之九十以上", "百分之九十以上", "90", None, "%", "percent", "over"),
    ("50人左右", "50人左右", "50", None, "人", "people", "about"),
    # words ending in a qualifier character are not qualifiers
    ("节约3万元", "3万元", "30000", None, "元", "money", None),
    ("最近3次", "3次", "3", None, "次", "count", None),
    # ranges
    ("3至5次", "3至5次", "3", "5", "次", "count", None),
    ("3-5次", "3-5次", "3", "5", "次", "count", None),
    ("3—5次", "3—5次", "3", "5", "次", "count", None),
    ("3~5次", "3~5次", "3", "5", "次", "count", None),
    ("3～5次", "3～5次", "3", "5", "次", "count", None),
    ("3到5次", "3到5次", "3", "5", "次", "count", None),
    ("三至五次", "三至五次", "3", "5", "次", "count", None),
    ("10%-15%", "10%-15%", "10", "15", "%", "percent", None),
    ("10-15%", "10-15%", "10", "15", "%", "percent", None),
    ("3次至5次", "3次至5次", "3", "5", "次", "count", None),
    ("3 次至 5 次", "3 次至 5 次", "3", "5", "次", "count", None),
    ("3至5万元", "3至5万元", "30000", "50000", "元", "money", None),
    ("1-2万人", "1-2万人", "10000", "20000", "人", "people", None),
    ("5000-2万人", "5000-2万人", "5000", "20000", "人", "people", None),
    ("1.2万至2万件", "1.2万至2万件", "12000", "20000", "件", "count", None),
    ("百分之十至十五", "百分之十至十五", "10", "15", "%", "percent", None),
    ("约3至5次", "约3至5次", "3", "5", "次", "count", "about"),
    # a space between number and unit (PDF text)
    ("30 项", "30 项", "30", None, "项", "count", None),
    ("共 30 项", "30 项", "30", None, "项", "count", None),
    # known gaps, kept visible
    # lengths: roads built, rivers patrolled
    ("全年巡查河道4300余公里", "4300余公里", "4300", None, "公里", "length", "over"),
    ("奖励伍万元", "伍万元", "50000", None, "元", "money", None),
    ("建成法治文化广场，面积4300余平方米", "4300余平方米", "4300", None, "平方米", "area", "over"),
    ("新增造林12.5万亩", "12.5万亩", "125000", None, "亩", "area", None),
    ("新改建农村公路120千米", "120千米", "120", None, "千米", "length", None),
    # a bare magnitude after a qualifier is one of it
    ("近万人", "近万人", "10000", None, "人", "people", "nearly"),
    ("服务群众逾万人次", "逾万人次", "10000", None, "人次", "people", "over"),
    ("贷款余额超万亿元", "超万亿元", "1000000000000", None, "元", "money", "over"),
    ("投资近亿元", "近亿元", "100000000", None, "元", "money", "nearly"),
    pytest.param("两三次", "两三次", "2", "3", "次", "count", "about",
                  marks=pytest.mark.xfail(reason="adjacent-digit approximations (两三, 三五) are not ranges yet")),
    pytest.param("上百次", "上百次", "100", None, "次", "count", "over",
                  marks=pytest.mark.xfail(reason="上 is too common to be a qualifier prefix")),
]


@pytest.mark.parametrize(("text", "qtext", "value", "high", "unit", "unit_class", "qualifier"), QUANTITIES)
def test_find_quantities(text, qtext, value, high, unit, unit_class, qualifier) -> None:
    found = find(text)
    _check_spans(text, found)
    assert len(found) == 1, found
    q = found[0]
    assert q.text == qtext
    assert q.value == Decimal(value)
    assert q.value_high == (Decimal(high) if high is not None else None)
    assert q.unit == unit
    assert q.unit_class == unit_class
    assert q.qualifier == qualifier
    numeral = text[q.number_span[0]:q.number_span[1]]
    assert numeral and numeral.strip() == numeral


@pytest.mark.parametrize(("text", "numeral"), [
    ("3次", "3"), ("20余次", "20"), ("9.5万余场", "9.5万"), ("十余万人", "十余万"), ("十几次", "十"),
    ("几十次", "几十"), ("百分之百", "百"), ("百分之九十五", "九十五"), ("超过90%", "90"),
    ("3至5次", "3至5"), ("30 项", "30"), ("18.88个百分点", "18.88"), ("逾千人", "千"),
])
def test_number_span(text: str, numeral: str) -> None:
    (q,) = find(text)
    assert text[q.number_span[0]:q.number_span[1]] == numeral


# --- find_quantities: negative table ---------------------------------------------------

NOT_QUANTITIES = [
    # ordinals
    "第一", "第37次常务会议", "第二十条", "第3批", "第 3 批", "第一批次", "第2-3次会议", "第一至三批",
    # years, dates, months, times
    "2025年", "2025年度", "3月", "3月29日", "2019年1月7日", "2021-2025年", "2021—2025 年",
    "2023-03-28", "20:30", "二〇二五年", "十二月份",
    # list markers and sessions
    "一是加强", "二是完善", "二十届四中全会", "十四五期间", "十四五规划",
    # numeral characters inside words
    "进一步", "统一", "统一部署", "统一组织", "同一部门", "一体化", "万一", "一次性", "个性化",
    "一部分群众", "一起研究", "高效办成一件事", "零件", "百姓", "千家万户", "三分之一", "贴近百姓",
    # identifiers
    "12345政府服务热线", "GB/T 2260", "〔2023〕76号", "V2", "1,2345次",
    # not a count
    "几次", "数次", "三五个", "每10万人", "每一项", "一点五倍",
    "约谈", "超期", "千人计划", "百万", "万人", "亿元", "千家万户", "万众一心",
    # a lone financial digit is a word: 队伍, 陆续
    "执法队伍组建时间较短", "陆续出台",
    # known gaps, kept visible
    pytest.param("四个意识", marks=pytest.mark.xfail(
        reason="political slogans with a measure word are counts to this module; stop phrases filter them")),
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_not_quantities(text: str) -> None:
    assert find(text) == []


def test_not_before_comes_from_the_caller() -> None:
    assert find_quantities("一次性", UNITS, ()) != []
    assert find_quantities("一次性", UNITS, ("性",)) == []
    assert find_quantities("3条例", UNITS, NOT_BEFORE) == []


def test_longest_unit_wins() -> None:
    (q,) = find("2人次")
    assert q.unit == "人次"
    (q,) = find("10个工作日")
    assert q.unit == "个工作日"
    (q,) = find("3个月")
    assert q.unit == "个月"
    # …whatever the order of the mapping
    reordered = dict(sorted(UNITS.items(), key=lambda kv: len(kv[0])))
    (q,) = find_quantities("2人次", reordered, NOT_BEFORE)
    assert q.unit == "人次"


def test_different_units_do_not_make_a_range() -> None:
    found = find("10%-15％")
    assert [(q.text, q.value_high) for q in found] == [("10%", None), ("15％", None)]


# --- realistic sentences -------------------------------------------------------------------

def test_sentence_with_several_quantities() -> None:
    text = ("处理信息公开申请60件、行政复议12件、行政诉讼6件，出庭应诉率达到100%，同比下降18.88个百分点，"
            "发放宣传材料400余份，受众392万余人次。")
    found = find(text)
    _check_spans(text, found)
    got = [(q.text, q.span, q.number_span, q.value, q.unit, q.unit_class, q.qualifier) for q in found]
    assert got == [
        ("60件", (8, 11), (8, 10), Decimal("60"), "件", "count", None),
        ("12件", (16, 19), (16, 18), Decimal("12"), "件", "count", None),
        ("6件", (24, 26), (24, 25), Decimal("6"), "件", "count", None),
        ("100%", (34, 38), (34, 37), Decimal("100"), "%", "percent", None),
        ("18.88个百分点", (43, 52), (43, 48), Decimal("18.88"), "pp", "points", None),
        ("400余份", (59, 64), (59, 62), Decimal("400"), "份", "count", "over"),
        ("392万余人次", (67, 74), (67, 71), Decimal("3920000"), "人次", "people", "over"),
    ]
    for q in found:
        assert text[q.span[0]:q.span[1]] == q.text
    assert [text[q.number_span[0]:q.number_span[1]] for q in found] == [
        "60", "12", "6", "100", "18.88", "400", "392万"]


def test_sentence_with_dates_and_ordinals() -> None:
    text = ("2025年3月29日，区政府第37次常务会议审议通过《规定》第二十条，一是进一步统一部署，"
            "2021-2025年累计开展3至5次培训，覆盖约50人，一次性解决十余项问题。")
    found = find(text)
    _check_spans(text, found)
    assert [(q.text, q.value, q.value_high, q.qualifier) for q in found] == [
        ("3至5次", Decimal(3), Decimal(5), None),
        ("约50人", Decimal(50), None, "about"),
        ("十余项", Decimal(10), None, "over"),
    ]


def test_corpus_report() -> None:
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    for path in sorted(corpus.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found = find(text)
        _check_spans(text, found)
        assert found


# --- property tests ---------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def _four(n: int, leading: bool, bare_ten: bool) -> str:
    """0 < n < 10000 in standard Chinese (零 for inner gaps, none at the end)."""
    out: list[str] = []
    started = gap = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            gap = started
            continue
        if gap:
            out.append("零")
            gap = False
        if unit == 10 and d == 1 and leading and not started and bare_ten:
            out.append("十")
        else:
            out.append(_DIGITS[d] + name)
        started = True
    return "".join(out)


def _big(n: int, leading: bool, bare_ten: bool) -> str:
    for unit, name in ((10**8, "亿"), (10**4, "万")):
        if n >= unit:
            hi, lo = divmod(n, unit)
            s = _big(hi, leading, bare_ten) + name
            if lo:
                if lo < unit // 10:
                    s += "零"  # a skipped leading digit of the lower part
                s += _big(lo, False, bare_ten)
            return s
    return _four(n, leading, bare_ten)


def to_chinese(n: int, bare_ten: bool = True, liang: bool = False) -> str:
    """Independent writer of standard Chinese numerals, for the round trip."""
    if n == 0:
        return "零"
    s = _big(n, True, bare_ten)
    if liang:
        # 两 for a lone 2 before 百/千/万/亿 (两万), never for the 2 of 二十二万.
        s = re.sub("(?<!十)二(?=[百千万亿])", "两", s)
    return s


@pytest.mark.parametrize(("n", "bare_ten", "liang", "expected"), [
    (14, True, False, "十四"), (14, False, False, "一十四"), (120, True, False, "一百二十"),
    (1005, True, False, "一千零五"), (2000, True, True, "两千"), (34000, True, False, "三万四千"),
    (100500000, True, False, "一亿零五十万"), (10**12, True, False, "一万亿"), (10010, True, False, "一万零一十"),
    (20, True, True, "二十"), (220000, True, True, "二十二万"), (200, True, True, "两百"),
])
def test_to_chinese_helper(n: int, bare_ten: bool, liang: bool, expected: str) -> None:
    assert to_chinese(n, bare_ten, liang) == expected


_INTS = st.one_of(st.integers(0, 10**4), st.integers(0, 10**8), st.integers(0, 10**12))


@settings(max_examples=500, deadline=None)
@given(n=_INTS, bare_ten=st.booleans(), liang=st.booleans())
def test_chinese_round_trip(n: int, bare_ten: bool, liang: bool) -> None:
    assert parse_numeral(to_chinese(n, bare_ten, liang)) == n


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 10**12), bare_ten=st.booleans(), liang=st.booleans())
def test_chinese_quantity_round_trip(n: int, bare_ten: bool, liang: bool) -> None:
    numeral = to_chinese(n, bare_ten, liang)
    text = f"全年办理{numeral}件。"
    (q,) = find(text)
    assert q.value == n
    assert q.text == numeral + "件"
    assert text[q.number_span[0]:q.number_span[1]] == numeral


@settings(max_examples=400, deadline=None)
@given(k=st.integers(0, 10**14), places=st.integers(0, 2), grouped=st.booleans())
def test_arabic_round_trip(k: int, places: int, grouped: bool) -> None:
    d = Decimal(k).scaleb(-places)
    written = f"{d:,}" if grouped else f"{d}"
    assert parse_numeral(written) == d
    text = f"共{written}元，"
    (q,) = find(text)
    assert q.value == d
    assert text[q.number_span[0]:q.number_span[1]] == written


@settings(max_examples=300, deadline=None)
@given(x=st.integers(0, 9999), y=st.integers(0, 99), mag=st.sampled_from(["万", "亿"]))
def test_mixed_round_trip(x: int, y: int, mag: str) -> None:
    written = f"{x}.{y}{mag}"
    expected = Decimal(f"{x}.{y}") * (10**4 if mag == "万" else 10**8)
    assert parse_numeral(written) == expected
    (q,) = find(f"投入{written}元")
    assert q.value == expected
    assert q.text == written + "元"
