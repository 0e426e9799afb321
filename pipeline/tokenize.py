"""jieba's segmentation, with the rules' domain terms as user words, ready in milliseconds.

Cues must match whole words: 行政复议 is a cue in "办理行政复议12件" but not in
"行政复议局的地址". The user words are every cue, plus each cue that names an
office (indicators.yaml office_terms) joined to an organisation suffix
(行政复议局, 信访中心), so that such names stay whole and the cue inside them does
not line up with word boundaries; a verb joined to 局 would hide itself
(召开局党组会议: 召开|局党组).

The words are exactly those of `jieba.Tokenizer().cut(text, HMM=False)` after
`add_word(word, freq)` for each of `user_words` (tests/test_tokenize.py checks it
against jieba itself). What differs is
the start-up. jieba reads its whole prefix dictionary (about 500,000 entries)
before cutting anything: about half a second from its cache, in every process,
and as much again to import jieba. Here the same dictionary is kept in the
user cache (`pipeline.cache`) as blocks by two-character prefix, mapped into
memory, and a block is read the first time a text holds its two characters: a
report touches a few thousand of the 180,000 blocks, so start-up costs
milliseconds, memory stays small, and forked workers share the pages. The
cache file is built once from jieba's dict.txt (a few seconds, with jieba's
own parser) and named by that file's path, size and modification time, so a
new jieba gets a new cache. A damaged cache file is detected (a CRC-32 per
block) and rebuilt; where the cache cannot be written, the dictionary is
kept in memory.

A private tokenizer is used, never jieba's global one: importing govreport
changes no global state, and a user's own jieba setup is untouched.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import marshal
import mmap
import re
import struct
import threading
import zlib
from math import log as _log
from pathlib import Path
from typing import Iterator

from . import cache
from .rules import Rules

log = logging.getLogger(__name__)

# Suffixes that turn a domain term into the name of an office. Kept short on
# purpose: 处/所/科/室 start common words (处理, 所有, 科学) and would mislead jieba.
ORG_SUFFIXES = ("局", "委员会", "中心", "厅", "办公室")
TERM_FREQ, ORG_FREQ = 50000, 80000  # high: jieba then prefers the whole term over its pieces

# jieba 0.42.1's own expressions (jieba/__init__.py), copied so that the blocks
# and single characters come out exactly as jieba cuts them.
_RE_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_RE_SKIP = re.compile("(\r\n|\\s)", re.U)
_RE_ENG = re.compile("[a-zA-Z0-9]", re.U)

_MAGIC = b"govreport jieba prefix dictionary 2\n"
_HEADER = struct.Struct("<Q")


class _Corrupt(Exception):
    pass


class PrefixDictionary:
    """jieba's prefix dictionary (word or word prefix -> frequency, 0 for a
    bare prefix) and its total, read lazily from a cache file's bytes.

    Layout: a head (the total; per first character its own frequency, the
    characters that follow it in some word, and the number of its first slot),
    then one slot per two-character prefix (offset, length and CRC-32 of a
    block), then the blocks: the entries of two or more characters with that
    prefix, marshalled. A text's lookups touch its own character pairs only.
    """

    _SLOT = struct.Struct("<III")

    def __init__(self, data: bytes | mmap.mmap) -> None:
        if data[:len(_MAGIC)] != _MAGIC:
            raise _Corrupt("not a prefix dictionary")
        try:
            (n,) = _HEADER.unpack_from(data, len(_MAGIC))
            start = len(_MAGIC) + _HEADER.size
            total, self._heads, slots = marshal.loads(data[start:start + n])
        except (ValueError, TypeError, EOFError, struct.error) as exc:
            raise _Corrupt(f"head: {exc}") from None
        if not (isinstance(total, int) and isinstance(self._heads, dict) and isinstance(slots, int)):
            raise _Corrupt("head")
        self.total = total
        self._data = data
        self._slots = start + n
        self._blocks = self._slots + slots * self._SLOT.size
        if self._blocks > len(data):
            raise _Corrupt("truncated")
        self._pairs: dict[str, dict[str, int] | None] = {}

    def single(self, ch: str) -> int | None:
        """The frequency of the one-character entry `ch`; None if not an entry."""
        head = self._heads.get(ch)
        return None if head is None else head[0]

    def pair(self, prefix: str) -> dict[str, int] | None:
        """The entries of two or more characters starting with `prefix` (two
        characters); None if there are none. Raises _Corrupt."""
        try:
            return self._pairs[prefix]
        except KeyError:
            pass
        block = None
        head = self._heads.get(prefix[0])
        j = head[1].find(prefix[1]) if head is not None else -1
        if j >= 0:
            off, length, crc = self._SLOT.unpack_from(self._data, self._slots + (head[2] + j) * self._SLOT.size)
            raw = self._data[self._blocks + off:self._blocks + off + length]
            if len(raw) != length or zlib.crc32(raw) != crc:
                raise _Corrupt(f"entries of {prefix!r}")
            try:
                block = marshal.loads(raw)
            except (EOFError, ValueError, TypeError) as exc:
                raise _Corrupt(f"entries of {prefix!r}: {exc}") from None
            if not isinstance(block, dict):
                raise _Corrupt(f"entries of {prefix!r}")
        self._pairs[prefix] = block
        return block

    @staticmethod
    def serialise(freq: dict[str, int], total: int) -> bytes:
        """The cache file's bytes for jieba's FREQ and total."""
        singles: dict[str, int] = {}
        pairs: dict[str, dict[str, int]] = {}
        for word, n in freq.items():
            if len(word) == 1:
                singles[word] = n
            else:
                pairs.setdefault(word[:2], {})[word] = n
        seconds: dict[str, list[str]] = {}
        for prefix in sorted(pairs):
            seconds.setdefault(prefix[0], []).append(prefix[1])
        heads, slots, blocks, slot, off = {}, [], [], 0, 0
        # (jieba adds every prefix of a word, so each pair's first character is
        # an entry too; a None frequency would stand for one that is not)
        for ch in sorted(set(singles) | set(seconds)):
            follow = seconds.get(ch, [])
            heads[ch] = (singles.get(ch), "".join(follow), slot)
            for second in follow:
                blob = marshal.dumps(pairs[ch + second])
                slots.append(PrefixDictionary._SLOT.pack(off, len(blob), zlib.crc32(blob)))
                blocks.append(blob)
                off += len(blob)
                slot += 1
        head = marshal.dumps((total, heads, slot))
        return b"".join([_MAGIC, _HEADER.pack(len(head)), head, *slots, *blocks])

    @classmethod
    def open(cls, path: Path) -> PrefixDictionary | None:
        """The dictionary of cache file `path`, or None if it is missing or damaged."""
        try:
            with open(path, "rb") as f:
                data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # missing, unreadable, empty
            return None
        try:
            return cls(data)
        except _Corrupt as exc:
            log.debug("ignoring damaged cache file %s: %s", path, exc)
            data.close()
            return None


def jieba_dictionary_file() -> Path:
    """jieba's bundled dict.txt (found without importing jieba, which is slow)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:  # pragma: no cover - jieba is a dependency
        raise ModuleNotFoundError("jieba is not installed")
    return Path(spec.origin).parent / "dict.txt"


