"""The CIN census reader and its timeliness: a census made here to the DfE's XML structure.

Expected rows are worked by hand from the bank-holiday lists in tests/data (the derived
1990-2011 list and GOV.UK's 2012-2028 files); each derivation is in the comment beside it.
Elapsed working days over long spans are checked against numpy's busday_count over the same
lists (an oracle independent of the library).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguard_time import Policy, assess, england_and_wales
from safeguard_time.errors import ProvisionalCalendarWarning
from safeguard_time.returns import COLUMNS, read_cin, timeliness
from tests.conftest import reference_holidays

D = dt.date


def _el(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    e = ET.SubElement(parent, tag)
    if text is not None:
        e.text = text
    return e


def census(reference: str, children: list[tuple[str, list[dict[str, object]]]]) -> str:
    """A census file: Message/Header/CollectionDetails and Children/Child, as the DfE's guide."""
    msg = ET.Element("Message")
    cd = _el(_el(msg, "Header"), "CollectionDetails")
    _el(cd, "Collection", "CIN")
    _el(cd, "Year", reference[:4])
    _el(cd, "ReferenceDate", reference)
    kids = _el(msg, "Children")
    for child_id, episodes in children:
        child = _el(kids, "Child")
        ids = _el(child, "ChildIdentifiers")
        _el(ids, "LAchildID", child_id)
        _el(ids, "PersonBirthDate", "2015-03-27")
        chars = _el(child, "ChildCharacteristics")
        _el(chars, "Ethnicity", "WBRI")
        for ep in episodes:
            details = _el(child, "CINdetails")
            for name in ("CINreferralDate", "CINclosureDate"):
                if name in ep:
                    _el(details, name, str(ep[name]))
            _el(details, "ReferralSource", "1A")
            for a_start, a_auth in ep.get("assessments", []):  # type: ignore[attr-defined]
                a = _el(details, "Assessments")
                _el(a, "AssessmentActualStartDate", a_start)
                if a_auth is not None:
                    _el(a, "AssessmentAuthorisationDate", a_auth)
            for s47 in ep.get("s47", []):  # type: ignore[attr-defined]
                s = _el(details, "Section47")
                for name, value in s47.items():
                    _el(s, name, value)
            for plan in ep.get("plans", []):  # type: ignore[attr-defined]
                p = _el(details, "ChildProtectionPlans")
                _el(p, "CPPstartDate", plan["start"])
                if plan.get("end"):
                    _el(p, "CPPendDate", plan["end"])
                _el(p, "InitialCategoryOfAbuse", "NEG")
                reviews = _el(p, "Reviews")
                for r in plan.get("reviews", []):
                    _el(reviews, "CPPreviewDate", r)
    return ET.tostring(msg, encoding="unicode")


