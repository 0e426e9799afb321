"""Rule patterns that cannot hang a document: vetted on load, time-limited on use.

A rules folder (`--rules DIR`) is user input. A pattern such as `(a+)+$` or
`(?:案|案)+$` backtracks exponentially on a line that almost matches, so one
report could hold a worker for ever. Two guards, the second in two forms:

- `vet` refuses, when the rules load, the shapes that backtrack
  exponentially: an unbounded quantifier over something that itself holds an
  unbounded quantifier (`(a+)+`, `(\\d*,?)*`), and an unbounded quantifier over
  alternatives that can start with the same character (`(?:案|案件)+`). Atomic
  groups `(?>…)` and possessive quantifiers (`++`, `*+`) never backtrack, so
  they are allowed: the refusal says to use them.
- `vetted_pattern` wraps the compiled pattern so that every match call is
  timed (`PATTERN_TIMEOUT_S`); a pattern that still runs too long raises
  `PatternTimeout`, that document's error (E020), and the batch goes on.
  A call over more than `UNCLOCKED_CHARS` characters carries the `regex`
  module's `timeout=`, which stops the engine in mid-match. A call over a
  shorter text (most calls: a sentence's window, a label) is timed by the
  process's own monotonic clock around it instead, and fails the same way
  once it returns: the engine's clock is the process CPU clock, two system
  calls per call (~2 µs, eight times a short search; a fifth of the
  pipeline's time on short reports), and a vetted pattern has no
  exponential case, so on so few characters its polynomial ones end. What
  could still run long there (many unbounded quantifiers in a row) is
  stopped by the document's time limit (`--doc-timeout`).
- In a process of our own, a batch worker, `stand_guard` replaces the
  engine's clock altogether: an interval timer of the process's CPU time
  (SIGVTALRM, every `GUARD_TICK_S`) looks at the call under way, and stops it
  once it has run past its time (the `regex` engine checks for signals while
  it matches). Every call, short or long, is then timed by the clock around
  it, a long one watched by the timer too: no system call a call, and no
  text too long for the guard. A library caller's process keeps the
  engine's clock: its signal handlers are its own.

The check reads the pattern's structure with a small parser of its own (the
`regex` module has no public parse tree); it only needs groups, alternatives,
quantifiers and what each branch can start with, and errs on the side of
accepting what it cannot read: the timeout still holds there.
"""
from __future__ import annotations

import atexit
import functools
import signal
import threading
from dataclasses import dataclass, field
from time import monotonic

import regex

from .errors import PatternTimeout

__all__ = ["PATTERN_TIMEOUT_S", "TimedPattern", "UnsafePattern", "needed_chars", "stand_down", "stand_guard",
           "timed", "vet", "vetted_pattern"]

# Seconds one match call of one rule pattern may take (a scan over a text:
# per MB of it). A sound pattern takes microseconds on a report's window and
# well under a second per MB of a whole document.
PATTERN_TIMEOUT_S = 10.0
_MB = 1 << 20
# Texts of at most this many characters are matched without the engine's
# clock, timed around the call instead (see the module doc).
UNCLOCKED_CHARS = 64
# Under the guard, a scan of a text up to this long is matched whole in one
# watched call; a longer one a match at a time (its matches never all in memory).
WATCHED_AT_ONCE = 1 << 16
# Seconds of CPU time between two looks of the guard (`stand_guard`) at the call under way.
GUARD_TICK_S = 0.1


class UnsafePattern(ValueError):
    """A pattern that can backtrack exponentially; the message says where and how to fix it."""


# --- the structure of a pattern ---------------------------------------------------------

_ANY = "ANY"  # a first "character" that may be anything (., \w, \p{Han}, a negated class …)


@dataclass
class _Node:
    """A group (or the whole pattern): alternatives, each a sequence of items."""

    alts: list[list[_Item]] = field(default_factory=lambda: [[]])
    atomic: bool = False  # (?>…) or a lookaround: no backtracking into it from outside


@dataclass
class _Item:
    first: frozenset[str]  # characters it can start with; _ANY for anything
    node: _Node | None = None  # a group; None for a single character, class or escape
    lo: int = 1
    hi: int | None = 1  # None: unbounded
    possessive: bool = False
    text: str = ""  # the pattern text of the item, for messages
    empty: bool = False  # can match the empty string on its own (anchors, lookarounds)


