"""A small declarative schema language for the rules files, with line numbers.

Each rules file is described by one schema (see `pipeline.rules.FILES`): a
tree of the node types below. `validate` walks a file's YAML against it and
returns plain values (regexes compiled, numbers as Decimal); the first problem
raises `RulesError` naming the file, the rule (a path such as
`court_appearances.patterns[0]`; a list item with an `id` is named by it) and
the line. PyYAML's C parser reads the file; the constructor below keeps the
line of every mapping key and list item, which plain `safe_load` drops.

Names that must refer to something defined elsewhere (an indicator id of the
catalog, a measure word of units.yaml, a role of audit.yaml) are `Text(ref=…)`;
what defines them is `Text(defines=…)` or `Table(defines=…)`. The registry of
defined names is shared by the files of one rules folder, loaded in order.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from .errors import RulesError

if TYPE_CHECKING:
    import yaml


class LineMap(dict):
    """A YAML mapping that remembers the line of each key."""

    line: int = 0
    lines: dict


class LineList(list):
    """A YAML sequence that remembers the line of each item."""

    line: int = 0
    lines: list


def _construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode):
    loader.flatten_mapping(node)
    out = LineMap()
    out.line, out.lines = node.start_mark.line + 1, {}
    yield out
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            from yaml.constructor import ConstructorError

            raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line


def _construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode):
    out = LineList()
    out.line, out.lines = node.start_mark.line + 1, [item.start_mark.line + 1 for item in node.value]
    yield out
    out.extend(loader.construct_object(item, deep=True) for item in node.value)


@functools.cache
def _loader() -> type:
    """PyYAML's loader with line numbers, made on first use: a run whose rules
    come from the user cache (pipeline.cache) never imports yaml."""
    import yaml

    loader = type("_Loader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {})
    loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
    return loader


def read_yaml(path: Path) -> LineMap:
    """A rules file as a LineMap; RulesError when it is missing, not YAML or not a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(str(path), None, "rules file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(str(path), None, f"cannot be read: {exc}") from None
    import yaml

    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - a safe loader with line numbers
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RulesError(str(path), None, f"not valid YAML: {problem}",
                         line=mark.line + 1 if mark is not None else None) from None
    if not isinstance(data, LineMap):
        raise RulesError(str(path), None, "must be a YAML mapping at the top level", line=1)
    return data


# --- the context of one validation -------------------------------------------------------

@dataclass
class Context:
    """Where we are (file, rule path, line) and the names defined so far."""

    file: str
    compile: Callable[[str], regex.Pattern]  # the one compile function for rule patterns
    defined: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> name -> where defined
    lines: dict[str, int] = field(default_factory=dict)  # rule path -> line, for checks after validation

    def fail(self, path: str | None, problem: str, line: int | None = None) -> None:
        if line is None and path is not None:
            line = self.lines.get(path)
        raise RulesError(self.file, path or None, problem, line=line)

    def names(self, kind: str) -> Mapping[str, str]:
        return self.defined.setdefault(kind, {})


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _leaf(path: str) -> str:
    """The last key of a rule path, for messages: levels[0].level -> level."""
    leaf = regex.sub(r"\[\d+\]$", "", path).rsplit(".", 1)[-1]
    return leaf or "the file"


def _kind(value: Any) -> str:
    return {dict: "a mapping", LineMap: "a mapping", list: "a list", LineList: "a list", str: "a string",
            bool: "true/false", int: "an integer", float: "a number", type(None): "empty"}.get(type(value),
                                                                                             type(value).__name__)


# --- node types ------------------------------------------------------------------------------

class Node:
    """A schema node: `check` returns the validated (converted) value or raises."""

    def check(self, value: Any, ctx: Context, path: str, line: int | None) -> Any:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Node):
    """A non-empty string; optionally one of `choices`, matching `match`, a name of kind `ref`,
    or defining a name of kind `defines` (`unique`: defined once per folder)."""

    choices: tuple[str, ...] = ()
    what: str = "value"  # what a choice is called in errors: "unknown unit class 'furlongs'"
    match: str | None = None
    match_what: str = "a name of lower-case letters, digits and _"
    ref: str | None = None
    ref_what: str = ""
    defines: str | None = None
    unique: bool = False
    forbid: tuple[str, ...] = ()

    def check(self, value, ctx, path, line):
        if not isinstance(value, str) or not value:
            ctx.fail(path, f"{_leaf(path)} must be a non-empty string, got {_kind(value)} {value!r}", line)
        if self.choices and value not in self.choices:
            ctx.fail(path, f"unknown {self.what} {value!r}; expected one of {', '.join(self.choices)}", line)
        if self.match and not regex.fullmatch(self.match, value):
            ctx.fail(path, f"{value!r} must be {self.match_what}", line)
        if value in self.forbid:
            ctx.fail(path, f"{value!r} is not allowed here: expected {self.ref_what or 'a name'} other than "
                           f"{', '.join(map(repr, self.forbid))}", line)
        if self.ref is not None and value not in ctx.names(self.ref):
            ctx.fail(path, f"{value!r} is not {self.ref_what or 'a known ' + self.ref}", line)
        if self.defines is not None:
            names = ctx.names(self.defines)
            if self.unique and value in names:
                ctx.fail(path, f"duplicate: {value!r} is already defined at {names[value]}", line)
            names.setdefault(value, path)
        return value


