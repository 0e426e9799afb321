"""Word (.docx) reader: paragraphs and tables in document order, with the
heading numbers Word generates from list numbering (一、 （一） are often not in
the paragraph text at all, only in numbering.xml).

The archive is checked before it is read: a file that is not a zip, an old
binary .doc or an encrypted document under a .docx name, and zip bombs (a
total unpacked size over `docx.max_unpacked_mb`, or a member of 10 MB or more
that compresses more than `docx.max_ratio`:1) are refused with a clear reason.

The body (word/document.xml, which can be hundreds of MB of XML) is parsed as
a stream: each top-level paragraph or table is read and then freed, and each
row of a table as soon as it ends, so memory stays flat whatever its size. The
small parts (numbering, styles) are parsed whole.
"""
from __future__ import annotations

import hashlib
import io
import logging
import posixpath
import zipfile
from collections.abc import Iterator
from typing import IO

from lxml import etree

from ..errors import BrokenDocument, EmptyDocument, EncryptedDocument, FileTooLarge
from ..records import RawDocument, RawTable
from . import _rules, raw_table

log = logging.getLogger(__name__)

__all__ = ["read", "read_docx"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _SDT, _SDT_CONTENT = f"{{{W}}}p", f"{{{W}}}tbl", f"{{{W}}}sdt", f"{{{W}}}sdtContent"
_BODY, _TR = f"{{{W}}}body", f"{{{W}}}tr"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MB = 1048576
_RATIO_FROM = 10 * _MB  # members this large (or larger) are ratio-checked
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = "/officeDocument"


def read(path: str, data: bytes) -> RawDocument:
    """Read a .docx file's text, one paragraph or table row per line."""
    return read_docx(path, data, fmt="docx")


def read_docx(path: str, data: bytes, fmt: str, sha256: str | None = None) -> RawDocument:
    """Shared with the .doc reader, which converts first: `fmt` and `sha256`
    are then the original file's."""
    _check_archive(path, data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main, numbering_name, styles_name = _part_names(archive)
            numbering = _Numbering(_small_part(archive, numbering_name), _small_part(archive, styles_name))
            tables: list[RawTable] = []
            with archive.open(main) as stream:
                text = "\n".join(line for line in _stream_body_lines(stream, numbering, tables) if line.strip())
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise BrokenDocument(f"not a readable Word document ({exc})", path) from None
    except Exception as exc:  # lxml syntax errors and the like: a damaged part
        raise BrokenDocument(f"Word document is damaged ({type(exc).__name__}: {exc})", path) from None
    if not text.strip():
        raise EmptyDocument("Word document has no text", path)
    return RawDocument(path=path, format=fmt, text=text, sha256=sha256 or hashlib.sha256(data).hexdigest(),
                       tables=tuple(tables))


# ------------------------------------------------------------ archive checks

def _check_archive(path: str, data: bytes) -> None:
    if not data:
        raise EmptyDocument("file is empty (0 bytes)", path)
    if data.startswith(_OLE_MAGIC):
        # Office encrypts .docx into an OLE container with an EncryptedPackage stream.
        if "EncryptedPackage".encode("utf-16-le") in data[:1 << 20] or b"EncryptedPackage" in data[:1 << 20]:
            raise EncryptedDocument("Word document is encrypted (password needed)", path)
        raise BrokenDocument("not a .docx: the file is an old binary Word .doc saved with a .docx name (rename it to .doc)", path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BrokenDocument("not a .docx: the file is not a zip archive (damaged, or another format renamed)", path) from None
    with archive:
        infos = archive.infolist()
        limit_mb = float(_rules.setting("docx", "max_unpacked_mb"))
        ratio_max = float(_rules.setting("docx", "max_ratio"))
        # zipfile enforces each member's declared size when reading, so the
        # declared sizes are a safe bound on what opening the file would cost.
        total = sum(info.file_size for info in infos)
        if total > limit_mb * _MB:
            raise FileTooLarge(
                f".docx unpacks to {total / _MB:.0f} MB, over the {limit_mb:g} MB limit (a zip bomb?)", path
            )
        for info in infos:
            if info.file_size >= _RATIO_FROM and info.file_size > ratio_max * max(info.compress_size, 1):
                raise FileTooLarge(
                    f".docx member {info.filename} compresses {info.file_size / max(info.compress_size, 1):.0f}:1 "
                    f"({info.file_size / 1048576:.0f} MB unpacked): refused as a zip bomb",
                    path,
                )
        names = {info.filename for info in infos}
        if "word/document.xml" not in names and not any(n.endswith("document.xml") for n in names):
            raise BrokenDocument("not a Word document: the zip has no word/document.xml", path)


# ------------------------------------------------------------ parts

def _xml_parser() -> etree.XMLParser:
    # no DTDs, entities or network: XXE and billion laughs stay harmless
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


def _small_part(archive: zipfile.ZipFile, name: str | None):
    """The root element of a small part (numbering, styles), None when absent."""
    if name is None or name not in archive.NameToInfo:
        return None
    return etree.fromstring(archive.read(name), _xml_parser())


def _relationships(archive: zipfile.ZipFile, source: str) -> dict[str, str]:
    """Relationship type (its last path segment) -> target part name, for part `source` ("" the package)."""
    folder, base = posixpath.split(source)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in archive.NameToInfo:
        return {}
    out: dict[str, str] = {}
    for rel in etree.fromstring(archive.read(rels), _xml_parser()).iter(_REL):
        kind, target = rel.get("Type", ""), rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out.setdefault(kind.rsplit("/", 1)[-1], name)
    return out


def _part_names(archive: zipfile.ZipFile) -> tuple[str, str | None, str | None]:
    """(main document, numbering, styles) part names, from the package's relationships."""
    main = _relationships(archive, "").get(_OFFICE_DOCUMENT.lstrip("/"))
    if main is None or main not in archive.NameToInfo:
        names = archive.namelist()
        main = "word/document.xml" if "word/document.xml" in names else next(n for n in names if n.endswith("document.xml"))
    rels = _relationships(archive, main)
    return main, rels.get("numbering"), rels.get("styles")


# ------------------------------------------------------------ body

def _stream_body_lines(stream: IO[bytes], numbering: _Numbering, tables: list[RawTable]) -> Iterator[str]:
    """The lines of the body's paragraphs and tables, in order, parsing as it goes.

    Each top-level element (w:body's child) is read when it ends and then
    freed with the elements before it; a top-level table's rows are read and
    freed one by one, so even a single huge table costs one row at a time.
    Only the ends of paragraphs, rows, tables and content controls are
    reported by the parser (a Python step per XML element was the cost)."""
    events = etree.iterparse(stream, events=("end",), tag=(_P, _TR, _TBL, _SDT), resolve_entities=False,
                             no_network=True, load_dtd=False, remove_blank_text=True)
    rows: list[list[str]] = []  # the rows of the open top-level table (merged cells spread)
    origin: dict[tuple[int, int], tuple[int, int]] = {}  # its merged slots -> their first slot
    for _, el in events:
        parent = el.getparent()
        if parent is None or parent.tag != _BODY:
            if el.tag == _TR and parent is not None and parent.tag == _TBL \
                    and parent.getparent() is not None and parent.getparent().tag == _BODY:
                _add_row(el, rows, origin)
                el.clear()
                while el.getprevious() is not None:  # the rows before (and the table's properties)
                    del parent[0]
            continue  # inside a table or content control: read with it
        if el.tag == _TBL:
            yield from _table_lines(rows, origin, tables)  # its rows, each read as it ended
            rows, origin = [], {}
        else:
            yield from _body_lines_of(el, numbering, tables)
        el.clear()
        while el.getprevious() is not None:  # what came before is done with
            del parent[0]


def _table_lines(rows: list[list[str]], origin: dict[tuple[int, int], tuple[int, int]],
                 tables: list[RawTable]) -> Iterator[str]:
    table = raw_table(rows, "docx", merged=tuple(sorted((r, c, r0, c0) for (r, c), (r0, c0) in origin.items())))
    if table.lines:
        tables.append(table)
    yield from table.lines


def _body_lines_of(child, numbering: _Numbering, tables: list[RawTable]) -> Iterator[str]:
    """The lines of one body element (paragraph, table, content control)."""
    if child.tag == _P:
        yield numbering.marker(child) + _paragraph_text(child)
    elif child.tag == _TBL:
        rows: list[list[str]] = []
        origin: dict[tuple[int, int], tuple[int, int]] = {}
        for tr in child.iterchildren(_TR):
            _add_row(tr, rows, origin)
        yield from _table_lines(rows, origin, tables)
    elif child.tag == _SDT:  # content controls wrap ordinary paragraphs and tables
        content = child.find(_SDT_CONTENT)
        if content is not None:
            yield from _body_lines(content, numbering, tables)


def _body_lines(body, numbering: _Numbering, tables: list[RawTable]) -> Iterator[str]:
    for child in body.iterchildren():
        yield from _body_lines_of(child, numbering, tables)


_TEXT_TAGS = {f"{{{W}}}t": None, f"{{{W}}}tab": "\t", f"{{{W}}}br": "\n", f"{{{W}}}cr": "\n", f"{{{W}}}noBreakHyphen": "-"}
# Deleted revisions, field codes and nested tables' own paragraphs (read as tables).
# mc:Fallback repeats mc:Choice (a text box in both DrawingML and VML).
_SKIP = {f"{{{W}}}del", f"{{{W}}}delText", f"{{{W}}}instrText", f"{{{W}}}moveFrom", f"{{{W}}}tbl",
         f"{{{W}}}footnoteReference", f"{{{W}}}endnoteReference",
         "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
_PROPERTIES = {f"{{{W}}}pPr", f"{{{W}}}rPr"}


def _paragraph_text(p) -> str:
    """A paragraph's visible text, inserted revisions and hyperlinks included.

    python-docx's `Paragraph.text` reads only direct runs; text inside w:ins
    (tracked insertions), w:smartTag or w:fldSimple would be lost.
    """
    parts: list[str] = []

    def walk(el) -> None:
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag in _TEXT_TAGS:
                fixed = _TEXT_TAGS[tag]
                parts.append((child.text or "") if fixed is None else fixed)
            elif tag not in _PROPERTIES:
                walk(child)

    walk(p)
    return "".join(parts)


def _add_row(tr, rows: list[list[str]], origin: dict[tuple[int, int], tuple[int, int]]) -> None:
    """One table row, merged cells spread: a cell spanning columns (w:gridSpan)
    fills each of them, and a vertically merged cell (w:vMerge without
    "restart") repeats the text of the cell above; `origin` gets each such
    slot's first slot."""
    r = len(rows)
    cells: list[str] = []
    trpr = tr.find(f"{{{W}}}trPr")
    before = _int_val(trpr, "gridBefore") if trpr is not None else 0
    cells.extend([""] * before)
    for tc in tr.iterchildren(f"{{{W}}}tc"):
        tcpr = tc.find(f"{{{W}}}tcPr")
        span = max(1, _int_val(tcpr, "gridSpan") or 1) if tcpr is not None else 1
        vmerge = tcpr.find(f"{{{W}}}vMerge") if tcpr is not None else None
        col = len(cells)
        if vmerge is not None and vmerge.get(f"{{{W}}}val") in (None, "continue") and rows:
            above = rows[-1]
            text = above[col] if col < len(above) else ""
            first = origin.get((r - 1, col), (r - 1, col))
        else:
            # paragraphs of one cell are lines of one phrase, joined later
            text = "\n".join(t.strip() for t in (_paragraph_text(p) for p in tc.iter(_P)) if t.strip())
            first = (r, col)
        for k in range(span):
            if (r, col + k) != first:
                origin[(r, col + k)] = first
        cells.extend([text] * span)
    rows.append(cells)


def _int_val(el, tag: str) -> int:
    value = _val(el, tag)
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


# ------------------------------------------------------------ numbering

_CN_DIGITS = "零一二三四五六七八九"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 11 -> 十一, 21 -> 二十一, 105 -> 一百零五 (as Word renders counting formats)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + _CN_DIGITS[rest] if rest < 10 else (
            "一" + chinese_number(rest) if rest < 20 else chinese_number(rest)))
        return _CN_DIGITS[n // 100] + "百" + tail
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter past z: aa, bb, ...
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """A counter in one of Word's w:numFmt formats."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "chineseLegalSimplified", "ideographDigital"):
        if fmt == "ideographDigital":
            return "".join(_CN_DIGITS[int(d)] for d in str(n))
        return chinese_number(n)
    if fmt in ("ideographTraditional",):
        return _TIANGAN[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return "子丑寅卯辰巳午未申酉戌亥"[(n - 1) % 12]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)  # decimal and anything unknown


def _val(el, tag: str) -> str | None:
    child = el.find(f"{{{W}}}{tag}") if el is not None else None
    return None if child is None else child.get(f"{{{W}}}val")


class _Numbering:
    """Renders the list numbers Word would show before each paragraph.

    Counters belong to the abstract list (w:abstractNum): in Word, list
    instances (w:num) that share one continue each other's numbering unless
    an instance restarts a level with w:startOverride. A paragraph at level L
    resets the counters of the levels below it.
    """

    def __init__(self, numbering_root, styles_root) -> None:
        """`numbering_root`, `styles_root`: the parsed numbering and styles parts (None when absent)."""
        self._nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, level -> start override)
        self._levels: dict[str, dict[int, tuple[int, str, str, bool]]] = {}  # abstract -> level -> (start, fmt, text, legal)
        self._style_num: dict[str, tuple[str | None, int | None]] = {}
        self._style_based: dict[str, str] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._overridden: set[tuple[str, int]] = set()
        self._style_links: dict[str, str] = {}  # abstractNumId -> numbering style it takes its levels from
        if numbering_root is not None:
            self._load_numbering(numbering_root)
        if styles_root is not None:
            self._load_styles(styles_root)

    def _load_numbering(self, root) -> None:
        links: dict[str, str] = {}
        for absn in root.iterchildren(f"{{{W}}}abstractNum"):
            aid = absn.get(f"{{{W}}}abstractNumId")
            levels = {}
            for lvl in absn.iterchildren(f"{{{W}}}lvl"):
                ilvl = int(lvl.get(f"{{{W}}}ilvl", "0"))
                start = int(_val(lvl, "start") or 1)
                levels[ilvl] = (start, _val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "",
                                lvl.find(f"{{{W}}}isLgl") is not None)
            self._levels[aid] = levels
            link = _val(absn, "numStyleLink")
            if link:
                links[aid] = link
        for num in root.iterchildren(f"{{{W}}}num"):
            nid = num.get(f"{{{W}}}numId")
            aid = _val(num, "abstractNumId")
            overrides = {}
            for ov in num.iterchildren(f"{{{W}}}lvlOverride"):
                ilvl = int(ov.get(f"{{{W}}}ilvl", "0"))
                start = _val(ov, "startOverride")
                if start is not None:
                    overrides[ilvl] = int(start)
            self._nums[nid] = (aid, overrides)
        self._style_links = links

    def _load_styles(self, styles) -> None:
        for st in styles.iterchildren(f"{{{W}}}style"):
            sid = st.get(f"{{{W}}}styleId")
            based = _val(st, "basedOn")
            if based:
                self._style_based[sid] = based
            ppr = st.find(f"{{{W}}}pPr")
            numpr = ppr.find(f"{{{W}}}numPr") if ppr is not None else None
            if numpr is not None:
                ilvl = _val(numpr, "ilvl")
                self._style_num[sid] = (_val(numpr, "numId"), int(ilvl) if ilvl is not None else None)
        # An abstract list linked to a numbering style takes its levels from the style's list.
        for aid, style in self._style_links.items():
            nid = self._style_num.get(style, (None, None))[0]
            target = self._nums.get(nid or "", (None, {}))[0]
            if target and target != aid and not self._levels.get(aid):
                self._levels[aid] = self._levels.get(target, {})

    def _style_numpr(self, style_id: str | None) -> tuple[str | None, int | None]:
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            if style_id in self._style_num:
                return self._style_num[style_id]
            style_id = self._style_based.get(style_id)
        return None, None

    def marker(self, p) -> str:
        """The number Word shows before paragraph `p`, "" when none."""
        if not self._nums:
            return ""
        ppr = p.find(f"{{{W}}}pPr")
        num_id = ilvl = None
        if ppr is not None:
            numpr = ppr.find(f"{{{W}}}numPr")
            if numpr is not None:
                num_id = _val(numpr, "numId")
                lv = _val(numpr, "ilvl")
                ilvl = int(lv) if lv is not None else None
            if num_id is None or ilvl is None:
                s_num, s_lvl = self._style_numpr(_val(ppr, "pStyle"))
                num_id = num_id if num_id is not None else s_num
                ilvl = ilvl if ilvl is not None else s_lvl
        if num_id is None or num_id == "0" or num_id not in self._nums:
            return ""
        ilvl = ilvl or 0
        aid, overrides = self._nums[num_id]
        levels = self._levels.get(aid) or {}
        if ilvl not in levels:
            return ""
        counters = self._counters.setdefault(aid, {})
        start = levels[ilvl][0]
        if ilvl in overrides and (num_id, ilvl) not in self._overridden:
            self._overridden.add((num_id, ilvl))
            counters[ilvl] = overrides[ilvl]
        elif ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        _, fmt, text, legal = levels[ilvl]
        if fmt == "bullet":
            return ""  # bullet glyphs (often symbol-font private-use codes) are not numbers

        def level_value(k: int) -> str:
            value = counters.get(k, levels.get(k, (1,))[0])
            k_fmt = levels.get(k, (1, "decimal"))[1]
            return format_number(value, "decimal" if legal and k != ilvl else k_fmt)

        out = text
        for k in range(9, 0, -1):
            if f"%{k}" in out:
                out = out.replace(f"%{k}", level_value(k - 1))
        return out
