"""Normalise a reader's text into the one `text` every span indexes into.

- full-width digits, Latin letters and ％ become half-width (１２％ → 12%);
- stray whitespace goes: spaces next to Chinese characters (PDF and web
  copies put them everywhere: "2019 年", "的 30 项"), leading indentation,
  blank lines; spaces between two Latin or digit tokens stay ("GB/T 2260");
- a line broken in the middle of a sentence is joined to the next one, and
  so is a sentence broken across a page end (\f from the PDF reader);
- a title split over several lines at the top is joined.

The result has one paragraph per line. Page boundaries survive as offsets
(`page_starts`), so an indicator can say which page it came from.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from .rules import Rules

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH[0xFF05] = ord("%")  # ％
_FULLWIDTH[0x3000] = ord(" ")  # ideographic space: treated as whitespace below
_FULLWIDTH[0x00A0] = ord(" ")
_FULLWIDTH[0x200B] = None  # zero-width space (web copies)
_FULLWIDTH[0xFEFF] = None  # stray BOM inside the text
# Word/WPS PDFs often map 一 to the Kangxi radical ⼀ (U+2F00) and the like:
# radicals and compatibility ideographs become the characters they stand for.
for _code in list(range(0x2E80, 0x2FE0)) + list(range(0xF900, 0xFB00)):
    _folded = unicodedata.normalize("NFKC", chr(_code))
    if _folded != chr(_code) and len(_folded) == 1:
        _FULLWIDTH[_code] = ord(_folded)

# What normalisation does character by character, for code that maps offsets
# back to the raw text (the spaCy component): one-for-one replacements (．
# only between digits) and deleted characters.
FOLDED: dict[int, int] = {k: v for k, v in _FULLWIDTH.items() if v is not None} | {0xFF0E: ord(".")}
DROPPED: frozenset[str] = frozenset(chr(k) for k, v in _FULLWIDTH.items() if v is None)

# A space is kept only between two ASCII word characters. A run of spaces is
# taken whole from its first character (possessive, never from inside the
# run): else a long run not followed by CJK was retried from each of its
# characters, each try running to its end (quadratic).
_SPACES_NEAR_CJK = re.compile(r"(?<![ \t])[ \t]++(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])[ \t]+")
_MULTI_SPACE = re.compile(r"[ \t]{2,}")
_FULLWIDTH_DOT = re.compile(r"(?<=\d)．(?=\d)")

# Endings after which a line is a finished paragraph, not a broken sentence.
_TERMINAL = set("。！？；：!?;:…”’」』）)】》")
# Endings that cannot end a paragraph: the sentence goes on on the next line.
_CONTINUES = set("，,、（(“‘《【—-")


@dataclass(frozen=True)
class Normalised:
    text: str
    page_starts: tuple[int, ...]  # offset of each page's first character; () when not paged

    def page_of(self, offset: int) -> int | None:
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)


# Web copies lose line breaks: "…成效 (一)加强…", "…整改工作。(二)深化…".
# A level-2 marker after a space or a sentence end starts a new line.
# (A run of spaces is taken whole from its start, as above.)
_RUN_IN_MARKER = re.compile(r"(?:(?<![ \t\u3000])[ \t\u3000]++|(?<=[。；;]))(?=[（(][一二三四五六七八九十]{1,3}[）)])")


# Any character `_FULLWIDTH` changes: most lines have none, and a search for
# them is many times faster than `str.translate` looking up every character.
_FOLDABLE = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_FULLWIDTH)) + "]")


def normalise_line(line: str) -> str:
    if "（" in line or "(" in line:  # a run-in marker opens with its bracket
        line = _RUN_IN_MARKER.sub("\n", line)
    return normalise_table_line(line)


def normalise_table_line(line: str) -> str:
    """A table row's line: normalised like any line, but never split at a
    run-in heading marker (its cells hold "（一）予以公开").

    Each step runs only where the line holds what it changes (most lines
    hold nothing for most steps); the result is the same."""
    if _FOLDABLE.search(line):
        line = line.translate(_FULLWIDTH)
    if "．" in line:
        line = _FULLWIDTH_DOT.sub(".", line)
    if " " in line or "\t" in line:
        line = _SPACES_NEAR_CJK.sub("", line)
        line = _MULTI_SPACE.sub(" ", line)
    return line.strip()


def normalise(raw: str, rules: Rules, table_lines: frozenset[str] = frozenset()) -> Normalised:
    """Normalise a reader's raw text (see module doc).

    `table_lines`: the raw lines (stripped) that are table rows; each stays a
    line of its own, never joined to the text around it."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    pages = raw.split("\f")
    # A page that ends without a line break ends in the middle of a paragraph
    # (the PDF reader ends a page with "\n" when its last paragraph ends there).
    runs_on = [not page.endswith("\n") for page in pages]
    # (line, page index, blank lines before it)
    lines: list[tuple[str, int, int]] = []
    # each line's length as written, spaces included: a text hard-wrapped out of a
    # PDF sets figures off by spaces ("召开会议研究法治工作 5 次，审议…"), which
    # normalisation removes, so the line it broke looks shorter than it was
    widths: list[int] = []
    rows: set[int] = set()  # indexes of table rows in `lines`
    for page_no, page in enumerate(pages):
        blanks = 0
        for raw_line in page.split("\n"):
            if table_lines and raw_line.strip() in table_lines:
                line = normalise_table_line(raw_line)
                if line:
                    rows.add(len(lines))
                    lines.append((line, page_no, blanks))
                    widths.append(len(line))
                    blanks = 0
                continue
            pieces = [p.strip() for p in normalise_line(raw_line).split("\n")]
            for k, line in enumerate(pieces):
                if not line:
                    blanks += 1
                    continue
                lines.append((line, page_no, blanks))
                widths.append(max(len(line), len(raw_line.strip())) if k == len(pieces) - 1 and len(pieces) == 1
                              else len(line))
                blanks = 0
    if not lines:
        return Normalised("", ())
    width = _wrap_width([widths[k] for k in range(len(lines)) if k not in rows])
    measure_words = (*rules.units, "%")
    heading = rules.sections.line_start_re
    title_first, title_end = _title_lines(lines, rules)

    # page index of each chunk appended, to rebuild page starts precisely
    chunks: list[list[tuple[str, int]]] = []
    for i, (line, page_no, blanks) in enumerate(lines):
        if not chunks:
            chunks.append([(line, page_no)])
            continue
        prev_line, prev_page, _ = lines[i - 1]
        join = False
        if i in rows or i - 1 in rows:
            join = False
        elif title_first < i < title_end:
            join = True
        elif heading.match(line):
            join = False
        elif i <= 12 and rules.metadata.is_chrome(prev_line):
            # a page's furniture over the report ("发布时间：2025-01-20 来源：本站 浏览次数：386",
            # "当前位置：首页>…") is a line of its own: "386" | "本报告根据…" is no figure
            join = False
        elif page_no != prev_page and runs_on[prev_page] and blanks == 0:
            # "…防控疫" | "情…": the page break fell inside a word
            join = True
        elif prev_line[-1] in _CONTINUES or line[0] in "，,、。；;）)":
            join = True
        elif prev_line[-1].isdigit() and line.startswith(measure_words):
            join = True  # "…集中学法12" | "次，…": a figure and its measure word are one
        elif prev_line[-1] not in _TERMINAL:
            # A hard-wrapped line (as long as the document's wrap width) or a
            # sentence broken across a page end: the paragraph goes on. A short
            # heading line ("（一）加强组织领导") is left alone.
            wrapped = width is not None and widths[i - 1] >= width - 2 and blanks == 0
            crossed_page = page_no != prev_page
            join = wrapped or (crossed_page and (runs_on[prev_page] or not heading.match(prev_line)))
        if join:
            chunks[-1].append((line, page_no))
        else:
            chunks.append([(line, page_no)])

    out: list[str] = []
    page_starts: list[int] = []
    pos = 0
    seen_page = -1
    for chunk_no, chunk in enumerate(chunks):
        if chunk_no:
            out.append("\n")
            pos += 1
        for line, page_no in chunk:
            while seen_page < page_no:
                seen_page += 1
                page_starts.append(pos)
            out.append(line)
            pos += len(line)
    text = "".join(out)
    paged = len(pages) > 1
    while paged and seen_page < len(pages) - 1:
        seen_page += 1
        page_starts.append(len(text))
    return Normalised(text, tuple(page_starts) if paged else ())