@dataclass(frozen=True)
class Pattern(Node):
    """A regex (the `regex` module) that compiles and names the `groups` given."""

    groups: tuple[str, ...] = ()

    def check(self, value, ctx, path, line):
        if not isinstance(value, str) or not value:
            ctx.fail(path, f"must be a non-empty regex string, got {_kind(value)}", line)
        try:
            compiled = ctx.compile(value)
        except regex.error as exc:
            ctx.fail(path, f"{value!r} is not a valid regex: {exc}", line)
        except RulesError as exc:  # refused by the pattern vetting
            ctx.fail(path, exc.problem, line)
        for group in self.groups:
            if group not in compiled.groupindex:
                ctx.fail(path, f"the pattern must name a group {group!r}: (?P<{group}>…)", line)
        return compiled


@dataclass(frozen=True)
class Integer(Node):
    minimum: int | None = None
    choices: tuple[int, ...] = ()

    def check(self, value, ctx, path, line):
        if not isinstance(value, int) or isinstance(value, bool):
            ctx.fail(path, f"{_leaf(path)} must be an integer, got {_kind(value)} {value!r}", line)
        if self.minimum is not None and value < self.minimum:
            ctx.fail(path, f"{_leaf(path)} must be an integer of at least {self.minimum}, got {value!r}", line)
        if self.choices and value not in self.choices:
            ctx.fail(path, f"{_leaf(path)} must be one of {', '.join(map(str, self.choices))}, got {value!r}", line)
        return value


@dataclass(frozen=True)
class Number(Node):
    """A non-negative number, as an exact Decimal."""

    def check(self, value, ctx, path, line):
        try:
            out = Decimal(str(value))
        except InvalidOperation:
            out = Decimal(-1)
        if isinstance(value, bool) or not isinstance(value, (int, float, str)) or not out.is_finite() or out < 0:
            ctx.fail(path, f"{_leaf(path)} must be a non-negative number, got {value!r}", line)
        return out


@dataclass(frozen=True)
class Flag(Node):
    def check(self, value, ctx, path, line):
        if not isinstance(value, bool):
            ctx.fail(path, f"{_leaf(path)} must be true or false, got {value!r}", line)
        return value


@dataclass(frozen=True)
class Anything(Node):
    """Free text for people (provenance notes); any scalar."""

    def check(self, value, ctx, path, line):
        return value


