"""govreport's extractor as a spaCy pipeline component: `nlp.add_pipe("govreport_indicators")`.

    import spacy
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("govreport_indicators")      # found through the spacy_factories entry point
    doc = nlp(normalised_text(report_text))
    for span in doc.spans["indicators"]:
        print(span.label_, span.text, span._.value, span._.unit, span._.rule)

What the component sets:

- `doc.spans["indicators"]`: one span per indicator, label = the indicator id
  (`court_appearances`, `other`, …), with `Span._.value`, `value_high`, `unit`,
  `unit_class`, `qualifier`, `measure`, `modality`, `actor`, `rule`,
  `section_id`, `part` and `indicator_label` (the catalog name, or the noun
  phrase of an `other`). Values are JSON numbers as in `govreport extract`'s
  output (whole numbers as ints); use `pipeline.extract` for exact Decimals.
- `doc._.indicators` and `doc._.sections`: the indicator and section records of
  the JSON output, with their spans in `doc.text` offsets.

Offsets. govreport works on normalised text (full-width digits and letters
made half-width, spaces next to Chinese characters dropped, broken lines
joined: see `pipeline.normalize`). Build the Doc from `normalised_text(text)`
and every span's (start_char, end_char, label_) is exactly an indicator's
(span, indicator) from `govreport extract` for the same text. If `doc.text` is
not normalised, the component maps each offset back to `doc.text` (the
normalisation only drops characters, swaps them one for one, and adds line
breaks, so this is possible); a span's text may then differ from the JSON's
`text` by the dropped spaces. If the mapping fails, or the component was
created with `strict_text=True`, it raises `ValueError` instead.

Tokens. An indicator's edge can fall inside a jieba token (审查规范性文件12件次:
jieba reads 件次 as one word, the indicator ends after 件). The component then
splits that token with `doc.retokenize()` instead of stretching the span, so
`doc.char_span(start, end, alignment_mode="strict")` exists for every indicator.

Extensions are registered (with force=True) when the factory runs, never at
import; only the `@Language.factory` registration happens at import, which is
how spaCy finds components through entry points.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)

__all__ = ["SPAN_ATTRS", "GovreportIndicators", "make_component", "normalised_text"]

FACTORY = "govreport_indicators"
SPAN_ATTRS = ("value", "value_high", "unit", "unit_class", "qualifier", "measure", "modality", "actor", "rule",
              "section_id", "part", "indicator_label")
_RECORD_KEY = {"indicator_label": "label"}  # Span._ name -> key of the JSON record

def normalised_text(text: str, rules: Any = None) -> str:
    """The text govreport indexes into: make the Doc from this to get `govreport extract`'s offsets exactly."""
    from .normalize import normalise
    from .rules import Rules, load_rules

    if not isinstance(rules, Rules):
        rules = load_rules(rules)
    return normalise(text, rules).text


def _align(raw: str, norm: str) -> list[int] | None:
    """For each offset of `norm`, the offset in `raw` it came from; None if `norm` is not a normalisation of `raw`.

    Normalisation drops characters (spaces, line breaks, zero-width marks),
    replaces some one for one (１ → 1), and inserts a line break before a
    run-in heading; a greedy walk over both texts undoes that.
    """
    from .normalize import DROPPED, FOLDED  # one definition of what normalisation replaces

    out: list[int] = []
    i = 0
    for j, ch in enumerate(norm):
        while True:
            if i < len(raw) and (raw[i] == ch or raw[i].translate(FOLDED) == ch):
                out.append(i)
                i += 1
                break
            if i < len(raw) and (raw[i].isspace() or raw[i] in DROPPED):
                i += 1
                continue
            if ch == "\n":  # a line break the normalisation added
                out.append(min(i, len(raw)))
                break
            return None
    return out


def _register_extensions() -> None:
    # Getters read doc._.indicators, so the values travel with the Doc (DocBin,
    # to_bytes) and never collide between two spans with the same offsets.
    Doc.set_extension("indicators", default=None, force=True)
    Doc.set_extension("sections", default=None, force=True)
    for name in SPAN_ATTRS:
        Span.set_extension(name, getter=_getter(_RECORD_KEY.get(name, name)), force=True)


def _getter(key: str):
    def get(span: Span) -> Any:
        record = _record_of(span)
        return None if record is None else record.get(key)

    return get


def _record_of(span: Span) -> dict[str, Any] | None:
    records = span.doc._.indicators or ()
    for rec in records:
        if rec["span"][0] == span.start_char and rec["span"][1] == span.end_char \
                and rec["indicator"] == span.label_:
            return rec
    return None


