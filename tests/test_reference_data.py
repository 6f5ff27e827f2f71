"""The reference lists in tests/data are the verbatim copies their README describes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
ROW = re.compile(r"^\| (?P<file>[\w.-]+) \| (?P<sha>[0-9a-f]{64}) \|", re.MULTILINE)


def _listed() -> dict[str, str]:
    return {m["file"]: m["sha"] for m in ROW.finditer((DATA / "README.md").read_text("utf-8"))}


def test_every_reference_file_is_listed_with_its_provenance() -> None:
    files = {p.name for p in DATA.iterdir() if p.name != "README.md"}
    assert files == set(_listed())
    assert len(files) == 5


def test_every_reference_file_has_the_sha256_its_readme_gives() -> None:
    for name, sha in _listed().items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == sha, name


def test_an_edited_reference_would_be_caught(tmp_path: Path) -> None:
    # The check compares bytes: one changed character changes the digest.
    name, sha = next(iter(_listed().items()))
    edited = (DATA / name).read_bytes().replace(b"2", b"3", 1)
    assert hashlib.sha256(edited).hexdigest() != sha