# What follows "(?" and opens or replaces a group.
_GROUP_OPENING = regex.compile(
    r"\?(?:(?P<comment>#[^)]*\))|(?P<backref>P=\w+\))|(?P<flags>[a-zA-Z-]+\))"
    r"|(?P<look>=|!|<=|<!)|(?P<atomic>>)|(?P<group>:|\||P?<\w+>|'\w+'|\([^)]*\)|[a-zA-Z-]+:))")


def _parse(source: str) -> _Node:
    pos = 0
    n = len(source)
    stack: list[tuple[_Node, int, bool]] = []  # (node, start offset, lookaround)
    root = _Node()
    cur = root

    def add(item: _Item) -> None:
        cur.alts[-1].append(item)

    while pos < n:
        c = source[pos]
        start = pos
        if c == "\\":
            first, pos, empty = _escape(source, pos)
            add(_Item(first, text=source[start:pos], empty=empty))
        elif c == "[":
            pos = _class_end(source, pos)
            add(_Item(_class_first(source[start:pos]), text=source[start:pos]))
        elif c == "(":
            pos += 1
            atomic = look = False
            if source.startswith("?", pos):
                m = _GROUP_OPENING.match(source, pos)
                if m is None:  # (?R), (?1), (?&name) …: recursion, read as anything
                    end = source.find(")", pos)
                    pos = n if end < 0 else end + 1
                    add(_Item(frozenset([_ANY]), text=source[start:pos]))
                    continue
                pos = m.end()
                kind = m.lastgroup
                if kind == "comment":
                    continue
                if kind in ("flags", "backref"):
                    if kind == "backref":
                        add(_Item(frozenset([_ANY]), text=source[start:pos]))
                    continue
                look = atomic = kind == "look"
                atomic = atomic or kind == "atomic"
            stack.append((cur, start, look))
            cur = _Node(atomic=atomic)
        elif c == ")" and stack:
            pos += 1
            parent, gstart, look = stack.pop()
            node = cur
            cur = parent
            first = _first_of(node)
            add(_Item(first, node=node, text=source[gstart:pos], empty=look))
        elif c == "|":
            pos += 1
            cur.alts.append([])
        elif c in "*+?{" and cur.alts[-1] and (c != "{" or _BRACES.match(source, pos)):
            m = regex.match(r"(?:\*|\+|\?|\{(\d*)(,?)(\d*)\})([?+]?)", source, pos=pos)
            pos = m.end()
            item = cur.alts[-1][-1]
            q = m.group()
            if q[0] == "*":
                lo, hi = 0, None
            elif q[0] == "+":
                lo, hi = 1, None
            elif q[0] == "?":
                lo, hi = 0, 1
            else:
                a, comma, b = m.group(1), m.group(2), m.group(3)
                lo = int(a) if a else 0
                hi = (int(b) if b else None) if comma else lo
            # a quantifier of a quantified item ("a{2}{3}") multiplies: keep the outer
            item.lo, item.hi = lo * item.lo, (None if hi is None or item.hi is None else hi * item.hi)
            item.possessive = m.group(4) == "+"
            item.text += q
        elif c in "^$":
            pos += 1
            add(_Item(frozenset(), text=c, empty=True))
        else:
            pos += 1
            add(_Item(frozenset([_ANY]) if c == "." else frozenset(c), text=c))
    return root


_BRACES = regex.compile(r"\{(?:\d+(?:,\d*)?|,\d+)\}")
_EMPTY_ESCAPES = set("AbBZzGK")  # anchors and the like: they consume nothing


def _escape(source: str, pos: int) -> tuple[frozenset[str], int, bool]:
    if pos + 1 >= len(source):
        return frozenset("\\"), pos + 1, False
    c = source[pos + 1]
    if c in "pPN" and source.startswith("{", pos + 2):
        end = source.find("}", pos + 2)
        end = len(source) if end < 0 else end + 1
        # \p{Han} is a category of its own; \P{…} (not in it) may be anything
        return frozenset([source[pos:end] if c == "p" else _ANY]), end, False
    if c in "xuU":
        width = {"x": 2, "u": 4, "U": 8}[c]
        if c == "x" and source.startswith("{", pos + 2):
            end = source.find("}", pos + 2)
            return frozenset([_ANY]), (len(source) if end < 0 else end + 1), False
        digits = source[pos + 2:pos + 2 + width]
        try:
            return frozenset(chr(int(digits, 16))), pos + 2 + width, False
        except ValueError:
            return frozenset([_ANY]), pos + 2 + width, False
    if c in _EMPTY_ESCAPES:
        return frozenset(), pos + 2, True
    if c in "dws":  # a category: overlaps the characters it holds
        return frozenset(["\\" + c]), pos + 2, False
    if c.isalnum():  # \D \W \S, back references …: anything
        return frozenset([_ANY]), pos + 2, False
    return frozenset(c), pos + 2, False  # an escaped literal: \( \. \\


