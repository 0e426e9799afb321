"""Run the pipeline over many inputs and write the contract's output folder.

- Documents are spread over worker processes (`jobs`, default all cores) or a
  `dask.distributed` cluster (`executor="dask"`); each worker loads the rules
  and jieba once. Results are taken in input order whatever order the workers
  finish in, so the output is byte-identical for any `jobs` or executor.
- Runs are resumable and incremental (`pipeline.manifest`): a document already
  done, unchanged, with the same pipeline and rules versions is skipped; the
  combined tables are rebuilt from per-document row files, streamed, so
  memory stays flat however many documents there are.
- Every file is written to a temporary name and renamed: a run killed at any
  point leaves complete files or none, and the next run finishes the job.
- A document that fails is reported and the batch goes on.
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator


from .errors import GovreportError, UsageError
from .extract import extract
from .manifest import STATE_DIR, Entry, Manifest
from .output import (
    ERROR_COLUMNS,
    FINDING_COLUMNS,
    INDICATOR_COLUMNS,
    REPORT_COLUMNS,
    SECTION_COLUMNS,
    CsvTable,
    atomic_write,
    finding_rows,
    report_json,
    rows_for,
)
from .rules import load_rules, program_version

log = logging.getLogger(__name__)

READ_SUFFIXES = (".txt", ".pdf", ".docx", ".doc", ".html", ".htm")

# The combined tables, in the order their rows are kept per document.
TABLES: tuple[tuple[str, list[str]], ...] = (
    ("reports", REPORT_COLUMNS),
    ("sections", SECTION_COLUMNS),
    ("indicators", INDICATOR_COLUMNS),
    ("findings", FINDING_COLUMNS),
)


@dataclass
class BatchResult:
    processed: int = 0
    skipped: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (source, code, reason)
    outputs: list[Path] = field(default_factory=list)
    elapsed: float = 0.0
    tables_rebuilt: bool = False


def collect_inputs(inputs: Iterable[str]) -> list[str]:
    """Files as given, and the readable files under each folder (recursively, sorted)."""
    out: list[str] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*")
                           if f.is_file() and f.suffix.lower() in READ_SUFFIXES and not f.name.startswith(".")
                           and STATE_DIR not in f.parts)
            out.extend(found)
        else:
            out.append(str(item))  # missing or odd files are reported by the reader
    # the same file named twice (or reached through two folders) is read once
    return list(dict.fromkeys(out))


def output_stems(paths: list[str]) -> dict[str, str]:
    """`<stem>` per input; a stem shared by several inputs gets a stable suffix
    made from the input's path, so nothing is overwritten."""
    by_stem: dict[str, list[str]] = {}
    for p in paths:
        by_stem.setdefault(Path(p).stem, []).append(p)
    names: dict[str, str] = {}
    for stem, group in by_stem.items():
        for i, p in enumerate(sorted(group)):
            names[p] = stem if i == 0 else f"{stem}-{hashlib.sha1(p.encode('utf-8')).hexdigest()[:8]}"
    return names


def table_rows(doc: dict) -> dict[str, list[dict]]:
    """A document's rows for each combined table."""
    report_row, section_rows, indicator_rows = rows_for(doc)
    return {"reports": [report_row], "sections": section_rows, "indicators": indicator_rows,
            "findings": finding_rows(doc)}


# --- the work of one document, wherever it runs -------------------------------------

@dataclass(frozen=True)
class Outcome:
    path: str
    json_bytes: bytes | None
    rows: dict | None
    sha256: str | None
    error: tuple[str, str] | None  # (code, reason)


_worker_rules: dict[str | None, object] = {}


def _rules_for(rules_dir: str | None):
    """Rules and jieba, loaded once per process (pool worker or dask worker)."""
    rules = _worker_rules.get(rules_dir)
    if rules is None:
        from .tokenize import tokenizer

        rules = load_rules(rules_dir)
        tokenizer(rules)
        _worker_rules[rules_dir] = rules
    return rules


