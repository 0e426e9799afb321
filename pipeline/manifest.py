"""What a run has done, so the next run does only what changed.

OUTDIR/.govreport/ holds:
- `journal.jsonl`: one line per finished document (its input path, output stem,
  content hash, size and mtime, pipeline and rules versions, status), appended
  and flushed as each document finishes. A run killed at any point leaves at
  most one torn last line, which is ignored: everything before it is done.
- `rows/<stem>.json`: the document's rows for the combined tables, so the
  tables can be rebuilt without re-reading or re-extracting the document.
- `manifest.json`: the journal compacted at the end of a run, plus the list
  of inputs the combined tables were built from.

A document is skipped when its entry has the same content (size and mtime,
else its sha256), the same pipeline and rules versions, and its outputs exist.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

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


class Manifest:
    """The state of one output folder."""

    def __init__(self, outdir: str | Path) -> None:
        self.outdir = Path(outdir)
        self.dir = self.outdir / STATE_DIR
        self.rows_dir = self.dir / "rows"
        self.entries: dict[str, Entry] = {}
        self.tables_inputs: list[str] | None = None
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
        """True when `source` was processed as it is now, with these versions."""
        e = self.entries.get(source)
        if e is None or e.stem != stem or e.status != "ok":
            return False
        if (e.pipeline_version, e.rules_version) != (pipeline_version, rules_version):
            return False
        try:
            st = os.stat(source)
        except OSError:
            return False
        if not (self.rows_dir / f"{stem}.json").is_file():
            return False
        if need_json and not (self.outdir / f"{stem}.json").is_file():
            return False
        if st.st_size == e.size and st.st_mtime_ns == e.mtime_ns:
            return True
        # touched but maybe not changed: the content decides
        return st.st_size == e.size and file_sha256(source) == e.sha256

    # --- writing ---------------------------------------------------------------

    def open(self) -> None:
        self.rows_dir.mkdir(parents=True, exist_ok=True)
        self._journal = open(self.dir / "journal.jsonl", "a", encoding="utf-8")

    def record(self, entry: Entry, rows: dict | None) -> None:
        """Record a finished document: its rows first, then its journal line."""
        if rows is not None:
            atomic_write(self.rows_dir / f"{entry.stem}.json", orjson.dumps(rows))
        self.entries[entry.source] = entry
        assert self._journal is not None
        self._journal.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
        self._journal.flush()

    def rows(self, stem: str) -> dict:
        return orjson.loads((self.rows_dir / f"{stem}.json").read_bytes())

    def close(self, tables_inputs: list[str] | None, versions: tuple[str, str]) -> None:
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