def _class_end(source: str, pos: int) -> int:
    """Offset just past the class opening at `pos` (nested classes of regex's V1 counted)."""
    depth = 0
    i = pos
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
            i += 1
            if source.startswith("^", i):
                i += 1
            if source.startswith("]", i):  # a ] right after [ or [^ is literal
                i += 1
            continue
        if c == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(source)


def _class_first(cls: str) -> frozenset[str]:
    """The characters of a plain class ([案件] or [0-9]); _ANY for anything fancier."""
    body = cls[1:-1]
    if body.startswith("^") or "\\" in body or "[" in body or "&&" in body or "||" in body or "--" in body:
        return frozenset([_ANY])
    out: set[str] = set()
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            lo, hi = ord(body[i]), ord(body[i + 2])
            if hi - lo > 512:
                return frozenset([_ANY])
            out.update(chr(x) for x in range(lo, hi + 1))
            i += 3
        else:
            out.add(body[i])
            i += 1
    return frozenset(out)


def _first_of(node: _Node) -> frozenset[str]:
    out: set[str] = set()
    for alt in node.alts:
        out |= _seq_first(alt)
    return frozenset(out)


def _seq_first(seq: list[_Item]) -> frozenset[str]:
    out: set[str] = set()
    for item in seq:
        out |= item.first
        if not (item.empty or item.lo == 0 or (item.node is not None and _can_be_empty(item.node))):
            break
    return frozenset(out)


def _can_be_empty(node: _Node) -> bool:
    return any(all(i.empty or i.lo == 0 or (i.node is not None and _can_be_empty(i.node)) for i in alt)
               for alt in node.alts)


# Categories that share no character (\d and \p{Han} are both in \w).
_DISJOINT = {frozenset(p) for p in [("\\d", "\\s"), ("\\w", "\\s"), ("\\s", "\\p{Han}"), ("\\d", "\\p{Han}")]}


def _overlap(a: frozenset[str], b: frozenset[str]) -> bool:
    """Can something in first-set `a` start the same as something in `b`?"""
    if not a or not b:
        return False
    if _ANY in a or _ANY in b or not a.isdisjoint(b):
        return True
    for x in a:
        for y in b:
            if len(x) == 1 and len(y) == 1:
                continue  # two different characters
            if len(x) > 1 and len(y) > 1:
                if frozenset((x, y)) not in _DISJOINT:
                    return True  # two categories: alike unless known apart
            elif _in_category(x if len(x) == 1 else y, y if len(x) == 1 else x):
                return True
    return False


def _in_category(char: str, category: str) -> bool:
    try:
        return regex.fullmatch(category, char) is not None
    except regex.error:
        return True


def _chars(item: _Item) -> frozenset[str]:
    """Every character (or category) `item` can match anywhere, not only first."""
    if item.node is None:
        return item.first
    out: set[str] = set()
    for alt in item.node.alts:
        for inner in alt:
            out |= _chars(inner)
    return frozenset(out)


def _mandatory(item: _Item) -> bool:
    return item.lo >= 1 and not item.empty and not (item.node is not None and _can_be_empty(item.node))


def _variable_inside(node: _Node, follow: frozenset[str] | None = None) -> _Item | None:
    """A backtracking quantifier of variable count inside `node` (not behind an
    atomic wall) that could split a repeated stretch more than one way: a+, a*,
    a{1,5} (not a?: taken or not, no choice of splits). One that is always
    followed, within the repeat, by a character it cannot match is safe: the
    split is then fixed (the 中 of `(?:[一二]{1,2}中)*`).

    `follow`: the first characters of what must come after `node` in the repeat."""
    for alt in node.alts:
        for i, item in enumerate(alt):
            after = next((x.first for x in alt[i + 1:] if _mandatory(x)), follow)
            variable = item.hi is None or (item.hi != item.lo and (item.lo, item.hi) != (0, 1))
            if variable and not item.possessive and not item.empty \
                    and (after is None or _overlap(_chars(item), after)):
                return item
            if item.node is not None and not item.node.atomic and not item.possessive:
                inner = _variable_inside(item.node, after)
                if inner is not None:
                    return inner
    return None