CHILDREN: list[tuple[str, list[dict[str, object]]]] = [
    # A 2009 referral: Framework 2000's initial assessment, 7 WD. Mon 21 Dec 2009 + 7: 22, 23,
    # 24 Dec (3); 25 Dec (Fri) and 28 Dec (Mon, Boxing Day substitute) are holidays; 29, 30,
    # 31 Dec (6); 1 Jan 2010 (Fri) is a holiday; Mon 4 Jan (7). Authorised that day: met.
    ("K09", [{"CINreferralDate": "2009-12-21", "assessments": [("2009-12-21", "2010-01-04")]}]),
    # A 2012 referral in a later return: the 2010 rules, 10 WD. Mon 5 Nov 2012 + 10 = Mon 19
    # Nov (no holidays); authorised Tue 20 Nov: missed, 11 elapsed, 1 late.
    ("K12", [{"CINreferralDate": "2012-11-05", "assessments": [("2012-11-05", "2012-11-20")]}]),
    # The state funeral (Mon 19 Sep 2022). Section 47 started Thu 1 Sep 2022; 15 WD: 2, 5-9,
    # 12-16 (11), then 20, 21, 22, 23 Sep (15) with the 19th skipped: due Fri 23 Sep. The
    # recorded target, Thu 22 Sep, is what a calendar without the funeral gives: a finding.
    # Plan from the ICPC, Fri 23 Sep 2022: first review due 3 months on, Fri 23 Dec 2022
    # (held Tue 20 Dec: met); the next 6 months after 20 Dec, Tue 20 Jun 2023 (held Mon 26
    # Jun: missed, late 21, 22, 23, 26 Jun = 4); the next 6 months after 26 Jun, Tue 26 Dec
    # 2023 (Boxing Day; the statutory date stays the due date), held Tue 19 Dec: met; the
    # next due Wed 19 Jun 2024, open at the reference date, Sun 31 Mar 2024: open_in_time.
    (
        "K22",
        [
            {
                "CINreferralDate": "2022-08-30",
                "s47": [
                    {
                        "S47ActualStartDate": "2022-09-01",
                        "InitialCPCtarget": "2022-09-22",
                        "DateOfInitialCPC": "2022-09-23",
                        "ICPCnotRequired": "false",
                    }
                ],
                "plans": [
                    {"start": "2022-09-23", "reviews": ["2022-12-20", "2023-06-26", "2023-12-19"]}
                ],
            }
        ],
    ),
    # The coronation (Mon 8 May 2023). Referral Mon 27 Mar 2023, 45 WD with Good Friday 7 Apr,
    # Easter Monday 10 Apr, 1 May, 8 May and 29 May off: 28-31 Mar (4), 3-6 Apr (8), 11-14
    # (12), 17-21 (17), 24-28 (22), 2-5 May (26), 9-12 (30), 15-19 (35), 22-26 (40), 30 May-2
    # Jun (44), Mon 5 Jun (45): due 5 Jun, authorised that day: met, 45. From the assessment's
    # own start, Tue 28 Mar, one day later: due Tue 6 Jun, met with 44 elapsed.
    ("K23", [{"CINreferralDate": "2023-03-27", "assessments": [("2023-03-28", "2023-06-05")]}]),
    # A Saturday referral (16 Sep 2023): day 1 is Mon 18 Sep; 45 WD (no holidays) is Fri 17
    # Nov. Authorised that day: met, 45.
    ("KSAT", [{"CINreferralDate": "2023-09-16", "assessments": [("2023-09-18", "2023-11-17")]}]),
    # The brief's worked case, open: referral Thu 25 Jan 2024, due Thu 28 Mar 2024 (Good
    # Friday 29 Mar, Easter Monday 1 Apr). Still open at the reference date, Sun 31 Mar:
    # overdue; 45 elapsed (29-31 Mar are not working days); late 1 (the as-of date counts as
    # the next working day, Tue 2 Apr, the first working day after the due date).
    ("KEAS", [{"CINreferralDate": "2024-01-25", "assessments": [("2024-01-26", None)]}]),
    # A weekend target: section 47 from Wed 1 Nov 2023, 15 WD: 2, 3, 6-10, 13-17, 20, 21, 22
    # Nov: due Wed 22 Nov; ICPC that day: met. Recorded target Sat 25 Nov: two findings.
    (
        "KWKD",
        [
            {
                "CINreferralDate": "2023-10-30",
                "s47": [
                    {
                        "S47ActualStartDate": "2023-11-01",
                        "InitialCPCtarget": "2023-11-25",
                        "DateOfInitialCPC": "2023-11-22",
                        "ICPCnotRequired": "false",
                    }
                ],
            }
        ],
    ),
    # No conference required: no ICPC row. Closed before its referral: a finding. An
    # impossible authorisation date: an error with its place, and an error row.
    (
        "KBAD",
        [
            {
                "CINreferralDate": "2023-06-01",
                "CINclosureDate": "2023-05-01",
                "assessments": [("2023-06-02", "2023-02-30")],
                "s47": [{"S47ActualStartDate": "2023-06-05", "ICPCnotRequired": "true"}],
            }
        ],
    ),
    # Plans that ended with no review: from Tue 1 Aug 2023 the first review was due Wed 1
    # Nov, after the plan ended (15 Sep): no event. From Wed 10 May 2023 it was due Thu 10
    # Aug, before the plan ended (Wed 20 Sep): overdue when it ended.
    (
        "KEND",
        [
            {
                "CINreferralDate": "2023-04-03",
                "plans": [
                    {"start": "2023-08-01", "end": "2023-09-15"},
                    {"start": "2023-05-10", "end": "2023-09-20"},
                ],
            }
        ],
    ),
]

