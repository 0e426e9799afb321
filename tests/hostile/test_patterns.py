"""User rule patterns cannot hang a run (issue 10, point 4).

A rules folder is user input: patterns that backtrack exponentially are
refused when the rules load (E101 naming the file, the rule and the line), and
every match call of a rule pattern has a timeout, after which the document
fails with E020 and the batch goes on.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import regex

from conftest import edit_yaml, rule_of
from pipeline import patterns
from pipeline.errors import PatternTimeout, RulesError
from pipeline.patterns import TimedPattern, UnsafePattern, vet, vetted_pattern
from pipeline.rules import default_rules_dir, load_rules

# Patterns that backtrack exponentially on a line that almost matches.
UNSAFE = [
    r"(a+)+$",
    r"(?:案|案)+$",  # alternatives that start alike, under a repeat
    r"(?:案|案件)*",
    r"(\d*,?)*x",
    r"(\w+\s?)+$",
    r"((ab)*)+",
    r"(?P<n>a*)*",
    r"(?:[案件]|案)+",
    r"(a{1,50})+$",  # a bounded inner repeat still splits a run many ways
]

# Patterns of the same look that cannot: atomic, possessive, alternatives
# that start differently, fixed splits (each round of the repeat starts or ends
# in a character its variable part cannot match).
SAFE = [
    r"(?>a+)+$",
    r"(?:a++)+$",
    r"(?:案|件)+",
    r"(?:\d|年)+",
    r"(?:\s|\p{Han})+",
    r"(a+b)+",
    r"(?:、\d+)+",
    r"[一二三四五六七八九十]{1,3}届(?:[一二三四五六七八九十]{1,2}中、?)*全会",
    r"^(微信|微博|QQ空间|QQ)([|｜、/ ]*(微信|微博|QQ空间|QQ))*$",
    r"(?P<num>[一二三四五六七八九十]+)、",
    r"(?P<pre>约)?(?(pre)\d+|[一二三]+)次",
    r"(?:x(?:a+|b))*$",
    r"(?i)abc+",
    r"\d+(?:\.\d+)?",
]


@pytest.mark.parametrize("pattern", UNSAFE)
def test_unsafe_patterns_are_refused(pattern):
    with pytest.raises(UnsafePattern, match="exponential time"):
        vet(pattern)


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_patterns_pass(pattern):
    vet(pattern)
    assert vetted_pattern(pattern).pattern == pattern


def test_every_bundled_pattern_is_vetted_and_timed():
    rules = load_rules()
    cue_patterns = rules.indicators.patterns
    assert cue_patterns and all(isinstance(p, TimedPattern) for p in cue_patterns)
    for p in cue_patterns:
        vet(p.pattern)
    assert isinstance(rules.context.planned_re, TimedPattern)
    assert isinstance(rules.indicators.any_pattern_re, TimedPattern)
    assert isinstance(rules.sections.line_start_re, TimedPattern)


# (pattern, the characters every match needs): a text without one cannot match
NEEDED = [
    (r"(?<!\d)(?P<year>20\d\d)年(?![前以来])", "20年"),  # not what a lookaround looks at
    (r"开展(?:培训|学习)\d+次", "开展次"),  # 培 or 学: neither on its own
    (r"(?:甲|乙甲)丙", "甲丙"),
    (r"甲{0,2}乙{1,3}", "乙"),
    (r"\p{Han}{2}年\.", "年."),
    (r"(?>甲+)乙", "甲乙"),
    (r"a(?=b)c", "ac"),
    (r"(?i:page)\d+", ""),  # flags change what a literal matches
    (r"(?i)page", ""),
    (r"(?x) a b", ""),
    (r"(?:ab){e<=1}", ""),  # a fuzzy match
    (r"(?P<pre>x)?(?(pre)a|b)c", ""),  # a conditional: a branch taken or not
    (r"\d+|次", ""),
]


@pytest.mark.parametrize(("pattern", "needed"), NEEDED)
def test_the_characters_every_match_needs(pattern, needed):
    assert patterns.needed_chars(regex.compile(pattern)) == needed


def _timed_patterns(node, seen: set[int] | None = None):
    """Every TimedPattern reachable from `node` (the loaded rules)."""
    import dataclasses
    from collections.abc import Mapping

    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, TimedPattern):
        yield node
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from _timed_patterns(getattr(node, f.name), seen)
    elif isinstance(node, Mapping):
        for v in node.values():
            yield from _timed_patterns(v, seen)
    elif isinstance(node, (list, tuple, set, frozenset)):
        for v in node:
            yield from _timed_patterns(v, seen)
    elif hasattr(node, "__dict__") and type(node).__module__.startswith("pipeline"):
        for v in vars(node).values():
            yield from _timed_patterns(v, seen)


def test_no_bundled_pattern_is_skipped_where_it_would_match():
    """The quick test of the characters a match needs never hides a match: every
    bundled rule pattern, over every line of the bundled report and windows of
    it, finds what the plain pattern finds."""
    rules = load_rules()
    timed_all = {id(p): p for p in _timed_patterns(rules)}.values()
    assert len(timed_all) > 100 and sum(bool(p._needs) for p in timed_all) > 50
    text = (Path(__file__).resolve().parents[2] / "corpus" / "nankai-gov-office-2025.txt").read_text(encoding="utf-8")
    lines = [ln for ln in text.split("\n") if ln.strip()]
    for timed in timed_all:
        plain = timed._rx
        for line in lines:
            for args in ((), (3,), (3, 30), (10, len(line))):
                want = plain.search(line, *args)
                got = timed.search(line, *args)
                assert (got and got.span()) == (want and want.span()), (plain.pattern, line, args)
            assert [m.span() for m in timed.finditer(line, overlapped=True)] == \
                [m.span() for m in plain.finditer(line, overlapped=True)], (plain.pattern, line)
            assert bool(timed.match(line, 2)) == bool(plain.match(line, 2))


def _copy_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    return folder


# (file, how to put the pattern in, the rule the error names)
PLACES = [
    ("indicators.yaml", lambda d, p: rule_of(d, "court_appearances").update(patterns=[p]), "court_appearances"),
    ("context.yaml", lambda d, p: d["modality"].update(planned=[p]), "modality.planned[0]"),
    ("sections.yaml", lambda d, p: d["parts"][0].update(patterns=[p]), None),
]


@pytest.mark.parametrize("file,put,rule", PLACES, ids=[p[0] for p in PLACES])
@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(?:案|案)+$"])
def test_unsafe_user_pattern_is_a_rules_error(tmp_path, file, put, rule, pattern):
    folder = _copy_rules(tmp_path)
    edit_yaml(folder, file, lambda d: put(d, pattern))
    with pytest.raises(RulesError) as info:
        load_rules(folder)
    err = info.value
    assert err.code == "E101" and err.file.endswith(file)
    assert "exponential time" in err.problem and pattern in err.problem
    assert err.line is not None  # the line of the pattern in the file
    if rule is not None:
        assert rule in (err.rule or "")
    assert str(err).startswith(f"E101 {folder.resolve() / file}:{err.line}: ")


# --- the timeout -----------------------------------------------------------------------------

# A pattern the vetting lets through (no nesting) but that is polynomial of a
# high degree: seven adjacent \d* over a run of digits that never ends in 局 or 办.
SLOW_ACTOR = r"(?P<actor>\d*\d*\d*\d*\d*\d*\d*[局办])(?:作为|带头)"


@pytest.fixture(params=["engine clock", "guard", "guard, a match at a time"])
def clocked(request, monkeypatch):
    """Each timing test as a library caller's process times a long call (the
    engine's clock), and as a batch worker does (`stand_guard`'s timer): a
    scan in one watched call, or a match at a time (a text past WATCHED_AT_ONCE)."""
    if request.param.startswith("guard"):
        assert patterns.stand_guard()
        request.addfinalizer(patterns.stand_down)
    if request.param.endswith("at a time"):
        monkeypatch.setattr(patterns, "WATCHED_AT_ONCE", 0)
    return request.param.split(",")[0]


def test_slow_pattern_times_out(clocked):
    rx = vetted_pattern(SLOW_ACTOR, timeout=0.05)
    with pytest.raises(PatternTimeout) as info:
        rx.search("1" * 400 + "x")
    assert info.value.code == "E020" and "took longer than" in info.value.message
    with pytest.raises(PatternTimeout):
        list(rx.finditer("1" * 400 + "x"))


# (text, pos, endpos): short texts and windows go without the engine's clock,
# long ones with it; both must give what the plain pattern gives.
LONG = "开会3次，" * 40 + "学习12次"
CALLS = [("开会3次，学习12次", None, None), (LONG, None, None), (LONG, 5, 40), (LONG, 5, None), (LONG, 150, 230)]


@pytest.mark.parametrize(("text", "pos", "endpos"), CALLS)
def test_timed_pattern_gives_the_plain_results_short_or_long(clocked, text, pos, endpos):
    plain = regex.compile(r"(?P<n>\d+)次")
    timed = patterns.timed(plain)
    args = (() if pos is None else (pos,)) + (() if endpos is None else (endpos,))
    for name in ("search", "match", "fullmatch"):
        got, want = getattr(timed, name)(text, *args), getattr(plain, name)(text, *args)
        assert (got and got.span()) == (want and want.span()), name
    assert [m.span() for m in timed.finditer(text, *args)] == [m.span() for m in plain.finditer(text, *args)]
    assert timed.findall(text, *args) == plain.findall(text, *args)


@pytest.mark.parametrize(("text", "pos", "endpos"), CALLS)
def test_a_call_over_its_time_fails_short_or_long(clocked, monkeypatch, text, pos, endpos):
    # a timeout no call can keep: the short path's own clock fails it as the engine's does
    monkeypatch.setattr(patterns, "PATTERN_TIMEOUT_S", 1e-12)
    timed = patterns.timed(regex.compile(r"(?P<n>\d+)次"))
    args = (() if pos is None else (pos,)) + (() if endpos is None else (endpos,))
    for call in (lambda: timed.search(text, *args), lambda: list(timed.finditer(text, *args)),
                 lambda: timed.findall(text, *args), lambda: timed.sub("#", text)):
        with pytest.raises(PatternTimeout):
            call()


def test_timed_pattern_behaves_as_the_pattern(clocked):
    plain = regex.compile(r"(?P<n>\d+)次")
    timed = patterns.timed(plain)
    text = "开会3次，学习12次"
    assert [m.span() for m in timed.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert timed.search(text).group("n") == "3"
    assert timed.match(text, 2).group() == "3次"
    assert timed.fullmatch("12次") and timed.groupindex == plain.groupindex
    assert timed.sub("#", text) == plain.sub("#", text)
    assert [m.span() for m in timed.finditer("1次2次", overlapped=True)] == \
        [m.span() for m in plain.finditer("1次2次", overlapped=True)]


def test_a_timeout_is_that_documents_error(tmp_path, monkeypatch):
    """The batch goes on: the slow document is an E020 row, the good one is written."""
    from pipeline.batch import process_one

    folder = _copy_rules(tmp_path)
    edit_yaml(folder, "context.yaml", lambda d: d["actor"].update(patterns=[SLOW_ACTOR]))
    monkeypatch.setattr(patterns, "PATTERN_TIMEOUT_S", 0.05)
    slow = tmp_path / "slow.txt"
    slow.write_text("一、工作成效\n" + "1" * 400 + "x开展培训3次。\n", encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("一、工作成效\n开展培训3次。\n", encoding="utf-8")
    bad = process_one(str(slow), str(folder))
    assert bad.error is not None and bad.error[0] == "E020"
    ok = process_one(str(good), str(folder))
    assert ok.error is None


class _Recording:
    """Stands in for a compiled pattern: records whether a call asked the engine for its clock."""

    pattern, flags = r"\d", 0

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    def search(self, string, *args, timeout=None, **kwargs):
        self.timeouts.append(timeout)
        return None

    finditer = search


def test_under_the_guard_no_call_asks_the_engine_for_its_clock(clocked):
    rec = _Recording()
    timed = TimedPattern(rec)
    timed.search("开会3次，" * 40)  # long: the engine's clock unless the guard stands
    timed.search("开会3次")  # short: never
    want = [None, None] if clocked == "guard" else [patterns.PATTERN_TIMEOUT_S, None]
    assert rec.timeouts == want


def test_a_batch_worker_stops_a_slow_pattern_by_its_guard(tmp_path, monkeypatch):
    """A worker stands guard (no engine clock there); the guard's timer stops
    the call in mid-match: that document is an E020 row long before the
    document's own time limit (E015), and the next document is written."""
    import time

    from pipeline import batch
    from pipeline.batch import run_batch

    marker = tmp_path / "guarded"

    def stand_guard() -> bool:  # the forked worker calls this one
        marker.write_text(str(patterns.stand_guard()), encoding="utf-8")
        return True

    monkeypatch.setattr(batch, "stand_guard", stand_guard)

    folder = _copy_rules(tmp_path)
    edit_yaml(folder, "context.yaml", lambda d: d["actor"].update(patterns=[SLOW_ACTOR]))
    monkeypatch.setattr(patterns, "PATTERN_TIMEOUT_S", 0.2)  # the forked worker inherits it
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a_slow.txt").write_text("一、工作成效\n" + "1" * 400 + "x开展培训3次。\n", encoding="utf-8")
    (docs / "b_good.txt").write_text("一、工作成效\n开展培训3次。\n", encoding="utf-8")
    started = time.monotonic()
    result = run_batch([str(docs)], tmp_path / "out", jobs=1, rules_dir=str(folder), doc_timeout=120)
    assert time.monotonic() - started < 60
    assert [(Path(p).name, code) for p, code, _ in result.failed] == [("a_slow.txt", "E020")]
    assert result.processed == 1 and (tmp_path / "out" / "b_good.json").is_file()
    assert marker.read_text(encoding="utf-8") == "True"


def test_the_guard_stands_only_in_the_main_thread():
    import threading

    got = []
    t = threading.Thread(target=lambda: got.append(patterns.stand_guard()))
    t.start()
    t.join()
    assert got == [False]