def _cache_name(source: Path) -> str:
    st = source.stat()
    key = f"{source.resolve()}|{st.st_size}|{st.st_mtime_ns}|{_MAGIC!r}"
    return f"jieba-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}.dict"


def build_freq(source: Path) -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary of `source` and its total, made by jieba's own parser."""
    import jieba  # only here: building the cache is the one time jieba's code runs

    with open(source, "rb") as f:
        return jieba.Tokenizer.gen_pfdict(f)


def _rebuild(source: Path) -> PrefixDictionary:
    data = PrefixDictionary.serialise(*build_freq(source))
    if cache.write(_cache_name(source), data) is None:
        log.debug("jieba's dictionary kept in memory: the cache is not writable")
    return PrefixDictionary(data)


_lock = threading.Lock()
_base: PrefixDictionary | None = None
_tokenizers: dict[str, Tokenizer] = {}


def base_dictionary(rebuild: bool = False) -> PrefixDictionary:
    """jieba's own dictionary, once per process (from the cache, else built)."""
    global _base
    with _lock:
        if _base is None or rebuild:
            source = jieba_dictionary_file()
            got = None if rebuild else PrefixDictionary.open(cache.cache_dir() / _cache_name(source))
            _base = got if got is not None else _rebuild(source)
        return _base


