"""The SSDA903 reader: episodes and reviews tables made here to the DfE's column layout.

Due dates are worked by hand from the bank-holiday lists in tests/data; each derivation is in
the comment beside it.  Dates are written dd/mm/yyyy, as the 903 guide asks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safeguard_time.returns import read_returns, read_ssda903, ssda903_tables, timeliness

D = dt.date

EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
L1,31/03/2023,S,C2,N1,U1,PR1,01/06/2023,X1,,,,
L1,01/06/2023,P,C2,N1,U3,PR1,,,CARPL,,,
L2,20/04/2023,S,V2,N2,U1,PR1,01/07/2023,E11,,,,
L3,01/03/2010,S,C2,N1,U1,PR1,01/05/2010,E4A,,,,
L4,05/01/2023,P,C2,N1,U1,PR1,,,,,,
L5,31/02/2024,S,C2,N1,U1,PR1,,,,,,
L5,01/03/2024,P,C2,N1,U1,PR1
"""

REVIEWS = """CHILD,DOB,REVIEW,REVIEW_CODE
L1,01/01/2015,03/05/2023,PN1
L1,01/01/2015,10/08/2023,PN1
L1,01/01/2015,09/02/2024,PN0
L2,02/02/2012,23/05/2023,PN1
L3,03/03/2003,29/03/2010,PN3
L3,03/03/2003,15/06/2010,PN3
L4,04/04/2010,01/02/2023,PN2
"""

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nL1,1,01/01/2015,WBRI,A123,,\n"

EXPECTED = [
    # L1 started to be looked after Fri 31 Mar 2023: first review within 20 WD (Care Planning
    # Regulations 2010 reg 33(1)): 3-6 Apr (4), Good Friday 7 and Easter Monday 10 Apr off,
    # 11-14 (8), 17-21 (13), 24-28 (18), 1 May off, 2 May (19), Wed 3 May (20). Held 3 May: met.
    ("L1", "first_lac_review", D(2023, 3, 31), D(2023, 5, 3), D(2023, 5, 3), "met", 0, "first_lac_review.cppcr2010"),
    # Second within 3 months of the first: Thu 3 Aug 2023; held Thu 10 Aug: late 4, 7, 8, 9, 10 Aug = 5.
    ("L1", "second_lac_review", D(2023, 5, 3), D(2023, 8, 10), D(2023, 8, 3), "missed", 5, "second_lac_review.cppcr2010"),
    # Then within 6 months: Sat 10 Feb 2024 (a weekend statutory date); held Fri 9 Feb: met.
    ("L1", "lac_review", D(2023, 8, 10), D(2024, 2, 9), D(2024, 2, 10), "met", 0, "lac_review.cppcr2010"),
    # The next, due Fri 9 Aug 2024: open as of 31 Mar 2024, in time.
    ("L1", "lac_review", D(2024, 2, 9), None, D(2024, 8, 9), "open_in_time", 0, "lac_review.cppcr2010"),
    # L2 from Thu 20 Apr 2023, 20 WD with 1 May and the coronation (Mon 8 May) off: 21 Apr (1),
    # 24-28 (6), 2-5 May (10), 9-12 (14), 15-19 (19), Mon 22 May (20). Held Tue 23 May: late 1.
    # The period ended on 1 Jul 2023 (REC E11), before the second review was due (23 Aug): no row.
    ("L2", "first_lac_review", D(2023, 4, 20), D(2023, 5, 23), D(2023, 5, 22), "missed", 1, "first_lac_review.cppcr2010"),
    # L3 in 2010: the Review of Children's Cases Regulations 1991, 4 weeks: Mon 29 Mar 2010; met.
    ("L3", "first_lac_review", D(2010, 3, 1), D(2010, 3, 29), D(2010, 3, 29), "met", 0, "first_lac_review.rccr1991"),
]  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "episodes.csv").write_text(EPISODES)
    (tmp_path / "reviews.csv").write_text(REVIEWS)
    (tmp_path / "header.csv").write_text(HEADER)
    return tmp_path


def test_tables_are_known_by_their_columns(folder: Path, tmp_path: Path) -> None:
    # File names do not matter: the columns do.
    renamed = tmp_path / "x"
    renamed.mkdir()
    (renamed / "one.csv").write_text(REVIEWS)
    (renamed / "two.csv").write_text(EPISODES)
    assert ssda903_tables([renamed]) == {
        "reviews": str(renamed / "one.csv"),
        "episodes": str(renamed / "two.csv"),
    }
    assert set(ssda903_tables([folder])) == {"episodes", "reviews", "header"}


def test_rows_are_the_hand_worked_ones(folder: Path) -> None:
    table = timeliness(read_ssda903(folder), as_of=D(2024, 3, 31))
    got = [
        (r.child_id, r.measure, r.start, r.end, r.due, r.status, r.late, r.rule) for r in table.rows
    ]
    assert got == EXPECTED
    first = table.rows[0]
    assert first.source == f"{folder / 'reviews.csv'}: line 2, column REVIEW"


def test_problems_name_file_line_and_column(folder: Path) -> None:
    data = read_ssda903(folder)
    found = {
        (p.kind, p.code, p.child_id, p.place.rsplit("/", 1)[1], p.value) for p in data.problems
    }
    assert found == {
        ("error", "not_a_date", "L5", "episodes.csv: line 7, column DECOM", "31/02/2024"),
        ("error", "wrong_field_count", "", "episodes.csv: line 8", "L5,01/03/2024,P,C2,N1,U1,PR1"),
        # L3's period ended on 1 May 2010; a review on 15 Jun 2010 belongs to none.
        ("finding", "review_outside_care", "L3", "reviews.csv: line 7, column REVIEW", "2010-06-15"),
        # L4's first episode is a placement change: the start of care is before the return.
        ("finding", "period_start_not_in_return", "L4", "episodes.csv: line 6, column RNE", "P"),
    }  # fmt: skip


def test_a_missing_table_is_reported(tmp_path: Path) -> None:
    (tmp_path / "episodes.csv").write_text(EPISODES)
    data = read_ssda903(tmp_path)
    assert [p.code for p in data.problems if p.code == "missing_table"] == ["missing_table"]
    # Without reviews every period's first review is outstanding; L1's (due 3 May 2023) is
    # overdue as of 31 Mar 2024.
    table = timeliness(data, as_of=D(2024, 3, 31))
    assert ("L1", "first_lac_review", "open_overdue") in {
        (r.child_id, r.measure, r.status) for r in table.rows
    }


def test_read_returns_takes_files_or_a_folder(folder: Path) -> None:
    [from_folder] = read_returns([folder])
    [from_files] = read_returns([folder / "episodes.csv", folder / "reviews.csv"])
    assert from_folder.kind == from_files.kind == "ssda903"
    assert from_folder.events == from_files.events