@dataclass(frozen=True)
class Seq(Node):
    """A list of `item`; `min_len` items at least (default: not empty), `unique` items."""

    item: Node
    min_len: int = 1
    max_len: int | None = None
    unique: bool = False

    def check(self, value, ctx, path, line):
        if value is None and self.min_len == 0:
            return []
        if not isinstance(value, list):
            ctx.fail(path, f"{_leaf(path)} must be a list, got {_kind(value)}", line)
        if len(value) < self.min_len:
            ctx.fail(path, "must not be empty" if self.min_len == 1 else f"needs at least {self.min_len} items",
                     line)
        if self.max_len is not None and len(value) > self.max_len:
            ctx.fail(path, f"takes at most {self.max_len} items", line)
        lines = getattr(value, "lines", [line] * len(value))
        out, seen = [], set()
        for i, item in enumerate(value):
            name = _item_name(item, path, i)
            ctx.lines.setdefault(name, lines[i])
            if self.unique and isinstance(item, str):
                if item in seen:
                    ctx.fail(path, f"{item!r} is listed twice", lines[i])
                seen.add(item)
            out.append(self.item.check(item, ctx, name, lines[i]))
        return out


def _item_name(item: Any, path: str, i: int) -> str:
    """A list item is named by its `id` when it has one (rules are found by id), else by its index."""
    if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
        return item["id"]
    return _join(path, i)


EMPTY = object()  # an optional list, table or record left out is empty (its own defaults filled in)


@dataclass(frozen=True)
class Field:
    node: Node
    required: bool = True
    default: Any = EMPTY


def opt(node: Node, default: Any = EMPTY) -> Field:
    """An optional field and its default, the one place a default is written
    (none given: the empty list or table, or the record with its defaults)."""
    return Field(node, required=False, default=default)


@dataclass(frozen=True)
class Record(Node):
    """A mapping with known keys (checked in this order: a key may refer to names defined above it)."""

    fields: Mapping[str, Field | Node]
    nonempty: bool = False

    def check(self, value, ctx, path, line):
        if value is None and not self.nonempty and all(isinstance(f, Field) and not f.required
                                                       for f in self.fields.values()):
            value = {}
        if not isinstance(value, dict):
            ctx.fail(path, f"{_leaf(path)} must be a mapping, got {_kind(value)}", line)
        lines = getattr(value, "lines", {})
        extra = [k for k in value if k not in self.fields]
        if extra:
            ctx.fail(path, f"unknown key(s) {', '.join(map(repr, extra))}; allowed: {', '.join(self.fields)}",
                     lines.get(extra[0], line))
        if self.nonempty and not value:
            ctx.fail(path, f"needs at least one of {', '.join(self.fields)}", line)
        out = {}
        for key, spec in self.fields.items():
            spec = spec if isinstance(spec, Field) else Field(spec)
            sub = _join(path, key)
            if key not in value:
                if spec.required:
                    ctx.fail(path, f"missing required key {key!r}", line)
                out[key] = spec.node.check(None, ctx, sub, line) if spec.default is EMPTY else spec.default
                continue
            ctx.lines.setdefault(sub, lines.get(key, line))
            out[key] = spec.node.check(value[key], ctx, sub, lines.get(key, line))
        return out


@dataclass(frozen=True)
class Table(Node):
    """A mapping from names (checked with `key`) to values (checked with `value`)."""

    key: Node
    value: Node
    min_len: int = 1

    def check(self, value, ctx, path, line):
        if value is None and self.min_len == 0:
            return {}
        if not isinstance(value, dict):
            ctx.fail(path, f"must be a mapping, got {_kind(value)}", line)
        if len(value) < self.min_len:
            ctx.fail(path, "must not be empty", line)
        lines = getattr(value, "lines", {})
        out = {}
        for k, v in value.items():
            sub = _join(path, str(k))
            ctx.lines.setdefault(sub, lines.get(k, line))
            out[self.key.check(k if isinstance(k, str) else str(k), ctx, sub, lines.get(k, line))] = \
                self.value.check(v, ctx, sub, lines.get(k, line))
        return out


def words(min_len: int = 1, **text: Any) -> Seq:
    """A list of distinct non-empty strings (cues, measure words, markers …)."""
    return Seq(Text(**text), min_len=min_len, unique=True)


def validate(schema: Node, data: LineMap, ctx: Context) -> dict:
    """`data` checked against `schema`: plain values, regexes compiled; RulesError on the first problem."""
    return schema.check(data, ctx, "", data.line)
