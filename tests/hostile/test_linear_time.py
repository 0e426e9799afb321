"""Adversarial text runs in linear time (issue 10, point 3).

Not a benchmark (benchmarks/linear_time.py prints the time per MB): each case
only has to finish under a bound that a linear pipeline meets with a wide
margin (about 1 s here) and a quadratic one misses by far (the "1万" run
below took hours before). The bound is an alarm, so a regression fails the
test instead of hanging the suite.
"""
from __future__ import annotations

import signal
from contextlib import contextmanager

import pytest
import regex

from pipeline.numbers import find_quantities

from conftest import SAMPLE_REPORT

KB = 1024
BOUND_S = 60  # generous: a linear run takes about a second on a slow machine


@contextmanager
def deadline(seconds: int = BOUND_S):
    def expire(signum, frame):
        raise TimeoutError(f"did not finish in {seconds} s: super-linear?")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit.encode("utf-8")))


# (name, text of about 200 KB, quantities expected)
QUANTITY_CASES = [
    ("wan-run", repeat("1万", 200 * KB), 0),
    ("wan-wan-run", repeat("1万万", 200 * KB), 0),
    ("digit-run", repeat("1234567890", 200 * KB), 0),
    ("cn-numeral-run", repeat("一二三四五六七八九十百千万亿", 200 * KB), 0),
    ("range-run", repeat("1-", 200 * KB), 0),
    ("dense-quantities", repeat("1次", 50 * KB), len(repeat("1次", 50 * KB)) // 2),
]


@pytest.mark.parametrize("name,text,expected", QUANTITY_CASES, ids=[c[0] for c in QUANTITY_CASES])
def test_quantity_pattern_is_linear(rules, name, text, expected):
    with deadline():
        found = find_quantities(text, rules.units, rules.not_before)
    assert len(found) == expected


# A real numeral keeps its magnitude groups; a run of more than a numeral can
# hold is no quantity (as before the repeats were bounded).
NUMERAL_CASES = [
    ("3万4000件", ["3万4000件"]),
    ("1亿2345万6789元", ["1亿2345万6789元"]),
    ("1万1万1万1万1万1万1万1万次", []),
]


@pytest.mark.parametrize("text,expected", NUMERAL_CASES)
def test_bounded_numeral_groups(rules, text, expected):
    assert [q.text for q in find_quantities(text, rules.units, rules.not_before)] == expected


# --- the whole pipeline ----------------------------------------------------------------------

def _headings(n: int) -> str:
    return "".join(f"{i}.工作{i}\n（一）加强领导\n全年办理案件{i}件。一是学习，二是培训3次。\n" for i in range(1, n + 1))


# (name, text): 100-200 KB each, each once quadratic somewhere in extract
PIPELINE_CASES = [
    ("wan-run", repeat("1万", 200 * KB)),
    ("nested-brackets", "（" * 20_000 + "开展培训3次" + "）" * 20_000),
    ("digit-run", repeat("1234567890", 200 * KB)),
    ("cn-numeral-run", repeat("一二三四五六七八九十百千万亿", 200 * KB)),
    ("quotes-and-titles", repeat("“两张清单《条例", 200 * KB)),
    ("space-run", "1 -" + " " * (200 * KB) + "2次"),
    ("one-sentence", repeat("办理行政复议案件12件其中撤销3件同比增长5%培训干部30人次", 100 * KB)),
    ("one-clause-of-inline-headings", repeat("。一是学习培训3次", 100 * KB)),
    ("many-headings", _headings(800)),
    ("changes-in-one-sentence", repeat("同比增长1%和", 100 * KB)),
    ("dense-counts", repeat("受理案件3件，", 100 * KB)),
    ("one-line-without-punctuation", repeat(regex.sub(r"[\p{P}\s]", "", SAMPLE_REPORT), 200 * KB)),
    ("short-lines", repeat("加强组织领导\n", 200 * KB)),
]


@pytest.mark.parametrize("name,text", PIPELINE_CASES, ids=[c[0] for c in PIPELINE_CASES])
def test_pipeline_is_linear(rules, name, text):
    from pipeline.extract import extract_text

    with deadline():
        report = extract_text(text, rules)
    for ind in report.indicators:  # spans still exact
        assert report.text[ind.span[0]:ind.span[1]] == ind.text


# A document of many tables (a .docx of 600 tables held 25,000 cells): each
# number and each line was once tested against every table cell or row.
N_TABLE_ROWS = 40_000


def _table_document() -> tuple[str, tuple[tuple[int, int], ...]]:
    lines, rows, pos = [], [], 0
    for i in range(N_TABLE_ROWS):
        line = f"行政复议{i % 97 + 1}件" if i % 2 else "推进依法行政"  # short lines: heading candidates
        lines.append(line)
        if i % 2:
            rows.append((pos, pos + len(line)))
        pos += len(line) + 1
    return "\n".join(lines), tuple(rows)


def test_many_table_rows_are_linear(rules):
    from pipeline.indicators import extract_indicators
    from pipeline.sections import find_sections

    text, rows = _table_document()
    with deadline():
        sections = find_sections(text, rules, rows)
        indicators = extract_indicators(text, sections, rules, not_prose=rows)
    assert indicators == ()  # every count is in a table row
    assert sections == ()


# The stop phrases are found alternative by alternative (StopRules.spans); the
# spans must be those of the one pattern of them all, overlaps and order included.
STOP_TEXTS = [
    ("sample", SAMPLE_REPORT),
    ("slogans", "坚持“两个维护”，落实三项制度，推进一网通办和最多跑一次，开展八五普法，一张蓝图绘到底，一规划、两纲要"),
    ("overlapping", "十四五规划十四五时期第一议题第一次四个意识四个自信两个确立两个维护五位一体四个全面"),
    ("amounts", "超过100万元的项目3个，1000元以上的罚款5件，突破10亿元级的产业2个，每年度开展一次培训"),
    ("digit-run", repeat("1234567890", 20 * KB)),
    ("quotes", repeat("“两张清单《条例", 20 * KB)),
]


@pytest.mark.parametrize("name,text", STOP_TEXTS, ids=[c[0] for c in STOP_TEXTS])
def test_stop_spans_equal_the_one_pattern(rules, name, text):
    stop = rules.stop
    expected = [m.span() for m in stop.stop_re.finditer(text)]
    assert stop.spans(text) == expected
    assert expected or name not in ("slogans", "overlapping", "amounts")  # these have stop phrases


def test_section_index_agrees_with_section_at(seed_report):
    from pipeline.sections import SectionIndex, section_at

    index = SectionIndex(seed_report.sections)
    for offset in range(0, len(seed_report.text), 7):
        assert index.at(offset) == section_at(seed_report.sections, offset)
