"""LibreOffice headless, for the tests that open a workbook the way a spreadsheet user would.

Both the exported calendar's ``WORKDAY`` check and the scanned workbook's date-cell check
convert a workbook to CSV here.  Without LibreOffice they fail with the install command (the
one ``.ci/run`` uses): they never skip.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

APT = "apt-get install -y --no-install-recommends libreoffice-calc-nogui"


def as_csv(workbook: Path, folder: Path, *, checks: str) -> Path:
    """``workbook``'s first sheet as LibreOffice computes and writes it, as CSV in ``folder``.

    ``checks`` says what the calling test checks, for the message when LibreOffice is missing.
    A private profile in ``folder`` keeps the run apart from any user's LibreOffice.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail(
            f"LibreOffice (soffice) is not on PATH; this test {checks} and must not be "
            f"skipped. Install it: {APT}"
        )
    out = folder / "lo"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(out),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result = out / (workbook.stem + ".csv")
    assert result.exists(), f"soffice failed: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return result
