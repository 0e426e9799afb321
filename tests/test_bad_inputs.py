"""Bad input: each case gets one clear line naming the file and the reason,
a row in errors.csv, and does not stop the rest of the batch."""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from fixtures import built, make_fixtures as mf
from pipeline.errors import BrokenDocument, EmptyDocument, EncryptedDocument, FileTooLarge, InputError
from pipeline.ingest import read_document


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return built(str(tmp_path_factory.getbasetemp() / "govreport-fixtures"))


def make_bad_inputs(folder: Path, fx: dict[str, Path]) -> dict[str, tuple[type[InputError], str]]:
    """Write one file per bad case; returns file name -> (error class, words the reason must hold)."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: dict[str, tuple[type[InputError], str]] = {}
    if "pdf_plain" in fx:  # the PDF fixtures need a CJK font (conftest.pdf_font)
        mf.write_pdf(folder, "encrypted-needs-password.pdf", with_table=False, blocks_=mf.short_blocks(),
                     encrypt_password="secret")
        cases["encrypted-needs-password.pdf"] = (EncryptedDocument, "password needed")
        whole = fx["pdf_plain"].read_bytes()
        (folder / "truncated.pdf").write_bytes(whole[: len(whole) * 6 // 10])
        cases["truncated.pdf"] = (BrokenDocument, "truncated")
    (folder / "really-html.pdf").write_bytes(b"<!DOCTYPE html><html><head><title>404</title></head><body>Not found</body></html>")
    cases["really-html.pdf"] = (BrokenDocument, "web page (HTML)")
    for suffix in (".txt", ".pdf", ".docx", ".doc", ".html", ".htm"):
        (folder / f"zero-bytes{suffix}").write_bytes(b"")
        cases[f"zero-bytes{suffix}"] = (EmptyDocument, "empty (0 bytes)")
    mf.write_docx_not_zip(folder)
    cases["not-a-zip.docx"] = (BrokenDocument, "not a zip archive")
    mf.write_docx_zip_bomb(folder)
    cases["zip-bomb.docx"] = (FileTooLarge, "over the 200 MB limit")
    mf.write_html_no_body(folder)
    cases["no-body.html"] = (EmptyDocument, "no report text")
    return cases


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory, fx) -> tuple[Path, dict[str, tuple[type[InputError], str]]]:
    folder = tmp_path_factory.mktemp("bad-inputs")
    return folder, make_bad_inputs(folder, fx)


def test_each_bad_input_raises_its_typed_error_with_one_line(bad):
    folder, cases = bad
    for name, (error, words) in sorted(cases.items()):
        path = str(folder / name)
        with pytest.raises(InputError) as err:
            read_document(path)
        assert type(err.value) is error, (name, err.value)
        message = str(err.value)
        assert message.startswith(f"{error.code} {path}: "), message
        assert words in message, message
        assert "\n" not in message


def test_readers_refuse_empty_bytes_when_called_directly():
    from pipeline.readers import doc, docx, html, pdf

    for reader in (pdf, docx, doc, html):
        with pytest.raises(EmptyDocument):
            reader.read("empty", b"")


def test_zip_bomb_under_the_size_limit_is_still_refused_by_its_ratio(tmp_path):
    path = mf.write_docx_zip_bomb(tmp_path, unpacked_mb=20)
    with pytest.raises(FileTooLarge, match="zip bomb"):
        read_document(path)


def test_docx_that_is_an_old_binary_doc_says_so(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)
    with pytest.raises(BrokenDocument, match="old binary Word .doc"):
        read_document(path)


def test_a_200_mb_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as fh:  # sparse: takes no disk space
        fh.truncate(200 * 1024 * 1024)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("a 200 MB file must not be read into memory"))
    with pytest.raises(FileTooLarge) as err:
        read_document(path)
    assert "200 MB" in str(err.value) and "GOVREPORT_MAX_BYTES" in str(err.value)


def test_bad_inputs_are_rows_in_errors_csv_and_the_batch_goes_on(bad, fx, tmp_path, capsys):
    from pipeline.cli import main

    folder, cases = bad
    shutil.copy(mf.ORIGINAL, folder / "good.txt")
    # a second good document with the same stem (a PDF, or a Word file where no PDF fixture can be made)
    second = ("pdf_plain", "good.pdf") if "pdf_plain" in fx else ("docx_numbered", "good.docx")
    shutil.copy(fx[second[0]], folder / second[1])
    out = tmp_path / "out"
    status = main(["extract", str(folder), "-o", str(out), "--jobs", "1"])
    assert status == 1  # some documents failed
    with open(out / "errors.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {Path(r["source"]).name for r in rows} == set(cases)
    for row in rows:
        error, words = cases[Path(row["source"]).name]
        assert row["code"] == error.code and words in row["reason"]
    # both good documents were processed (same stem: the second gets a suffix)
    written = {p.name for p in out.glob("*.json")}
    assert len(written) == 2 and "good.json" in written
    err_lines = [ln for ln in capsys.readouterr().err.splitlines() if ": E0" in ln]
    for name in cases:
        assert sum(1 for ln in err_lines if os.path.join(str(folder), name) + ":" in ln) == 1, name
