"""Ingest: one input file becomes a `RawDocument` (text before normalisation).

This module owns the checks every format shares (exists, not empty, not too
large, the extension is one we read) and plain-text decoding. Other formats
are read by the modules in `pipeline.readers`, each `read(path, data)`.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
from dataclasses import replace
from pathlib import Path

from .errors import (
    BinaryContent,
    EmptyDocument,
    FileTooLarge,
    InputError,
    MissingFile,
    SymlinkLoop,
    UndecodableText,
    UnsupportedFormat,
)
from .records import RawDocument
from .rules import Rules, load_rules

log = logging.getLogger(__name__)

SUFFIX_FORMAT = {
    ".txt": "txt",
    ".text": "txt",
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "doc",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
}

# Reports are a few hundred KB at most; 200 MB "reports" are scans or junk.
# Refusing before reading keeps memory flat whatever lands in a folder.
def _max_bytes_from_env() -> int:
    raw = os.environ.get("GOVREPORT_MAX_BYTES", "")
    return int(raw) if raw.isdigit() else 64 * 1024 * 1024


DEFAULT_MAX_BYTES = _max_bytes_from_env()


def _size(n: int) -> str:
    if n >= 10 * 1048576:
        return f"{n / 1048576:.0f} MB"
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{n:,} bytes"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_problem(path: str | Path) -> InputError | None:
    """Why `path` names nothing to read — no such file, a broken or looping
    symlink, a name the system refuses (too long) — or None when it names
    something (which may still be no regular file)."""
    shown = str(path)
    try:
        os.stat(path)
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return SymlinkLoop("symlink loop (the link leads back to itself)", shown)
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            if os.path.islink(path):
                return MissingFile("broken symlink (its target does not exist)", shown)
            return MissingFile("no such file", shown)
        return InputError(f"cannot read the file: {exc.strerror or exc}", shown)
    except ValueError as exc:  # a NUL in the name
        return InputError(f"cannot read the file: {exc}", shown)


def read_document(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, rules: Rules | None = None) -> RawDocument:
    """Read one input file of any supported format, with the layout rules of `rules` (default: bundled).

    Raises an `InputError` subclass naming the file and the reason.
    """
    p = Path(path)
    shown = str(path)
    fmt = SUFFIX_FORMAT.get(p.suffix.lower())
    problem = path_problem(path)
    if problem is not None:
        raise problem
    if not p.is_file():
        raise UnsupportedFormat("not a regular file", shown)
    if fmt is None:
        raise UnsupportedFormat(
            f"unsupported file type {p.suffix or '(none)'!r}: expected {' '.join(SUFFIX_FORMAT)}", shown
        )
    size = p.stat().st_size
    if size == 0:
        raise EmptyDocument("file is empty (0 bytes)", shown)
    if size > max_bytes:
        raise FileTooLarge(
            f"file is {_size(size)}, over the {_size(max_bytes)} limit "
            "(set GOVREPORT_MAX_BYTES to raise it)",
            shown,
        )
    try:
        data = p.read_bytes()
    except PermissionError:
        raise InputError("cannot read the file: permission denied", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", shown) from None
    from .readers import _rules

    layout = (rules or load_rules()).layout
    if fmt == "txt":
        raw = read_text_bytes(shown, data)
        from .readers.text import drop_markup, drop_page_furniture

        with _rules.using(layout):
            text = drop_page_furniture(drop_markup(raw.text))
        return raw if text == raw.text else replace(raw, text=text)
    reader = _reader(fmt, shown)
    with _rules.using(layout):
        return reader(shown, data)


def _reader(fmt: str, shown: str):
    # Imported lazily: PDF, Word and HTML readers pull in heavy libraries that
    # a plain-text run never needs.
    try:
        if fmt == "pdf":
            from .readers.pdf import read
        elif fmt == "docx":
            from .readers.docx import read
        elif fmt == "doc":
            from .readers.doc import read
        elif fmt == "html":
            from .readers.html import read
        else:  # pragma: no cover - SUFFIX_FORMAT and this list agree
            raise KeyError(fmt)
    except ImportError as exc:
        raise UnsupportedFormat(f"cannot read {fmt} files here: {exc}", shown) from None
    return read


# Encodings tried in order when there is no BOM. UTF-8 first: it is strict, so
# GBK bytes fail it quickly; GB18030 is a superset of GBK and GB2312.
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8"),
    (b"\xff\xfe", "utf-16", "utf-16"),
    (b"\xfe\xff", "utf-16", "utf-16"),
)


def decode_bom(data: bytes) -> tuple[str, str] | None:
    """(text, encoding name) when `data` starts with a byte-order mark that fits."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), name
            except UnicodeDecodeError:
                return None
    return None


