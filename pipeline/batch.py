"""Run the pipeline over many inputs and write the contract's output folder.

- Documents are spread over worker processes (`jobs`, default all cores) or a
  `dask.distributed` cluster (`executor="dask"`). The rules, jieba's
  dictionary and the division table are loaded once, by the parent before it
  forks its workers, which inherit them (once per worker where processes are
  spawned, and on a cluster). Each document's outputs are written as soon as it finishes
  (a slow document holds nothing back); the combined tables and errors.csv are
  written in input order at the end, so the output is byte-identical for any
  `jobs`, executor or finishing order.
- Every document runs under a time limit (`doc_timeout`): a worker past it is
  stopped, the document is an E015 error and the batch goes on.
- Runs are resumable and incremental (`pipeline.manifest`): a document already
  done, with the same path, the same content (sha256) and the same pipeline and
  rules versions is skipped; the combined tables are rebuilt from per-document
  row files, streamed, so memory stays flat however many documents there are.
- One run at a time per output folder (a lock in OUTDIR/.govreport/); every
  file is written to a temporary name and renamed, and the tables are replaced
  together after they were all written: a run killed at any point leaves
  complete files of one run, and the next run finishes the job.
- A document that fails, for any reason, is its errors.csv row (and the
  `on_error` call) and nothing else: the batch goes on. An output folder that
  cannot be written (read-only, disk full) stops the run with one E205 error.
"""
from __future__ import annotations

import contextlib
import errno
import logging
import multiprocessing.connection as mpc
import os
import signal
import stat
import sys
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from . import processes, store
from .errors import (
    BrokenDocument,
    DocumentTimeout,
    FileTooLarge,
    GovreportError,
    InternalError,
    MissingFile,
    NoInputs,
    OutputLocked,
    OutputUnwritable,
    SymlinkLoop,
    UnreadableFolder,
    UnsupportedFormat,
    UsageError,
    WorkerDied,
)
from .extract import extract
from .ingest import SUFFIX_FORMAT, path_problem
from .manifest import STATE_DIR, Entry, Manifest, assign_stems, encode_rows
from .output import (
    ERROR_COLUMNS,
    CsvTable,
    Spooled,
    atomic_write,
    cell_rows,
    chunked,
    csv_text,
    document_columns,
    finding_row,
    indicator_row,
    report_head,
    report_json_chunks,
    report_row,
    section_row,
    spool,
)
from .parquet_process import Converter
from .patterns import stand_guard
from .records import Report
from .rules import Rules, load_rules, program_version

log = logging.getLogger(__name__)

# the readers' own list: a folder yields every file a reader can read
READ_SUFFIXES = tuple(SUFFIX_FORMAT)
DEFAULT_DOC_TIMEOUT = 300.0  # seconds; real reports take well under one
# Documents sent ahead to each worker, so that one that finishes a document
# starts the next at once instead of waiting for this process: on a machine
# with as many workers as cores, waiting for it to be scheduled idled them
# ~10 % (none sent ahead); with two sent ahead they still waited while this
# process held the interpreter lock for long stretches (it imported pyarrow
# then, which the Parquet converter does now): eight took 800 short documents
# through 5-7 % faster with one job and with two.
PREFETCH = 8
# A document that waited this long behind a slow one is also sent to the next
# free worker, so one slow document never holds up the one sent after it.
RESEND_AFTER = 1.0  # seconds

# The combined tables made of documents' rows (the contract's tables but errors), in the
# order their rows are kept per document.
TABLES: tuple[tuple[str, list[str]], ...] = tuple((name, columns) for name, columns in store.TABLES.items()
                                                  if name != "errors")


@dataclass
class BatchResult:
    processed: int = 0
    skipped: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (source, code, reason)
    outputs: list[Path] = field(default_factory=list)
    elapsed: float = 0.0
    # seconds from the first document sent to the last outcome written: the
    # part of `elapsed` that more workers shorten (the rest is set-up and the tables)
    extracting: float = 0.0
    tables_rebuilt: bool = False


def collect_inputs(inputs: Iterable[str], skipped: list[tuple[str, str, str]] | None = None) -> list[str]:
    """Files as given, and the readable files under each folder (recursively, sorted).

    What the walk cannot take is appended to `skipped` as (path, code, reason):
    a FIFO or device with a report's suffix, a symlink loop, a folder that
    cannot be listed. Paths keep the form the user gave (relative stays relative).
    """
    out: list[str] = []
    for item in inputs:
        if os.path.isdir(item):
            out.extend(_walk(str(item), skipped))
        else:
            out.append(str(item))  # missing or odd files are reported by the reader
    # the same file named twice (or reached through two folders) is read once
    return list(dict.fromkeys(out))


