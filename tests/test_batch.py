"""Batches: all cores, resumable and incremental runs, progress, a dask cluster."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.batch import run_batch
from pipeline.rules import default_rules_dir

from conftest import SEED

TEMPLATE = SEED.read_text(encoding="utf-8")


def make_corpus(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"doc{i:04d}.txt"
        # every document distinct: a different count in the first indicator
        p.write_text(TEMPLATE.replace("专题学法14次", f"专题学法{i + 1}次"), encoding="utf-8")
        paths.append(p)
    return paths


def files_of(folder: Path) -> dict[str, bytes]:
    """Every output file (not the run's own state) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def fresh_run(corpus: Path, out: Path) -> Path:
    """The outputs of a run from scratch into `out`: what any other run must equal."""
    run_batch([str(corpus)], out, jobs=1)
    return out


@pytest.fixture()
def corpus(tmp_path):
    make_corpus(tmp_path / "in", 6)
    return tmp_path / "in"


def test_rerun_skips_unchanged_documents(tmp_path, corpus):
    out = tmp_path / "out"
    first = run_batch([str(corpus)], out, jobs=1)
    assert (first.processed, first.skipped) == (6, 0)
    before = files_of(out)
    again = run_batch([str(corpus)], out, jobs=1)
    assert (again.processed, again.skipped) == (0, 6)
    assert not again.tables_rebuilt
    assert files_of(out) == before
    # the time spent extracting is part of the run's, and a run that extracts nothing spends none
    assert 0 < first.extracting < first.elapsed
    assert again.extracting == 0 < again.elapsed


# A rerun that processes nothing: (formats of the first run, what changes
# between the runs, formats of the rerun, whether errors.csv is written again,
# whether errors.parquet is (written) after it)
RERUNS = {
    "nothing changed": (("json", "csv", "parquet"), None, ("json", "csv", "parquet"), False, True),
    "a file vanished": (("json", "csv", "parquet"), "vanish", ("json", "csv", "parquet"), True, True),
    # every table is written again (none has its Parquet yet)
    "Parquet asked for the first time": (("json", "csv"), None, ("json", "csv", "parquet"), True, True),
    # left by a run with --format csv after one with Parquet: both written again
    "errors.parquet older than errors.csv": (("json", "csv", "parquet"), "age", ("json", "csv", "parquet"),
                                             True, True),
}


@pytest.mark.parametrize("case", RERUNS)
def test_a_rerun_that_changes_nothing_writes_no_error_table(case, tmp_path, corpus):
    # the error tables are the only ones a skipping rerun could write: kept
    # (with their times) when the folder holds them already, written when not
    first_formats, change, formats, csv_again, parquet_after = RERUNS[case]
    out = tmp_path / "out"
    (corpus / "gone.txt").write_text(TEMPLATE, encoding="utf-8")
    run_batch([str(corpus), str(corpus / "gone.txt")], out, jobs=1, formats=first_formats)
    inputs = [str(corpus), str(corpus / "gone.txt")]
    if change == "vanish":
        (corpus / "gone.txt").unlink()  # now a missing input: an error row
    elif change == "age":
        old = (out / "errors.csv").stat().st_mtime - 60
        os.utime(out / "errors.parquet", (old, old))
    csv_before = (out / "errors.csv").stat().st_mtime_ns
    again = run_batch(inputs, out, jobs=1, formats=formats)
    assert again.processed == 0
    assert ((out / "errors.csv").stat().st_mtime_ns != csv_before) is csv_again
    parquet = out / "errors.parquet"
    assert parquet.is_file() and (parquet.stat().st_mtime_ns >= (out / "errors.csv").stat().st_mtime_ns) \
        is parquet_after
    assert ("E002" in (out / "errors.csv").read_text(encoding="utf-8-sig")) is (change == "vanish")


def test_changed_content_is_reprocessed_and_tables_rebuilt(tmp_path, corpus):
    out = tmp_path / "out"
    run_batch([str(corpus)], out, jobs=1)
    target = corpus / "doc0003.txt"
    target.write_text(TEMPLATE.replace("专题学法14次", "专题学法99次"), encoding="utf-8")
    again = run_batch([str(corpus)], out, jobs=1)
    assert (again.processed, again.skipped) == (1, 5)
    assert "99" in (out / "indicators.csv").read_text(encoding="utf-8-sig")
    # the same as a run from scratch
    assert files_of(out) == files_of(fresh_run(corpus, tmp_path / "fresh"))


def test_touched_but_unchanged_file_is_skipped(tmp_path, corpus):
    out = tmp_path / "out"
    run_batch([str(corpus)], out, jobs=1)
    later = time.time() + 5
    os.utime(corpus / "doc0001.txt", (later, later))
    assert run_batch([str(corpus)], out, jobs=1).skipped == 6


def test_changed_rules_reprocess_everything(tmp_path, corpus):
    out = tmp_path / "out"
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    run_batch([str(corpus)], out, jobs=1, rules_dir=str(rules))
    with open(rules / "stopwords.yaml", "a", encoding="utf-8") as fh:
        fh.write("# a comment changes the rules' version\n")
    again = run_batch([str(corpus)], out, jobs=1, rules_dir=str(rules))
    assert (again.processed, again.skipped) == (6, 0)


def test_removed_document_leaves_the_tables(tmp_path, corpus):
    out = tmp_path / "out"
    run_batch([str(corpus)], out, jobs=1)
    (corpus / "doc0002.txt").unlink()
    again = run_batch([str(corpus)], out, jobs=1)
    assert again.tables_rebuilt
    reports = (out / "reports.csv").read_text(encoding="utf-8-sig")
    assert "doc0002" not in reports and "doc0003" in reports


def test_jobs_give_byte_identical_output(tmp_path, corpus):
    one, two = tmp_path / "one", tmp_path / "two"
    run_batch([str(corpus)], one, jobs=1)
    run_batch([str(corpus)], two, jobs=2)
    assert files_of(one) == files_of(two)


def test_force_reprocesses(tmp_path, corpus):
    out = tmp_path / "out"
    run_batch([str(corpus)], out, jobs=1)
    assert run_batch([str(corpus)], out, jobs=1, force=True).processed == 6


def _state(out: Path) -> list[str]:
    return sorted(p.name for p in (out / ".govreport").iterdir())


def test_rows_of_every_document_go_into_one_file(tmp_path, corpus):
    out = tmp_path / "out"
    run_batch([str(corpus)], out, jobs=2)
    # one rows file for the folder, not one per document (each file costs a creation)
    assert [n for n in _state(out) if n.startswith("rows")] == ["rows-1.bin"]


def test_dead_rows_are_compacted_and_the_tables_rebuild_from_them(tmp_path, corpus, monkeypatch):
    from pipeline import manifest

    out = tmp_path / "out"
    run_batch([str(corpus)], out, jobs=1)
    size = (out / ".govreport" / "rows-1.bin").stat().st_size
    monkeypatch.setattr(manifest, "COMPACT_SLACK", 0)
    run_batch([str(corpus)], out, jobs=1, force=True)  # twice the rows, half of them dead: not yet
    assert (out / ".govreport" / "rows-1.bin").stat().st_size == 2 * size
    run_batch([str(corpus)], out, jobs=1, force=True)  # three times: compacted into a new file
    assert [n for n in _state(out) if n.startswith("rows")] == ["rows-2.bin"]
    assert (out / ".govreport" / "rows-2.bin").stat().st_size == size
    # tables rebuilt from the compacted rows, by a run that extracts nothing
    (out / "indicators.csv").unlink()
    again = run_batch([str(corpus)], out, jobs=1)
    assert (again.processed, again.tables_rebuilt) == (0, True)
    assert files_of(out) == files_of(fresh_run(corpus, tmp_path / "fresh"))


def test_a_folder_of_an_earlier_version_is_extracted_again_and_tidied(tmp_path, corpus):
    out = tmp_path / "out"
    run_batch([str(corpus)], out, jobs=1)
    state = out / ".govreport"
    # the layout before: rows in a file per document, entries without a rows file
    import json

    data = json.loads((state / "manifest.json").read_text(encoding="utf-8"))
    for d in data["documents"]:
        for key in ("rows_file", "rows_offset", "rows_length"):
            d.pop(key)
    data.pop("rows_file")
    (state / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    (state / "rows-1.bin").unlink()
    (state / "rows").mkdir()
    (state / "rows" / "doc0001.json").write_text("{}", encoding="utf-8")
    again = run_batch([str(corpus)], out, jobs=1)
    assert again.processed == 6
    assert not (state / "rows").exists()
    assert files_of(out) == files_of(fresh_run(corpus, tmp_path / "fresh"))


def _lines(path: Path) -> int:
    try:
        return path.read_text(encoding="utf-8").count("\n")
    except FileNotFoundError:
        return 0


def test_killed_run_resumes_to_complete_outputs(tmp_path):
    corpus = tmp_path / "in"
    make_corpus(corpus, 150)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "extract", str(corpus), "-o", str(out), "--jobs", "1", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = out / ".govreport" / "journal.jsonl"
    deadline = time.time() + 120
    while _lines(journal) < 20 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed: make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = _lines(journal)
    assert 0 < done_before < 150

    rerun = subprocess.run(cmd, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert not [p.name for p in out.rglob(".*.tmp")]
    fresh = tmp_path / "fresh"
    subprocess.run(cmd[:6] + [str(fresh)] + cmd[7:], check=True)
    assert files_of(out) == files_of(fresh)
    assert len([p for p in out.glob("doc*.json")]) == 150


def test_cli_summary_and_quiet(tmp_path, corpus, capsys):
    from pipeline.cli import main

    assert main(["extract", str(corpus), "-o", str(tmp_path / "o"), "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "6 processed, 0 skipped, 0 failed" in err
    assert re.search(r" in (\d+\.\d\d)s \((\d+\.\d\d)s extracting\) -> ", err), err
    assert main(["extract", str(corpus), "-o", str(tmp_path / "o"), "--jobs", "1"]) == 0
    assert "0 processed, 6 skipped, 0 failed" in capsys.readouterr().err
    assert main(["extract", str(corpus), "-o", str(tmp_path / "o"), "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_progress_bar_on_stderr(tmp_path, corpus):
    cmd = [sys.executable, "-m", "pipeline", "extract", str(corpus), "-o", str(tmp_path / "o"), "--jobs", "1",
           "--progress"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "6/6" in done.stderr and "doc/s" in done.stderr


def test_dask_local_cluster_gives_the_same_outputs(tmp_path, corpus):
    distributed = pytest.importorskip("distributed")
    local = tmp_path / "local"
    run_batch([str(corpus)], local, jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        via_dask = tmp_path / "dask"
        res = run_batch([str(corpus)], via_dask, executor="dask", scheduler=cluster.scheduler_address)
        assert res.processed == 6
    assert files_of(local) == files_of(via_dask)


def test_dask_without_scheduler_is_a_usage_error(tmp_path, corpus, capsys):
    from pipeline.cli import main

    assert main(["extract", str(corpus), "-o", str(tmp_path / "o"), "--executor", "dask"]) == 2
    assert "--scheduler" in capsys.readouterr().err


@pytest.mark.parametrize("rules_file", ["layout.yaml", "divisions.yaml"])
def test_changed_layout_or_division_table_reprocesses(tmp_path, corpus, rules_file):
    """layout.yaml and the division table are rules too: a change reprocesses every document."""
    from pipeline.rules import default_rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    out = tmp_path / "out"
    run_batch([str(corpus)], out, jobs=1, rules_dir=str(rules))
    with (rules / rules_file).open("a", encoding="utf-8") as fh:
        fh.write("\n# edited\n")
    assert run_batch([str(corpus)], out, jobs=1, rules_dir=str(rules)).processed == 6


def test_a_new_program_version_reprocesses(tmp_path, corpus, monkeypatch):
    """An upgrade (any change of the package's code) reprocesses: the version is the code's hash."""
    from pipeline import batch

    out = tmp_path / "out"
    run_batch([str(corpus)], out, jobs=1)
    assert run_batch([str(corpus)], out, jobs=1).processed == 0
    monkeypatch.setattr(batch, "program_version", lambda: "0.1.0+another-build")
    assert run_batch([str(corpus)], out, jobs=1).processed == 6


def test_a_worker_takes_its_next_document_before_the_last_is_written(tmp_path, monkeypatch):
    """Extracting and writing overlap: when the parent gets a document's
    outcome, the worker already has the next one (the parent writes while it
    works). Seen through a marker each document leaves when its extraction
    starts (the fork inherits the patched function)."""
    from pipeline import batch

    docs = []
    for i in range(3):
        p = tmp_path / f"d{i}.txt"
        p.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
        docs.append(str(p))
    real = batch.process_one

    def marking(path, *a, **k):
        Path(path + ".started").touch()
        return real(path, *a, **k)

    monkeypatch.setattr(batch, "process_one", marking)
    results = batch.local_results(list(enumerate(docs)), 1, None, doc_timeout=60)
    first = next(results)
    assert first[0] == 0 and first[1].error is None
    deadline = time.monotonic() + 30
    while not Path(docs[1] + ".started").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the generator is not advanced: only a prefetched task can start
    assert Path(docs[1] + ".started").exists()
    rest = list(results)
    assert [i for i, _ in rest] == [1, 2] and all(o.error is None for _, o in rest)


def test_a_batch_loads_its_rules_once_and_keeps_them(tmp_path, corpus, monkeypatch):
    # every document is extracted with the rules the run started with (the
    # version it records), without looking at the rules files again
    import pipeline.batch as batch

    calls = []
    real = batch.load_rules
    monkeypatch.setattr(batch, "load_rules", lambda d=None: calls.append(d) or real(d))
    result = run_batch([str(corpus)], tmp_path / "out", jobs=1, doc_timeout=0)
    assert result.processed == 6 and len(calls) == 1
    assert batch._PINNED == {}  # nothing outlives the run


def test_compaction_keeps_whole_rows_and_drops_cut_ones(tmp_path, monkeypatch):
    # a rows file cut short (a full disk, a damaged copy): the documents whose
    # rows are whole keep them, the one cut loses them and is extracted again
    from pipeline import manifest as M

    monkeypatch.setattr(M, "COMPACT_SLACK", 0)
    m = M.Manifest(tmp_path)
    m.open()
    rows = {name: b"".join(M.encode_rows([("reports", f"{name},x\r\n" * 50)])) for name in ("a", "b")}
    for _ in range(3):  # two thirds of the file dead
        for name in ("a", "b"):
            m.record(M.Entry(name, name, "0" * 64, 1, 1, "p", "r", "ok"), rows[name])
    m._rows_out.flush()
    last = m.entries["b"]
    os.truncate(tmp_path / M.STATE_DIR / last.rows_file, last.rows_offset + 10)  # b's newest rows cut
    m.close(None, ("p", "r"))
    again = M.Manifest(tmp_path)
    assert again.entries["a"].rows_file == "rows-2.bin" and again.entries["b"].rows_file is None
    assert b"".join(bytes(part) for _, part in again.rows("a")).decode() == "a,x\r\n" * 50
    assert not (tmp_path / M.STATE_DIR / "rows-1.bin").exists()