def _check(node: _Node) -> None:
    for alt in node.alts:
        for item in alt:
            if item.node is None:
                continue
            if item.hi is None and not item.possessive and not item.node.atomic:
                # what must follow a part of the repeat: the rest of its
                # round, else the start of the next round
                inner = _variable_inside(item.node, _first_of(item.node) or None)
                if inner is not None:
                    raise UnsafePattern(
                        f"nested quantifiers: {inner.text!r} repeated inside {item.text!r} can take "
                        "exponential time; make one of them atomic (?>…) or possessive (++, *+)")
                firsts = [_seq_first(a) for a in item.node.alts]
                for i, a in enumerate(firsts):
                    for b in firsts[i + 1:]:
                        if _overlap(a, b):
                            raise UnsafePattern(
                                f"alternatives that can start alike under an unbounded quantifier: {item.text!r} "
                                "can take exponential time; make the alternatives start differently, or "
                                "the repeat atomic (?>…) or possessive (++, *+)")
            _check(item.node)


def vet(source: str) -> None:
    """Raise `UnsafePattern` when `source` can backtrack exponentially (see the module doc)."""
    try:
        _check(_parse(source))
    except UnsafePattern as exc:
        raise UnsafePattern(f"pattern {source!r}: {exc}") from None


# --- what every match holds ------------------------------------------------------------------

# Patterns whose literals `_parse` cannot read as they match: flags that change
# what a literal matches ((?i), (?x:…)), a fuzzy match ({e<=1}) or a literal
# brace, \g<name> and \L<list>, and conditionals ((?(1)…), (?(DEFINE)…): a
# branch taken or not).
_FLAG_GROUP = regex.compile(r"\(\?[a-zA-Z-]*[a-zA-Z][a-zA-Z-]*[:)]")
_UNREAD = regex.compile(r"\\[gL]<|\(\?\(")
_NAMED_BRACES = regex.compile(r"\\[pPNx]\{[^}]*\}")
_ODD_BRACES = regex.compile(r"\{(?![\d,]*\})")
_LITERAL_FLAGS = regex.IGNORECASE | regex.FULLCASE | regex.VERBOSE


def needed_chars(rx: regex.Pattern) -> str:
    r"""Characters every match of `rx` consumes (literal ones, outside
    lookarounds), in order of the pattern: a text (or window) without one of
    them cannot match, and `str.find` tells so many times faster than a
    search that fails. Empty where the pattern is not read with certainty.

    >>> needed_chars(regex.compile(r"(?<!\d)(?P<year>20\d\d)年(?![前以来])"))
    '20年'
    >>> needed_chars(regex.compile(r"开展(?:培训|学习)次"))  # 培 or 学: neither is needed
    '开展次'
    >>> needed_chars(regex.compile(r"(?i:page)\d+"))
    ''
    """
    source = rx.pattern
    if not isinstance(source, str) or getattr(rx, "flags", 0) & _LITERAL_FLAGS or _FLAG_GROUP.search(source) \
            or _UNREAD.search(source) or _ODD_BRACES.search(_NAMED_BRACES.sub("", source)):
        return ""
    return "".join(dict.fromkeys(_needed(_parse(source))))


def _needed(node: _Node) -> list[str]:
    """The literal characters every alternative of `node` consumes."""
    per_alt = []
    for alt in node.alts:
        chars: list[str] = []
        for item in alt:
            if not _mandatory(item):
                continue
            if item.node is not None:
                chars += _needed(item.node)
            elif len(item.first) == 1:
                (c,) = item.first
                if len(c) == 1:  # a character, not a category (\d, \p{Han})
                    chars.append(c)
        per_alt.append(chars)
    return [c for c in per_alt[0] if all(c in other for other in per_alt[1:])]


# --- time-limited use ----------------------------------------------------------------------

# The guard of a process of our own (`stand_guard`): the thread it watches,
# and the call under way there as (deadline, pattern), else None.
_guarded_thread: int | None = None
_watched: list = [None]


