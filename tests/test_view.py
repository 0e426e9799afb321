"""The static review site (`govreport view`), checked on its HTML without a browser."""
from __future__ import annotations

import copy
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import pipeline
from pipeline.cli import main
from pipeline.view import _Element, _render_spans, load_reports, muted_numbers, render_report, write_site

# Made up, not from a real report: a script tag, years, ordinals, a stop phrase.
NASTY = (
    "某区司法局2025年度法治政府建设情况报告\n"
    "一、2025年推进法治政府建设的主要举措和成效\n"
    "（一）深化政务公开。第一季度，区司法局<script>alert(1)</script>办理行政复议案件12件，出庭应诉3次。\n"
    "一是落实“一规划两纲要”。全年组织集中学法8次，法治培训考试合格率100%。\n"
    "二、存在的不足和原因\n"
    "部分工作人员法治意识有待提高。\n"
)
VOID = {"meta", "input", "br", "img", "link", "hr"}


class Collector(HTMLParser):
    """Checks tags are balanced; collects the text of each indicator mark, muted number and the body text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.marks: dict[int, str] = {}
        self.evidence: dict[int, str] = {}
        self.mark_titles: dict[int, str] = {}
        self.muted: list[tuple[str, str]] = []
        self.body = ""
        self.in_text = 0
        self.errors: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {k: v or "" for k, v in attrs}
        if "href" in a:
            self.hrefs.append(a["href"])
        if "src" in a:
            self.srcs.append(a["src"])
        if "id" in a:
            self.ids.append(a["id"])
        if tag in VOID:
            return
        self.stack.append((tag, a))
        if a.get("id") == "text":
            self.in_text = len(self.stack)
        if tag == "mark" and "data-i" in a:
            i = int(a["data-i"])
            self.marks.setdefault(i, "")
            if "title" in a:
                self.mark_titles[i] = a["title"]
        if tag == "span" and "num-muted" in a.get("class", ""):
            self.muted.append(["", a.get("title", "")])
        if tag == "span" and a.get("class") == "evidence":
            self.evidence.setdefault(int(a["data-f"]), "")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        if len(self.stack) == self.in_text:
            self.in_text = 0
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.in_text:
            return
        self.body += data
        for tag, a in self.stack:
            if tag == "mark" and "data-i" in a:
                self.marks[int(a["data-i"])] += data
            if tag == "span" and a.get("class") == "evidence":
                self.evidence[int(a["data-f"])] += data
        if self.stack and self.stack[-1][0] == "span" and "num-muted" in self.stack[-1][1].get("class", ""):
            self.muted[-1][0] += data


def parse(page: str) -> Collector:
    c = Collector()
    c.feed(page)
    c.close()
    assert not c.errors, c.errors[:5]
    assert not c.stack, [t for t, _ in c.stack]
    return c


@pytest.fixture(scope="module")
def nasty_doc() -> dict:
    return pipeline.extract_text(NASTY).to_dict()


@pytest.fixture(scope="module")
def seed_doc(seed_report) -> dict:
    return seed_report.to_dict()


def with_findings(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    s, e = doc["indicators"][0]["sentence_span"]
    doc["findings"] = [
        {"check": "rate_without_base", "severity": "warning", "message": "a rate <b>without</b> its base",
         "indicators": [0, 1], "evidence": [{"span": [s, e], "text": doc["text"][s:e]}]},
        {"check": "note", "severity": "info", "message": "just a note", "indicators": []},
    ]
    return doc


# --- escaping and offline ------------------------------------------------------------------------

def test_report_text_is_escaped(nasty_doc: dict) -> None:
    page = render_report(nasty_doc)
    assert "<script>alert(1)</script>" not in page
    assert "alert(1)</script>" not in page
    # (the 1 inside is a number not extracted, so it is wrapped in a muted span)
    assert "&lt;script&gt;alert(" in page and ")&lt;/script&gt;" in page
    # only our own two script blocks: the data and the code
    assert len(re.findall(r"<script\b", page)) == 2
    c = parse(page)
    assert c.body == nasty_doc["text"]  # the text, unchanged, once the markup is taken away


def test_finding_text_is_escaped(nasty_doc: dict) -> None:
    page = render_report(with_findings(nasty_doc))
    assert "<b>without</b>" not in page
    assert "&lt;b&gt;without&lt;/b&gt;" in page


def test_no_external_urls(tmp_path: Path, nasty_doc: dict, seed_doc: dict) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name, doc in (("nasty", with_findings(nasty_doc)), ("seed", seed_doc)):
        (out / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = write_site(out, tmp_path / "site")
    for page in [result.index, *result.pages]:
        text = page.read_text(encoding="utf-8")
        c = parse(text)
        for url in c.hrefs + c.srcs:
            assert not re.match(r"^\s*(?:[a-z]+:)?//", url, re.IGNORECASE), (page.name, url)
        assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*https?:""", text, re.IGNORECASE)
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text, re.IGNORECASE)
        assert "@import" not in text