EXPECTED = [
    # child, measure, start, end, due, elapsed, status, late, rule
    ("K09", "initial_assessment_from_start", D(2009, 12, 21), D(2010, 1, 4), D(2010, 1, 4), 7, "met", 0, "initial_assessment.fw2000"),
    ("K09", "initial_assessment", D(2009, 12, 21), D(2010, 1, 4), D(2010, 1, 4), 7, "met", 0, "initial_assessment.fw2000"),
    ("K12", "initial_assessment_from_start", D(2012, 11, 5), D(2012, 11, 20), D(2012, 11, 19), 11, "missed", 1, "initial_assessment.wt2010"),
    ("K12", "initial_assessment", D(2012, 11, 5), D(2012, 11, 20), D(2012, 11, 19), 11, "missed", 1, "initial_assessment.wt2010"),
    ("K22", "initial_cp_conference", D(2022, 9, 1), D(2022, 9, 23), D(2022, 9, 23), 15, "met", 0, "initial_cp_conference.wt2018"),
    ("K22", "first_cp_review", D(2022, 9, 23), D(2022, 12, 20), D(2022, 12, 23), 62, "met", 0, "first_cp_review.wt2018"),
    ("K22", "cp_review", D(2022, 12, 20), D(2023, 6, 26), D(2023, 6, 20), 126, "missed", 4, "cp_review.wt2018"),
    ("K22", "cp_review", D(2023, 6, 26), D(2023, 12, 19), D(2023, 12, 26), 125, "met", 0, "cp_review.wt2018"),
    ("K22", "cp_review", D(2023, 12, 19), None, D(2024, 6, 19), 69, "open_in_time", 0, "cp_review.wt2023"),
    ("K23", "assessment_from_start", D(2023, 3, 28), D(2023, 6, 5), D(2023, 6, 6), 44, "met", 0, "assessment.wt2018"),
    ("K23", "assessment", D(2023, 3, 27), D(2023, 6, 5), D(2023, 6, 5), 45, "met", 0, "assessment.wt2018"),
    ("KSAT", "assessment_from_start", D(2023, 9, 18), D(2023, 11, 17), D(2023, 11, 20), 44, "met", 0, "assessment.wt2018"),
    ("KSAT", "assessment", D(2023, 9, 16), D(2023, 11, 17), D(2023, 11, 17), 45, "met", 0, "assessment.wt2018"),
    ("KEAS", "assessment_from_start", D(2024, 1, 26), None, D(2024, 4, 2), 44, "open_in_time", 0, "assessment.wt2023"),
    ("KEAS", "assessment", D(2024, 1, 25), None, D(2024, 3, 28), 45, "open_overdue", 1, "assessment.wt2023"),
    ("KWKD", "initial_cp_conference", D(2023, 11, 1), D(2023, 11, 22), D(2023, 11, 22), 15, "met", 0, "initial_cp_conference.wt2018"),
    # The end is not a date: an error row, with the due date the start gives (45 WD from Fri
    # 2 Jun 2023, no holidays until 28 Aug: Fri 4 Aug; from Thu 1 Jun: Thu 3 Aug).
    ("KBAD", "assessment_from_start", D(2023, 6, 2), None, D(2023, 8, 4), None, "error", None, "assessment.wt2018"),
    ("KBAD", "assessment", D(2023, 6, 1), None, D(2023, 8, 3), None, "error", None, "assessment.wt2018"),
    ("KEND", "first_cp_review", D(2023, 5, 10), None, D(2023, 8, 10), 93, "open_overdue", 28, "first_cp_review.wt2018"),
]  # fmt: skip


@pytest.fixture
def census_file(tmp_path: Path) -> Path:
    path = tmp_path / "CIN_Census_2024.xml"
    path.write_text(census("2024-03-31", CHILDREN), encoding="utf-8")
    return path