def _walk(top: str, skipped: list[tuple[str, str, str]] | None) -> list[str]:
    found: list[str] = []
    seen: set[tuple[int, int]] = set()

    def trace(path: str, code: str, reason: str) -> None:
        if skipped is not None:
            skipped.append((path, code, reason))

    def visit(folder: str) -> None:
        try:
            st = os.stat(folder)
        except OSError as exc:
            trace(folder, SymlinkLoop.code if exc.errno == errno.ELOOP else UnreadableFolder.code,
                  _os_reason(exc))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:  # a symlinked folder leading back up: walked once
            trace(folder, SymlinkLoop.code, "symlink loop: this folder was already walked")
            return
        seen.add(key)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            trace(folder, UnreadableFolder.code, f"cannot list this folder, its files were not read: "
                                                 f"{exc.strerror or exc}")
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name == STATE_DIR:
                continue
            path = os.path.join(folder, entry.name)
            try:
                mode = os.stat(path).st_mode
            except OSError as exc:
                if Path(entry.name).suffix.lower() in READ_SUFFIXES or exc.errno == errno.ELOOP:
                    trace(path, SymlinkLoop.code if exc.errno == errno.ELOOP else UnsupportedFormat.code,
                          _os_reason(exc))
                continue
            if stat.S_ISDIR(mode):
                visit(path)
            elif Path(entry.name).suffix.lower() in READ_SUFFIXES:
                if stat.S_ISREG(mode):
                    found.append(path)
                else:
                    trace(path, UnsupportedFormat.code, "not a regular file (a FIFO, socket or device)")

    visit(top)
    return sorted(found)


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop (the link leads back to itself)"
    if exc.errno == errno.ENOENT:
        return "broken symlink (its target does not exist)"
    return exc.strerror or str(exc)


def table_lines(report: Report) -> Iterator[tuple[str, str]]:
    """A document's rows of each combined table as the CSV lines the tables
    get, in pieces (table name, CSV lines) a few hundred records at a time:
    never every row as a dict at once (a huge document has hundreds of
    thousands). A worker encodes them (`manifest.encode_rows`) and the
    writer of the tables only copies bytes; the output folder's state keeps
    them, so that a later run can rebuild the tables without extracting again."""
    columns = dict(TABLES)
    head = report_head(report)
    common = document_columns(head)
    report_type = head["meta"].get("report_type")
    yield "reports", csv_text(columns["reports"], [report_row(head, len(report.sections), len(report.indicators))])
    for chunk in chunked(report.sections):
        yield "sections", csv_text(columns["sections"], [section_row(s.to_dict(), common) for s in chunk])
    for chunk in chunked(report.indicators):
        yield "indicators", csv_text(columns["indicators"],
                                     [indicator_row(i.to_dict(), common, report_type) for i in chunk])
    for chunk in chunked(report.findings, "findings"):
        yield "findings", csv_text(columns["findings"], [finding_row(f.to_dict(), common) for f in chunk])
    cells = (row for table in report.tables
             for row in cell_rows(table.to_dict(), head["doc_id"], head["source"]["path"]))
    for chunk in chunked(cells):
        yield "tables", csv_text(columns["tables"], chunk)


