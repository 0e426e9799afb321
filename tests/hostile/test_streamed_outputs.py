"""A document's outputs encoded a piece at a time (issue 10, point 7).

The batch worker encodes a document's JSON (`report_json_chunks`) and its
lines of the tables (`batch.table_lines` → `manifest.encode_rows`) a few hundred
records at a time, and keeps them in a file once they are large (`spool`), so
a huge document costs little more than its Report. The pieces must make
exactly the bytes of the whole encoders (`report_json`, and `_table_text` here): checked
here on every kind of document, with chunks as small as one record. The full
case (190 MB of XML) is measured in README's "Measured"; here a 1 MB one.
"""
from __future__ import annotations

import gc
import os
import pickle
import tracemalloc
from pathlib import Path

import pytest

from conftest import CORPUS, benchmark_module
from fixtures import make_fixtures as mf
from pipeline import batch, output
from pipeline.extract import extract, extract_text
from pipeline.manifest import STATE_DIR, Manifest, _pieces, decode_rows, encode_rows
from pipeline.output import (
    Spooled,
    atomic_write,
    cell_rows,
    csv_text,
    document_columns,
    finding_row,
    indicator_row,
    report_json,
    report_json_chunks,
    report_row,
    section_row,
    spool,
)


# Reports written for this test: what the whole encoders treat specially.
TEXTS = {
    "an integer past 64 bits": "某区2025年法治政府建设情况报告\n一、工作成效\n全年办理案件100000000000000000000件。\n",
    "decimals of many digits": "某区2025年法治政府建设情况报告\n一、工作成效\n复议纠错率12.345678901234567891%，"
                               "培训0.5万人次。\n",
    "characters JSON escapes": '某区2025年法治政府建设情况报告\n一、工作成效\n"引号"\\反斜杠\u2028行分隔\t制表'
                               "，受理案件12件。\n",
    "formula-like cells": "=HYPERLINK(1)区2025年法治政府建设情况报告\n一、+工作成效\n@受理案件12件，-办结10件。\n",
    "no sections, no indicators": "某区2025年法治政府建设情况报告\n本年度工作平稳。\n",
    "a text table": "某区2025年法治政府建设情况报告\n一、工作成效\n项目\t数量\n受理案件\t12件\n办结案件\t10件\n"
                    "出庭应诉\t5次\n",
}


def _bench_docx():
    return benchmark_module("docx_memory")


def _table_text(doc: dict) -> dict[str, str]:
    """The reference `batch.table_lines` must equal: each table's CSV lines
    made from the document's whole JSON dict, every row at once."""
    common = document_columns(doc)
    rows = {"reports": [report_row(doc, len(doc["sections"]), len(doc["indicators"]))],
            "sections": [section_row(s, common) for s in doc["sections"]],
            "indicators": [indicator_row(i, common, doc["meta"].get("report_type")) for i in doc["indicators"]],
            "findings": [finding_row(f, common) for f in doc.get("findings") or []],
            "tables": [r for t in doc.get("tables") or [] for r in cell_rows(t, doc["doc_id"], doc["source"]["path"])]}
    columns = dict(batch.TABLES)
    return {name: csv_text(columns[name], got) for name, got in rows.items() if got}


@pytest.fixture(scope="module")
def reports(tmp_path_factory, rules):
    """Reports of every kind: the corpus (findings among them), the texts
    above, a .docx, web page and text with tables, a small huge-docx."""
    folder = tmp_path_factory.mktemp("docs")
    got = {p.name: extract(p, rules) for p in sorted(CORPUS.glob("*.txt"))}
    got.update({name: extract_text(text, rules) for name, text in TEXTS.items()})
    got["docx with a table"] = extract(mf.write_docx(folder, with_table=True), rules)
    got["web page with a table"] = extract(mf.write_html(folder, with_table=True), rules)
    got["text twin with a table"] = extract(mf.write_txt_twin(folder, with_table=True), rules)
    got["many tables and numbers"] = extract(_bench_docx().write_big_docx(folder / "big.docx", 0.5), rules)
    assert any(r.findings for r in got.values()) and any(r.tables for r in got.values())
    return got


