"""Generate the rules reference page from the rule data at every docs build.

The page is written before Sphinx reads the sources, so it can never drift from the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _write(app: Any) -> None:
    from safeguard_time._docs import render_rules_reference  # noqa: PLC0415

    target = Path(app.srcdir) / "reference" / "rules.md"
    target.parent.mkdir(exist_ok=True)
    text = render_rules_reference()
    if not target.exists() or target.read_text("utf-8") != text:
        target.write_text(text, "utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
