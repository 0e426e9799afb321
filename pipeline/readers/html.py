"""Saved web page reader (.html/.htm): the report body without the site around it.

- Encoding: BOM, then strict UTF-8 (a page that decodes as UTF-8 is UTF-8,
  whatever its meta tag says: browsers re-save pages as UTF-8), then the
  declared charset, then charset-normalizer. GB2312 and GBK are decoded as
  GB18030, their superset, so rare characters in names do not fail.
- Body: trafilatura (it keeps paragraphs, short heading lines and tables,
  and drops navigation); what site chrome survives it is dropped line by line
  by the patterns in rules/layout.yaml. A paragraph the page repeats is kept
  every time (trafilatura keeps one of identical neighbours: each copy is
  told apart by a token while it reads).
- Metadata: the page's own 发布机构/来源 and 发布时间 (meta tags first, then
  the visible page text around the body) go to `publisher`/`published`.
"""
from __future__ import annotations

import codecs
import hashlib
import logging
import re

# Imported at module level so that a missing library shows up where ingest
# imports the reader ("cannot read html files here: ...").
import lxml.html
import trafilatura
from lxml import etree

from ..errors import EmptyDocument, UndecodableText
from ..ingest import decode_bom
from ..records import RawDocument
from . import _rules, drop_cjk_spaces, raw_table, render_table, spread_cells
from ..records import RawTable

log = logging.getLogger(__name__)

__all__ = ["read", "decode_html"]

_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I
)
# Legacy Chinese charsets a page may declare; GB18030 decodes all of them.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "hz-gb-2312", "936"}
_MIN_CJK = 30  # a report body has far more; a page with less is chrome only


def read(path: str, data: bytes) -> RawDocument:
    """Read a saved web page's report text and its publisher/date."""
    if not data.strip():
        raise EmptyDocument("file is empty (0 bytes)" if not data else "file holds only whitespace", path)
    page, encoding = decode_html(data, path)
    try:
        tree = lxml.html.document_fromstring(page)
    except Exception as exc:  # lxml raises ParserError / ValueError on junk
        raise EmptyDocument(f"web page has no HTML content to read ({exc})", path) from None
    tables, body_page = _take_tables(tree, page)
    if _unwrap_layout(tree):
        body_page = lxml.html.tostring(tree, encoding="unicode")
    body_page = _mark_repeats(tree, body_page)
    lines, found = _place_tables(_body_lines(body_page), tables)
    lines = _drop_chrome(lines)
    lines = _with_title(lines, tree)
    if sum(1 for line in lines for ch in line if "\u4e00" <= ch <= "\u9fff") < _MIN_CJK:
        raise EmptyDocument("web page has no report text (only site navigation and page chrome)", path)
    full = _visible_text(tree)
    publisher, published = _page_meta(tree, full, lines)
    return RawDocument(
        path=path,
        format="html",
        text="\n".join(lines),
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        publisher=publisher,
        published=published,
        tables=tuple(found),
    )


# ------------------------------------------------------------ encoding

