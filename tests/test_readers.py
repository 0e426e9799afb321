"""The format readers, tested directly on fixtures generated from the bundled
report (tests/fixtures/make_fixtures.py): the text each gives, paragraph by
paragraph, against the text the fixture was made from."""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest

from fixtures import built, make_fixtures as mf
from pipeline.errors import BrokenDocument, ConverterMissing, GarbledText, NoTextLayer
from pipeline.readers import _rules, drop_cjk_spaces, garbled_share, render_table
from pipeline.readers import doc as doc_reader
from pipeline.readers import docx as docx_reader
from pipeline.readers import html as html_reader
from pipeline.readers import pdf as pdf_reader

from conftest import program, requires

CJK_SPACE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef][ \t]+[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return built(str(tmp_path_factory.getbasetemp() / "govreport-fixtures"))


def twin(with_table: bool) -> list[str]:
    return mf.twin_text(with_table).splitlines()


def read(reader, path: Path):
    return reader.read(str(path), path.read_bytes())


def paragraphs(text: str, expected: list[str]) -> list[str]:
    """Paragraphs of a reader's text. A page break (\f) may fall inside a
    paragraph, which the normaliser rejoins; here a piece after a page break
    is joined to the one before when that is what `expected` has."""
    out: list[str] = []
    for p, page in enumerate(text.split("\f")):
        for i, line in enumerate(ln for ln in page.split("\n") if ln.strip()):
            k = len(out) - 1
            if p and i == 0 and out and k < len(expected) and expected[k].startswith(out[-1] + line):
                out[-1] += line
            else:
                out.append(line)
    return out


# ------------------------------------------------------------------ helpers


def test_render_table_folds_the_unit_from_the_header_into_each_row():
    assert render_table(mf.TABLE_ROWS) == mf.TABLE_LINES


def test_render_table_names_columns_when_a_row_has_several_values():
    rows = [["序号", "类别", "收案（件）", "结案(件)"], ["1", "行政复议", "12", "10"], ["2", "行政诉讼", "6", None]]
    assert render_table(rows) == ["行政复议：收案12件，结案10件", "行政诉讼：收案6件"]


def test_render_table_keeps_text_tables_and_joins_wrapped_cells():
    assert render_table([["单位", "负责人"], ["区司法\n局", "张 三"]]) == ["单位：负责人", "区司法局：张三"]


def test_drop_cjk_spaces_keeps_spaces_between_latin_words():
    assert drop_cjk_spaces("学法 14 次 ，GB/T 2260 标准") == "学法14次，GB/T 2260标准"


def test_garbled_share_counts_cid_placeholders_private_use_and_controls():
    assert garbled_share("(cid:12)(cid:345)(cid:6)法") == pytest.approx(0.75)
    assert garbled_share("\ue001\ue002\ue003法治") == pytest.approx(0.6)
    assert garbled_share("\x01\x04\x05Ä2025") == pytest.approx(0.5)
    assert garbled_share("区政府机关党组专题学法14次，合格率100%。") == 0.0


@pytest.mark.parametrize("line", ["— 3 —", "- 3 -", "3", "第3页 共7页", "第 3 页", "共7页 第3页", "3/7", "Page 3 of 7", "·3·", "一1一"])
def test_page_number_patterns_match_page_number_lines(line):
    flat = re.sub(r"\s+", "", line)
    assert any(rx.search(flat) for rx in _rules.patterns("page_number_patterns"))


@pytest.mark.parametrize("line", ["2025年推进法治政府建设", "一、主要举措", "行政复议12件", "2026年1月15日"])
def test_page_number_patterns_leave_text_lines(line):
    assert not any(rx.search(line) for rx in _rules.patterns("page_number_patterns"))


# ------------------------------------------------------------------ PDF


@pytest.mark.parametrize(("key", "with_table"), [("pdf_table", True), ("pdf_plain", False)])
def test_pdf_gives_the_paragraphs_of_the_original(fx, key, with_table):
    raw = read(pdf_reader, fx[key])
    assert raw.format == "pdf" and raw.pages == 6 and raw.ocr is False and raw.encoding is None
    assert raw.text.count("\f") == raw.pages - 1
    assert paragraphs(raw.text, twin(with_table)) == twin(with_table)


def test_pdf_turned_pages_read_like_upright_ones(fx, tmp_path):
    # landscape pages are stored turned (/Rotate 90) with their text drawn turned back
    turned = mf.write_pdf(tmp_path, "turned.pdf", with_table=True, rotate90=True)
    assert read(pdf_reader, turned).text == read(pdf_reader, fx["pdf_table"]).text


def test_pdf_drops_page_numbers_running_header_and_footer(fx):
    for key in ("pdf_table", "pdf_plain"):
        text = read(pdf_reader, fx[key]).text
        assert mf.RUNNING_FOOTER not in text
        assert mf.RUNNING_HEADER not in text.split("\n")  # the title is split over two lines, the header is not
        assert not re.search(r"— \d+ —|第\d+页|共\d+页", text)
        for page in text.split("\f"):
            first, last = page.strip().split("\n")[0], page.strip().split("\n")[-1]
            assert not re.fullmatch(r"[-—\s\d]+", first) and not re.fullmatch(r"[-—\s\d]+", last)


def test_pdf_text_has_no_fake_bold_duplicates_and_no_spaces_between_chinese(fx):
    text = read(pdf_reader, fx["pdf_table"]).text
    headings = [b.full for b in mf.blocks() if b.kind in ("h1", "h2")]
    for heading in headings:
        assert text.replace("\f", "").count(heading) == 1, heading
    assert "（二）在纵深推进上下功夫，依法行政实践效能显著增强\n" in text
    assert not CJK_SPACE.search(text)
    assert "2025年" in text and "2 025" not in text and "11 3" not in text


def test_pdf_table_rows_come_out_once_as_label_and_value(fx):
    text = read(pdf_reader, fx["pdf_table"]).text
    for line in mf.TABLE_LINES:
        assert text.count(line) == 1
    # the cells' text is not also left in the running text
    assert "类别" not in text and "数量（件）" not in text


def test_scanned_pdf_without_tesseract_says_how_to_enable_ocr(fx, tmp_path, monkeypatch):
    scanned = mf.write_scanned_pdf(tmp_path)
    monkeypatch.setattr(pdf_reader.shutil, "which", lambda name: None)
    with pytest.raises(NoTextLayer) as err:
        read(pdf_reader, scanned)
    message = str(err.value)
    assert str(scanned) in message and "\n" not in message
    assert "no text layer" in message and "tesseract-ocr-chi-sim" in message


@requires("tesseract", program("tesseract") is not None and pdf_reader.ocr_available())
def test_scanned_pdf_is_read_by_ocr(tmp_path):
    raw = read(pdf_reader, mf.write_scanned_pdf(tmp_path))
    assert raw.ocr is True and raw.pages == 1
    assert "专题学法14次" in raw.text
    assert "一、2025年推进法治政府建设的主要举措和成效" in raw.text
    assert not CJK_SPACE.search(raw.text)


def test_garbled_text_layer_without_ocr_is_reported_not_passed_on(tmp_path, monkeypatch):
    garbled = mf.write_garbled_pdf(tmp_path)
    monkeypatch.setattr(pdf_reader.shutil, "which", lambda name: None)
    with pytest.raises(GarbledText) as err:
        read(pdf_reader, garbled)
    assert "(cid:NNN)" in str(err.value) and "page 1" in str(err.value)


@requires("tesseract", program("tesseract") is not None and pdf_reader.ocr_available())
def test_garbled_text_layer_is_read_by_ocr_when_available(tmp_path):
    raw = read(pdf_reader, mf.write_garbled_pdf(tmp_path))
    assert raw.ocr is True
    assert "专题学法14次" in raw.text
    # the report says what was worked around
    assert any("garbled" in w and "OCR" in w for w in raw.warnings)


# ------------------------------------------------------------------ DOCX


def test_docx_renders_word_automatic_heading_numbers(fx):
    raw = read(docx_reader, fx["docx_numbered"])
    assert raw.format == "docx" and raw.encoding is None
    assert raw.text.splitlines() == twin(with_table=False)
    # the markers really come from numbering.xml, not from the text
    with zipfile.ZipFile(fx["docx_numbered"]) as z:
        assert "一、2025年推进" not in z.read("word/document.xml").decode("utf-8")


def test_docx_tables_are_read_in_document_order(fx):
    assert read(docx_reader, fx["docx_table"]).text.splitlines() == twin(with_table=True)


def _numbered_docx(paragraphs: list[tuple[int | None, str]], fmt1: str = "chineseCounting") -> bytes:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    num_id, _ = mf._add_heading_numbering(document)
    if fmt1 != "chineseCounting":
        ours = document.part.numbering_part.element.xpath(f'//w:abstractNum[@w:abstractNumId="{num_id}"]//w:numFmt')
        ours[0].set(f"{{{mf._W}}}val", fmt1)
    for level, text in paragraphs:
        p = document.add_paragraph(text)
        if level is not None:
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr xmlns:w="{mf._W}"><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_numbering_restarts_lower_levels_under_each_heading():
    data = _numbered_docx([(0, "甲"), (1, "子"), (1, "丑"), (2, "细则"), (2, "细则"), (0, "乙"), (1, "寅"), (None, "正文"), (2, "细则")])
    text = docx_reader.read("probe.docx", data).text
    assert text.splitlines() == ["一、甲", "（一）子", "（二）丑", "1.细则", "2.细则", "二、乙", "（一）寅", "正文", "1.细则"]


@pytest.mark.parametrize(("fmt", "expected"), [
    ("chineseCountingThousand", "十一、"), ("japaneseCounting", "十一、"), ("ideographTraditional", "甲、"),
    ("decimal", "11、"), ("decimalFullWidth", "１１、"), ("upperRoman", "XI、")])
def test_docx_numbering_formats(fmt, expected):
    data = _numbered_docx([(0, f"第{i}") for i in range(1, 12)], fmt1=fmt)
    lines = docx_reader.read("probe.docx", data).text.splitlines()
    assert lines[-1] == expected + "第11"  # ideographTraditional cycles 甲…癸, so the 11th is 甲 again


def test_chinese_numbers():
    assert [docx_reader.chinese_number(n) for n in (1, 10, 11, 20, 21, 99, 100, 105, 110, 111)] == [
        "一", "十", "十一", "二十", "二十一", "九十九", "一百", "一百零五", "一百一十", "一百一十一"]


def test_docx_reads_tracked_insertions_and_skips_deletions():
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    p = document.add_paragraph("办理行政复议")
    p._p.append(parse_xml(f'<w:ins xmlns:w="{mf._W}" w:id="1" w:author="a"><w:r><w:t>12件</w:t></w:r></w:ins>'))
    p._p.append(parse_xml(f'<w:del xmlns:w="{mf._W}" w:id="2" w:author="a"><w:r><w:delText>15件</w:delText></w:r></w:del>'))
    buf = io.BytesIO()
    document.save(buf)
    assert docx_reader.read("t.docx", buf.getvalue()).text == "办理行政复议12件"


# ------------------------------------------------------------------ DOC


def test_doc_without_libreoffice_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096
    with pytest.raises(ConverterMissing) as err:
        doc_reader.read("old.doc", ole)
    assert "libreoffice-writer" in str(err.value) and str(err.value).startswith("E014 old.doc: ")


def test_doc_that_is_really_a_docx_or_a_web_page_is_read_as_such(fx):
    raw = doc_reader.read("renamed.doc", fx["docx_numbered"].read_bytes())
    assert raw.format == "doc" and raw.text.splitlines() == twin(with_table=False)
    raw = doc_reader.read("saved-web-page.doc", fx["html_gbk"].read_bytes())
    assert raw.format == "doc" and raw.text.splitlines() == twin(with_table=False)


def test_doc_conversion_runs_soffice_headless_into_a_temp_dir(fx, tmp_path, monkeypatch):
    """The conversion plumbing, with a stand-in for LibreOffice that writes
    the .docx it was asked for (the real one is too big to install for tests)."""
    fake = tmp_path / "soffice"
    log = tmp_path / "args.txt"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > "{log}"\n'
        'while [ $# -gt 0 ]; do case "$1" in --outdir) out="$2"; shift;; esac; shift; done\n'
        f'cp "{fx["docx_table"]}" "$out/input.docx"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: str(fake) if name == "soffice" else None)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096
    raw = doc_reader.read("old.doc", ole)
    assert raw.format == "doc" and raw.text.splitlines() == twin(with_table=True)
    assert raw.sha256 == hashlib.sha256(ole).hexdigest()  # the .doc's, not the converted copy's
    args = log.read_text()
    assert "--headless" in args and "--convert-to docx" in args and "-env:UserInstallation=file://" in args


def test_doc_conversion_failure_is_a_broken_document(tmp_path, monkeypatch):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: str(fake) if name == "soffice" else None)
    with pytest.raises(BrokenDocument, match="could not be loaded"):
        doc_reader.read("bad.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)


@requires("soffice", program("soffice") is not None and doc_reader.converter() is not None)
def test_doc_is_converted_with_libreoffice(fx, tmp_path):
    import subprocess

    subprocess.run([doc_reader.converter(), "--headless", "--convert-to", "doc", "--outdir", str(tmp_path),
                    str(fx["docx_table"])], check=True, capture_output=True, timeout=180)
    raw = read(doc_reader, tmp_path / "nankai-table.doc")
    assert raw.format == "doc" and raw.text.splitlines() == twin(with_table=True)


# ------------------------------------------------------------------ HTML

CHROME = ["字号", "打印本页", "关闭窗口", "分享到", "索引号", "版权所有", "当前位置", "上一篇", "网站标识码", "浏览次数",
          "政务服务", "ICP备", "统计代码", "相关链接", "2024年度法治政府建设情况报告", "政府信息公开年报"]


@pytest.mark.parametrize(("key", "encoding", "with_table"), [
    ("html_utf8", "utf-8", False), ("html_gbk", "gb18030", False), ("html_gbk_undeclared", "gb18030", True),
    ("html_br", "utf-8", True), ("html_table_layout", "utf-8", True)])
def test_html_body_without_site_chrome(fx, key, encoding, with_table):
    raw = read(html_reader, fx[key])
    assert raw.format == "html" and raw.encoding == encoding
    assert raw.text.splitlines() == twin(with_table)
    for phrase in CHROME:
        assert phrase not in raw.text, phrase


def test_html_page_metadata_goes_to_publisher_and_published(fx):
    raw = read(html_reader, fx["html_gbk"])
    assert raw.publisher == "南开区政府办公室"
    assert raw.published == "2026-01-21"  # 发布时间, not the 成文日期 of the 索引号 block


def test_html_meta_tags_win_and_dates_become_iso():
    page = ('<html><head><meta charset="utf-8"><meta name="PubDate" content="2026年2月3日 10:00">'
            '<meta name="ContentSource" content="南开区司法局"></head><body><div class="content">'
            + "".join(f"<p>{line}</p>" for line in twin(False)) + "</div></body></html>")
    raw = html_reader.read("p.html", page.encode("utf-8"))
    assert (raw.publisher, raw.published) == ("南开区司法局", "2026-02-03")


def test_html_title_only_in_h1_is_put_first():
    page = ('<html><head><meta charset="utf-8"></head><body><h1>南开区2025年法治政府建设年度报告</h1>'
            '<div class="content">' + "".join(f"<p>{line}</p>" for line in twin(False)[2:]) + "</div></body></html>")
    raw = html_reader.read("p.html", page.encode("utf-8"))
    assert raw.text.splitlines()[0] == "南开区2025年法治政府建设年度报告"


def test_html_declared_gb2312_but_saved_as_utf8_is_utf8():
    page = '<html><head><meta charset="gb2312"></head><body><p>' + "法治政府建设" * 20 + "</p></body></html>"
    assert html_reader.decode_html(page.encode("utf-8")) == (page, "utf-8")


def test_html_rare_characters_in_gbk_pages_decode_as_gb18030():
    # 䶮 is outside GB2312/GBK; pages that declare gb2312 still carry such names.
    page = '<html><head><meta charset="gb2312"></head><body><p>刘䶮同志</p></body></html>'
    text, encoding = html_reader.decode_html(page.encode("gb18030"))
    assert encoding == "gb18030" and "刘䶮同志" in text
