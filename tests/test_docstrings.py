"""Every public function and method carries a docstring with an example (run as a doctest)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

PUBLIC_MODULES = [
    "safeguard_time",
    "safeguard_time.calendar",
    "safeguard_time.deadlines",
    "safeguard_time.rules",
    "safeguard_time.schedules",
    "safeguard_time.excel",
    "safeguard_time.export",
    "safeguard_time.bulk",
    "safeguard_time.returns",
    "safeguard_time.duckdb",
    "safeguard_time.tables",
    "safeguard_time.dask",
    "safeguard_time.spark",
]


def _public_callables(module_name: str) -> Iterator[tuple[str, Callable[..., Any]]]:
    module = importlib.import_module(module_name)
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj):
            yield f"{module_name}.{name}", obj
        elif inspect.isclass(obj) and not issubclass(obj, BaseException | Warning):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                func = value.fget if isinstance(value, property) else value
                func = getattr(func, "__func__", func)
                if inspect.isfunction(func):
                    yield f"{module_name}.{name}.{attr}", func


CALLABLES = sorted(
    {
        qualname: func for module in PUBLIC_MODULES for qualname, func in _public_callables(module)
    }.items()
)


@pytest.mark.parametrize(("qualname", "func"), CALLABLES, ids=[q for q, _ in CALLABLES])
def test_has_a_runnable_example(qualname: str, func: Callable[..., Any]) -> None:
    doc = inspect.getdoc(func) or ""
    assert doc.strip(), f"{qualname} has no docstring"
    assert ">>>" in doc, f"{qualname} has no example in its docstring"


def test_the_check_sees_the_api() -> None:
    names = {q for q, _ in CALLABLES}
    assert "safeguard_time.deadline" in names
    assert "safeguard_time.WorkingCalendar.add_working_days" in names
    assert len(names) > 40
