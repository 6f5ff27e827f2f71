"""The shell sessions of the command-line pages run as written.

Each ``console`` block's ``$`` commands run in one scratch folder, in page order, with the
``safeguard-time`` of this Python; the lines shown under a command are the first lines it
prints (a line ending in ``...`` begins it). ``pip install`` lines are the reader's, not the
test's, and are skipped. On the command-line page itself, the sections of the small commands
(``due`` to ``holidays``) run; the scan's sections show files a reader has, not the test.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "getting-started" / "command-line.md"
BLOCK = re.compile(r"^```console\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _sessions(text: str) -> list[tuple[str, list[str]]]:
    """(command, the output lines shown under it), in page order."""
    steps: list[tuple[str, list[str]]] = []
    for block in BLOCK.findall(text):
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line.startswith("$ "):
                steps[-1][1].append(line)
                i += 1
                continue
            command = line[2:]
            while command.endswith("\\"):
                i += 1
                command = command[:-1] + lines[i].strip()
            steps.append((command, []))
            i += 1
    return steps


STEPS = _sessions(PAGE.read_text("utf-8"))
HOME = PAGE.parents[1] / "command-line.md"
_home = HOME.read_text("utf-8")
SMALL = _sessions(_home[_home.index("## One deadline") : _home.index("## Examples")])


def test_the_page_has_sessions() -> None:
    commands = [c for c, _ in STEPS]
    assert any(c.startswith("safeguard-time scan") for c in commands)
    assert any(c.startswith("pip install") for c in commands)


def _run(steps: list[tuple[str, list[str]]], folder: Path) -> int:
    ran = 0
    for command, shown in steps:
        argv = shlex.split(command, comments=True)
        if argv[:2] == ["pip", "install"]:
            continue
        assert argv[0] == "safeguard-time", command
        done = subprocess.run(
            [sys.executable, "-m", "safeguard_time", *argv[1:]],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        printed = done.stdout.splitlines()[: len(shown)]
        assert len(printed) == len(shown), command
        for want, got in zip(shown, printed, strict=True):
            # A line shown ending in "..." is cut short on the page: it begins the real one.
            assert got.startswith(want[:-3]) if want.endswith("...") else got == want, command
        ran += 1
    return ran


def test_the_sessions_run_as_written(tmp_path: Path) -> None:
    assert _run(STEPS, tmp_path) >= 6
    for name in ("caseload.csv", "scanned.csv", "errors.csv", "report.html", "policy.toml"):
        assert (tmp_path / name).stat().st_size > 0, name


def test_the_small_commands_run_as_written(tmp_path: Path) -> None:
    assert _run(SMALL, tmp_path) >= 7


@pytest.mark.parametrize("command", [c for c, _ in STEPS if c.startswith("safeguard-time")])
def test_every_command_has_its_home(command: str) -> None:
    """Each subcommand shown here is described on the command-line page."""
    sub = shlex.split(command)[1]
    assert f"`{sub}`" in _home, sub