class Tokenizer:
    """jieba's no-HMM cut over its dictionary plus user words (see module doc)."""

    def __init__(self, words: list[tuple[str, int]]) -> None:
        # jieba's add_word: the word's frequency (the last one given wins), the
        # total grows by every call, and each prefix not yet known is added with 0.
        self._words: dict[str, int] = {}
        self._prefixes: set[str] = set()
        added = 0
        for word, freq in words:
            self._words[word] = freq
            added += freq
            self._prefixes.update(word[:i] for i in range(1, len(word)))
        self._words_by_pair: dict[str, list[str]] = {}
        for w in list(self._words) + list(self._prefixes):
            if len(w) >= 2:
                self._words_by_pair.setdefault(w[:2], []).append(w)
        self._added = added
        self._use(base_dictionary())

    def _use(self, base: PrefixDictionary) -> None:
        self._base = base
        self._logtotal = _log(base.total + self._added)
        self._singles: dict[str, int | None] = {}
        self._pairs: dict[str, dict[str, int] | None] = {}

    def _single(self, ch: str) -> int | None:
        try:
            return self._singles[ch]
        except KeyError:
            pass
        freq = self._words.get(ch)
        if freq is None:
            freq = self._base.single(ch)
            if freq is None and ch in self._prefixes:
                freq = 0
        self._singles[ch] = freq
        return freq

    def _pair(self, prefix: str) -> dict[str, int] | None:
        try:
            return self._pairs[prefix]
        except KeyError:
            pass
        try:
            table = self._base.pair(prefix)
        except _Corrupt as exc:
            log.warning("jieba dictionary cache damaged (%s): rebuilding it", exc)
            self._use(base_dictionary(rebuild=True))
            table = self._base.pair(prefix)
        mine = self._words_by_pair.get(prefix)
        if mine:
            table = dict(table or {})
            for w in mine:
                if w in self._words:
                    table[w] = self._words[w]
                else:
                    table.setdefault(w, 0)
        self._pairs[prefix] = table
        return table

    def _cut_block(self, sentence: str) -> Iterator[str]:
        """jieba's __cut_DAG_NO_HMM: the most probable path through the DAG of words."""
        n = len(sentence)
        # each start's possible ends with the frequency of the word, looked up
        # once here (the route below needs it again)
        dag: list[list[tuple[int, int | None]]] = []
        single, pair = self._single, self._pair
        for k in range(n):
            ends: list[tuple[int, int | None]] = []
            # jieba: while i < N and frag in FREQ: (append i if FREQ[frag]); i += 1
            first = freq = single(sentence[k])
            if freq is not None:
                if freq:
                    ends.append((k, freq))
                table = pair(sentence[k:k + 2]) if k + 1 < n else None
                if table is not None:
                    i = k + 1
                    while i < n:
                        freq = table.get(sentence[k:i + 1])
                        if freq is None:
                            break
                        if freq:
                            ends.append((i, freq))
                        i += 1
            dag.append(ends or [(k, first)])
        route: dict[int, tuple[float, int]] = {n: (0, 0)}
        logtotal = self._logtotal
        for idx in range(n - 1, -1, -1):
            # the same expression as jieba's calc(), so ties and rounding agree
            route[idx] = max((_log(freq or 1) - logtotal + route[x + 1][0], x) for x, freq in dag[idx])
        x = 0
        buf = ""
        while x < n:
            y = route[x][1] + 1
            word = sentence[x:y]
            if len(word) == 1 and _RE_ENG.match(word):
                buf += word
            else:
                if buf:
                    yield buf
                    buf = ""
                yield word
            x = y
        if buf:
            yield buf
    def cut(self, text: str) -> Iterator[str]:
        """The words of `text`, as `jieba.Tokenizer.cut(text, HMM=False)` gives them."""
        for blk in _RE_HAN.split(text):
            if not blk:
                continue
            if _RE_HAN.match(blk):
                yield from self._cut_block(blk)
            else:
                for x in _RE_SKIP.split(blk):
                    if _RE_SKIP.match(x):
                        yield x
                    else:
                        yield from x


def user_words(rules: Rules) -> list[tuple[str, int]]:
    """(word, frequency) added to jieba's dictionary: every domain term, and the
    office names made of the terms that name offices (indicators.yaml office_terms:
    行政复议局, 信访中心). Only those: 召开局 or 列席局 as a word would hide the cue in
    召开局党组会议, 列席局党组会议."""
    words = [(term, TERM_FREQ) for term in rules.indicators.domain_terms]
    for term in rules.indicators.office_terms:
        words.extend((term + suffix, ORG_FREQ) for suffix in ORG_SUFFIXES)
    return words


def tokenizer(rules: Rules) -> Tokenizer:
    """The process-wide tokenizer for these rules (built on first call)."""
    tk = _tokenizers.get(rules.version)
    if tk is not None:
        return tk
    tk = Tokenizer(user_words(rules))
    log.debug("tokenizer ready with %d domain terms", len(rules.indicators.domain_terms))
    with _lock:
        return _tokenizers.setdefault(rules.version, tk)


def word_boundaries(text: str, rules: Rules) -> set[int]:
    """Offsets in `text` where a jieba word starts or ends."""
    bounds = {0, len(text)}
    pos = 0
    for word in tokenizer(rules).cut(text):
        pos += len(word)
        bounds.add(pos)
    return bounds
