"""Plain text taken from a PDF: its page furniture, dropped.

A report saved as text from a PDF (copied, or through pdftotext) keeps each
page's number ("- 3 -", "第3页") and running header on lines of their own,
often inside a sentence that goes on over the page ("出具法律" | "- 1 -" |
"…年度报告" | "意见31条"). The same lines the PDF reader drops by their place
on the page are dropped here by their shape: a page number (layout.yaml's
`page_number_patterns`, but never a bare number, which may be a table cell of
its own line), and a line that stands next to two page numbers or more (the
running header or footer), with the blank lines around them, so the sentence
reads on. Text with fewer than two page numbers is left as it is.
"""
from __future__ import annotations

import re
from collections import Counter

from . import _rules

_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_NEAR = 3  # lines: how far from a page number its running header or footer stands
_MAX_RUNNING = 60  # characters: a running line is short


def drop_markup(text: str) -> str:
    """`text` without the Markdown markup of layout.yaml's `text_markup_patterns`.

    >>> drop_markup("# 某局2023年报告\\n**（一）主动公开。** 全年公开信息12条。\\n| 规章 | 0 |")
    '某局2023年报告\\n（一）主动公开。 全年公开信息12条。\\n| 规章 | 0 |'
    """
    markup = _rules.patterns("text_markup_patterns")
    if not markup or not any(rx.search(text) for rx in markup):
        return text  # most texts have none: left as they are
    lines = text.split("\n")
    for rx in markup:
        lines = [rx.sub("", line) for line in lines]
    return "\n".join(lines)


def drop_page_furniture(text: str) -> str:
    """`text` without page numbers and the running lines next to them.

    >>> drop_page_furniture("出具法律\\n\\n- 1 -\\n\\n某局报告\\n意见31条。\\n…\\n- 2 -\\n某局报告\\n完。\\n")
    '出具法律\\n意见31条。\\n…\\n完。\\n'
    >>> drop_page_furniture("第一行\\n3\\n第二行\\n")  # a bare number may be a table cell
    '第一行\\n3\\n第二行\\n'
    """
    lines = text.split("\n")
    flat = [_WS.sub("", ln) for ln in lines]
    numbers = _rules.patterns("page_number_patterns")
    marks = [i for i, f in enumerate(flat) if f and not f.isdigit() and any(rx.search(f) for rx in numbers)]
    if len(marks) < 2:
        return text
    is_mark = set(marks)

    def near(i: int) -> bool:
        return any(abs(i - j) <= _NEAR for j in marks)

    shapes = {i: _DIGITS.sub("#", flat[i]) for i in range(len(lines))
              if flat[i] and i not in is_mark and len(flat[i]) <= _MAX_RUNNING and near(i)}
    running = {s for s, n in Counter(shapes.values()).items() if n >= 2}
    drop = is_mark | {i for i, s in shapes.items() if s in running}
    out: list[str] = []
    skipping_blanks = False
    for i, line in enumerate(lines):
        if i in drop:
            while out and not out[-1].strip():  # the blank lines before it
                out.pop()
            skipping_blanks = True
            continue
        if skipping_blanks and not line.strip() and i < len(lines) - 1:
            continue  # …and after it
        skipping_blanks = False
        out.append(line)
    return "\n".join(out)
