"""YAML files that report mistakes by line: creditors edit policies and strategies by hand,
and "strategy.yml line 14: unknown key 'tempalte'" is fixed in seconds where a bare
validation error is not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError


class SourceError(ValueError):
    """A file that cannot be used, naming the file and the line at fault."""


Lines = dict[tuple[Any, ...], int]
M = TypeVar("M", bound=BaseModel)


def load(path: Path) -> tuple[Any, Lines]:
    """The file's data, and the line (1-based) where each key or list item starts."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise SourceError(f"{path}{where}: not valid YAML: {getattr(error, 'problem', error)}") from None
    lines: Lines = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, at: tuple[Any, ...], lines: Lines) -> None:
    lines.setdefault(at, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[(*at, key.value)] = key.start_mark.line + 1
            _walk(value, (*at, key.value), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*at, index), lines)


def line_of(lines: Lines, location: tuple[Any, ...]) -> int | None:
    """The line of the deepest part of `location` found in the file (a missing key is
    reported where its parent starts)."""
    for size in range(len(location), -1, -1):
        found = lines.get(tuple(str(p) if not isinstance(p, int) else p for p in location[:size]))
        if found is not None:
            return found
    return None


def validate(model: type[M], data: Any, lines: Lines, path: Path, shift: tuple[Any, ...] = ()) -> M:
    """`model` from `data`, or a SourceError naming every problem with its line."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise SourceError(describe(error, [(path, lines)], shift)) from None


def describe(error: ValidationError, sources: list[tuple[Path, Lines]], shift: tuple[Any, ...] = ()) -> str:
    """Each problem with the file and line it comes from. Data merged from several files
    (a creditor's policy over the default) is blamed on the first file holding the key."""
    problems = []
    for item in error.errors():
        location = (*shift, *(p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))))
        path, line = sources[0][0], None
        for candidate, lines in sources:
            if tuple(location) in lines or (item["type"] == "missing" and tuple(location[:-1]) in lines):
                path, line = candidate, line_of(lines, tuple(location))
                break
        else:
            line = line_of(sources[0][1], tuple(location))
        field = ".".join(str(p) for p in location[len(shift) :]) or "(file)"
        message = "unknown key" if item["type"] == "extra_forbidden" else item["msg"].removeprefix("Value error, ")
        problems.append(f"{path}{f' line {line}' if line else ''}: {field}: {message}")
    return "\n".join(problems)


def overlay(base: dict, over: dict) -> dict:
    """`over` laid on `base`: mappings merge key by key, a list or a value replaces. A
    creditor's or a country's file thus names only what differs from the default."""
    merged = dict(base or {})
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = overlay(merged[key], value)
        else:
            merged[key] = value
    return merged


def slug(name: str) -> str:
    """The file name a creditor's own YAML goes by: "Brightwater Energy" -> brightwater-energy."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