@pytest.mark.parametrize("chunk", [1, 2, 7, 500])
def test_pieces_make_the_whole_encoders_bytes(reports, chunk, monkeypatch):
    monkeypatch.setattr(output, "ENCODE_CHUNK", chunk)
    for name, report in reports.items():
        doc = report.to_dict()
        assert b"".join(report_json_chunks(report)) == report_json(doc), name
        assert decode_rows(b"".join(encode_rows(batch.table_lines(report)))) == _table_text(doc), name


@pytest.mark.parametrize("pieces", [
    [],
    [("a", "")],
    [("a", "x,y\r\n")],
    [("a", "1"), ("a", ""), ("a", "2"), ("b", ""), ("c", '"\\\n\u2028中')],
    [("reports", "r\r\n"), ("sections", ""), ("indicators", "=1\r\n"), ("indicators", "\x00\x1f")],
])
def test_encoded_row_pieces_give_back_the_joined_texts(pieces):
    whole: dict[str, str] = {}
    for name, piece in pieces:
        whole[name] = whole.get(name, "") + piece
    encoded = b"".join(encode_rows(pieces))
    assert decode_rows(encoded) == {k: v for k, v in whole.items() if v}
    # read back from the state in parts of any size, the same bytes
    for block in (1, 3, 1 << 20):
        got: dict[str, bytes] = {}
        for name, part in _pieces(lambda pos, n: encoded[pos:pos + n], len(encoded), block):
            assert 0 < len(part) <= block
            got[name] = got.get(name, b"") + part
        assert {k: v.decode("utf-8") for k, v in got.items()} == decode_rows(encoded)


def test_spool_keeps_small_outputs_in_memory_and_large_ones_in_a_file(tmp_path):
    chunks = [b"abc", b"", b"def" * 10]
    assert spool(iter(chunks), tmp_path, limit=100) == b"".join(chunks)
    assert spool(iter(chunks), None, limit=0) == b"".join(chunks)  # no folder: in memory whatever the size
    spooled = spool(iter(chunks), tmp_path, limit=5)
    assert isinstance(spooled, Spooled) and len(spooled) == 33 and spooled.read() == b"".join(chunks)
    assert Path(spooled.path).parent == tmp_path and Path(spooled.path).name.startswith(".")
    atomic_write(tmp_path / "out.json", spooled)
    assert (tmp_path / "out.json").read_bytes() == b"".join(chunks)
    assert os.stat(tmp_path / "out.json").st_mode & 0o777 == output.FILE_MODE
    del spooled
    gc.collect()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_spooled_file_goes_with_its_pickle_and_is_deleted_when_dropped(tmp_path):
    sent = spool([b"x" * 10], tmp_path, limit=1)
    got = pickle.loads(pickle.dumps(sent))  # as a worker sends it to its parent
    del sent
    gc.collect()
    assert Path(got.path).read_bytes() == b"x" * 10  # the sender let go of it, the file stayed
    path = got.path
    del got  # never written (JSON not asked for): the file goes
    gc.collect()
    assert not os.path.exists(path)


