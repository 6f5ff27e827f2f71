"""``safeguard-time returns``: a census and a 903 folder in, the long table, problems and report out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from safeguard_time.cli import main
from safeguard_time.returns import COLUMNS, PROBLEM_COLUMNS, detect_kind
from tests.test_returns_cin import CHILDREN, EXPECTED, census
from tests.test_returns_ssda903 import EPISODES, REVIEWS


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    xml = tmp_path / "CIN_Census_2024.xml"
    xml.write_text(census("2024-03-31", CHILDREN))
    folder = tmp_path / "903"
    folder.mkdir()
    (folder / "episodes.csv").write_text(EPISODES)
    (folder / "reviews.csv").write_text(REVIEWS)
    return xml, folder


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_the_command_writes_the_table_problems_and_report(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xml, folder = inputs
    out, errors, report = tmp_path / "out.csv", tmp_path / "problems.csv", tmp_path / "r.html"
    status = main([
        "returns", str(xml), str(folder), "--as-of", "2024-03-31",
        "-o", str(out), "--errors", str(errors), "--report", str(report),
    ])  # fmt: skip
    assert status == 0
    table = _read(out)
    assert tuple(table[0]) == COLUMNS
    # The census rows first (in the order of the file), then the 903 rows (six: see its tests).
    assert len(table) == 1 + len(EXPECTED) + 6
    first = dict(zip(COLUMNS, table[1], strict=True))
    assert first == {
        "child_id": "K09", "measure": "initial_assessment_from_start", "start": "2009-12-21",
        "end": "2010-01-04", "due": "2010-01-04", "elapsed": "7", "status": "met", "late": "0",
        "rule": "initial_assessment.fw2000",
        "source": f"{xml}:/Message/Children/Child[1]/CINdetails[1]/Assessments[1]",
        "provisional": "false",
    }  # fmt: skip
    problems = _read(errors)
    assert tuple(problems[0]) == PROBLEM_COLUMNS
    assert {row[1] for row in problems[1:]} >= {
        "icpc_target_differs",
        "not_a_date",
        "review_outside_care",
    }
    page = report.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert 'data-check="first_lac_review"' in page
    assert f'<td data-key="rows">{len(EXPECTED) + 6}</td>' in page
    err = capsys.readouterr().err
    assert "initial_cp_conference=s47_start:icpc: met 2" in err
    assert "errors," in err and "findings (listed in" in err


def test_an_unknown_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "caseload.txt"
    odd.write_text("x")
    status = main(["returns", str(odd), "--as-of", "2024-03-31", "-o", str(tmp_path / "o.csv")])
    assert status == 2
    assert "not a return this command reads" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_kind_forces_the_reader(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    xml, _ = inputs
    renamed = tmp_path / "census.dat"
    renamed.write_bytes(xml.read_bytes())
    out = tmp_path / "o.csv"
    assert (
        main(
            [
                "returns",
                str(renamed),
                "--kind",
                "cin",
                "--as-of",
                "2024-03-31",
                "-o",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    assert len(_read(out)) == 1 + len(EXPECTED)


def test_the_output_may_not_be_an_input(
    inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    xml, _ = inputs
    before = xml.read_bytes()
    assert main(["returns", str(xml), "--as-of", "2024-03-31", "-o", str(xml)]) == 2
    assert xml.read_bytes() == before
    assert "error" in capsys.readouterr().err
    # The bank-holiday file given is an input too, as it is to the scan.
    holidays = xml.parent / "bank-holidays.json"
    holidays.write_text('{"england-and-wales": {"division": "england-and-wales", "events": []}}')
    argv = ["returns", str(xml), "--as-of", "2024-03-31", "--bank-holidays", str(holidays)]
    assert main([*argv, "-o", str(xml.parent / "out.csv"), "--report", str(holidays)]) == 2
    assert "is the input --bank-holidays" in capsys.readouterr().err


def test_detect_kind() -> None:
    assert detect_kind("a.XML") == "cin"
    assert detect_kind("b.csv") == "ssda903"
    assert detect_kind("annex_a.xlsx") == "annex_a"


def test_formula_like_text_is_neutralised(tmp_path: Path) -> None:
    xml = tmp_path / "cin.xml"
    ep: dict[str, object] = {
        "CINreferralDate": "2024-01-25",
        "assessments": [("2024-01-26", "2024-02-01")],
    }
    xml.write_text(census("2024-03-31", [("=HYPERLINK(1)", [ep])]))
    out, errors = tmp_path / "o.csv", tmp_path / "e.csv"
    assert (
        main(
            [
                "returns",
                str(xml),
                "--as-of",
                "2024-03-31",
                "-o",
                str(out),
                "--errors",
                str(errors),
                "-q",
            ]
        )
        == 0
    )
    assert {row[0] for row in _read(out)[1:]} == {"'=HYPERLINK(1)"}
