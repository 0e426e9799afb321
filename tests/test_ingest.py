"""Tests of reading input files: text decoding, normalisation of what was read,
and the typed errors for inputs that cannot be read (pipeline.ingest, pipeline.extract).

Every input is written by the test itself into tmp_path; the report text is
made up for these tests.
"""
from __future__ import annotations

import hashlib
import inspect
import random
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest

import pipeline
from pipeline import errors
from pipeline.ingest import DEFAULT_MAX_BYTES, decode_text, read_document

from conftest import SAMPLE_REPORT

REPORT = SAMPLE_REPORT

EXPECTED_VALUES = {
    ("info_disclosure_requests", Decimal(60)),
    ("admin_reconsideration_cases", Decimal(12)),
    ("court_appearances", Decimal(3)),
}


def _values(report) -> set[tuple[str, Decimal]]:
    return {(i.indicator, i.value) for i in report.indicators}


@pytest.fixture(scope="module")
def reference():
    """The report extracted from the text itself: what every encoding must give."""
    return pipeline.extract_text(REPORT)


# --- decoding ------------------------------------------------------------------------

ENCODINGS = [
    # id, bytes of REPORT, source.encoding recorded
    pytest.param(lambda t: t.encode("utf-8"), "utf-8", id="utf-8"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8", id="utf-8-bom"),
    pytest.param(lambda t: t.encode("gb18030"), "gb18030", id="gb18030"),
    pytest.param(lambda t: t.encode("gbk"), "gb18030", id="gbk"),
    pytest.param(lambda t: t.encode("gb2312"), "gb18030", id="gb2312"),
    pytest.param(lambda t: b"\xff\xfe" + t.encode("utf-16-le"), "utf-16", id="utf-16-le-bom"),
    pytest.param(lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "utf-16", id="utf-16-be-bom"),
    pytest.param(lambda t: t.encode("utf-16"), "utf-16", id="utf-16-native-bom"),
]


@pytest.mark.parametrize("encode, encoding", ENCODINGS)
def test_encodings_decode_to_the_same_text(tmp_path: Path, reference, encode: Callable[[str], bytes],
                                           encoding: str) -> None:
    data = encode(REPORT)
    path = tmp_path / "report.txt"
    path.write_bytes(data)

    raw = read_document(path)
    assert raw.text == REPORT  # BOM gone, every character intact
    assert raw.encoding == encoding

    report = pipeline.extract(path)
    assert report.source.encoding == encoding
    assert report.source.format == "txt"
    assert report.source.path == str(path)
    assert report.source.sha256 == hashlib.sha256(data).hexdigest()
    assert report.text == reference.text
    assert _values(report) == _values(reference)
    assert EXPECTED_VALUES <= _values(report)


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_windows_and_old_mac_line_endings(tmp_path: Path, reference, newline: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(REPORT.replace("\n", newline).encode("gbk"))
    report = pipeline.extract(path)
    assert report.text == reference.text
    assert _values(report) == _values(reference)


def test_str_path_is_read_as_a_file(tmp_path: Path, reference) -> None:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    report = pipeline.extract(str(path))
    assert report.source.path == str(path)
    assert report.text == reference.text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(REPORT.encode(codec))
    assert read_document(path).text == REPORT


def test_utf8_with_one_damaged_byte_is_still_utf8() -> None:
    data = REPORT.encode("utf-8") * 5
    data = data[:40] + b"\xff" + data[40:]
    text, encoding = decode_text(data)
    assert encoding == "utf-8"
    assert REPORT[-10:] in text


# --- normalisation of what was read ------------------------------------------------------

NORMALISATION = [
    # id, file text, must be in report.text, must not be in report.text
    pytest.param("2025年，区司法局处理信息公开申请６０件。\n", "信息公开申请60件", "６", id="full-width-digits"),
    pytest.param("全区建成ＯＡ办公系统２套。\n", "建成OA办公系统2套", "Ａ", id="full-width-letters"),
    pytest.param("全区建成ｏａ办公系统２套。\n", "建成oa办公系统2套", "ａ", id="full-width-lowercase"),
    pytest.param("法治培训考试合格率１００％。\n", "合格率100%", "％", id="full-width-percent"),
    pytest.param("审查合同１２．５万元。\n", "12.5万元", "．", id="full-width-decimal-point"),
    pytest.param("区 司法局 处理 信息公开申请 60 件 。\n", "区司法局处理信息公开申请60件。", "局 处", id="spaces-between-han"),
    pytest.param("区\u3000司法局\u3000处理信息公开申请60件。\n", "区司法局处理信息公开申请60件。", "\u3000",
                 id="ideographic-spaces"),
    pytest.param("\u3000\u3000区司法局处理信息公开申请60件。\n", "区司法局处理", "\u3000", id="indentation"),
    pytest.param("区司法局处理信息公开申请60件，\n行政复议12件。\n", "信息公开申请60件，行政复议12件。", "，\n",
                 id="line-broken-after-comma"),
    pytest.param("区司法局处理信息公开申请60件、\n行政复议12件。\n", "信息公开申请60件、行政复议12件。", "、\n",
                 id="line-broken-after-enumeration-comma"),
    pytest.param("执行GB/T 2260标准。\n", "GB/T 2260标准", None, id="space-between-latin-kept"),
    pytest.param("第一段。\n\n\n第二段。\n", "第一段。\n第二段。", "\n\n", id="blank-lines-dropped"),
]


@pytest.mark.parametrize("content, present, absent", NORMALISATION)
def test_normalised_text(tmp_path: Path, content: str, present: str, absent: str | None) -> None:
    path = tmp_path / "report.txt"
    path.write_text(content, encoding="utf-8")
    text = pipeline.extract(path).text
    assert present in text
    if absent is not None:
        assert absent not in text


def test_full_width_numbers_become_indicators(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("2025年，区政府负责人出庭应诉３次，法治培训考试合格率１００％。\n", encoding="utf-8")
    report = pipeline.extract(path)
    assert "出庭应诉3次" in report.text and "合格率100%" in report.text
    found = {(i.value, i.unit) for i in report.indicators}
    assert (Decimal(3), "次") in found
    assert (Decimal(100), "%") in found
    for ind in report.indicators:
        assert report.text[ind.span[0]:ind.span[1]] == ind.text


def test_broken_sentence_gives_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("2025年，区司法局处理信息公开申请60件，\n行政复议12件，出庭应诉3次。\n", encoding="gbk")
    report = pipeline.extract(path)
    assert _values(report) >= EXPECTED_VALUES
    sentences = {i.sentence for i in report.indicators}
    assert sentences == {"2025年，区司法局处理信息公开申请60件，行政复议12件，出庭应诉3次。"}


# --- inputs that cannot be read ------------------------------------------------------------

def _png_bytes() -> bytes:
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
            + random.Random(1).randbytes(500))


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        p = tmp / name
        p.write_bytes(data)
        return p
    return make


def _missing(tmp: Path) -> Path:
    return tmp / "不存在的报告.txt"


def _folder(name: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        p = tmp / name
        p.mkdir()
        (p / "inside.txt").write_text(REPORT, encoding="utf-8")
        return p
    return make


BAD_INPUTS = [
    pytest.param(_missing, (errors.MissingFile,), id="missing-file"),
    pytest.param(_write("empty.txt", b""), (errors.EmptyDocument,), id="empty-0-bytes"),
    pytest.param(_write("blank.txt", b"  \n\t\r\n   \n"), (errors.EmptyDocument,), id="whitespace-only"),
    pytest.param(_write("blank-cjk.txt", "\u3000\u3000\r\n\u3000\n".encode("utf-8")), (errors.EmptyDocument,),
                 id="ideographic-whitespace-only"),
    pytest.param(_write("bom-only.txt", b"\xef\xbb\xbf"), (errors.EmptyDocument,), id="utf8-bom-only"),
    pytest.param(_write("blank16.txt", b"\xff\xfe" + " \n \n".encode("utf-16-le")), (errors.EmptyDocument,),
                 id="utf16-whitespace-only"),
    pytest.param(_write("junk.txt", random.Random(0).randbytes(4000) + b"\x00" * 16),
                 (errors.BinaryContent, errors.UndecodableText), id="random-bytes-with-nul"),
    pytest.param(_write("junk2.txt", bytes(b or 1 for b in random.Random(2).randbytes(4000))),
                 (errors.BinaryContent, errors.UndecodableText), id="random-bytes-without-nul"),
    pytest.param(_write("image.txt", _png_bytes()), (errors.BinaryContent, errors.UndecodableText),
                 id="png-named-txt"),
    pytest.param(_write("archive.txt", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + random.Random(3).randbytes(300)),
                 (errors.BinaryContent, errors.UndecodableText), id="zip-named-txt"),
    pytest.param(_write("report.xyz", REPORT.encode("utf-8")), (errors.UnsupportedFormat,), id="unsupported-xyz"),
    pytest.param(_write("report", REPORT.encode("utf-8")), (errors.UnsupportedFormat,), id="no-extension"),
    pytest.param(_folder("folder"), (errors.UnsupportedFormat,), id="folder"),
    pytest.param(_folder("folder.txt"), (errors.UnsupportedFormat,), id="folder-named-txt"),
]


@pytest.mark.parametrize("make, expected", BAD_INPUTS)
def test_bad_input_raises_typed_error(tmp_path: Path, make: Callable[[Path], Path],
                                      expected: tuple[type[errors.InputError], ...]) -> None:
    path = make(tmp_path)
    with pytest.raises(errors.InputError) as info:
        pipeline.extract(Path(path))
    exc = info.value
    assert isinstance(exc, expected), f"{type(exc).__name__}: {exc}"
    assert path.name in str(exc)
    assert exc.path == str(path)
    assert exc.code.startswith("E0") and exc.code in str(exc)
    assert exc.message and exc.message in str(exc)
    # the same error from the reader itself
    with pytest.raises(type(exc)):
        read_document(path)


# --- size limit ------------------------------------------------------------------------------

def test_max_bytes_default_is_the_module_limit() -> None:
    # The default is bound when the module is imported (from GOVREPORT_MAX_BYTES):
    # patching DEFAULT_MAX_BYTES later changes nothing, so tests pass max_bytes.
    default = inspect.signature(read_document).parameters["max_bytes"].default
    assert default == DEFAULT_MAX_BYTES
    assert DEFAULT_MAX_BYTES >= 1024 * 1024


@pytest.mark.parametrize("limit, too_large", [(10, True), (1000, False)], ids=["over", "under"])
def test_file_too_large(tmp_path: Path, limit: int, too_large: bool) -> None:
    path = tmp_path / "big.txt"
    path.write_text(REPORT, encoding="utf-8")  # a few hundred bytes
    if too_large:
        with pytest.raises(errors.FileTooLarge) as info:
            read_document(path, max_bytes=limit)
        assert path.name in str(info.value)
        assert info.value.code == "E007"
    else:
        assert read_document(path, max_bytes=limit).text == REPORT


def test_file_exactly_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "edge.txt"
    data = REPORT.encode("utf-8")
    path.write_bytes(data)
    assert read_document(path, max_bytes=len(data)).text == REPORT
    with pytest.raises(errors.FileTooLarge):
        read_document(path, max_bytes=len(data) - 1)


def test_extract_takes_a_path_never_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """extract(path) never guesses: a relative path run from another folder, or a string that
    looks like text, is a file name; a missing one is MissingFile, not a report of 0 indicators."""
    monkeypatch.chdir(tmp_path)
    for missing in ("corpus/nankai-gov-office-2025.txt", "全年组织集中学法8次。", Path("nowhere.txt")):
        with pytest.raises(errors.MissingFile) as info:
            pipeline.extract(missing)
        assert info.value.code == "E002" and str(missing) in str(info.value)
    assert [i.value for i in pipeline.extract_text("全年组织集中学法8次。").indicators] == [8]
    with pytest.raises(TypeError, match="extract\\(path\\)"):
        pipeline.extract_text(Path("report.txt"))  # type: ignore[arg-type]


def test_a_markdown_copy_reads_without_its_markup(tmp_path):
    """A report converted to Markdown (pandoc, markitdown, docling) and saved as text:
    its heading marks and bold go, its words and pipe tables stay. (A folder's .md
    files are not walked: they are READMEs more often than reports.)"""
    from pipeline import extract

    md = tmp_path / "report.txt"
    md.write_text("# 南开区司法局2024年法治政府建设情况报告\n\n## 一、主要工作\n\n"
                  "**（一）强化学法。** 全年组织集中学法8次。\n", encoding="utf-8")
    report = extract(md)
    assert report.meta.title == "南开区司法局2024年法治政府建设情况报告"
    assert report.meta.agency == "南开区司法局"
    assert "#" not in report.text and "**" not in report.text
    assert [(i.text, i.indicator) for i in report.indicators] == [("学法8次", "study_sessions")]