def test_a_failure_while_spooling_leaves_no_file(tmp_path):
    def chunks():
        yield b"x" * 10
        yield b"y" * 10
        raise OverflowError("cannot encode")

    with pytest.raises(OverflowError):
        spool(chunks(), tmp_path, limit=1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("formats", [("json", "csv"), ("csv", "parquet")])
@pytest.mark.parametrize("jobs, timeout", [(1, None), (2, 300)])  # in this process; in forked workers
def test_spooled_outputs_are_the_same_files_and_leave_nothing_behind(tmp_path, monkeypatch, formats, jobs, timeout):
    docs = tmp_path / "in"
    docs.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:4]:
        (docs / p.name).write_bytes(p.read_bytes())
    plain = tmp_path / "plain"
    batch.run_batch([str(docs)], plain, formats=formats, jobs=jobs, doc_timeout=timeout)
    monkeypatch.setattr(output, "SPOOL_BYTES", 0)  # every output through a file (workers are forked: they see it)
    moved: list[str] = []  # JSON files renamed into place, row files copied into the state's rows file
    real_move, real_copy = Spooled.move_to, Spooled.copy_into
    monkeypatch.setattr(Spooled, "move_to", lambda self, path: (moved.append("json"), real_move(self, path)))
    monkeypatch.setattr(Spooled, "copy_into", lambda self, fh: (moved.append("rows"), real_copy(self, fh)))
    spooled = tmp_path / "spooled"
    res = batch.run_batch([str(docs)], spooled, formats=formats, jobs=jobs, doc_timeout=timeout)
    assert res.processed == 4 and not res.failed
    assert sorted(moved) == ["json"] * 4 * ("json" in formats) + ["rows"] * 4  # each came as a file

    def files(out: Path) -> dict[str, bytes]:
        """The outputs, and each document's rows as kept in the state (whose
        rows file holds them in the order the documents finished)."""
        got = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.suffix != ".parquet"}
        for e in Manifest(out).entries.values():
            data = (out / STATE_DIR / e.rows_file).read_bytes()
            got[f"rows of {Path(e.source).name}"] = data[e.rows_offset:e.rows_offset + e.rows_length]
        return got

    got, want = files(spooled), files(plain)
    assert got.keys() == want.keys() and all(got[k] == want[k] for k in want)
    assert len(got) == 4 * ("json" in formats) + 6 + 4
    assert not [p for p in spooled.rglob(".spool.*")]


def test_encoding_a_document_in_pieces_holds_a_small_part_of_what_encoding_it_whole_does(reports, tmp_path,
                                                                                        monkeypatch):
    """What encoding adds to the Report is a chunk's dicts and text, not the
    whole document's: in chunks of 50 of its 1,200 indicators (2 of its
    findings, which carry their evidence), the allocations peak at a small
    part of the whole encoders' (the document's dicts, JSON and row dicts)."""
    report = reports["many tables and numbers"]
    assert len(report.indicators) > 1000

    def peak(encode) -> int:
        gc.collect()
        tracemalloc.start()
        try:
            encode()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def whole():
        doc = report.to_dict()
        return report_json(doc), _table_text(doc)

    def pieces():
        return (spool(report_json_chunks(report), tmp_path, limit=64 << 10),
                spool(encode_rows(batch.table_lines(report)), tmp_path, limit=64 << 10))

    monkeypatch.setattr(output, "ENCODE_CHUNK", 50)
    doc_json, rows = pieces()
    assert isinstance(doc_json, Spooled) and isinstance(rows, Spooled)
    assert (doc_json.read(), decode_rows(rows.read())) == whole()
    assert peak(pieces) < peak(whole) / 5  # about 1/25 (0.4 against 9.7 MB)


def test_a_spool_file_left_by_a_killed_run_goes_with_the_next_run(tmp_path):
    """A worker killed (time limit, kill -9) after spooling leaves its file in
    the state folder, under a temporary's name: the next run removes it."""
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "r.txt").write_bytes(next(iter(sorted(CORPUS.glob("*.txt")))).read_bytes())
    out = tmp_path / "out"
    (out / STATE_DIR).mkdir(parents=True)
    left = spool([b"x" * 10], out / STATE_DIR, limit=1)
    pickle.dumps(left)  # sent away, never received: nobody owns the file now
    assert Path(left.path).is_file()
    assert batch.run_batch([str(docs)], out, formats=("json",)).processed == 1
    assert not Path(left.path).exists()
