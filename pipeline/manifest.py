"""What a run has done, so the next run does only what changed.

OUTDIR/.govreport/ holds:
- `journal.jsonl`: one line per finished document (its input path, output stem,
  content hash, size and mtime, pipeline and rules versions, status), appended
  and flushed as each document finishes. A run killed at any point leaves at
  most one torn last line, which is ignored: everything before it is done.
- `rows-<n>.bin`: each document's rows for the combined tables, one after
  another, so the tables can be rebuilt without re-reading or re-extracting
  the document; its entry holds the file, offset and length. A document's
  rows are pieces, each a line `<table> <bytes>` and then that many bytes of
  the table's CSV lines in UTF-8 (`encode_rows`): copied into the tables as
  they are, a megabyte at a time, never parsed.
  One file appended to, not one file per document: creating a file costs
  0.3-1 ms on an ext4 disk, as much as extracting a short report. A document
  extracted again leaves its old rows as dead bytes; when they outweigh the
  live ones, the end of a run copies the live rows into `rows-<n+1>.bin`.
- `manifest.json`: the journal compacted at the end of a run, plus the inputs
  (path and sha256) the combined tables were built from.

A document is skipped when its entry (keyed by its path as given) has the
same content (sha256 of the file now), the same pipeline and rules versions,
and its outputs exist. Output stems are given once per path and kept
(`assign_stems`): a stem already taken by another path in this folder gives
the newcomer its own name, so two inputs never share a JSON file.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import orjson

from .output import Spooled, atomic_write, write_bytes

log = logging.getLogger(__name__)

STATE_DIR = ".govreport"
# Dead rows may reach twice the live ones plus this many bytes before the
# rows file is compacted (a small folder is never worth the copy).
COMPACT_SLACK = 1 << 20


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
    rows_file: str | None = None  # where its rows for the tables are: file name in the state folder,
    rows_offset: int = 0  # byte offset and length
    rows_length: int = 0


def encode_rows(pieces: Iterable[tuple[str, str]]) -> Iterator[bytes]:
    r"""A document's lines of the tables as the state keeps them, from
    (table, CSV lines) pieces; empty pieces are left out.

    >>> b"".join(encode_rows([("reports", "a,b\r\n"), ("sections", ""), ("indicators", "中\r\n")]))
    b'reports 5\na,b\r\nindicators 5\n\xe4\xb8\xad\r\n'
    """
    for name, piece in pieces:
        if piece:
            data = piece.encode("utf-8")
            yield b"%s %d\n" % (name.encode("ascii"), len(data))
            yield data


def _pieces(read, length: int, block: int) -> Iterator[tuple[str, bytes]]:
    """(table, bytes) of encoded rows, `read(offset, n)` reading them; pieces
    over `block` bytes come in parts."""
    pos = 0
    while pos < length:
        head = bytes(read(pos, min(80, length - pos)))
        nl = head.find(b"\n")
        try:
            name, size = head[:nl].decode("ascii").split(" ") if nl > 0 else ("", "")
            size = int(size)
        except ValueError:
            raise OSError(f"damaged rows at byte {pos}: {bytes(head[:40])!r}") from None
        pos += nl + 1
        if size < 0 or pos + size > length:
            raise OSError(f"damaged rows at byte {pos}: a piece of {size} bytes past their end")
        while size:
            part = read(pos, min(block, size))
            yield name, part
            pos += len(part)
            size -= len(part)


def decode_rows(data: bytes) -> dict[str, str]:
    r"""Each table's lines of encoded rows, joined (`encode_rows` undone).

    >>> decode_rows(b"".join(encode_rows([("reports", "a\r\n"), ("reports", "b\r\n")])))
    {'reports': 'a\r\nb\r\n'}
    """
    view = memoryview(data)
    got: dict[str, list[bytes]] = {}
    for name, part in _pieces(lambda pos, n: view[pos:pos + n], len(data), len(data) or 1):
        got.setdefault(name, []).append(bytes(part))
    return {name: b"".join(parts).decode("utf-8") for name, parts in got.items()}


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _suffixed(stem: str, path: str) -> str:
    return f"{stem}-{hashlib.sha1(path.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"


# A stem, with ".json" and a temporary's ".<name>.<8 random>.tmp" around it,
# must stay under the 255 bytes a file name may have: a longer one is cut and
# told apart by its path (`_fitted`).
MAX_STEM_BYTES = 200


def _fitted(stem: str, path: str) -> str:
    """`stem`, or when its UTF-8 is over MAX_STEM_BYTES, its start (whole
    characters) with 8 hex of the path.

    >>> _fitted("报告", "a/报告.txt")
    '报告'
    >>> len(_fitted("名" * 90, "a.txt").encode("utf-8")) <= MAX_STEM_BYTES
    True
    """
    raw = stem.encode("utf-8", "surrogateescape")
    if len(raw) <= MAX_STEM_BYTES:
        return stem
    return _suffixed(raw[:MAX_STEM_BYTES - 9].decode("utf-8", "ignore"), path)


def assign_stems(paths: list[str], entries: Mapping[str, Entry]) -> dict[str, str]:
    """The output name (`<stem>.json`) of each path, stable across runs.

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
        stem = _fitted(Path(p).stem, p)
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
        self.entries: dict[str, Entry] = {}
        self.tables_inputs: list[list[str]] | None = None  # [source, sha256] of each input, in order
        self.tables_versions: tuple[str, str] | None = None
        self.rows_file = "rows-1.bin"  # the rows file this run appends to
        self._journal = None
        self._rows_out = None  # the rows file, open for appending
        self._readers: dict[str, int] = {}  # rows file name -> descriptor open for reading
        self._sizes: dict[str, int] = {}  # rows file name -> size when first asked (-1: missing)
        self._load()

    # --- reading ---------------------------------------------------------------

    def _load(self) -> None:
        compact = self.dir / "manifest.json"
        if compact.is_file():
            try:
                data = orjson.loads(compact.read_bytes())
                for item in data.get("documents", []):
                    e = Entry(**item)
                    self.entries[e.source] = e
                self.tables_inputs = data.get("tables_inputs")
                self.rows_file = data.get("rows_file") or self.rows_file
                tv = data.get("tables_versions")
                self.tables_versions = tuple(tv) if tv else None
            except (ValueError, TypeError, AttributeError) as exc:
                log.warning("%s: unreadable manifest (%s): every document will be processed again", compact, exc)
                self.entries = {}
        journal = self.dir / "journal.jsonl"
        if journal.is_file():
            with open(journal, "rb") as fh:
                for line in fh:
                    try:
                        e = Entry(**orjson.loads(line))
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
        if e.rows_file is None or self._size(e.rows_file) < e.rows_offset + e.rows_length:
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

    def _size(self, name: str) -> int:
        if name not in self._sizes:
            try:
                self._sizes[name] = os.stat(self.dir / name).st_size
            except OSError:
                self._sizes[name] = -1
        return self._sizes[name]

    def open(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self._journal = open(self.dir / "journal.jsonl", "ab")
        self._rows_out = open(self.dir / self.rows_file, "ab")
        self._sizes.pop(self.rows_file, None)

    def record(self, entry: Entry, rows: bytes | Spooled | None) -> None:
        """Record a finished document: its lines of the tables first
        (`encode_rows`, encoded where the document was extracted; a huge
        document's in a `Spooled` file), then its journal line."""
        if rows is not None:
            assert self._rows_out is not None
            offset = self._rows_out.tell()
            write_bytes(self._rows_out, rows)
            self._rows_out.flush()
            entry = replace(entry, rows_file=self.rows_file, rows_offset=offset, rows_length=len(rows))
        self.entries[entry.source] = entry
        assert self._journal is not None
        self._journal.write(orjson.dumps(vars(entry)) + b"\n")
        self._journal.flush()

    def rows(self, source: str, block: int = 1 << 20) -> Iterator[tuple[str, bytes]]:
        """A document's lines of each table, (table, UTF-8 CSV lines), as
        `record` stored them: a piece at a time, at most `block` bytes each."""
        e = self.entries[source]
        fd = self._readers.get(e.rows_file)
        if fd is None:
            fd = self._readers[e.rows_file] = os.open(self.dir / e.rows_file, os.O_RDONLY)
        where = self.dir / e.rows_file

        def read(pos: int, n: int) -> bytes:
            data = os.pread(fd, n, e.rows_offset + pos)
            if len(data) != n:
                raise OSError(f"{where}: cut short (a document's rows end past its end)")
            return data

        if e.rows_length <= block:  # most documents: one read, pieces cut from it
            data = memoryview(read(0, e.rows_length))
            return _pieces(lambda pos, n: data[pos:pos + n], e.rows_length, block)
        return _pieces(read, e.rows_length, block)

    def close(self, tables_inputs: list[list[str]] | None, versions: tuple[str, str]) -> None:
        """Compact the journal into manifest.json (atomically), then drop the
        journal; then the rows file, when more of it is dead than alive."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._rows_out is not None:
            self._rows_out.close()
            self._rows_out = None
        if tables_inputs is not None:
            self.tables_inputs = tables_inputs
            self.tables_versions = versions
        self._write()
        try:
            os.unlink(self.dir / "journal.jsonl")
        except FileNotFoundError:
            pass
        try:
            self._compact_rows()
        except OSError as exc:  # only room saved: the rows as they are stay valid
            log.warning("%s: rows not compacted (%s)", self.dir, exc)
        for fd in self._readers.values():
            os.close(fd)
        self._readers.clear()

    def _write(self) -> None:
        data = {
            "documents": [vars(e) for _, e in sorted(self.entries.items())],
            "tables_inputs": self.tables_inputs,
            "tables_versions": list(self.tables_versions) if self.tables_versions else None,
            "rows_file": self.rows_file,
        }
        atomic_write(self.dir / "manifest.json", orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")

    def _compact_rows(self) -> None:
        """Copy the live rows into a new file when the dead ones outweigh them,
        and remove rows files no entry points into (and the per-document rows
        folder of earlier versions). manifest.json is rewritten before any old
        file goes, so a kill at any point leaves entries that point at rows."""
        self._sizes.clear()
        live = {e.rows_file for e in self.entries.values() if e.rows_file}
        used = sum(e.rows_length for e in self.entries.values() if e.rows_file)
        total = sum(max(0, self._size(name)) for name in live)
        if total > 2 * used + COMPACT_SLACK:
            number = 1 + max((int(n[5:-4]) for n in live | {self.rows_file} if n[5:-4].isdigit()), default=0)
            name = f"rows-{number}.bin"
            moved: dict[str, Entry] = {}
            sources: dict[str, Any] = {}
            try:
                with open(self.dir / name, "wb") as fh:
                    for source, e in sorted(self.entries.items(),
                                            key=lambda kv: (kv[1].rows_file or "", kv[1].rows_offset)):
                        if e.rows_file is None:
                            continue
                        if e.rows_file not in sources:
                            sources[e.rows_file] = open(self.dir / e.rows_file, "rb")
                        src = sources[e.rows_file]
                        src.seek(e.rows_offset)
                        offset, left = fh.tell(), e.rows_length
                        while left:  # a megabyte at a time: a huge document's rows never whole in memory
                            block = src.read(min(left, 1 << 20))
                            if not block:
                                break
                            fh.write(block)
                            left -= len(block)
                        # rows cut short (a damaged file): none, so the document is extracted again
                        moved[source] = replace(e, rows_file=name, rows_offset=offset) if not left else \
                            replace(e, rows_file=None, rows_offset=0, rows_length=0)
            finally:
                for src in sources.values():
                    src.close()
            self.entries.update(moved)
            self.rows_file = name
            self._write()
            live = {name}
        for path in self.dir.glob("rows-*.bin"):
            if path.name not in live and path.name != self.rows_file:
                path.unlink(missing_ok=True)
        shutil.rmtree(self.dir / "rows", ignore_errors=True)