class GovreportIndicators:
    """The pipeline component: runs `pipeline.extract` on `doc.text` and sets spans (see module doc)."""

    def __init__(self, nlp: Language, name: str = FACTORY, rules: str | None = None,
                 spans_key: str = "indicators", strict_text: bool = False) -> None:
        from .rules import load_rules

        self.name = name
        self.rules = load_rules(rules)  # fails here, at add_pipe, on a broken rules folder
        self.spans_key = spans_key
        self.strict_text = strict_text

    def __call__(self, doc: Doc) -> Doc:
        from .errors import EmptyDocument
        from .extract import extract_text

        try:
            report = extract_text(doc.text, self.rules)
        except EmptyDocument:
            doc.spans[self.spans_key] = []
            doc._.indicators, doc._.sections = [], []
            return doc
        offsets = self._offsets(doc.text, report.text)
        indicators = [_moved(ind.to_dict(), offsets, doc.text, ("span", "quantity_span", "sentence_span"))
                      for ind in report.indicators]
        sections = [_moved(sec.to_dict(), offsets, doc.text, ("span", "heading_span")) for sec in report.sections]
        doc = _split_tokens(doc, [rec["span"] for rec in indicators])
        spans = []
        for rec in indicators:
            start, end = rec["span"]
            span = doc.char_span(start, end, label=rec["indicator"], alignment_mode="strict")
            if span is None:  # cannot happen after _split_tokens; say so clearly if it ever does
                raise RuntimeError(f"no token-aligned span for indicator {rec['indicator']} at {start}-{end}")
            spans.append(span)
        doc.spans[self.spans_key] = spans
        doc._.indicators = indicators
        doc._.sections = sections
        return doc

    def _offsets(self, doc_text: str, norm_text: str) -> list[int] | None:
        """None when doc.text is the normalised text (offsets are the same), else norm -> doc offsets."""
        if doc_text == norm_text:
            return None
        hint = "make the Doc from pipeline.spacy_component.normalised_text(text)"
        if self.strict_text:
            raise ValueError(f"{FACTORY}: doc.text is not govreport-normalised text; {hint}")
        offsets = _align(doc_text, norm_text)
        if offsets is None:
            raise ValueError(f"{FACTORY}: cannot map govreport's offsets back to doc.text; {hint}")
        return offsets


def _moved(record: dict[str, Any], offsets: list[int] | None, doc_text: str, keys: Sequence[str]) -> dict[str, Any]:
    """The record with its spans in doc.text offsets (unchanged when doc.text is normalised)."""
    if offsets is None:
        return record
    out = dict(record)
    for key in keys:
        span = record.get(key)
        if span:
            start, end = span
            new_start = offsets[start] if start < len(offsets) else len(doc_text)
            new_end = offsets[end - 1] + 1 if end > start else new_start
            out[key] = [new_start, new_end]
    if "text" in out and out.get("span"):
        out["text"] = doc_text[out["span"][0]:out["span"][1]]
    return out


def _split_tokens(doc: Doc, spans: Sequence[Sequence[int]]) -> Doc:
    """Split every token that an indicator edge falls inside, so each span is token-aligned."""
    cuts: dict[int, set[int]] = {}  # token index -> offsets inside the token's text
    starts = [t.idx for t in doc]
    for edge in {e for span in spans for e in span}:
        # the token whose text strictly contains the edge
        lo, hi = 0, len(starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if starts[mid] <= edge:
                lo = mid + 1
            else:
                hi = mid
        k = lo - 1
        if k < 0:
            continue
        tok = doc[k]
        if tok.idx < edge < tok.idx + len(tok.text):
            cuts.setdefault(k, set()).add(edge - tok.idx)
    if not cuts:
        return doc
    with doc.retokenize() as retok:
        for k, inner in cuts.items():
            tok = doc[k]
            bounds = [0, *sorted(inner), len(tok.text)]
            orths = [tok.text[a:b] for a, b in pairwise(bounds)]
            # Each piece heads itself: a blank pipeline has no parse to keep.
            retok.split(tok, orths, heads=[(tok, n) for n in range(len(orths))])
    log.debug("split %d tokens at indicator edges", len(cuts))
    return doc


@Language.factory(FACTORY, default_config={"rules": None, "spans_key": "indicators", "strict_text": False})
def make_component(nlp: Language, name: str, rules: str | None, spans_key: str,
                   strict_text: bool) -> GovreportIndicators:
    """spaCy factory (entry point `spacy_factories`): govreport indicators as `doc.spans[spans_key]`."""
    _register_extensions()
    return GovreportIndicators(nlp, name, rules=rules, spans_key=spans_key, strict_text=strict_text)
