"""One line per error (issue 10 point 9, issue 11 point 5): every case ends as
`govreport: E### file: reason` on stderr, exit status 1, no traceback (with
`--stdout` too); `--debug` shows the traceback; usage mistakes have the same
form; a killed run leaves no traceback noise from its workers."""
from __future__ import annotations

import errno
import os
import pathlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import batch
from pipeline.cli import main

from conftest import SAMPLE_REPORT


def pdf_with_page_tree_loop() -> bytes:
    """A PDF whose /Pages node lists itself among its kids."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
            b"<< /Length 0 >>\nstream\n\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def one_error_line(err: str, code: str, path: Path | str | None = None) -> None:
    lines = [ln for ln in err.splitlines() if not ln.startswith("govreport: WARNING")]
    assert len(lines) == 1, err
    prefix = f"govreport: {code} {path}: " if path is not None else f"govreport: {code} "
    assert lines[0].startswith(prefix), err
    assert "Traceback" not in err


@pytest.fixture()
def good(tmp_path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(SAMPLE_REPORT, encoding="utf-8")
    return path


def _unreadable(monkeypatch, target: Path) -> None:
    real = pathlib.Path.read_bytes

    def read_bytes(self):
        if self.name == target.name:  # root reads any file: simulate a file without permission
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)


def _document_cases(tmp_path, monkeypatch):
    locked = tmp_path / "locked.txt"
    locked.write_text(SAMPLE_REPORT, encoding="utf-8")
    _unreadable(monkeypatch, locked)
    loop = tmp_path / "loop.pdf"
    loop.write_bytes(pdf_with_page_tree_loop())
    link = tmp_path / "self.txt"
    link.symlink_to("self.txt")
    too_long = tmp_path / ("名" * 100 + ".txt")  # 300 bytes: more than a file name may have
    return {"unreadable": (locked, "E001"), "pdf_page_loop": (loop, "E011"), "symlink_loop": (link, "E016"),
            "name_too_long": (too_long, "E001")}


@pytest.mark.parametrize("case", ["unreadable", "pdf_page_loop", "symlink_loop", "name_too_long"])
def test_bad_document_is_one_line_in_a_batch_and_with_stdout(tmp_path, monkeypatch, capsys, good, case):
    path, code = _document_cases(tmp_path, monkeypatch)[case]
    out = tmp_path / "out"
    assert main(["extract", str(good), str(path), "-o", str(out), "-q", "--jobs", "2"]) == 1
    one_error_line(capsys.readouterr().err, code, path)
    assert (out / "good.json").is_file()
    assert main(["extract", str(path), "--stdout"]) == 1
    captured = capsys.readouterr()
    one_error_line(captured.err, code, path)
    assert captured.out == ""


def test_huge_numbers_with_stdout(tmp_path, capsys):
    doc = tmp_path / "huge.txt"
    doc.write_text(SAMPLE_REPORT + "全年办理行政复议案件" + "9" * 61 + "件，另有100000000000000000000件。\n",
                   encoding="utf-8")
    assert main(["extract", str(doc), "--stdout"]) == 0
    captured = capsys.readouterr()
    assert '"value": 100000000000000000000,' in captured.out  # exact, beyond 2^64
    assert "value out of range" in captured.out  # the 61-digit one: dropped, named in the warnings
    assert "Traceback" not in captured.err


def test_read_only_output_folder(tmp_path, monkeypatch, capsys, good):
    out = tmp_path / "out"
    out.mkdir()
    if os.geteuid() != 0:
        out.chmod(0o555)
    else:  # root writes anywhere: simulate the read-only folder
        real = pathlib.Path.mkdir

        def mkdir(self, *args, **kwargs):
            if self.parent == out:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)
    try:
        assert main(["extract", str(good), "-o", str(out), "-q"]) == 1
    finally:
        out.chmod(0o755)
    one_error_line(capsys.readouterr().err, "E205", out)


def test_disk_full(tmp_path, monkeypatch, capsys, good):
    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(batch, "atomic_write", full)
    out = tmp_path / "out"
    assert main(["extract", str(good), "-o", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    one_error_line(err, "E205", out)
    assert "No space left on device" in err
    monkeypatch.undo()
    assert main(["extract", str(good), "-o", str(out), "-q"]) == 0  # the next run finishes the job
    assert (out / "good.json").is_file()


@pytest.mark.parametrize("argv", [["extract"], ["frobnicate"], ["extract", "x.txt", "--jobs", "zero"],
                                  ["query"], ["compare", "--by", "nothing"]])
def test_usage_errors_have_the_same_form(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    one_error_line(err, "E201")
    assert "--help" in err


def test_unexpected_exception_is_e999_and_debug_shows_the_traceback(tmp_path, monkeypatch, capsys, good):
    import pipeline.cli as cli

    def broken(args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "cmd_extract", broken)
    assert main(["extract", str(good)]) == 1
    err = capsys.readouterr().err
    one_error_line(err, "E999")
    assert "ZeroDivisionError: a bug" in err and "--debug" in err
    assert main(["--debug", "extract", str(good)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith("govreport: E999 ")


def test_killed_run_leaves_no_traceback_noise(tmp_path):
    """kill -9 of `extract --jobs 2`: its orphaned workers exit quietly."""
    docs = tmp_path / "in"
    docs.mkdir()
    for i in range(60):
        (docs / f"d{i:03d}.txt").write_text(SAMPLE_REPORT.replace("60件", f"{i + 1}件"), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", str(docs), "-o", str(out), "--jobs", "2",
                             "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    journal = out / ".govreport" / "journal.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None and (
            not journal.is_file() or journal.read_text(encoding="utf-8").count("\n") < 3):
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    # stderr ends when every process holding it (the orphaned workers too) has exited
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err and b"Error" not in err, err.decode("utf-8", "replace")