def decode_html(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """(page text, codec used) for a web page in any common Chinese encoding."""
    by_bom = decode_bom(data)
    if by_bom is not None:
        return by_bom
    if not data[:1 << 16].isascii() or len(data) > 1 << 16:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    declared = _declared(data[:8192])
    if declared:
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            log.info("%s: page declares %s but does not decode as it; detecting", path, declared)
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    raise UndecodableText("web page is not text in any known encoding (tried UTF-8, GB18030, detection)", path)


def _declared(head: bytes) -> str | None:
    m = _DECLARED.search(head)
    if not m:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii", "ignore").strip().lower()
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


# ------------------------------------------------------------ tables

# A data table's place in the page while trafilatura reads the body: its own
# table handling loses rowspan/colspan (a merged cell becomes one cell, and
# every later cell of the row shifts left), so each table is read from the
# page itself and a token stands in for it.
_TOKEN = "GOVREPORTTABLE{:04d}X"
_TOKEN_RE = re.compile(r"GOVREPORTTABLE(\d{4})X")
_MAX_CELL_CHARS = 300
_FIGURE = re.compile(r"^[-+]?\d+(?:[.,]\d+)*%?$")  # a cell longer than this is page layout, not data


def _take_tables(tree, page: str) -> tuple[list[RawTable], str]:
    """The page's data tables (merged cells spread), and the page with a token
    paragraph in place of each; the page unchanged when it has none."""
    tables: list[RawTable] = []
    for n, table in enumerate(tree.xpath("//table[not(.//table)]")):
        rows = []
        for tr in table.xpath(".//tr"):
            cells = []
            for cell in tr.xpath("./td|./th"):
                cells.append((_cell_text(cell), _span(cell.get("rowspan")), _span(cell.get("colspan"))))
            if cells:
                rows.append(cells)
        grid, merged = spread_cells(rows)
        if len(grid) < 2 or max(len(r) for r in grid) < 2 or any(len(c) > _MAX_CELL_CHARS for r in grid for c in r):
            continue
        if not any(_FIGURE.match(c.strip()) for r in grid for c in r):
            continue  # a table of words (the site's 索引号/发布机构 box) is left to the page reading
        token = lxml.html.fromstring(f"<p>{_TOKEN.format(len(tables))}</p>")
        token.tail = table.tail
        table.getparent().replace(table, token)
        tables.append(raw_table(grid, "html", merged=merged))
    if not tables:
        return [], page
    return tables, lxml.html.tostring(tree, encoding="unicode")


def _unwrap_layout(tree) -> bool:
    """Tables that lay the page out (older sites put the whole article in a
    cell, next to the site's menus) made block elements: each cell's content
    in a <div> of its own, so the report's paragraphs and headings stay
    paragraphs (trafilatura reads a table's cell as one line). A layout
    table holds another table or a cell longer than any data cell; data
    tables were taken out before (`_take_tables`). Whether any was unwrapped."""
    changed = False
    for table in tree.xpath("//table"):
        if table.getparent() is None:
            continue
        cells = table.xpath(".//td|.//th")
        if not (table.xpath(".//table") or any(len(c.text_content()) > _MAX_CELL_CHARS for c in cells)):
            continue
        box = lxml.html.Element("div")
        for cell in table.xpath("./tr/td|./tr/th|./*/tr/td|./*/tr/th"):
            part = lxml.html.Element("div")
            part.text = cell.text
            for child in list(cell):
                part.append(child)  # moves it, with its tail
            box.append(part)
        box.tail = table.tail
        table.getparent().replace(table, box)
        changed = True
    return changed


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


def _cell_text(cell) -> str:
    """A cell's text, its <br> and paragraphs as line breaks (joined later as one phrase)."""
    for br in cell.xpath(".//br"):
        br.tail = "\n" + (br.tail or "")
    parts = []
    for block in cell.xpath(".//p|.//div") or [cell]:
        parts.append(block.text_content())
    text = "\n".join(parts) if len(parts) > 1 else cell.text_content()
    return re.sub(r"[ \t\xa0\u3000]+", " ", text).strip()


def _place_tables(lines: list[str], tables: list[RawTable]) -> tuple[list[str], list[RawTable]]:
    """Put each table's lines where its token is; the tables found, in order."""
    if not tables:
        return lines, []
    out: list[str] = []
    found: list[RawTable] = []
    for line in lines:
        pos = 0
        for m in _TOKEN_RE.finditer(line):
            before = line[pos:m.start()].strip()
            if before:
                out.append(before)
            n = int(m.group(1))
            if n < len(tables):
                out.extend(tables[n].lines)
                found.append(tables[n])
            pos = m.end()
        rest = line[pos:].strip()
        if rest:
            out.append(rest)
    return out, found


# ------------------------------------------------------------ repeated paragraphs

# trafilatura drops an element whose text repeats the one before it, when
# longer than its MIN_DUPLICATE_LENGTH (a "recovery artifact" to it): a page
# listing the same notice month after month would lose every copy but one.
# Each block whose text comes more than once on the page gets a token of its
# own while trafilatura reads it (taken out of the lines it gives); a page
# without such repeats is read exactly as before.
_REPEAT_TOKEN = "GOVREPORTREPEAT{:06d}X"
_REPEAT_TOKEN_RE = re.compile(r"GOVREPORTREPEAT\d{6}X")
_REPEAT_MIN_CHARS = 20  # shorter repeats are kept by trafilatura anyway (its limit is 50)
_REPEAT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "div", "section", "td")


def _mark_repeats(tree, page: str) -> str:
    """The page with a token at the start of each block whose text comes
    more than once; `page` itself when none does. The tree is left as it was."""
    counts: dict[str, int] = {}
    blocks = []
    for el in tree.iter(*_REPEAT_TAGS):
        if any(isinstance(child.tag, str) and child.tag in _REPEAT_TAGS for child in el):
            continue  # a container: its own blocks are what repeats
        text = re.sub(r"\s+", "", el.text_content())
        if len(text) >= _REPEAT_MIN_CHARS:
            counts[text] = counts.get(text, 0) + 1
            blocks.append((el, text))
    repeated = [el for el, text in blocks if counts[text] > 1]
    if not repeated:
        return page
    before = [el.text for el in repeated]
    for n, el in enumerate(repeated):
        el.text = _REPEAT_TOKEN.format(n) + (el.text or "")
    try:
        return lxml.html.tostring(tree, encoding="unicode")
    finally:
        for el, text in zip(repeated, before):
            el.text = text


