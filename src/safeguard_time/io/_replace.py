"""Text files written whole or not at all: one place for the partial file and the move."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import IO

__all__ = ["replacing"]


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """A text file to write that replaces ``path`` whole when done, or not at all.

    The text goes to a partial file beside ``path``, moved into place by one atomic replace
    when the block ends; on an error (or an interrupt) the partial file is removed and
    ``path`` is as it was.  ``OSError`` names ``path`` when it cannot be written.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with replacing(target) as fh:
    ...     _ = fh.write("done")
    >>> target.read_text()
    'done'
    """
    folder, base = os.path.split(os.path.abspath(path))
    partial = os.path.join(folder, f".{base}.partial-{os.getpid()}")
    try:
        with open(partial, "w", newline="", encoding="utf-8") as fh:
            yield fh
        os.replace(partial, path)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None
    finally:
        if os.path.exists(partial):
            os.remove(partial)