def process_one(path: str, rules_dir: str | None = None) -> Outcome:
    """Extract one document into what the main process writes. Never raises."""
    try:
        report = extract(Path(path), _rules_for(rules_dir))
    except GovreportError as exc:
        return Outcome(path, None, None, None, (exc.code, exc.message))
    except Exception as exc:  # a bug must not stop the batch; it is reported as such
        log.exception("unexpected failure on %s", path)
        return Outcome(path, None, None, None, ("E999", f"internal error: {type(exc).__name__}: {exc}"))
    doc = report.to_dict()
    return Outcome(path, report_json(doc), table_rows(doc), report.source.sha256, None)


def _init_pool_worker(rules_dir: str | None) -> None:
    _rules_for(rules_dir)


def _pool_task(args: tuple[str, str | None]) -> Outcome:
    return process_one(*args)


def local_results(paths: list[str], jobs: int, rules_dir: str | None) -> Iterator[Outcome]:
    if jobs <= 1 or len(paths) <= 1:
        for p in paths:
            yield process_one(p, rules_dir)
        return
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(jobs, initializer=_init_pool_worker, initargs=(rules_dir,)) as pool:
        # imap keeps input order; chunks amortise the inter-process traffic
        chunk = max(1, min(16, len(paths) // (jobs * 4) or 1))
        yield from pool.imap(_pool_task, [(p, rules_dir) for p in paths], chunksize=chunk)


def dask_results(paths: list[str], scheduler: str | None, rules_dir: str | None,
                 window: int = 256) -> Iterator[Outcome]:
    """The same work on a dask.distributed cluster. Inputs must be readable by
    the workers at the same paths (a shared file system); results come back to
    this process, which writes every output. At most `window` documents are in
    flight, so memory stays flat."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--executor dask needs the 'distributed' package: pip install 'govreport[dask]'") from None
    if not scheduler:
        raise UsageError("--executor dask needs --scheduler tcp://HOST:PORT")
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
    try:
        abs_paths = [os.path.abspath(p) for p in paths]
        for start in range(0, len(paths), window):
            futures = client.map(process_one, abs_paths[start:start + window], rules_dir=rules_dir,
                                 pure=False)
            for given, fut in zip(paths[start:start + window], futures):
                got = fut.result()
                # keep the path as the user gave it: it is what the outputs record
                yield Outcome(given, got.json_bytes, got.rows, got.sha256, got.error)
    finally:
        client.close()


# --- the run -------------------------------------------------------------------------

def run_batch(inputs: Iterable[str], outdir: str | Path, *, jobs: int | None = None,
              rules_dir: str | None = None,
              on_error: Callable[[str, str, str], None] | None = None,
              formats: Iterable[str] = ("json", "csv"),
              executor: str = "local", scheduler: str | None = None,
              force: bool = False, progress: bool = False) -> BatchResult:
    """Extract every input and write OUTDIR/<stem>.json plus the combined tables.

    `formats`: "json" writes one file per document, "csv" the combined tables,
    "parquet" typed copies of them (`store.write_parquet`); errors.csv is always
    written. Documents already done and unchanged are skipped unless `force`.
    `progress` shows a progress bar on stderr.
    """
    started = time.perf_counter()
    formats = set(formats)
    rules = load_rules(rules_dir)  # a broken rules folder fails here, once, before any work
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot use {outdir} as the output folder: {exc.strerror or exc}", str(outdir)) from None
    _remove_stale_temporaries(out)
    paths = collect_inputs(inputs)
    stems = output_stems(paths)
    versions = (program_version(), rules.version)  # any change of the code or the rules reprocesses
    manifest = Manifest(out)
    todo = [p for p in paths
            if force or not manifest.is_current(p, stems[p], *versions, need_json="json" in formats)]
    result = BatchResult(skipped=len(paths) - len(todo))
    jobs = jobs or os.cpu_count() or 1

    errors = CsvTable(out / "errors.csv", ERROR_COLUMNS)
    bar = _progress_bar(len(paths), result.skipped, enabled=progress)
    manifest.open()
    try:
        results = dask_results(todo, scheduler, rules_dir) if executor == "dask" \
            else local_results(todo, jobs, rules_dir)
        for outcome in results:
            _take(outcome, out, stems, versions, formats, manifest, errors, result, on_error)
            bar.update(1)
    except BaseException:
        errors.abort()
        manifest.close(None, versions)  # keep what finished: the next run resumes from it
        bar.close()
        raise
    bar.close()
    errors.close()

    ok_paths = [p for p in paths if (e := manifest.entries.get(p)) is not None and e.status == "ok"]
    tabular = formats & {"csv", "parquet"}
    if tabular and _tables_stale(out, formats, manifest, ok_paths, versions, bool(todo)):
        _rebuild_tables(out, ok_paths, stems, manifest)
        result.tables_rebuilt = True
        if "parquet" in formats:
            from .store import write_parquet

            write_parquet(out, keep_csv="csv" in formats)
    manifest.close(ok_paths if result.tables_rebuilt else None, versions)
    result.elapsed = time.perf_counter() - started
    return result


def _take(outcome: Outcome, out: Path, stems: dict[str, str], versions: tuple[str, str], formats: set[str],
          manifest: Manifest, errors: CsvTable, result: BatchResult, on_error) -> None:
    """Write one document's outputs, then record it as done."""
    path, stem = outcome.path, stems[outcome.path]
    try:
        st = os.stat(path)
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size, mtime = -1, -1
    if outcome.error is not None:
        code, reason = outcome.error
        result.failed.append((path, code, reason))
        errors.write({"source": path, "code": code, "reason": reason})
        # a stale JSON from an earlier, successful run must not outlive the file
        try:
            os.unlink(out / f"{stem}.json")
        except FileNotFoundError:
            pass
        manifest.record(Entry(path, stem, "", size, mtime, *versions, status="failed", code=code, reason=reason),
                        None)
        if on_error:
            on_error(path, code, reason)
        return
    if "json" in formats and outcome.json_bytes is not None:
        atomic_write(out / f"{stem}.json", outcome.json_bytes)
        result.outputs.append(out / f"{stem}.json")
    manifest.record(Entry(path, stem, outcome.sha256 or "", size, mtime, *versions, status="ok"), outcome.rows)
    result.processed += 1


def _tables_stale(out: Path, formats: set[str], manifest: Manifest, ok_paths: list[str],
                  versions: tuple[str, str], anything_done: bool) -> bool:
    if anything_done or manifest.tables_inputs != ok_paths or manifest.tables_versions != versions:
        return True
    wanted = []
    if "csv" in formats:
        wanted += [out / f"{name}.csv" for name, _ in TABLES]
    if "parquet" in formats:
        wanted += [out / f"{name}.parquet" for name, _ in TABLES]
    return not all(p.is_file() for p in wanted)


def _rebuild_tables(out: Path, ok_paths: list[str], stems: dict[str, str], manifest: Manifest) -> None:
    """The combined tables, in input order, streamed from the per-document rows."""
    tables = {name: CsvTable(out / f"{name}.csv", columns) for name, columns in TABLES}
    try:
        for p in ok_paths:
            rows = manifest.rows(stems[p])
            for name, table in tables.items():
                table.write_many(rows.get(name, []))
    except BaseException:
        for t in tables.values():
            t.abort()
        raise
    for t in tables.values():
        t.close()


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files a killed run left behind (never a finished output)."""
    for folder in (out, out / STATE_DIR, out / STATE_DIR / "rows"):
        if folder.is_dir():
            for tmp in folder.glob(".*.tmp"):
                try:
                    tmp.unlink()
                except OSError:
                    pass


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, done: int, enabled: bool):
    if not enabled or total == 0:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="doc", file=sys.stderr, dynamic_ncols=True,
                desc="govreport", smoothing=0.1, mininterval=0.5)
