"""The minor cases of issue 10 (its list, item 11) that other files of this
suite do not replay: UTF-8 with NULs named as such, a report named index.txt
beside the review site's index page, repeated identical paragraphs of a long
web page kept, libraries' own log lines kept off stderr."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import InputError
from pipeline.ingest import read_document

from conftest import SAMPLE_REPORT
from fixtures import make_fixtures as mf

ROOT = Path(__file__).resolve().parents[2]


def test_utf8_with_nuls_says_so(tmp_path):
    path = tmp_path / "padded.txt"
    path.write_bytes(SAMPLE_REPORT.encode("utf-8") + b"\x00" * 64)
    with pytest.raises(InputError) as exc:
        read_document(path)
    assert "NUL" in str(exc.value) and "not text in any known encoding" not in str(exc.value)


def test_a_report_named_index_keeps_the_site_index(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "index.txt").write_text(SAMPLE_REPORT, encoding="utf-8")
    out, site = tmp_path / "out", tmp_path / "site"
    assert main(["extract", str(src), "-o", str(out)]) == 0
    assert main(["view", str(out), "-o", str(site)]) == 0
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "index_.html" in index  # the report's own page, linked from the index
    assert (site / "index_.html").is_file()


def test_repeated_identical_paragraphs_of_a_long_page_are_kept(tmp_path):
    # a web page of about 400 KB in which one long paragraph comes back again
    # and again (a list of monthly notices): a deduplicating reader kept two
    para = ("<p>本月共受理行政复议申请3件，均已依法办结，其中维持2件、撤销1件；"
            "行政机关负责人出庭应诉率保持100%，行政执法案卷评查全部合格，"
            "各类投诉举报均在法定期限内答复，群众满意度持续提升，未发生重大法律风险事件。</p>")
    filler = "".join(f"<p>第{i}项工作按计划推进，完成培训{i}次。</p>" for i in range(1, 2001))
    page = f"<html><head><title>报告</title></head><body><article>{filler}{para * 300}</article></body></html>"
    path = tmp_path / "long.html"
    path.write_text(page, encoding="utf-8")
    text = read_document(path).text
    assert text.count("本月共受理行政复议申请3件") == 300
    assert "GOVREPORT" not in text  # the reader's tokens never reach the text


_LONG = next(b.full for b in mf.blocks() if b.kind == "para" and len(b.full) > 60)  # a long paragraph
_BR_LINE = "&nbsp;&nbsp;&nbsp;&nbsp;" + _LONG + "<br>"  # as the "br" layout writes it


def _p_of(page: str, text: str) -> str:
    """The <p> element holding `text` in the page, markup included."""
    start = page.index(text)
    return page[page.rindex("<p", 0, start):page.index("</p>", start) + 4]


def _after_the_body(page: str, block: str) -> str:
    end = '\n</div>\n' + mf._CHROME_BOTTOM
    return page.replace(end, "\n" + block + end)


def _chrome_twice(page: str, _block: str) -> str:
    page = page.replace(mf._CHROME_BOTTOM, mf._CHROME_BOTTOM * 2)
    return page.replace('<div class="article-content"', mf._CHROME_TOP.format(title="首页") + '<div class="article-content"')


def _times(n: int):
    return lambda lines, line: [x for ln in lines for x in ([ln] * n if ln == line else [ln])]


# (case, fixture layout, the page changed (given its long paragraph's block),
#  the text's lines changed (given the line of the long paragraph))
REPEATS = [
    ("a long paragraph three times in a row", "p", lambda page, block: page.replace(block, block * 3), _times(3)),
    ("a long paragraph again after the body", "p", _after_the_body, lambda lines, line: lines + [line]),
    ("a long line three times in a <br> page", "br", lambda page, block: page.replace(block, block * 3), _times(3)),
    ("the site's chrome twice over", "p", _chrome_twice, lambda lines, line: lines),
]


@pytest.mark.parametrize("case, layout, change, expect", REPEATS, ids=[r[0] for r in REPEATS])
def test_a_page_repeating_itself_reads_as_the_page_once_with_its_repeats(tmp_path, case, layout, change, expect):
    """What a page repeats is in the text as often as on the page; the rest
    is read as from the page without repeats (site chrome is still dropped)."""
    page = mf.html_page(layout=layout)
    once, changed = tmp_path / "once.html", tmp_path / "changed.html"
    once.write_text(page, encoding="utf-8")
    changed.write_text(change(page, _p_of(page, _LONG) if layout == "p" else _BR_LINE), encoding="utf-8")
    lines = read_document(once).text.splitlines()
    [line] = [ln for ln in lines if _LONG[:30] in ln]
    got = read_document(changed).text.splitlines()
    assert got == expect(lines, line)
    assert not any(word in "\n".join(got) for word in ("网站地图", "上一篇", "GOVREPORT"))


def test_a_page_without_repeats_goes_to_trafilatura_unchanged():
    from lxml import html as lxml_html
    from pipeline.readers import html as reader

    for layout in ("p", "br"):
        page = mf.html_page(True, layout=layout)
        assert reader._mark_repeats(lxml_html.document_fromstring(page), page) is page


def test_library_log_lines_stay_off_stderr(tmp_path):
    # a "page" that is no HTML: trafilatura logs "empty HTML tree" on its own
    path = tmp_path / "thin.html"
    path.write_text("x", encoding="utf-8")
    # a process of its own: in pytest, logging has handlers before main() runs
    err = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(path), "-o", str(tmp_path / "out")],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}).stderr
    assert "govreport: E003 " in err, err  # the document's own one-line error is there
    # the root logger's format would dress them as ours: look for their words
    assert "discarding data" not in err and "HTML tree" not in err, err
