"""The spaCy component `govreport_indicators`: same spans as `govreport extract`, token-aligned.

spaCy's Chinese tokenizer with the jieba segmenter uses jieba's own global
dictionary, offline (jieba ships it).
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import spacy

import pipeline
from pipeline.spacy_component import SPAN_ATTRS, normalised_text

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "nankai-gov-office-2025.txt"
ZH_JIEBA = {"nlp": {"tokenizer": {"segmenter": "jieba"}}}

# jieba reads 项目 and 共三 as single words: the first indicator ends inside 项目
# (the measure word is 项, 目前 follows), the third starts inside 共三 (the number is 三).
GLUED = "全年审查规范性文件12项目前均已备案，办理行政复议案件4件，共三人次。"


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("zh", config=ZH_JIEBA)
    nlp.add_pipe("govreport_indicators")
    return nlp


def spans_of(doc) -> list[tuple[int, int, str]]:
    return [(s.start_char, s.end_char, s.label_) for s in doc.spans["indicators"]]


def expected(report) -> list[tuple[int, int, str]]:
    return [(i.span[0], i.span[1], i.indicator) for i in report.indicators]


def edges_inside_tokens(doc, spans) -> list[int]:
    starts = {t.idx for t in doc}
    ends = {t.idx + len(t.text) for t in doc}
    return [s for s, _, _ in spans if s not in starts] + [e for _, e, _ in spans if e not in ends]


def test_seed_spans_equal_extract(nlp, seed_report) -> None:
    raw = SEED.read_text(encoding="utf-8")
    text = normalised_text(raw)
    assert text == seed_report.text  # the same text `govreport extract` indexes into
    doc = nlp(text)
    assert doc.text == text
    want = expected(seed_report)
    assert want and spans_of(doc) == want
    for span, ind in zip(doc.spans["indicators"], seed_report.indicators):
        assert span.text == ind.text
        assert span._.value == pipeline.records.json_number(ind.value)
        assert (span._.unit, span._.unit_class, span._.rule, span._.section_id, span._.part) == \
            (ind.unit, ind.unit_class, ind.rule, ind.section_id, ind.part)
        assert (span._.qualifier, span._.measure, span._.modality, span._.actor) == \
            (ind.qualifier, ind.measure, ind.modality, ind.actor)
        assert doc.char_span(span.start_char, span.end_char, alignment_mode="strict") is not None
    assert [s["id"] for s in doc._.sections] == [s.id for s in seed_report.sections]
    assert doc._.sections[0]["span"] == list(seed_report.sections[0].span)


def test_tokens_split_where_jieba_glues_a_number_to_its_neighbour(nlp) -> None:
    report = pipeline.extract_text(GLUED)
    want = expected(report)
    plain = nlp.make_doc(GLUED)  # the tokenizer alone
    assert "项目" in [t.text for t in plain] and "共三" in [t.text for t in plain]
    inside = edges_inside_tokens(plain, want)
    assert len(inside) >= 2, "the example no longer has an indicator edge inside a jieba token"

    doc = nlp(GLUED)
    assert spans_of(doc) == want
    assert edges_inside_tokens(doc, want) == []
    words = [t.text for t in doc]
    assert "项目" not in words and "共三" not in words
    assert words[words.index("12"):words.index("12") + 3] == ["12", "项", "目"]
    assert words[words.index("三") - 1] == "共"
    assert doc.text == GLUED  # splitting changes tokens, never the text
    by_label = {s.label_: s for s in doc.spans["indicators"]}
    ndr = by_label["normative_documents_reviewed"]
    assert (ndr.text, ndr._.value, ndr._.unit) == ("审查规范性文件12项", 12, "项")
    assert by_label["other"].text == "三人次" and by_label["other"]._.value == 3
    for start, end, _ in want:
        assert doc.char_span(start, end, alignment_mode="strict") is not None


def test_displacy_renders_the_spans(nlp) -> None:
    from spacy import displacy

    doc = nlp(GLUED)
    out = displacy.render(doc, style="span", options={"spans_key": "indicators"}, jupyter=False)
    assert isinstance(out, str)
    for label in ("normative_documents_reviewed", "admin_reconsideration_cases", "other"):
        assert label in out


def test_every_span_attribute_is_set(nlp) -> None:
    doc = nlp(GLUED)
    span = doc.spans["indicators"][0]
    for name in SPAN_ATTRS:
        assert span.has_extension(name)
    assert span._.indicator_label and span._.modality == "achieved" and span._.measure == "level"
    assert span._.value_high is None


def test_values_survive_serialisation(nlp) -> None:
    from spacy.tokens import Doc

    doc = nlp(GLUED)
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert spans_of(again) == spans_of(doc)
    assert [s._.value for s in again.spans["indicators"]] == [s._.value for s in doc.spans["indicators"]]


def test_unnormalised_text_maps_offsets_back(nlp) -> None:
    raw = "全年审查规范性文件１２ 件次，\n办理行政复议案件 4 件。"
    norm = normalised_text(raw)
    assert norm != raw
    by_norm = nlp(norm)
    doc = nlp(raw)
    assert [s.label_ for s in doc.spans["indicators"]] == [s.label_ for s in by_norm.spans["indicators"]]
    assert [s.text for s in doc.spans["indicators"]] == ["审查规范性文件１２ 件次", "行政复议案件 4 件"]
    assert [s._.value for s in doc.spans["indicators"]] == [12, 4]
    assert doc._.indicators[0]["text"] == "审查规范性文件１２ 件次"


def test_strict_text_refuses_unnormalised_text() -> None:
    nlp = spacy.blank("zh", config=ZH_JIEBA)
    nlp.add_pipe("govreport_indicators", config={"strict_text": True})
    assert spans_of(nlp(normalised_text(GLUED))) == expected(pipeline.extract_text(GLUED))
    with pytest.raises(ValueError, match="normalised_text"):
        nlp("办理行政复议案件 4 件。")


def test_empty_text_gives_no_spans(nlp) -> None:
    doc = nlp("   ")
    assert list(doc.spans["indicators"]) == [] and doc._.sections == []


def test_factory_found_through_the_entry_point(tmp_path: Path) -> None:
    # A fresh interpreter that never imports pipeline: spaCy must find the
    # factory through the spacy_factories entry point of the installed package.
    code = textwrap.dedent(f"""
        import sys
        import spacy
        nlp = spacy.blank("zh", config={ZH_JIEBA!r})
        nlp.add_pipe("govreport_indicators")
        doc = nlp({GLUED!r})
        print([s.label_ for s in doc.spans["indicators"]])
    """)
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "normative_documents_reviewed" in proc.stdout


@pytest.mark.parametrize("raw", [
    "⼀、总体情况\n全年组织集中学法８次，出庭应诉3次。\n",  # Kangxi radical ⼀ (U+2F00) for 一, a full-width ８
    "一、总体情况\n全年组织集中学法8次，\u200b出庭应诉3次。\n",  # a zero-width space
], ids=["kangxi-radical", "zero-width-space"])
def test_raw_text_with_folded_characters(nlp, raw: str) -> None:
    """The component maps normalised offsets back to the raw text with normalisation's own
    table of replacements (it once kept a copy without the Kangxi radicals: ValueError)."""
    doc = nlp(raw)
    report = pipeline.extract_text(raw)
    assert [s.label_ for s in doc.spans["indicators"]] == [i.indicator for i in report.indicators] \
        == ["study_sessions", "court_appearances"]
    assert [s._.value for s in doc.spans["indicators"]] == [8, 3]
