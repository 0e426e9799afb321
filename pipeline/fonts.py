"""CJK fonts: the one list of font families that draw Chinese, for the review
site's CSS, for its check at `view` time, and for `compare --chart`.

Charts: matplotlib falls back to DejaVu Sans (empty boxes and a "Glyph missing"
warning per character) when its font has no Chinese, and a family chosen by
name can resolve to the Bold file of a CJK collection (Noto's CJK families come
in one file per weight, with the same family names). So a chart asks for one
regular-weight CJK face by its family name, which then resolves to that face
and nothing else, and never draws without one.

The site: pages are read in a browser, which picks fonts by the CSS stack, so
only a machine without any CJK font shows boxes; `view` warns when this one
has none (`fc-list`, else matplotlib's font list).
"""
from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

# Families that draw simplified Chinese, best first. Sans faces first: charts
# and the review pages are screen text.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "Source Han Sans CN", "Noto Sans CJK TC", "Noto Sans CJK JP", "Source Han Sans", "Droid Sans Fallback",
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "SimHei", "AR PL UMing CN", "AR PL UKai CN",
    "Noto Serif CJK SC", "Source Han Serif SC", "SimSun",
)
# The review site's font-family: the CJK families, then the browser's own fallbacks.
CSS_FONT_STACK = ", ".join(f'"{f}"' for f in CJK_FAMILIES) + ", system-ui, sans-serif"
INSTALL_HINT = "install fonts-noto-cjk or fonts-wqy-microhei"
NO_FONT = f"no CJK font found: {INSTALL_HINT}"


def fc_list_cjk() -> list[tuple[str, str, str]] | None:
    """(family, style, file) of every installed font fontconfig says covers Chinese;
    None when fontconfig's fc-list is not there to ask."""
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, ":lang=zh", "family", "style", "file"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = []
    for line in out.splitlines():
        # /path/font.ttc: Family A,Family B:style=Regular
        fname, _, rest = line.partition(": ")
        family, _, style = rest.partition(":style=")
        if fname and family:
            found.append((family.split(",")[0].strip(), style.split(",")[0].strip(), fname.strip()))
    return found


def has_cjk_font() -> bool | None:
    """Whether any font that draws Chinese is installed; None when it cannot be told."""
    found = fc_list_cjk()
    if found is not None:
        return bool(found)
    try:
        return chart_font() is not None
    except ImportError:  # neither fontconfig nor matplotlib: nothing to ask
        return None


def _regular(entry) -> bool:
    weight = entry.weight if isinstance(entry.weight, int) else {"normal": 400, "regular": 400}.get(
        str(entry.weight).lower(), 0)
    return weight == 400 and entry.style == "normal"


def chart_font() -> tuple[str, str] | None:
    """(family, file) of a regular-weight CJK face for matplotlib, or None.

    Looks in matplotlib's font list, then adds the regular CJK files fontconfig
    knows and matplotlib has not cached yet (installed after its cache was built).
    """
    from matplotlib import font_manager

    def pick() -> tuple[str, str] | None:
        regular = {f.name: f.fname for f in font_manager.fontManager.ttflist if _regular(f)}
        for name in CJK_FAMILIES:
            if name in regular:
                return name, regular[name]
        return None

    found = pick()
    if found is not None:
        return found
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for _family, style, fname in fc_list_cjk() or []:
        if fname not in known and style.lower() in ("regular", "book", "normal", "") and Path(fname).is_file():
            try:
                font_manager.fontManager.addfont(fname)
            except (OSError, RuntimeError, ValueError):  # an unreadable font file: try the next
                continue
            known.add(fname)
    found = pick()
    if found is None:  # a CJK font outside the list: any regular face fontconfig says covers Chinese
        cjk_files = {fname for _, _, fname in fc_list_cjk() or []}
        found = next(((f.name, f.fname) for f in font_manager.fontManager.ttflist
                      if f.fname in cjk_files and _regular(f)), None)
    return found
