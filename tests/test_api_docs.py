"""The API reference describes what it lists: every public field of the classes it documents.

docs/api.md documents classes with ``autoclass``; the attrs fields of each (its constructor's
parameters and its attributes) must be described: in the class docstring's ``Attributes:``
section, by a ``#:`` comment, or by a documented property of the same name.  Private fields
(``_table``) are never shown, so they need nothing.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import attrs
import pytest

API = Path(__file__).resolve().parents[1] / "docs" / "api.md"
CLASSES = re.findall(r"^\.\. autoclass:: ([\w.]+)", API.read_text("utf-8"), re.MULTILINE)


def _resolve(path: str) -> type:
    module, _, name = path.rpartition(".")
    obj = getattr(importlib.import_module(module), name)
    assert inspect.isclass(obj), path
    return obj


def _described(cls: type) -> set[str]:
    doc = inspect.getdoc(cls) or ""
    names: set[str] = set()
    section = re.search(r"^Attributes:\n((?:[ \t]+.*\n?|\n)+)", doc, re.MULTILINE)
    if section:
        names |= set(re.findall(r"^    (\w+)(?: \(.*?\))?:", section.group(1), re.MULTILINE))
    # A field with a ``#:`` comment on the line above it (autodoc shows the comment).
    source = inspect.getsource(cls)
    names |= set(re.findall(r"^[ \t]+#:.*\n[ \t]+(\w+)\s*:", source, re.MULTILINE))
    for name, value in vars(cls).items():
        if isinstance(value, property) and (value.__doc__ or "").strip():
            names.add(name)
    return names


def test_the_reference_lists_classes() -> None:
    assert "safeguard_time.WorkingCalendar" in CLASSES
    assert len(CLASSES) > 20


@pytest.mark.parametrize("path", CLASSES)
def test_every_public_field_is_described(path: str) -> None:
    cls = _resolve(path)
    if not attrs.has(cls):
        return
    public = [f.name for f in attrs.fields(cls) if not f.name.startswith("_")]
    missing = [name for name in public if name not in _described(cls)]
    assert not missing, f"{path}: describe {missing} (an Attributes: section of the docstring)"
