"""What a run has done, so the next run does only what changed.

OUTDIR/.govreport/ holds:
- `journal.jsonl`: one line per finished document (its input path, output stem,
  content hash, size and mtime, pipeline and rules versions, status), appended
  and flushed as each document finishes. A run killed at any point leaves at
  most one torn last line, which is ignored: everything before it is done.
- `rows/<stem>.json`: the document's rows for the combined tables, so the
  tables can be rebuilt without re-reading or re-extracting the document.
- `manifest.json`: the journal compacted at the end of a run, plus the inputs
  (path and sha256) the combined tables were built from.

A document is skipped when its entry (keyed by its path as given) has the
same content (sha256 of the file now), the same pipeline and rules versions,
and its outputs exist. Output stems are given once per path and kept
(`assign_stems`): a stem already taken by another path in this folder gives
the newcomer its own name, so two inputs never share a JSON or a rows file.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Mapping

import orjson

from .output import atomic_write

log = logging.getLogger(__name__)

STATE_DIR = ".govreport"


@dataclass(frozen=True)
class Entry:
    source: str
    stem: str
    sha256: str
    size: int
    mtime_ns: int
    pipeline_version: str
    rules_version: str
    status: str  # ok | failed
    code: str | None = None
    reason: str | None = None


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _suffixed(stem: str, path: str) -> str:
    return f"{stem}-{hashlib.sha1(path.encode('utf-8')).hexdigest()[:8]}"


def assign_stems(paths: list[str], entries: Mapping[str, Entry]) -> dict[str, str]:
    """The output name (`<stem>.json`, rows file) of each path, stable across runs.

    A path the folder has seen keeps its name. A new path gets its file's stem
    unless another path (seen before, or earlier in sorted order in this run)
    has it; then `<stem>-<8 hex of the path>`. Never keyed on the stem alone:
    b/report.txt, then a/report.txt, then b/report.txt into one folder gives
    each its own outputs.
    """
    names: dict[str, str] = {}
    taken: dict[str, str] = {}  # stem -> the path that owns it
    for source, e in entries.items():
        taken.setdefault(e.stem, source)
    for p in paths:
        e = entries.get(p)
        if e is not None and taken.get(e.stem) == p:
            names[p] = e.stem
    for p in sorted(set(paths) - set(names)):
        stem = Path(p).stem
        name = stem if stem not in taken else _suffixed(stem, p)
        while name in taken and taken[name] != p:  # a clash of suffixes: practically never
            name = _suffixed(name, p)
        names[p] = name
        taken[name] = p
    return names


class Manifest:
    """The state of one output folder."""

    def __init__(self, outdir: str | Path) -> None:
        self.outdir = Path(outdir)
        self.dir = self.outdir / STATE_DIR
        self.rows_dir = self.dir / "rows"
        self.entries: dict[str, Entry] = {}
        self.tables_inputs: list[list[str]] | None = None  # [source, sha256] of each input, in order
        self.tables_versions: tuple[str, str] | None = None
        self._journal = None
        self._load()

    # --- reading ---------------------------------------------------------------

    def _load(self) -> None:
        compact = self.dir / "manifest.json"
        if compact.is_file():
            try:
                data = json.loads(compact.read_text(encoding="utf-8"))
                for item in data.get("documents", []):
                    e = Entry(**item)
                    self.entries[e.source] = e
                self.tables_inputs = data.get("tables_inputs")
                tv = data.get("tables_versions")
                self.tables_versions = tuple(tv) if tv else None
            except (ValueError, TypeError) as exc:
                log.warning("%s: unreadable manifest (%s): every document will be processed again", compact, exc)
                self.entries = {}
        journal = self.dir / "journal.jsonl"
        if journal.is_file():
            with open(journal, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        e = Entry(**json.loads(line))
                    except (ValueError, TypeError):
                        continue  # the torn last line of a killed run
                    self.entries[e.source] = e

    def is_current(self, source: str, stem: str, pipeline_version: str, rules_version: str,
                   need_json: bool) -> bool:
        """True when `source` (this path) was processed with this content
        (sha256) and these versions, and its outputs are there."""
        e = self.entries.get(source)
        if e is None or e.stem != stem or e.status != "ok" or not e.sha256:
            return False
        if (e.pipeline_version, e.rules_version) != (pipeline_version, rules_version):
            return False
        if not (self.rows_dir / f"{stem}.json").is_file():
            return False
        if need_json and not (self.outdir / f"{stem}.json").is_file():
            return False
        try:
            if os.stat(source).st_size != e.size:
                return False
            # the content decides, never the name or the mtime alone
            return file_sha256(source) == e.sha256
        except OSError:
            return False

    # --- writing ---------------------------------------------------------------

    def open(self) -> None:
        self.rows_dir.mkdir(parents=True, exist_ok=True)
        self._journal = open(self.dir / "journal.jsonl", "a", encoding="utf-8")

    def record(self, entry: Entry, rows: bytes | None) -> None:
        """Record a finished document: its lines of the tables first (JSON
        bytes of `batch.table_text`, encoded where the document was extracted),
        then its journal line."""
        if rows is not None:
            atomic_write(self.rows_dir / f"{entry.stem}.json", rows)
        self.entries[entry.source] = entry
        assert self._journal is not None
        self._journal.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
        self._journal.flush()

    def rows(self, stem: str) -> dict[str, str]:
        """A document's lines of each table (CSV text), as `record` stored them."""
        return orjson.loads((self.rows_dir / f"{stem}.json").read_bytes())

    def close(self, tables_inputs: list[list[str]] | None, versions: tuple[str, str]) -> None:
        """Compact the journal into manifest.json (atomically), then drop the journal."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if tables_inputs is not None:
            self.tables_inputs = tables_inputs
            self.tables_versions = versions
        data = {
            "documents": [asdict(e) for _, e in sorted(self.entries.items())],
            "tables_inputs": self.tables_inputs,
            "tables_versions": list(self.tables_versions) if self.tables_versions else None,
        }
        atomic_write(self.dir / "manifest.json",
                     (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        try:
            os.unlink(self.dir / "journal.jsonl")
        except FileNotFoundError:
            pass