def decode_text(data: bytes, shown: str = "<bytes>") -> tuple[str, str]:
    """Decode report text in any common Chinese encoding.

    Returns (text, encoding name as recorded in source.encoding).
    """
    by_bom = decode_bom(data)
    if by_bom is not None:
        return by_bom
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: every newline, digit or Latin letter has a NUL
        # byte. Take it when one byte order gives mostly Chinese and ASCII text.
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _mostly_text(text) and _cjk_or_ascii_share(text) > 0.9:
                return text, "utf-16"
        if _utf8_with_nuls(data):
            raise BinaryContent("UTF-8 text with NUL bytes in it (a damaged or padded file); remove the NULs "
                                "to read it", shown)
        raise BinaryContent("binary content (NUL bytes), not text", shown)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # A report saved as UTF-8 with a byte or two damaged stays UTF-8: read
        # as GB18030 it would turn into plausible-looking nonsense.
        text = data.decode("utf-8", errors="replace")
        damaged = text.count("\ufffd")
        if damaged <= max(2, len(text) // 1000) and _cjk_or_ascii_share(text) > 0.9:
            log.warning("%s: %d damaged UTF-8 byte(s) replaced (first at byte %d)", shown, damaged, exc.start)
            return text, "utf-8"
    try:
        text = data.decode("gb18030")
        if _mostly_text(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    # Last resort: let charset-normalizer guess (Big5, other legacy pages).
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _mostly_text(text):
            return text, best.encoding
    if _utf8_with_nuls(data):
        raise BinaryContent("UTF-8 text with NUL bytes in it (a damaged or padded file); remove the NULs "
                            "to read it", shown)
    raise UndecodableText("not text in any known encoding (tried UTF-8, UTF-16, GB18030)", shown)


def _utf8_with_nuls(data: bytes) -> bool:
    """UTF-8 text that NUL bytes were mixed into: say that, not "no known encoding"."""
    if b"\x00" not in data:
        return False
    try:
        text = data.replace(b"\x00", b"").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text.strip()) and _mostly_text(text)


def read_text_bytes(shown: str, data: bytes) -> RawDocument:
    text, encoding = decode_text(data, shown)
    if not text.strip():
        raise EmptyDocument("file holds only whitespace", shown)
    if not _mostly_text(text):
        raise BinaryContent("binary content, not text", shown)
    return RawDocument(path=shown, format="txt", text=text, sha256=sha256_bytes(data), encoding=encoding)


def _cjk_or_ascii_share(text: str) -> float:
    """Share of CJK, CJK punctuation, full-width forms and printable ASCII."""
    sample = text[:20000]
    if not sample:
        return 0.0
    good = sum(1 for ch in sample if ch.isascii() and (ch.isprintable() or ch in "\t\n\r\f")
               or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
               or ch in "“”‘’…—·")
    return good / len(sample)


# control characters but tab, line feed, form feed and carriage return; the
# replacement mark; the private use area. One regex pass, not a Python loop per
# character: every document is checked.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd\ue000-\uf8ff]")


def _mostly_text(text: str) -> bool:
    """True when control characters and replacement marks are rare."""
    sample = text[:20000]
    if not sample:
        return False
    bad = len(_NOT_TEXT.findall(sample))
    return bad <= 0.01 * len(sample)


__all__ = ["read_document", "decode_text", "read_text_bytes", "InputError", "SUFFIX_FORMAT", "DEFAULT_MAX_BYTES"]
