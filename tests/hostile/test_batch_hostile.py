"""Hostile batches (issue 10): resume keys, the per-document guard, values out
of the contract's range, Parquet replaced all or none, the per-document time
limit, the output-folder lock, the folder walk's traces, empty and missing inputs."""
from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path

import pytest

from pipeline import batch, store
from pipeline.batch import process_one, run_batch
from pipeline.errors import NoInputs, OutputLocked, WorkerDied

from conftest import SAMPLE_REPORT

FORMATS = ("json", "csv", "parquet")


def report(district: str, count: int = 60) -> str:
    """A small report of a district of Tianjin (made up)."""
    return (f"天津市{district}2025年法治政府建设年度报告\n"
            + SAMPLE_REPORT.split("\n", 1)[1].replace("信息公开申请60件", f"信息公开申请{count}件"))


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_resume_keys_on_content_and_path_not_on_the_stem(tmp_path):
    """The a/b/a sequence: b/report.txt, then a/report.txt, then b/report.txt into one folder."""
    a, b = tmp_path / "a" / "report.txt", tmp_path / "b" / "report.txt"
    for path, district in ((a, "南开区"), (b, "河西区")):
        path.parent.mkdir()
        path.write_text(report(district), encoding="utf-8")
    out = tmp_path / "out"
    assert run_batch([str(b)], out, formats=FORMATS).processed == 1
    assert run_batch([str(a)], out, formats=FORMATS).processed == 1
    third = run_batch([str(b)], out, formats=FORMATS)
    # b was done before and is unchanged: skipped, and its own rows make the tables
    assert (third.processed, third.skipped, third.failed) == (0, 1, [])
    (row,) = rows(out / "reports.csv")
    assert (row["source"], row["region"]) == (str(b), "河西区")
    # each input has its own outputs, under a name that stays its own
    names = sorted(p.name for p in out.glob("report*.json"))
    assert len(names) == 2 and "report.json" in names
    assert run_batch([str(a), str(b)], out, formats=FORMATS).skipped == 2
    assert {r["source"]: r["region"] for r in rows(out / "reports.csv")} == {str(a): "南开区", str(b): "河西区"}


def test_same_path_new_content_is_reprocessed(tmp_path):
    doc = tmp_path / "report.txt"
    doc.write_text(report("南开区"), encoding="utf-8")
    out = tmp_path / "out"
    run_batch([str(doc)], out)
    st = doc.stat()
    doc.write_text(report("河西区"), encoding="utf-8")  # same size, same mtime: only the content differs
    os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert run_batch([str(doc)], out).processed == 1
    assert rows(out / "reports.csv")[0]["region"] == "河西区"


HUGE = [
    ("int_2_64", "全年办理行政复议案件100000000000000000000件。", "100000000000000000000"),  # > 2^64
    ("digits_61", "全年办理行政复议案件" + "9" * 61 + "件。", None),  # beyond the contract: dropped
    ("decimals_18", "法治培训考试合格率12.345678901234567891%。", None),
]