def stand_guard() -> bool:
    """Watch every rule-pattern call of this thread with an interval timer of
    the process's CPU time instead of the engine's clock (see the module doc).

    For a process of our own only (a batch worker): it takes SIGVTALRM.
    Returns whether the guard stands (not in a thread other than the main
    one, nor where there are no interval timers)."""
    global _guarded_thread
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    signal.signal(signal.SIGVTALRM, _look)
    signal.setitimer(signal.ITIMER_VIRTUAL, GUARD_TICK_S, GUARD_TICK_S)
    _guarded_thread = threading.get_ident()
    # the interpreter's exit restores the signal's default, the end of the
    # process at the next tick: the timer stops first (registered once)
    atexit.unregister(stand_down)
    atexit.register(stand_down)
    return True


def stand_down() -> None:
    """Stop the guard (`stand_guard`): the engine's clock again."""
    global _guarded_thread
    if _guarded_thread is not None:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        _guarded_thread = None


def _under_guard() -> bool:
    """Whether the guard watches this thread's calls."""
    return _guarded_thread is not None and _guarded_thread == threading.get_ident()


def _look(signum, frame) -> None:
    """The guard's tick: the call under way fails once past its deadline.
    Raised here, the error comes out of the engine (which checks for signals
    as it matches) or of the line of `_call` that the tick fell on."""
    call = _watched[0]
    if call is not None and monotonic() > call[0]:
        _watched[0] = None
        raise call[1]._fail()


def _short(string, args: tuple, kwargs: dict) -> bool:
    """Whether a match call covers at most UNCLOCKED_CHARS characters: the
    whole text, or the window its pos and endpos give (args as for `search`)."""
    if len(string) <= UNCLOCKED_CHARS:
        return True
    endpos = args[1] if len(args) > 1 else kwargs.get("endpos")
    if endpos is None:
        return False
    pos = (args[0] if args else kwargs.get("pos")) or 0
    return 0 <= pos and endpos - pos <= UNCLOCKED_CHARS