# --- the highlighted text ------------------------------------------------------------------------

def test_every_indicator_is_highlighted_with_its_data(seed_doc: dict) -> None:
    page = render_report(seed_doc)
    c = parse(page)
    assert c.body == seed_doc["text"]
    assert sorted(c.marks) == list(range(len(seed_doc["indicators"])))
    for i, ind in enumerate(seed_doc["indicators"]):
        assert c.marks[i] == ind["text"], (i, ind["text"])
        title = c.mark_titles[i]
        for part in (ind["indicator"], str(ind["value"]), ind["unit"], ind["rule"], ind["modality"]):
            assert part in title, (i, part, title)
        assert f'id="ind-{i}"' in page
    # the full records are in the page's data block for the click panel
    block = re.search(r'<script type="application/json" id="govreport-data">(.*?)</script>', page, re.DOTALL)
    data = json.loads(block.group(1))
    assert data["indicators"] == seed_doc["indicators"]


def test_unit_classes_colour_the_marks(seed_doc: dict) -> None:
    page = render_report(seed_doc)
    classes = {ind["unit_class"] for ind in seed_doc["indicators"]}
    for uc in classes:
        assert f'class="ind uc-{uc}' in page


def test_numbers_not_extracted_are_muted(nasty_doc: dict) -> None:
    page = render_report(nasty_doc)
    muted = parse(page).muted
    reasons = {(text, title) for text, title in muted}
    assert ("2025", "not extracted: year") in reasons
    assert any(t == "一" and "ordinal" in why for t, why in muted)  # 第一季度
    assert any(t == "一" and "list marker" in why for t, why in muted)  # 一、 and 一是
    assert any(t in "一两" and "stop phrase" in why for t, why in muted)  # 一规划两纲要
    # a number that is an indicator's quantity is never muted
    values = {str(ind["value"]) for ind in nasty_doc["indicators"]}
    assert {"12", "3", "8", "100"} <= values
    assert not {t for t, _ in muted} & {"12", "3", "8", "100"}


def test_lone_numeral_characters_inside_words_stay_plain() -> None:
    text = "统一部署，进一步加强。2025年。"
    found = {(text[m.start:m.end], m.reason) for m in muted_numbers(text, [])}
    assert found == {("2025", "year")}


def test_overlapping_elements_stay_well_formed() -> None:
    text = "甲乙丙丁戊己庚辛"
    els = [
        _Element(0, 5, 1, lambda first: '<mark data-i="0" id="a">' if first else '<mark data-i="0">', "</mark>"),
        _Element(3, 8, 1, lambda first: '<mark data-i="1">', "</mark>"),
        _Element(2, 4, 4, lambda first: '<span class="num-muted">', "</span>"),
    ]
    out = _render_spans(text, els, {6: ['<span class="anchor" id="x"></span>']})
    c = parse(f'<div id="text">{out}</div>')
    assert c.body == text
    assert c.marks == {0: "甲乙丙丁戊", 1: "丁戊己庚辛"}
    assert out.count('id="a"') == 1  # an element split in pieces keeps its id once


def test_overlapping_indicators_in_a_report(seed_doc: dict) -> None:
    doc = copy.deepcopy(seed_doc)
    a, b = doc["indicators"][0], doc["indicators"][1]
    a["span"] = [a["span"][0], b["span"][0] + 2]  # now crosses into the next indicator
    c = parse(render_report(doc))
    assert c.body == doc["text"]
    assert c.marks[0] == doc["text"][a["span"][0]:a["span"][1]]
    assert c.marks[1] == b["text"]


# --- outline and findings ------------------------------------------------------------------------