def _oracle_elapsed(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d <= end, by numpy over the reference holiday lists."""
    cal = np.busdaycalendar(holidays=np.array(sorted(reference_holidays()), "datetime64[D]"))
    return int(np.busday_count(np.datetime64(start) + 1, np.datetime64(end) + 1, busdaycal=cal))


def test_rows_are_the_hand_worked_ones(census_file: Path) -> None:
    table = timeliness(read_cin(census_file))
    got = [
        (r.child_id, r.measure, r.start, r.end, r.due, r.elapsed, r.status, r.late, r.rule)
        for r in table.rows
    ]
    assert got == EXPECTED


def test_elapsed_agrees_with_an_independent_count(census_file: Path) -> None:
    for r in timeliness(read_cin(census_file)).rows:
        if r.elapsed is None or r.start is None:
            continue
        # Open events count to the reference date (or, for an ended plan, to its end).
        to = r.end or (D(2023, 9, 20) if r.child_id == "KEND" else D(2024, 3, 31))
        # A Saturday start counts from the first working day after it: the same count.
        assert r.elapsed == _oracle_elapsed(r.start, to), r


def test_columns_and_sources(census_file: Path) -> None:
    table = timeliness(read_cin(census_file))
    assert COLUMNS == (
        "child_id", "measure", "start", "end", "due", "elapsed", "status", "late", "rule", "source",
        "provisional",
    )  # fmt: skip
    frame = table.to_pandas()
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == len(EXPECTED)
    first = table.rows[0]
    assert first.source == f"{census_file}:/Message/Children/Child[1]/CINdetails[1]/Assessments[1]"
    s47 = next(r for r in table.rows if r.measure == "initial_cp_conference")
    assert s47.source.endswith("/Child[3]/CINdetails[1]/Section47[1]")


def test_problems_and_findings_name_their_place(census_file: Path) -> None:
    table = timeliness(read_cin(census_file))
    found = {
        (p.kind, p.code, p.child_id, p.place.split(":", 1)[1], p.value) for p in table.problems
    }
    assert found == {
        # The calendar without the state funeral gives 22 Sep: the recorded target differs.
        ("finding", "icpc_target_differs", "K22",
         "/Message/Children/Child[3]/CINdetails[1]/Section47[1]/InitialCPCtarget", "2022-09-22"),
        ("finding", "icpc_target_differs", "KWKD",
         "/Message/Children/Child[7]/CINdetails[1]/Section47[1]/InitialCPCtarget", "2023-11-25"),
        ("finding", "icpc_target_not_working_day", "KWKD",
         "/Message/Children/Child[7]/CINdetails[1]/Section47[1]/InitialCPCtarget", "2023-11-25"),
        ("finding", "dates_out_of_order", "KBAD",
         "/Message/Children/Child[8]/CINdetails[1]/CINclosureDate", "2023-06-01 / 2023-05-01"),
        ("error", "not_a_date", "KBAD",
         "/Message/Children/Child[8]/CINdetails[1]/Assessments[1]/AssessmentAuthorisationDate",
         "2023-02-30"),
    }  # fmt: skip
    bad = next(p for p in table.problems if p.code == "not_a_date")
    assert bad.reason == "'2023-02-30' is not a date: February 2023 has 28 days, not 30"
    weekend = next(p for p in table.problems if p.code == "icpc_target_not_working_day")
    assert "Saturday" in weekend.reason


def test_a_review_before_the_plan_is_a_finding_not_a_row(tmp_path: Path) -> None:
    # Plan from Mon 3 Jul 2023; a review dated Fri 30 Jun 2023 is before it: reported and
    # left out, so the first review is the one of Tue 26 Sep 2023 (due Tue 3 Oct: met).
    path = tmp_path / "cin.xml"
    plan = {"start": "2023-07-03", "reviews": ["2023-06-30", "2023-09-26"]}
    path.write_text(
        census("2024-03-31", [("R1", [{"CINreferralDate": "2023-06-01", "plans": [plan]}])])
    )
    table = timeliness(read_cin(path))
    assert [(r.measure, r.start, r.end, r.due, r.status) for r in table.rows] == [
        ("first_cp_review", D(2023, 7, 3), D(2023, 9, 26), D(2023, 10, 3), "met"),
        # Six months after Tue 26 Sep 2023 is Tue 26 Mar 2024, before 31 Mar: overdue.
        ("cp_review", D(2023, 9, 26), None, D(2024, 3, 26), "open_overdue"),
    ]
    [finding] = table.problems
    assert (finding.kind, finding.code, finding.value) == (
        "finding",
        "review_before_plan_start",
        "2023-06-30",
    )
    assert finding.place.endswith("/ChildProtectionPlans[1]/Reviews[1]/CPPreviewDate[1]")


def test_broken_xml_keeps_the_children_before_the_break(census_file: Path, tmp_path: Path) -> None:
    text = census_file.read_text()
    cut = text.index("<Child>", text.index("K12"))  # after the first two children
    broken = tmp_path / "broken.xml"
    broken.write_text(text[:cut] + "<Child><ChildIdentifiers><LAchildID>X</LAchild")
    data = read_cin(broken)
    assert {e.child_id for e in data.events} == {"K09", "K12"}
    [problem] = [p for p in data.problems if p.code == "unreadable_xml"]
    assert problem.kind == "error"
    assert problem.place.startswith(f"{broken}: line 1, column ")


def test_missing_reference_date_uses_the_callers_as_of(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    text = census("2024-03-31", [CHILDREN[5]]).replace(
        "<ReferenceDate>2024-03-31</ReferenceDate>", ""
    )
    path.write_text(text)
    data = read_cin(path)
    assert data.reference_date is None
    assert [p.code for p in data.problems] == ["missing_reference_date"]
    # As of Wed 27 Mar 2024 the 25 Jan referral (due Thu 28 Mar) is still in time.
    table = timeliness(data, as_of=D(2024, 3, 27))
    assert [r.status for r in table.rows if r.measure == "assessment"] == ["open_in_time"]
    # With no as_of at all the open rows are errors, in the engine's words, at their place.
    table = timeliness(data)
    assert {p.code for p in table.problems} == {"missing_reference_date", "needs_as_of"}


def test_rows_after_the_verified_years_are_provisional(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row's answer past the verified bank holidays (2028, the last GOV.UK list in
    tests/data) says so, in the table, its CSV, the summary and the report."""
    from safeguard_time.cli import main  # noqa: PLC0415

    assert england_and_wales().verified_through == 2028
    path = tmp_path / "CIN_Census_2030.xml"
    path.write_text(
        census(
            "2030-03-31",
            [
                # 2029: the due date (45 WD on) is in a projected year.
                ("P29", [{"CINreferralDate": "2029-11-05", "assessments": [("2029-11-05", "2030-01-10")]}]),
                # Started Wed 1 Nov 2028, still open: due in January 2029, projected.
                ("P28", [{"CINreferralDate": "2028-11-01", "assessments": [("2028-11-01", None)]}]),
                # Authorised Fri 15 Sep 2028: every day counted is in the verified list.
                ("V28", [{"CINreferralDate": "2028-07-03", "assessments": [("2028-07-03", "2028-09-15")]}]),
            ],
        )
    )  # fmt: skip
    with pytest.warns(ProvisionalCalendarWarning):
        one = {
            "P29": assess("assessment", D(2029, 11, 5), D(2030, 1, 10)),
            "P28": assess("assessment", D(2028, 11, 1), as_of=D(2030, 3, 31)),
            "V28": assess("assessment", D(2028, 7, 3), D(2028, 9, 15)),
        }
    table = timeliness(read_cin(path))
    flags = {(r.child_id, r.measure): r.provisional for r in table.rows}
    assert flags == {
        ("P29", "assessment_from_start"): True,
        ("P29", "assessment"): True,
        ("P28", "assessment_from_start"): True,
        ("P28", "assessment"): True,
        ("V28", "assessment_from_start"): False,
        ("V28", "assessment"): False,
    }
    for r in table.rows:  # the one-case answer says the same, and so does the due date
        if r.measure == "assessment":
            assert r.provisional == one[r.child_id].provisional
            assert r.provisional == (r.due is not None and r.due.year > 2028)
    out, report = tmp_path / "out.csv", tmp_path / "r.html"
    argv = ["returns", str(path), "--as-of", "2030-03-31", "-o", str(out), "--report", str(report)]
    assert main(argv) == 0
    lines = out.read_text().splitlines()
    assert lines[0].endswith(",source,provisional")
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == ["true"] * 4 + ["false"] * 2
    err = capsys.readouterr().err
    assert "assessment=referral:authorised" in err
    assert "  2 rows depend on bank holidays after 2028 (projections)" in err
    assert "Some results depend on bank holidays after 2028" in report.read_text()


def test_namespaced_census_is_read(tmp_path: Path) -> None:
    text = census("2024-03-31", [CHILDREN[3]]).replace(
        "<Message>", '<Message xmlns="http://www.dfe.gov.uk/CIN">', 1
    )
    path = tmp_path / "ns.xml"
    path.write_text(text)
    assert [r.status for r in timeliness(read_cin(path)).rows] == ["met", "met"]


dates = st.dates(D(2014, 1, 1), D(2026, 12, 31))


@given(referral=dates, extra=st.integers(0, 120), forms=st.sampled_from(["iso", "uk"]))
def test_each_census_row_is_the_one_case_answer(
    tmp_path_factory: pytest.TempPathFactory, referral: dt.date, extra: int, forms: str
) -> None:
    """Whatever the dates, a census row is what assess() gives for the same two dates."""
    done = referral + dt.timedelta(days=extra)

    def text(d: dt.date) -> str:
        return d.isoformat() if forms == "iso" else d.strftime("%d/%m/%Y")

    path = tmp_path_factory.mktemp("cin") / "c.xml"
    ep: dict[str, object] = {
        "CINreferralDate": text(referral),
        "assessments": [(text(referral), text(done))],
    }
    path.write_text(census("2027-03-31", [("H", [ep])]))
    row = next(r for r in timeliness(read_cin(path)).rows if r.measure == "assessment")
    one = assess("assessment", referral, done)
    assert one.rule is not None
    assert (row.due, row.elapsed, row.status, row.late, row.rule) == (
        one.due, one.elapsed, one.status.value, one.late, one.rule.id,
    )  # fmt: skip
    assert england_and_wales().working_days_between(referral, done) == row.elapsed


def test_reader_errors_name_their_element(tmp_path: Path) -> None:
    text = (
        "<Message><Header><CollectionDetails><ReferenceDate>2024-03-31</ReferenceDate>"
        "</CollectionDetails></Header><Children>"
        "<Child><ChildIdentifiers/><CINdetails>"
        "<CINreferralDate>2023-06-01</CINreferralDate><CINreferralDate>2023-06-02</CINreferralDate>"
        "<Section47><S47ActualStartDate>2023-06-05</S47ActualStartDate>"
        "<ICPCnotRequired>maybe</ICPCnotRequired></Section47>"
        "<ChildProtectionPlans><CPPstartDate>2023-07-03</CPPstartDate>"
        "<CPPendDate>2023-08-01</CPPendDate><Reviews><CPPreviewDate>2023-09-01</CPPreviewDate>"
        "<CPPreviewDate></CPPreviewDate></Reviews></ChildProtectionPlans>"
        "</CINdetails></Child></Children></Message>"
    )
    path = tmp_path / "cin.xml"
    path.write_text(text)
    data = read_cin(path)
    base = "/Message/Children/Child[1]"
    assert [(p.kind, p.code, p.place.split(":", 1)[1]) for p in data.problems] == [
        ("error", "missing_child_id", f"{base}/ChildIdentifiers/LAchildID"),
        ("error", "repeated_element", f"{base}/CINdetails[1]/CINreferralDate"),
        ("error", "not_a_flag", f"{base}/CINdetails[1]/Section47[1]/ICPCnotRequired"),
        ("finding", "review_after_plan_end",
         f"{base}/CINdetails[1]/ChildProtectionPlans[1]/Reviews[1]/CPPreviewDate[1]"),
        ("error", "missing", f"{base}/CINdetails[1]/ChildProtectionPlans[1]/Reviews[1]/CPPreviewDate[2]"),
    ]  # fmt: skip
    # The first referral date is used; an unreadable flag is measured as a conference
    # required (Mon 5 Jun 2023 + 15 WD: Mon 26 Jun, open and overdue at 31 Mar 2024); the
    # plan ended (1 Aug) before its first review was due (3 Oct): no review row.
    table = timeliness(data)
    assert [(r.measure, r.due, r.status) for r in table.rows] == [
        ("initial_cp_conference", D(2023, 6, 26), "open_overdue"),
    ]


def test_the_council_policy_moves_the_edition_switch(census_file: Path) -> None:
    # A council that kept initial and core assessments until 1 Sep 2016 (Herefordshire's
    # switch): the 2023 referral is still a single assessment, the 2012 one an initial one,
    # and a 2014 referral would be an initial assessment too.
    policy = Policy(single_assessment=D(2016, 9, 1))
    ep: dict[str, object] = {
        "CINreferralDate": "2014-06-02",
        "assessments": [("2014-06-02", "2014-06-16")],
    }
    path = census_file.with_name("policy.xml")
    path.write_text(census("2015-03-31", [("P1", [ep])]))
    rows = timeliness(read_cin(path), policy=policy).rows
    # Mon 2 Jun 2014 + 10 WD (no holidays): Mon 16 Jun; authorised then: met.
    assert [(r.measure, r.due, r.status, r.rule) for r in rows] == [
        ("initial_assessment_from_start", D(2014, 6, 16), "met", "initial_assessment.wt2010"),
        ("initial_assessment", D(2014, 6, 16), "met", "initial_assessment.wt2010"),
    ]
    default = timeliness(read_cin(path)).rows
    assert [r.measure for r in default] == ["assessment_from_start", "assessment"]


def test_importing_the_readers_is_light() -> None:
    code = (
        "import sys, safeguard_time.returns; "
        "print(sorted(m for m in ('openpyxl', 'pandas', 'pyarrow', 'python_calamine') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