# ------------------------------------------------------------ body

def _body_lines(page: str) -> list[str]:
    xml = trafilatura.extract(
        page,
        output_format="xml",
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        favor_recall=True,  # keep short heading lines (一、…) that precision mode may drop
        deduplicate=False,
        with_metadata=False,
    )
    if not xml:
        return []
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    lines: list[str] = []
    _walk(main if main is not None else root, lines)
    return [line for line in (_REPEAT_TOKEN_RE.sub("", ln).strip() for ln in lines) if line]


def _walk(el, lines: list[str]) -> None:
    for child in el:
        _block(child, lines)


def _block(el, lines: list[str]) -> None:
    """One element of trafilatura's XML as text lines."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "table":
        # trafilatura writes <row>/<cell>, but leaves <tr>/<td> as found in a
        # table it met inside a paragraph.
        rows = [["".join(cell.itertext()).strip() for cell in row if cell.tag in ("cell", "td", "th")]
                for row in el.iter("row", "tr")]
        lines.extend(render_table(rows))
    elif tag in ("list", "quote", "div", "main", "section"):
        _walk(el, lines)
    elif tag in ("graphic", "ref", ""):
        return
    else:  # p, head, item and anything unexpected: inline text
        lines.extend(_inline_text(el).split("\n"))


_BLOCKS = {"head", "p", "item", "list", "table", "quote", "div"}


def _inline_text(el) -> str:
    """An element's text with <lb/> as a line break (sites that lay out with <br>)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag in _BLOCKS:
            # trafilatura nests headings (<h3> in a <br>-laid-out <div>) and
            # tables inside a paragraph; each still gets its own lines.
            nested: list[str] = []
            _block(child, nested)
            parts.append("\n" + "\n".join(nested) + "\n")
        else:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _drop_chrome(lines: list[str]) -> list[str]:
    chrome = _rules.patterns("html_chrome_patterns")
    kept = []
    for line in lines:
        flat = re.sub(r"\s+", "", line)
        if any(rx.search(flat) for rx in chrome):
            continue
        kept.append(line)
    return kept


def _with_title(lines: list[str], tree) -> list[str]:
    """Put the page's title first when the body does not start with it.

    Sites often print the title only in the page's <h1>, outside the body
    text; without it the report loses its title (and year, region).
    """
    title = _page_title(tree)
    if not title:
        return lines
    flat_title = re.sub(r"\s+", "", title)
    head = re.sub(r"\s+", "", "".join(lines[:5]))
    if flat_title in head or not lines:
        return lines
    return [title] + lines


def _page_title(tree) -> str | None:
    for xpath in ("//h1", "//*[contains(@class,'title')]", "//title"):
        for el in tree.xpath(xpath):
            text = re.sub(r"\s+", " ", el.text_content()).strip()
            if xpath == "//title":
                text = re.split(r"[_|｜—-]{1,2}(?=[^_|｜—-]*(政府|网|门户)[^_|｜—-]*$)", text)[0].strip()
            if 6 <= len(text) <= 80 and re.search(r"[\u4e00-\u9fff]", text):
                return drop_cjk_spaces(text)
    return None


# ------------------------------------------------------------ metadata

def _visible_text(tree) -> str:
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return re.sub(r"[ \t\xa0\u3000]+", " ", tree.text_content())


def _page_meta(tree, full: str, body: list[str]) -> tuple[str | None, str | None]:
    meta = {}
    for el in tree.xpath("//meta[@name or @property]"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        if key and el.get("content"):
            meta.setdefault(key, el.get("content").strip())
    conf = _rules.section("html_meta")
    publisher = next((meta[n.lower()] for n in conf["publisher_meta_names"] if meta.get(n.lower())), None)
    published = next((meta[n.lower()] for n in conf["published_meta_names"] if meta.get(n.lower())), None)

    # Only the chrome counts, not the body: a report may well say "来源：".
    body_text = re.sub(r"\s+", "", "".join(body))
    if not publisher:
        publisher = _first_match(_rules.patterns("html_meta", "publisher"), full, body_text)
    if not published:
        published = _first_match(_rules.patterns("html_meta", "published"), full, body_text)
    return (publisher.strip() if publisher else None), _iso_date(published)


def _first_match(patterns, text: str, body_text: str) -> str | None:
    for rx in patterns:
        for m in rx.finditer(text):
            if re.sub(r"\s+", "", m.group(0)) not in body_text:
                return m.group(1)
    return None


def _iso_date(value: str | None) -> str | None:
    """"2026年1月21日", "2026-01-21 09:30", "2026/1/21" -> "2026-01-21"."""
    if not value:
        return None
    m = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", value)
    if not m:
        return value.strip() or None
    year, month, day = (int(g) for g in m.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