# --- the work of one document, wherever it runs -------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What a document's work gives the writer. The encoded outputs are bytes,
    or for a huge document a `Spooled` file in the output folder's state
    (the bytes never cross the pipe); `atomic_write` takes either."""

    path: str
    json_bytes: bytes | Spooled | None  # the document's JSON (`report_json`)
    rows_bytes: bytes | Spooled | None  # the document's lines of the tables (`manifest.encode_rows`)
    sha256: str | None
    error: tuple[str, str] | None  # (code, reason)


# The rules a running batch was started with, by rules folder: its documents
# are all extracted with them (the version it records is theirs, even if a
# file is edited meanwhile), and no document pays for looking at the files
# again (a stat of every rules file: 0.2 ms a document). Set for the length of
# `run_batch`; forked workers inherit it.
_PINNED: dict[str | None, Rules] = {}


def _rules_for(rules_dir: str | None):
    """Rules, jieba's dictionary and the division table, ready to use.

    Loaded once per process and kept while the rules files are unchanged
    (`load_rules`); the parent of a local pool loads them before it forks, so
    that its workers inherit them instead of loading them again."""
    from .tokenize import tokenizer

    rules = _PINNED.get(rules_dir)
    if rules is None:
        rules = load_rules(rules_dir)
    tokenizer(rules)
    rules.divisions  # noqa: B018 - parsed (or read from the cache) now, not in every worker
    return rules


def process_one(path: str, rules_dir: str | None = None, shown: str | None = None,
                spool_dir: str | None = None) -> Outcome:
    """Extract one document into what the main process writes. Never raises.

    Everything that can fail on one document's content is in here, its output
    encoding included (a 2^64 integer, an odd character): the writer only
    writes bytes. `shown` is the path as the user gave it, recorded in the
    outputs when `path` is another spelling of it (dask workers get absolute paths).

    The outputs are encoded a few hundred records at a time (`report_json_chunks`,
    `table_lines`), so a huge document costs little more than its Report; with
    `spool_dir` (a folder beside the outputs), outputs past `SPOOL_BYTES` are
    kept in a file there instead of memory, and only its name is sent back.
    """
    shown = shown or path
    try:
        report = extract(Path(path), _rules_for(rules_dir))
        if report.source.path != shown:
            report = replace(report, source=replace(report.source, path=shown))
        sha256 = report.source.sha256
        doc_json = spool(report_json_chunks(report), spool_dir)
        rows = spool(encode_rows(table_lines(report)), spool_dir)
        del report  # before the outcome is pickled and sent
        return Outcome(shown, doc_json, rows, sha256, None)
    except GovreportError as exc:
        return Outcome(shown, None, None, None, (exc.code, exc.message))
    except RecursionError:
        # a structure that refers to itself (a PDF page tree that loops) or nests absurdly deep
        return Outcome(shown, None, None, None, (BrokenDocument.code,
                                                 "broken document: its structure nests without end (a loop?)"))
    except MemoryError:
        return Outcome(shown, None, None, None, (FileTooLarge.code, "too large to process in memory"))
    except Exception as exc:  # a bug must not stop the batch; it is reported as such
        log.debug("unexpected failure on %s", shown, exc_info=True)  # the traceback, with --debug
        return Outcome(shown, None, None, None, (InternalError.code, internal_reason(exc)))


def internal_reason(exc: BaseException) -> str:
    return f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"


# --- worker processes with a time limit per document ------------------------------------

def _worker_main(conn, rules_dir: str | None, close_fds: list[int], spool_dir: str | None = None) -> None:
    """A worker: documents in, outcomes out, until the pipe closes.

    Quiet however it ends: Ctrl-C is the parent's to handle, and a parent that
    was killed (kill -9) just closes the pipe, so the worker exits without a
    BrokenPipeError traceback. `close_fds`: the parent's ends of every
    worker's pipe (its own included) and the output-folder lock, inherited by
    the fork; closed, so the pipe reads end-of-file when the parent is gone
    and the lock is the parent's alone. `spool_dir`: where a huge document's
    encoded outputs go (`process_one`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stand_guard()  # our own process: rule patterns watched by a CPU timer, not each by the engine's clock
    for fd in close_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    if rules_dir not in _PINNED:  # spawned, not forked: loaded once here, for every document it takes
        try:
            _PINNED[rules_dir] = load_rules(rules_dir)
        except Exception:  # noqa: BLE001 - the first document reports it, as its own error
            pass
    try:
        while True:
            task = conn.recv()
            if task is None:
                break
            index, path, shown = task
            conn.send((index, process_one(path, rules_dir, shown, spool_dir)))
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        os._exit(0)


class _Worker:
    def __init__(self, ctx, rules_dir: str | None, close_fds: Sequence[int], parent_fds: set[int],
                 spool_dir: str | None = None) -> None:
        self.conn, child = ctx.Pipe()
        self.parent_fds = parent_fds  # the parent's ends of all live workers' pipes
        self.fd = self.conn.fileno()
        parent_fds.add(self.fd)
        inherited = sorted(parent_fds) + list(close_fds)
        self.proc = ctx.Process(target=_worker_main, args=(child, rules_dir, inherited, spool_dir),
                                daemon=True)
        self.proc.start()
        child.close()
        # the documents sent, in order: the first is being extracted, the
        # others wait in the pipe (`PREFETCH`), so the worker never waits for
        # this process to send its next one
        self.tasks: deque[tuple[int, str, str]] = deque()
        self.started = 0.0  # when it started the first of them
        self.resent = False  # whether those behind the first were also put back in line

    def _close(self) -> None:
        self.parent_fds.discard(self.fd)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self._close()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self._close()


def local_results(items: list[tuple[int, str]], jobs: int, rules_dir: str | None,
                  doc_timeout: float | None = DEFAULT_DOC_TIMEOUT,
                  close_fds: Sequence[int] = (),
                  spool_dir: str | None = None) -> Iterator[tuple[int, Outcome]]:
    """(index, outcome) of each (index, path), in the order they finish.

    Each worker process extracts one document at a time, with up to `PREFETCH`
    sent ahead, so a document past `doc_timeout` seconds (counted from when its
    worker started it) is stopped by killing its worker (pure Python or C,
    whatever it is stuck in); a new worker takes its place, and the documents
    that waited behind it go to the next free worker. The rules are
    loaded before forking, so a new worker starts at once.

    `close_fds`: this process's files that no worker may keep open (the
    output folder's lock, the Parquet converter's pipe). `spool_dir`: see
    `process_one`.
    """
    if not items:
        return
    if not doc_timeout and (jobs <= 1 or len(items) <= 1):
        for index, path in items:  # no limit asked: in this process, simplest to debug
            yield index, process_one(path, rules_dir, spool_dir=spool_dir)
        return
    _rules_for(rules_dir)  # inherited by every fork
    ctx = processes.context()
    pending = deque(items)
    parent_fds: set[int] = set()
    workers = [_Worker(ctx, rules_dir, close_fds, parent_fds, spool_dir)
               for _ in range(max(1, min(jobs, len(items))))]

    def new_worker() -> _Worker:
        return _Worker(ctx, rules_dir, close_fds, parent_fds, spool_dir)

    finished: set[int] = set()  # indexes whose outcome was given

    def requeue(tasks: list[tuple[int, str, str]], holder: _Worker) -> None:
        """Put documents back at the front of the line, unless done, already in
        line, or queued in another worker than `holder`."""
        elsewhere = {t[0] for w in workers if w is not holder for t in w.tasks} | {i for i, _ in pending}
        back = [(t[0], t[1]) for t in tasks if t[0] not in finished and t[0] not in elsewhere]
        pending.extendleft(reversed(back))

    def dispatch(i: int) -> None:
        """Fill worker i's queue from the pending documents (a worker that died is replaced).

        Up to PREFETCH while many wait, fewer as the line shortens (at least
        two), so that no worker is left with a queue while another has none."""
        share = min(PREFETCH, max(2, len(pending) // len(workers)))
        held_back: list[tuple[int, str]] = []
        while pending and len(workers[i].tasks) < share:
            w = workers[i]
            index, path = pending.popleft()
            if index in finished:  # sent again, and its first worker finished it meanwhile
                continue
            if any(t[0] == index for t in w.tasks):  # taken back from this worker (`unstick`): for another
                held_back.append((index, path))
                continue
            task = (index, path, path)
            try:
                w.conn.send(task)
            except OSError:  # it died: start another, and send its documents again
                pending.appendleft((index, path))
                replace(i, head_too=True)
                continue
            if not w.tasks:
                w.started, w.resent = time.monotonic(), False
            w.tasks.append(task)
        pending.extendleft(reversed(held_back))

    def replace(i: int, head_too: bool = False) -> None:
        """Kill worker i; the documents that waited behind its first go back in line."""
        w = workers[i]
        requeue(list(w.tasks)[0 if head_too else 1:], w)
        w.tasks.clear()
        w.kill()
        workers[i] = new_worker()

    def unstick(now: float) -> None:
        """Documents waiting behind a slow one go to the next free worker too:
        whichever copy finishes first is taken, the other dropped."""
        for w in workers:
            if len(w.tasks) > 1 and not w.resent and now - w.started >= RESEND_AFTER:
                requeue(list(w.tasks)[1:], w)
                w.resent = True

    def unfinished() -> bool:
        return any(t[0] not in finished for w in workers for t in w.tasks) or \
            any(index not in finished for index, _ in pending)

    limit = doc_timeout or 1e12
    try:
        for i in range(len(workers)):
            dispatch(i)
        while unfinished():
            busy = [w for w in workers if w.tasks]
            now = time.monotonic()
            wake = min(min(w.started + limit for w in busy),
                       min((w.started + RESEND_AFTER for w in busy if len(w.tasks) > 1 and not w.resent),
                           default=1e18))
            ready = mpc.wait([w.conn for w in busy], timeout=min(max(0.0, wake - now), 3600))
            now = time.monotonic()
            for i, w in enumerate(workers):
                if not w.tasks:
                    continue
                index, path, _ = w.tasks[0]
                if w.conn in ready:
                    try:
                        got_index, outcome = w.conn.recv()
                    except (EOFError, OSError):
                        w.proc.join(1)
                        code = w.proc.exitcode
                        outcome = Outcome(path, None, None, None, (
                            WorkerDied.code, f"the worker process died on this document (exit status {code}: "
                                           "out of memory, or a crash in a library)"))
                        got_index = index
                        replace(i)
                    else:
                        w.tasks.popleft()
                        w.started, w.resent = time.monotonic(), False  # it starts its next one now
                    # done before the worker is sent more (a copy of it taken
                    # back into the line is not sent again), and the worker has its
                    # next document before this one is written, so writing and
                    # extracting overlap
                    fresh = got_index not in finished
                    finished.add(got_index)
                    dispatch(i)
                    if fresh:
                        yield got_index, outcome
                elif now >= w.started + limit:
                    replace(i)
                    dispatch(i)
                    if index not in finished:
                        finished.add(index)
                        yield index, Outcome(path, None, None, None, (
                            DocumentTimeout.code, f"took longer than {doc_timeout:g} s (--doc-timeout), stopped"))
            unstick(now)
            for i in range(len(workers)):
                dispatch(i)
    finally:
        for w in workers:
            if not w.tasks:
                w.stop()
            else:
                w.proc.kill()
                w._close()
        for w in workers:
            w.proc.join(2)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join()


def dask_results(items: list[tuple[int, str]], scheduler: str | None, rules_dir: str | None,
                 doc_timeout: float | None = DEFAULT_DOC_TIMEOUT,
                 window: int = 256) -> Iterator[tuple[int, Outcome]]:
    """The same work on a dask.distributed cluster, (index, outcome) as they finish.

    Inputs must be readable by the workers at the same paths (a shared file
    system); results come back to this process, which writes every output. At
    most `window` documents are in flight, so memory stays flat. A document
    not back `doc_timeout` seconds after it was sent is an E015 error and is
    cancelled (dask cannot stop a running task: its worker thread finishes it
    and the result is dropped).
    """
    try:
        from distributed import Client, wait
    except ImportError:
        raise UsageError("--executor dask needs the 'distributed' package: pip install 'govreport[dask]'") from None
    if not scheduler:
        raise UsageError("--executor dask needs --scheduler tcp://HOST:PORT")
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
    try:
        pending = deque(items)
        flying: dict = {}  # future -> (index, given path, deadline)
        while pending or flying:
            while pending and len(flying) < window:
                index, given = pending.popleft()
                # workers get an absolute path; the outputs record the path as the user gave it
                fut = client.submit(process_one, os.path.abspath(given), rules_dir, given, pure=False)
                flying[fut] = (index, given, time.monotonic() + (doc_timeout or 1e12))
            first = min(d for _, _, d in flying.values())
            done, _ = wait(list(flying), timeout=max(0.01, first - time.monotonic()), return_when="FIRST_COMPLETED")
            for fut in done:
                index, given, _ = flying.pop(fut)
                try:
                    yield index, fut.result()
                except Exception as exc:  # the task itself failed on the worker (killed, lost)
                    yield index, Outcome(given, None, None, None, (WorkerDied.code, f"the dask task failed: {exc}"))
            now = time.monotonic()
            for fut, (index, given, deadline) in list(flying.items()):
                if now >= deadline:
                    del flying[fut]
                    fut.cancel()
                    yield index, Outcome(given, None, None, None, (
                        DocumentTimeout.code, f"took longer than {doc_timeout:g} s (--doc-timeout), cancelled"))
    finally:
        client.close()


# --- the run -------------------------------------------------------------------------

def run_batch(inputs: Iterable[str], outdir: str | Path, *, jobs: int | None = None,
              rules_dir: str | None = None,
              on_error: Callable[[str, str, str], None] | None = None,
              formats: Iterable[str] = ("json", "csv"),
              executor: str = "local", scheduler: str | None = None,
              force: bool = False, progress: bool = False,
              doc_timeout: float | None = DEFAULT_DOC_TIMEOUT,
              converter: Converter | None = None) -> BatchResult:
    """Extract every input and write OUTDIR/<stem>.json plus the combined tables.

    `formats`: "json" writes one file per document, "csv" the combined tables,
    "parquet" typed copies of them (`store`); errors.csv is always written.
    Documents already done and unchanged are skipped unless `force`.
    `progress` shows a progress bar on stderr. `doc_timeout` (seconds, None or
    0 for no limit) stops a document that takes longer (E015). `converter`:
    the process that converts the Parquet tables (`parquet_process`), best
    started before the pipeline is imported; without one, a run that writes
    Parquet starts its own (and stops it).

    Raises `NoInputs` when the inputs name no document at all, `OutputLocked`
    when another run writes into `outdir`, `OutputUnwritable` when it cannot be
    written. Neither an empty nor an all-missing input set creates `outdir`.
    """
    started = time.perf_counter()
    formats = set(formats)
    own = Converter.start() if converter is None and "parquet" in formats else None
    with own or contextlib.nullcontext():  # a converter started here is stopped however the run ends
        converter = converter or own
        rules = load_rules(rules_dir)  # a broken rules folder fails here, once, before any work
        skipped_by_walk: list[tuple[str, str, str]] = []
        paths = collect_inputs(inputs, skipped_by_walk)
        result = BatchResult()
        if not paths and not skipped_by_walk:
            raise NoInputs(f"no documents to read in {', '.join(map(str, inputs)) or 'the inputs'} "
                           f"(files ending in {' '.join(READ_SUFFIXES)})")
        if not any(os.path.lexists(p) for p in paths):
            # nothing to read at all: say so per input, create nothing
            for p in paths:
                problem = path_problem(p) or MissingFile("no such file", p)
                result.failed.append((p, problem.code, problem.message))
                if on_error:
                    on_error(p, problem.code, problem.message)
            for p, code, reason in skipped_by_walk:
                result.failed.append((p, code, reason))
                if on_error:
                    on_error(p, code, reason)
            result.elapsed = time.perf_counter() - started
            return result
        out = Path(outdir)
        if out.exists() and not out.is_dir():
            raise UsageError("the output folder is a file: give a folder with -o", str(outdir))
        try:
            out.mkdir(parents=True, exist_ok=True)
            (out / STATE_DIR).mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputUnwritable(f"cannot use this folder for the outputs: {exc.strerror or exc}",
                                   str(outdir)) from None
        lock = _lock(out)
        _PINNED[rules_dir] = rules
        try:
            try:
                return _run_locked(paths, skipped_by_walk, out, rules, rules_dir, jobs, on_error, formats, executor,
                                   scheduler, force, progress, doc_timeout, lock, converter, result, started)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.EINTR):
                    raise
                where = exc.filename or out
                raise OutputUnwritable(f"cannot write {where}: {exc.strerror or exc}", str(outdir)) from exc
        finally:
            _PINNED.pop(rules_dir, None)
            os.close(lock)


def _lock(out: Path) -> int:
    """Hold OUTDIR/.govreport/lock for the run; a second run stops at once.

    An flock: the kernel drops it when the process ends however it ends
    (kill -9 included), so there is never a stale lock to remove by hand.
    Only the holder removes stale temporaries, so it never deletes the
    files of another live run.
    """
    import fcntl

    path = out / STATE_DIR / "lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputUnwritable(f"cannot write to this folder: {exc.strerror or exc}", str(out)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        try:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
        except OSError:
            holder = "?"
        os.close(fd)
        raise OutputLocked(f"another govreport run (pid {holder}) is writing into this folder; wait for it to "
                           "finish or choose another -o folder", str(out)) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd


def _run_locked(paths: list[str], skipped_by_walk: list[tuple[str, str, str]], out: Path, rules,
                rules_dir: str | None, jobs: int | None, on_error, formats: set[str], executor: str,
                scheduler: str | None, force: bool, progress: bool, doc_timeout: float | None, lock: int,
                converter: Converter | None, result: BatchResult, started: float) -> BatchResult:
    _remove_stale_temporaries(out)
    manifest = Manifest(out)
    stems = assign_stems(paths, manifest.entries)
    versions = (program_version(), rules.version)  # any change of the code or the rules reprocesses
    todo = [(i, p) for i, p in enumerate(paths)
            if force or not manifest.is_current(p, stems[p], *versions, need_json="json" in formats)]
    result.skipped = len(paths) - len(todo)
    jobs = jobs or os.cpu_count() or 1

    failures: list[tuple[int, str, str, str]] = [(-1, p, code, reason) for p, code, reason in skipped_by_walk]
    for _, p, code, reason in failures:
        if on_error:
            on_error(p, code, reason)
    bar = _progress_bar(len(paths), result.skipped, enabled=progress)
    manifest.open()
    tabular = formats & {"csv", "parquet"}
    # A run that extracts anything rebuilds the tables: they are written while
    # the documents are extracted, in input order (a document's lines go in
    # once every document before it is done), so the end of the run only
    # converts them.
    tables = _Tables(out, formats, converter) if tabular and todo else None
    in_order = _InOrder(paths, {p for _, p in todo}, manifest, stems, tables)
    extracting = time.perf_counter()
    try:
        results = dask_results(todo, scheduler, rules_dir, doc_timeout) if executor == "dask" \
            else local_results(todo, jobs, rules_dir, doc_timeout,
                               close_fds=[fd for fd in (lock, converter and converter.fileno()) if fd is not None],
                               spool_dir=str(out / STATE_DIR))
        for index, outcome in results:
            failure = _take(outcome, out, stems, versions, formats, manifest, result)
            if failure is not None:
                failures.append((index, *failure))
                if on_error:
                    on_error(*failure)
            in_order.done(outcome.path)
            bar.update(1)
    except BaseException:
        if tables is not None:
            tables.abort()
        manifest.close(None, versions)  # keep what finished: the next run resumes from it
        bar.close()
        raise
    bar.close()
    result.extracting = time.perf_counter() - extracting if todo else 0.0
    failures.sort(key=lambda f: f[0])  # input order, whatever order they finished in
    result.failed = [f[1:] for f in failures]
    error_rows = [{"source": p, "code": code, "reason": reason} for p, code, reason in result.failed]

    ok_paths = [p for p in paths if (e := manifest.entries.get(p)) is not None and e.status == "ok"]
    # what the tables are made of: each input with its content, so tables left
    # from before a failed or killed run are never taken as current
    table_keys = [[p, manifest.entries[p].sha256] for p in ok_paths]
    if tables is not None:
        in_order.finish()
        tables.commit(error_rows)
        result.tables_rebuilt = True
    elif tabular and _tables_stale(out, formats, manifest, table_keys, versions, False):
        tables = _Tables(out, formats, converter)
        for p in ok_paths:
            tables.add(manifest.rows(p))
        tables.commit(error_rows)
        result.tables_rebuilt = True
    else:
        _Tables(out, formats, only_errors=True).commit(error_rows)
    manifest.close(table_keys if result.tables_rebuilt else None, versions)
    result.elapsed = time.perf_counter() - started
    return result


def _take(outcome: Outcome, out: Path, stems: dict[str, str], versions: tuple[str, str], formats: set[str],
          manifest: Manifest, result: BatchResult) -> tuple[str, str, str] | None:
    """Write one document's outputs, then record it as done. A failed document
    gives its (path, code, reason)."""
    path, stem = outcome.path, stems[outcome.path]
    try:
        st = os.stat(path)
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size, mtime = -1, -1
    if outcome.error is not None:
        code, reason = outcome.error
        # a stale JSON from an earlier, successful run must not outlive the file
        try:
            os.unlink(out / f"{stem}.json")
        except FileNotFoundError:
            pass
        manifest.record(Entry(path, stem, "", size, mtime, *versions, status="failed", code=code, reason=reason),
                        None)
        return path, code, reason
    if "json" in formats and outcome.json_bytes is not None:
        target = os.path.join(out, stem + ".json")
        atomic_write(target, outcome.json_bytes)
        result.outputs.append(Path(target))
    manifest.record(Entry(path, stem, outcome.sha256 or "", size, mtime, *versions, status="ok"), outcome.rows_bytes)
    result.processed += 1
    return None


def _tables_stale(out: Path, formats: set[str], manifest: Manifest, table_keys: list[list[str]],
                  versions: tuple[str, str], anything_done: bool) -> bool:
    if anything_done or manifest.tables_inputs != table_keys or manifest.tables_versions != versions:
        return True
    wanted = []
    if "csv" in formats:
        wanted += [out / f"{name}.csv" for name, _ in TABLES]
    if "parquet" in formats:
        wanted += [out / f"{name}.parquet" for name, _ in TABLES]
    return not all(p.is_file() for p in wanted)


class _Tables:
    """The combined tables, in input order, and errors.csv; with "parquet",
    typed copies of each. Every file is written under a temporary name first
    and all are renamed together by `commit`, so a failure anywhere (a value
    no Parquet type holds, a full disk) leaves the previous run's files,
    never a mix of two runs."""

    def __init__(self, out: Path, formats: set[str], converter: Converter | None = None,
                 only_errors: bool = False) -> None:
        self.out, self.formats, self.converter = out, formats, converter
        self.tables = {} if only_errors else {name: CsvTable(out / f"{name}.csv", columns) for name, columns in TABLES}

    def add(self, pieces: Iterable[tuple[str, bytes]]) -> None:
        """One document's lines of the tables, (table, UTF-8 CSV lines) as
        `Manifest.rows` reads them back."""
        try:
            for name, data in pieces:
                table = self.tables.get(name)
                if table is not None:
                    table.write_bytes(data)
        except BaseException:
            self.abort()
            raise

    def commit(self, error_rows: list[dict]) -> None:
        out, tables = self.out, dict(self.tables)
        staged: list[tuple[Path, Path]] = []  # (temporary, final)
        try:
            tables["errors"] = CsvTable(out / "errors.csv", ERROR_COLUMNS)
            tables["errors"].write_many(error_rows)
            for table in tables.values():
                table.finish()
            if not self.tables and self._holds(tables["errors"]):
                tables["errors"].abort()  # a run that changed nothing writes nothing
                return
            if "parquet" in self.formats:
                pairs = [(Path(table.tmp), out / f"{name}.parquet") for name, table in tables.items()]
                staged += (self.converter or Converter()).stage(pairs)
            for name, table in tables.items():
                if "csv" in self.formats or name == "errors":
                    staged.append((Path(table.tmp), table.path))
                else:
                    os.unlink(table.tmp)
                    table.path.unlink(missing_ok=True)  # a CSV of an earlier run must not outlive its Parquet
        except BaseException:
            for table in tables.values():
                table.abort()
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        for tmp, final in staged:
            os.replace(tmp, final)

    def _holds(self, errors: CsvTable) -> bool:
        """Whether the folder holds these errors already: an errors.csv of the
        same bytes and, where Parquet is written, an errors.parquet converted
        from it (written after it: a run with `--format csv` leaves an older
        one behind)."""
        import filecmp

        try:
            if not filecmp.cmp(errors.tmp, errors.path, shallow=False):
                return False
            if "parquet" in self.formats:
                return (self.out / "errors.parquet").stat().st_mtime_ns >= errors.path.stat().st_mtime_ns
        except OSError:
            return False
        return True

    def abort(self) -> None:
        for table in self.tables.values():
            table.abort()


class _InOrder:
    """Feeds `tables` each successful document's lines in input order while
    documents finish in any order: a document goes in once every document
    before it is done (extracted now, or current from an earlier run). Lines
    are read back from the output folder's state, so nothing waits in memory."""

    def __init__(self, paths: list[str], todo: set[str], manifest: Manifest, stems: dict[str, str],
                 tables: _Tables | None) -> None:
        self.paths, self.waiting, self.manifest, self.stems, self.tables = paths, set(todo), manifest, stems, tables
        self.next = 0

    def done(self, path: str) -> None:
        self.waiting.discard(path)
        if self.tables is None:
            return
        while self.next < len(self.paths) and self.paths[self.next] not in self.waiting:
            p = self.paths[self.next]
            entry = self.manifest.entries.get(p)
            if entry is not None and entry.status == "ok":
                self.tables.add(self.manifest.rows(p))
            self.next += 1

    def finish(self) -> None:
        self.waiting.clear()
        self.done("")


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files a killed run left behind (never a finished output).
    Called with the folder's lock held: no other run is writing here."""
    for folder in (out, out / STATE_DIR):
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
