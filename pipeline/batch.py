"""Run the pipeline over many inputs and write the contract's output folder.

Documents are spread over worker processes (`jobs`); each worker loads the
rules and jieba once, at start. Results come back in input order whatever
order the workers finish in, so the output is the same for any `jobs`.
A document that fails is reported and the batch goes on.
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing as mp
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import GovreportError, InputError, UsageError
from .extract import extract
from .ingest import SUFFIX_FORMAT
from .output import (
    ERROR_COLUMNS,
    FINDING_COLUMNS,
    INDICATOR_COLUMNS,
    REPORT_COLUMNS,
    SECTION_COLUMNS,
    CsvTable,
    finding_rows,
    rows_for,
    write_report_json,
)
from .rules import load_rules

log = logging.getLogger(__name__)

READ_SUFFIXES = (".txt", ".pdf", ".docx", ".doc", ".html", ".htm")


@dataclass
class BatchResult:
    processed: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (source, code, reason)
    outputs: list[Path] = field(default_factory=list)


def collect_inputs(inputs: Iterable[str]) -> list[str]:
    """Files as given, and the readable files under each folder (recursively, sorted)."""
    out: list[str] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*")
                           if f.is_file() and f.suffix.lower() in READ_SUFFIXES and not f.name.startswith("."))
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


# --- workers ---------------------------------------------------------------------------

_worker_rules = None


def _init_worker(rules_dir: str | None) -> None:
    global _worker_rules
    from .tokenize import tokenizer

    _worker_rules = load_rules(rules_dir)
    tokenizer(_worker_rules)  # load jieba once per worker, not per document


def _work(task: tuple[str, str | None]) -> tuple[str, dict | None, tuple[str, str] | None]:
    path, json_path = task
    try:
        report = extract(Path(path), _worker_rules)
    except InputError as exc:
        return path, None, (exc.code, exc.message)
    except GovreportError as exc:
        return path, None, (exc.code, exc.message)
    except Exception as exc:  # a bug must not stop the batch; it is reported as such
        log.exception("unexpected failure on %s", path)
        return path, None, ("E999", f"internal error: {type(exc).__name__}: {exc}")
    doc = report.to_dict()
    if json_path is not None:
        write_report_json(doc, Path(json_path))
    return path, doc, None


def _results(tasks: list[tuple[str, str, str]], jobs: int, rules_dir: str | None) -> Iterator:
    if jobs <= 1 or len(tasks) <= 1:
        _init_worker(rules_dir)
        for t in tasks:
            yield _work(t)
        return
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(rules_dir,)) as pool:
        # imap keeps input order; chunks amortise the inter-process traffic
        yield from pool.imap(_work, tasks, chunksize=max(1, min(16, len(tasks) // (jobs * 4) or 1)))


def run_batch(inputs: Iterable[str], outdir: str | Path, *, jobs: int | None = None,
              rules_dir: str | None = None,
              on_error: Callable[[str, str, str], None] | None = None,
              formats: Iterable[str] = ("json", "csv")) -> BatchResult:
    """Extract every input and write OUTDIR/<stem>.json plus the combined tables.

    `formats`: "json" writes one file per document, "csv" the combined tables,
    "parquet" typed copies of them (`store.write_parquet`); errors.csv is always written.
    """
    formats = set(formats)
    load_rules(rules_dir)  # a broken rules folder fails here, once, before any work
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot use {outdir} as the output folder: {exc.strerror or exc}", str(outdir)) from None
    paths = collect_inputs(inputs)
    stems = output_stems(paths)
    tasks = [(p, str(out / f"{stems[p]}.json") if "json" in formats else None) for p in paths]
    jobs = jobs or os.cpu_count() or 1
    result = BatchResult()
    tables = {"errors": CsvTable(out / "errors.csv", ERROR_COLUMNS)}
    # the Parquet tables are converted from the CSV ones, so parquet needs them too
    tabular = "csv" in formats or "parquet" in formats
    if tabular:
        tables["reports"] = CsvTable(out / "reports.csv", REPORT_COLUMNS)
        tables["sections"] = CsvTable(out / "sections.csv", SECTION_COLUMNS)
        tables["indicators"] = CsvTable(out / "indicators.csv", INDICATOR_COLUMNS)
        tables["findings"] = CsvTable(out / "findings.csv", FINDING_COLUMNS)
    try:
        for path, doc, error in _results(tasks, jobs, rules_dir):
            if error is not None:
                code, reason = error
                result.failed.append((path, code, reason))
                tables["errors"].write({"source": path, "code": code, "reason": reason})
                if on_error:
                    on_error(path, code, reason)
                continue
            if tabular:
                report_row, section_rows, indicator_rows = rows_for(doc)
                tables["reports"].write(report_row)
                tables["sections"].write_many(section_rows)
                tables["indicators"].write_many(indicator_rows)
                tables["findings"].write_many(finding_rows(doc))
            result.processed += 1
            if "json" in formats:
                result.outputs.append(out / f"{stems[path]}.json")
    except BaseException:
        for t in tables.values():
            t.abort()
        raise
    for t in tables.values():
        t.close()
    if "parquet" in formats:
        from .store import write_parquet

        write_parquet(out, keep_csv="csv" in formats)
    return result