@pytest.mark.parametrize("name, sentence, kept", HUGE, ids=[h[0] for h in HUGE])
def test_huge_numbers_never_stop_the_batch(tmp_path, name, sentence, kept):
    good = tmp_path / "in" / "a-good.txt"
    good.parent.mkdir()
    good.write_text(report("南开区"), encoding="utf-8")
    alone = tmp_path / "alone"
    run_batch([str(good)], alone, formats=FORMATS)
    bad = tmp_path / "in" / "b-bad.txt"
    bad.write_text(report("河西区") + sentence + "\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run_batch([str(tmp_path / "in")], out, formats=FORMATS)
    assert (res.processed, res.failed) == (2, [])
    assert (out / "a-good.json").read_bytes() == (alone / "a-good.json").read_bytes()
    doc = (out / "b-bad.json").read_text(encoding="utf-8")
    values = [r["value"] for r in rows(out / "indicators.csv") if r["source"] == str(bad)]
    if kept:
        assert f'"value": {kept},' in doc and kept in values
        assert any(store.load(out)["indicators"]["value"] == int(kept))
    else:
        assert "value out of range" in doc  # the warning names the dropped number
        assert all(len(v.replace("-", "").split(".")[0]) <= 28 for v in values)
    assert run_batch([str(tmp_path / "in")], out, formats=FORMATS).skipped == 2  # a rerun goes through too


def test_a_failure_while_encoding_is_that_documents_error_only(tmp_path, monkeypatch):
    """Output encoding is inside the guard: an exception there is one errors.csv row."""
    docs = tmp_path / "in"
    docs.mkdir()
    for i, district in enumerate(("南开区", "河西区", "和平区")):
        (docs / f"d{i}.txt").write_text(report(district, 60 + i), encoding="utf-8")
    real = batch.report_json_chunks

    def flaky(report):
        if report.source.path.endswith("d1.txt"):
            raise OverflowError("cannot encode")
        return real(report)

    monkeypatch.setattr(batch, "report_json_chunks", flaky)
    out = tmp_path / "out"
    res = run_batch([str(docs)], out, formats=FORMATS, jobs=2)
    assert res.processed == 2 and [f[:2] for f in res.failed] == [(str(docs / "d1.txt"), "E999")]
    assert [r["code"] for r in rows(out / "errors.csv")] == ["E999"]
    assert len(rows(out / "reports.csv")) == 2
    again = run_batch([str(docs)], out, formats=FORMATS)  # the rerun does not die at the same place
    assert again.skipped == 2 and len(again.failed) == 1


def test_parquet_tables_are_replaced_all_or_none(tmp_path, monkeypatch):
    doc = tmp_path / "report.txt"
    doc.write_text(report("南开区"), encoding="utf-8")
    out = tmp_path / "out"
    run_batch([str(doc)], out, formats=FORMATS)
    before = outputs(out)
    doc.write_text(report("河西区", 77), encoding="utf-8")
    real = store.csv_to_parquet_staged
    calls = []

    def fail_third(csv_path, parquet_path):
        calls.append(parquet_path.name)
        if len(calls) == 3:
            raise ValueError("decimal overflow")
        return real(csv_path, parquet_path)

    monkeypatch.setattr(store, "csv_to_parquet_staged", fail_third)
    with pytest.raises(ValueError):
        run_batch([str(doc)], out, formats=FORMATS)
    after = outputs(out)
    tables = [n for n in before if n.endswith((".csv", ".parquet"))]
    assert {n: after[n] for n in tables} == {n: before[n] for n in tables}  # every table of the first run
    assert not list(out.glob(".*.tmp"))
    monkeypatch.setattr(store, "csv_to_parquet_staged", real)
    assert run_batch([str(doc)], out, formats=FORMATS).tables_rebuilt
    assert rows(out / "reports.csv")[0]["region"] == "河西区"
    assert store.load(out)["reports"]["region"].tolist() == ["河西区"]


def _corpus_with(folder: Path, first: str) -> Path:
    folder.mkdir()
    for i, district in enumerate(("南开区", "河西区", "和平区", "河东区")):
        (folder / f"d{i}.txt").write_text(report(district, 60 + i), encoding="utf-8")
    (folder / first).write_text(report("河北区"), encoding="utf-8")
    return folder


def test_doc_timeout_stops_one_document_and_the_batch_goes_on(tmp_path, monkeypatch):
    docs = _corpus_with(tmp_path / "in", "a-stuck.txt")
    real = batch.process_one

    def stuck(path, rules_dir=None, shown=None, spool_dir=None):
        if path.endswith("a-stuck.txt"):
            while True:  # for ever, as a pathological document would be (even in C: the worker is killed)
                time.sleep(0.05)
        return real(path, rules_dir, shown, spool_dir)

    monkeypatch.setattr(batch, "process_one", stuck)
    out = tmp_path / "out"
    started = time.monotonic()
    res = run_batch([str(docs)], out, formats=FORMATS, jobs=2, doc_timeout=5)
    assert time.monotonic() - started < 60
    assert res.processed == 4 and [(Path(p).name, c) for p, c, _ in res.failed] == [("a-stuck.txt", "E015")]
    assert rows(out / "errors.csv")[0]["code"] == "E015"
    # byte-identical to a run without the stuck document (apart from errors.*)
    monkeypatch.setattr(batch, "process_one", real)
    (docs / "a-stuck.txt").unlink()
    plain = tmp_path / "plain"
    run_batch([str(docs)], plain, formats=FORMATS, jobs=1, doc_timeout=None)
    got, want = outputs(out), outputs(plain)
    for name in want:
        if not name.startswith("errors."):
            assert got[name] == want[name], name


def _record_writes(monkeypatch, after=None) -> list[str]:
    """The names of the documents the batch writes, in the order it writes
    them (`batch._take` wrapped); `after(names)` runs after each is written."""
    finished: list[str] = []
    real_take = batch._take

    def take(outcome, *args):
        finished.append(Path(outcome.path).name)
        failure = real_take(outcome, *args)
        if after is not None:
            after(finished)
        return failure

    monkeypatch.setattr(batch, "_take", take)
    return finished


@pytest.mark.parametrize("fate", ["stuck", "dies"])
def test_documents_sent_ahead_of_a_lost_one_are_not_lost(tmp_path, monkeypatch, fate):
    """One worker, its first document stuck past the limit or killing it: the
    documents sent ahead to it (batch.PREFETCH) are taken by the next worker,
    each written once, in input order."""
    docs = _corpus_with(tmp_path / "in", "a-bad.txt")
    real = batch.process_one

    def bad(path, rules_dir=None, shown=None, spool_dir=None):
        if path.endswith("a-bad.txt"):
            if fate == "dies":
                os._exit(9)  # as a crash in a library would
            while True:
                time.sleep(0.05)
        return real(path, rules_dir, shown, spool_dir)

    monkeypatch.setattr(batch, "process_one", bad)
    out = tmp_path / "out"
    res = run_batch([str(docs)], out, formats=FORMATS, jobs=1, doc_timeout=3)
    code = "E015" if fate == "stuck" else WorkerDied.code
    assert res.processed == 4 and [(Path(p).name, c) for p, c, _ in res.failed] == [("a-bad.txt", code)]
    assert [Path(r["source"]).name for r in rows(out / "reports.csv")] == ["d0.txt", "d1.txt", "d2.txt", "d3.txt"]


def test_results_are_written_as_they_finish(tmp_path, monkeypatch):
    """A slow first document holds nothing back: the others' outputs are
    written while it runs; the tables are still in input order."""
    docs = _corpus_with(tmp_path / "in", "a-slow.txt")
    out = tmp_path / "out"
    go = tmp_path / "go"  # the slow document finishes only once the other four are written
    real = batch.process_one

    def slow(path, rules_dir=None, shown=None, spool_dir=None):
        if path.endswith("a-slow.txt"):
            deadline = time.monotonic() + 60
            while not go.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        return real(path, rules_dir, shown, spool_dir)

    def after(finished: list[str]) -> None:
        if len(finished) == 4:
            assert all((out / f"d{i}.json").is_file() for i in range(4))
            go.touch()

    finished = _record_writes(monkeypatch, after)
    monkeypatch.setattr(batch, "process_one", slow)
    res = run_batch([str(docs)], out, formats=FORMATS, jobs=2)
    assert res.processed == 5 and finished[-1] == "a-slow.txt"
    assert [Path(r["source"]).name for r in rows(out / "reports.csv")] == ["a-slow.txt", "d0.txt", "d1.txt",
                                                                          "d2.txt", "d3.txt"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_documents_taken_back_from_a_slow_worker_go_to_another_once(tmp_path, monkeypatch, jobs):
    """Many documents sent ahead (PREFETCH) to a worker whose first is slow:
    those taken back after RESEND_AFTER go to the other worker, never back
    into the queue they came from; with one worker they stay where they are.
    Every document is written once; with two workers, all before the slow one."""
    monkeypatch.setattr(batch, "PREFETCH", 8)
    monkeypatch.setattr(batch, "RESEND_AFTER", 0.3)
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a-slow.txt").write_text(report("河北区"), encoding="utf-8")
    names = [f"d{i:02d}.txt" for i in range(19)]
    for i, name in enumerate(names):
        (docs / name).write_text(report("南开区", 60 + i), encoding="utf-8")
    out = tmp_path / "out"
    real = batch.process_one

    calls = tmp_path / "calls"  # one line per document a worker extracts

    def slow(path, rules_dir=None, shown=None, spool_dir=None):
        with open(calls, "a", encoding="utf-8") as fh:
            fh.write(Path(path).name + "\n")
        if path.endswith("a-slow.txt"):
            deadline = time.monotonic() + (60 if jobs == 2 else 1)
            while time.monotonic() < deadline and len(list(out.glob("d*.json"))) < len(names):
                time.sleep(0.02)
        return real(path, rules_dir, shown, spool_dir)

    finished = _record_writes(monkeypatch)
    monkeypatch.setattr(batch, "process_one", slow)
    res = run_batch([str(docs)], out, formats=FORMATS, jobs=jobs)
    assert res.processed == 20 and sorted(finished) == sorted(["a-slow.txt", *names])
    if jobs == 2:
        assert finished[-1] == "a-slow.txt"
    else:  # nowhere else to go: each extracted once, none sent into its own queue again
        got = calls.read_text(encoding="utf-8").split()
        assert sorted(got) == sorted(["a-slow.txt", *names]), " ".join(got)
    assert [Path(r["source"]).name for r in rows(out / "reports.csv")] == ["a-slow.txt", *names]


def test_second_run_into_a_folder_in_use_stops_at_once(tmp_path, capsys):
    from pipeline.cli import main

    doc = tmp_path / "report.txt"
    doc.write_text(report("南开区"), encoding="utf-8")
    out = tmp_path / "out"
    run_batch([str(doc)], out)
    theirs = out / ".report.json.12345.tmp"  # a live run's temporary file
    theirs.write_bytes(b"partial")
    held = batch._lock(out)  # the other run holds the folder
    try:
        with pytest.raises(OutputLocked):
            run_batch([str(doc)], out)
        assert main(["extract", str(doc), "-o", str(out), "-q"]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"govreport: E204 {out}: another govreport run")
        assert theirs.read_bytes() == b"partial"  # its files are left alone
    finally:
        os.close(held)
    assert run_batch([str(doc)], out).skipped == 1
    assert not theirs.exists()  # stale once nobody holds the folder


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_files_skipped_by_the_folder_walk_leave_a_trace(tmp_path, monkeypatch):
    docs = tmp_path / "in"
    (docs / "sub").mkdir(parents=True)
    (docs / "good.txt").write_text(report("南开区"), encoding="utf-8")
    os.mkfifo(docs / "pipe.txt")
    os.symlink("..", docs / "sub" / "up")  # a folder loop
    os.symlink("self.txt", docs / "self.txt")  # a link to itself
    locked = docs / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == locked:  # root can read any folder: simulate a folder without permission
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(batch.os, "scandir", scandir)
    out = tmp_path / "out"
    res = run_batch([str(docs)], out)
    assert res.processed == 1
    traced = {Path(p).name: code for p, code, _ in res.failed}
    assert traced == {"pipe.txt": "E005", "up": "E016", "self.txt": "E016", "locked": "E017"}
    assert {r["code"] for r in rows(out / "errors.csv")} == {"E005", "E016", "E017"}


def test_empty_input_set_creates_nothing(tmp_path, capsys):
    from pipeline.cli import main

    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    with pytest.raises(NoInputs):
        run_batch([str(empty)], out)
    assert main(["extract", str(empty), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("govreport: E206 no documents to read") and err.count("\n") == 1
    assert main(["extract", str(tmp_path / "missing.txt"), "-o", str(out), "-q"]) == 1
    assert capsys.readouterr().err == f"govreport: E002 {tmp_path / 'missing.txt'}: no such file\n"
    assert not out.exists()


def test_dask_workers_record_the_path_as_given(tmp_path, monkeypatch):
    """Dask workers get absolute paths; the outputs keep the user's (issue 11 point 6)."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "r.txt").write_text(report("南开区"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    got = process_one(str(tmp_path / "in" / "r.txt"), None, "in/r.txt")
    local = process_one("in/r.txt")
    assert got.error is None and got.path == "in/r.txt"
    assert (got.json_bytes, got.rows_bytes) == (local.json_bytes, local.rows_bytes)


def test_an_input_name_near_the_limit_gets_outputs_that_fit(tmp_path):
    # 83 × 名 + ".txt" is 253 bytes, a legal name; its "<stem>.json" and the
    # temporaries beside it would not be: the stem is cut and told apart by its path
    folder = tmp_path / "in"
    folder.mkdir()
    long = folder / ("名" * 83 + ".txt")
    long.write_text(SAMPLE_REPORT, encoding="utf-8")
    (folder / "good.txt").write_text(SAMPLE_REPORT, encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch([str(folder)], out, jobs=2, formats=("json", "csv"))
    assert (result.processed, result.failed) == (2, [])
    names = sorted(p.name for p in out.glob("*.json"))
    assert "good.json" in names and all(len(n.encode("utf-8")) <= 205 for n in names)
    assert str(long) in (out / "reports.csv").read_text(encoding="utf-8-sig")  # the path stays whole