def _wrap_width(widths: list[int]) -> int | None:
    """The width a hard-wrapped text was broken at, if it was (`widths`: the
    lengths of its lines as written).

    Text copied from PDFs or fixed-width files breaks every line at about the
    same length; paragraph-per-line text has lines of every length. Call it
    wrapped when at least a third of the long lines share the top length.
    """
    lengths = sorted(n for n in widths if n >= 15)
    if len(lengths) < 6:
        return None
    top = lengths[int(len(lengths) * 0.9) - 1]
    near = sum(1 for n in lengths if top - 2 <= n <= top + 2)
    if near >= len(lengths) / 3 and top >= 20:
        return top
    return None




def _title_lines(lines: list[tuple[str, int, int]], rules: Rules) -> tuple[int, int]:
    """The lines near the top that make up one title split over lines.

    Returns (first, end): lines first+1 … end-1 are joined to line `first`;
    (0, 0) when no title was split. "…2025年度法治政府建设" / "情况报告" is one
    title; a title line followed by "发布时间：…" is not.
    """
    endings = rules.metadata.title_endings
    for i in range(min(len(lines), 12)):
        line = lines[i][0]
        if len(line) > 60 or line[-1] in _TERMINAL or rules.metadata.is_chrome(line):
            continue
        if not rules.metadata.names_a_title(line):
            continue
        if line.endswith(endings):
            return 0, 0
        # Join the following short lines until one ends the title.
        j = i + 1
        while j < len(lines) and j <= i + 3:
            nxt = lines[j][0]
            if rules.metadata.is_chrome(nxt):
                # a site's bar ("…人民政府 政府信息公开专栏") over its breadcrumb
                # ("当前位置：首页>…"): no title split over lines; look further down
                break
            if len(nxt) > 30 or rules.sections.line_start_re.match(nxt):
                return 0, 0
            if nxt.endswith(endings):
                return i, j + 1
            j += 1
        else:
            return 0, 0
    return 0, 0