class TimedPattern:
    """A compiled pattern whose every match call has a timeout.

    Stands in for `regex.Pattern` (same methods and attributes); a call that
    runs out of time raises `PatternTimeout` naming the pattern."""

    __slots__ = ("_rx", "_timeout", "_needs")

    def __init__(self, rx: regex.Pattern, timeout: float | None = None, needs: str | None = None) -> None:
        self._rx = rx
        self._timeout = timeout  # None: PATTERN_TIMEOUT_S as it is at the call
        self._needs = needed_chars(rx) if needs is None else needs

    def _cannot_match(self, string, args: tuple, kwargs: dict) -> bool:
        """Whether the text (or its window: args as for `search`) lacks a
        character every match needs (`needed_chars`): then no call can match."""
        if string.__class__ is not str:
            return False
        if not (args or kwargs):  # the whole text: most calls
            for c in self._needs:
                if c not in string:
                    return True
            return False
        if len(args) > 2 or kwargs.get("partial"):
            return False
        pos = args[0] if args else kwargs.get("pos")
        endpos = args[1] if len(args) > 1 else kwargs.get("endpos")
        pos = 0 if pos is None else pos
        endpos = len(string) if endpos is None else endpos
        if pos < 0 or endpos < 0:  # counted from the end: left to the engine
            return False
        find = string.find
        for c in self._needs:
            if find(c, pos, endpos) < 0:
                return True
        return False

    @property
    def timeout(self) -> float:
        return PATTERN_TIMEOUT_S if self._timeout is None else self._timeout

    def _fail(self) -> PatternTimeout:
        return PatternTimeout(f"rule pattern {self._rx.pattern[:80]!r} took longer than {self.timeout:g} s "
                              "on this document")

    def _call(self, fn, string, args: tuple, kwargs: dict, windowed: bool = True, scan: bool = False):
        """`fn(string, *args, **kwargs)`, timed: by the clock around it over a
        short text (or window, when `windowed`: args as for `search`); over a
        longer one, watched by the guard where it stands (`stand_guard`), else
        with the engine's timeout (a whole scan's when `scan`)."""
        # (`timeout` inline, no property call: this runs a few hundred times a report)
        limit = self._scan_budget(string) if scan else PATTERN_TIMEOUT_S if self._timeout is None else self._timeout
        if len(string) <= UNCLOCKED_CHARS or windowed and _short(string, args, kwargs):
            started = monotonic()
            out = fn(string, *args, **kwargs)
        elif _under_guard():
            started = monotonic()
            _watched[0] = (started + limit, self)
            try:
                out = fn(string, *args, **kwargs)
            finally:
                _watched[0] = None
        else:
            try:
                return fn(string, *args, timeout=limit, **kwargs)
            except TimeoutError:
                raise self._fail() from None
        if monotonic() - started > limit:
            raise self._fail()
        return out

    def match(self, string, *args, **kwargs):
        if self._needs and self._cannot_match(string, args, kwargs):
            return None
        return self._call(self._rx.match, string, args, kwargs)

    def fullmatch(self, string, *args, **kwargs):
        if self._needs and self._cannot_match(string, args, kwargs):
            return None
        return self._call(self._rx.fullmatch, string, args, kwargs)

    def search(self, string, *args, **kwargs):
        if self._needs and self._cannot_match(string, args, kwargs):
            return None
        return self._call(self._rx.search, string, args, kwargs)

    def _scan_budget(self, string) -> float:
        # A scan's timeout covers the whole scan (all its matches): it grows
        # with the text, so a sound pattern over a 64 MB document still fits.
        return self.timeout * max(1.0, len(string) / _MB)

    def finditer(self, string, *args, **kwargs):
        if self._needs and self._cannot_match(string, args, kwargs):
            return iter(())
        if _short(string, args, kwargs):
            return iter(self._call(self._all_matches, string, args, kwargs))  # short: all at once, timed
        if _under_guard():
            if len(string) <= WATCHED_AT_ONCE:  # all at once, in one watched call
                return iter(self._call(self._all_matches, string, args, kwargs, scan=True))
            return self._watched_finditer(string, *args, **kwargs)
        return self._finditer(string, *args, **kwargs)

    def _all_matches(self, string, *args, **kwargs) -> list:
        return list(self._rx.finditer(string, *args, **kwargs))

    def _finditer(self, string, *args, **kwargs):
        try:
            yield from self._rx.finditer(string, *args, timeout=self._scan_budget(string), **kwargs)
        except TimeoutError:
            raise self._fail() from None

    def _watched_finditer(self, string, *args, **kwargs):
        """A scan, one match at a time, each step watched by the guard: the
        whole scan has one deadline, as with the engine's timeout."""
        deadline = monotonic() + self._scan_budget(string)
        matches = self._rx.finditer(string, *args, **kwargs)
        while True:
            _watched[0] = (deadline, self)
            try:
                m = next(matches, None)
            finally:
                _watched[0] = None
            if m is None:
                return
            if monotonic() > deadline:
                raise self._fail()
            yield m

    def findall(self, string, *args, **kwargs):
        if self._needs and self._cannot_match(string, args, kwargs):
            return []
        return self._call(self._rx.findall, string, args, kwargs, scan=True)

    def sub(self, repl, string, *args, **kwargs):
        return self._call(functools.partial(self._rx.sub, repl), string, args, kwargs, windowed=False, scan=True)

    def split(self, string, *args, **kwargs):
        return self._call(self._rx.split, string, args, kwargs, windowed=False, scan=True)

    def __getattr__(self, name: str):
        return getattr(self._rx, name)  # pattern, groupindex, groups, flags …

    def __repr__(self) -> str:
        return f"TimedPattern({self._rx.pattern!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimedPattern) and other._rx == self._rx

    def __hash__(self) -> int:
        return hash(self._rx)

    def __reduce__(self):
        return (TimedPattern, (self._rx, self._timeout, self._needs))


def timed(rx: regex.Pattern | TimedPattern, timeout: float | None = None) -> TimedPattern:
    """`rx` with a timeout on every match call (for patterns built from vetted ones)."""
    return rx if isinstance(rx, TimedPattern) else TimedPattern(rx, timeout)


def vetted_pattern(source: str, timeout: float | None = None) -> TimedPattern:
    """Vet and compile one rule pattern: `UnsafePattern` if it can backtrack
    exponentially, `regex.error` if it is no regex; else a `TimedPattern`."""
    compiled = regex.compile(source)  # a syntax error first: its message is the clearer one
    vet(source)
    return TimedPattern(compiled, timeout)