def test_outline_links_to_every_section(seed_doc: dict) -> None:
    page = render_report(seed_doc)
    c = parse(page)
    for sec in seed_doc["sections"]:
        anchor = "sec-" + sec["id"].replace(".", "-")
        assert anchor in c.ids
        assert f"#{anchor}" in c.hrefs
        assert f'class="part part-{sec["part"]}"' in page
    # nesting follows the ids: a level-2 section is inside its parent's list
    first_child = next(s for s in seed_doc["sections"] if "." in s["id"])
    parent = first_child["id"].split(".")[0]
    between = page.split(f'href="#sec-{parent}"', 1)[1].split(f'href="#sec-{first_child["id"].replace(".", "-")}"')[0]
    assert "<ul>" in between


def test_findings_link_to_indicators_and_evidence(nasty_doc: dict) -> None:
    doc = with_findings(nasty_doc)
    page = render_report(doc)
    c = parse(page)
    assert 'id="finding-0"' in page and 'id="finding-1"' in page
    assert "#ind-0" in c.hrefs and "#ind-1" in c.hrefs and "#ev-0-0" in c.hrefs
    assert "ev-0-0" in c.ids
    s, e = doc["findings"][0]["evidence"][0]["span"]
    assert c.evidence == {0: doc["text"][s:e]}  # the sentence, marked in the text
    assert 'class="sev sev-warning"' in page and 'class="sev sev-info"' in page
    assert "Findings (2)" in page


def test_page_without_findings_key(nasty_doc: dict) -> None:
    doc = dict(nasty_doc)
    doc.pop("findings", None)
    page = render_report(doc)
    assert "No findings." in page and "Findings (0)" in page


def test_odd_evidence_shapes_do_not_break_the_page(nasty_doc: dict) -> None:
    doc = copy.deepcopy(nasty_doc)
    doc["findings"] = [
        {"check": "a", "severity": "error", "message": "m", "indicators": [0, 99], "evidence": [3, 9]},
        {"check": "b", "severity": "odd", "message": "m", "evidence": "a plain <string>"},
        {"check": "c", "severity": "warning", "message": "m", "evidence": [[1, 2], {"x": 1}, None, [5, 10**9]]},
    ]
    page = render_report(doc)
    parse(page)
    assert "a plain &lt;string&gt;" in page
    assert 'href="#ind-99"' not in page


# --- the index and the site ----------------------------------------------------------------------

def test_index_lists_every_report(tmp_path: Path, nasty_doc: dict, seed_doc: dict) -> None:
    out = tmp_path / "out"
    out.mkdir()
    docs = {"seed": seed_doc, "nasty": with_findings(nasty_doc), "third": dict(nasty_doc, doc_id="x" * 16)}
    for stem, doc in docs.items():
        (out / f"{stem}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (out / "manifest.json").write_text('{"entries": []}', encoding="utf-8")  # not a report
    (out / "broken.json").write_text("{not json", encoding="utf-8")
    reports, skipped = load_reports(out)
    assert sorted(r.stem for r in reports) == sorted(docs)
    assert sorted(p.name for p in skipped) == ["broken.json", "manifest.json"]

    result = write_site(out, tmp_path / "site")
    assert sorted(p.name for p in result.pages) == sorted(f"{s}.html" for s in docs)
    index = result.index.read_text(encoding="utf-8")
    c = parse(index)
    for stem in docs:
        assert f"{stem}.html" in c.hrefs
    assert index.count("<tr>") == len(docs) + 1  # header row + one per report
    assert html.escape(seed_doc["meta"]["agency"]) in index
    assert 'id="filter"' in index and "aria-sort" in index  # filter box, sortable headers (JS)
    # findings by severity: the nasty report has 1 warning and 1 info
    row = next(r for r in index.split("<tr>") if "nasty.html" in r)
    assert re.search(r'sev-n-warning" data-sort="1"', row) and re.search(r'sev-n-info" data-sort="1"', row)


def test_cli_view(tmp_path: Path, seed_doc: dict, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "seed.json").write_text(json.dumps(seed_doc, ensure_ascii=False), encoding="utf-8")
    site = tmp_path / "site"
    assert main(["view", str(out), "-o", str(site)]) == 0
    assert (site / "index.html").is_file() and (site / "seed.html").is_file()
    assert "1 report page" in capsys.readouterr().err

    assert main(["view", str(tmp_path / "missing"), "-o", str(site)]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["view", str(empty), "-o", str(tmp_path / "site2")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "no report JSON" in err
