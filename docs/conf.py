"""Sphinx configuration: MyST markdown pages, API reference from docstrings."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

project = "safeguard_time"
author = "safeguard_time developers"
copyright = "2026, safeguard_time developers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "_ext.rules_reference",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist", "attrs_inline"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
# Types in the signature; in the description only beside a parameter the docstring describes,
# so no bare list of undescribed (or private) constructor fields appears under a class.
autodoc_typehints = "both"
autodoc_typehints_description_target = "documented_params"
autodoc_typehints_format = "short"
# Public names for classes that live in private modules.
autodoc_type_aliases = {"Status": "safeguard_time.Status"}
napoleon_google_docstring = True
# No intersphinx: CI has no network, so references to the standard library and numpy
# are plain names, listed here.
nitpick_ignore_regex = [
    (r"py:.*", r"(datetime|_dt|np|npt|numpy|enum|collections|typing|attrs)\..*"),
    (r"py:.*", r"(Any|Literal|SupportsIndex|Iterable|Mapping|Sequence|Callable|ZoneInfo)"),
    (r"py:.*", r"(_date|_Table|Direction|DateLike|Path|TextIO|BinaryIO|RulePlan)"),
    (r"py:.*", r"safeguard_time\.(\w+\.)*_\w+"),
    (r"py:.*", r"(argparse|os|pathlib|pd|pl|pandas|polars|pyarrow)\..*"),
    (r"py:.*", r"(Dialect|TableKind|Closures|PathLike)"),
    (r"py:.*", r"(safeguard_time\.tables\.)?(T|DayColumn)"),
    (r"py:.*", r"(int|str|bool|float|object|None|tuple|list|dict|bytes)"),
    # The scan's summary is the returns command's too; io.scan has no reference page.
    (r"py:class", r"(safeguard_time\.io\.scan\.)?ScanSummary"),
    # DuckDB's connection class; bulk results' private record of the input's shape.
    (r"py:.*", r"(duckdb\..*|Shape)"),
]
html_theme = "furo"
html_title = "safeguard_time"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
