"""A council's policy: built from the switches the rule data declares; files; errors."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

from safeguard_time import Policy, PolicyError, rule_for
from safeguard_time.errors import InvalidOptionError
from safeguard_time.example import policy_template
from safeguard_time.rules import rulebook

D = dt.date
SWITCHES = tuple(rulebook().switches)
SETTINGS = (*SWITCHES, "name")


# --- the value ------------------------------------------------------------------------------


def test_every_switch_in_the_data_is_a_keyword_and_an_attribute() -> None:
    book = rulebook()
    default = Policy()
    assert tuple(default.dates) == SWITCHES
    for name, switch in book.switches.items():
        assert default.switch(name) == getattr(default, name) == switch.default
        moved = switch.default + dt.timedelta(days=1)
        kwargs: dict[str, Any] = {name: moved}
        if switch.not_after is not None:  # keep the order valid
            kwargs[switch.not_after] = max(moved, book.switches[switch.not_after].default)
        assert getattr(Policy(**kwargs), name) == moved
    assert default.name == "statutory defaults"


def test_policy_is_a_frozen_hashable_value() -> None:
    a = Policy(single_assessment=D(2016, 9, 1), name="Herefordshire")
    b = Policy(single_assessment="2016-09-01", name="Herefordshire")
    assert a == b and hash(a) == hash(b)
    assert len({a, b, Policy()}) == 2
    assert a != Policy(single_assessment=D(2016, 9, 1))  # the name is part of the value
    assert a != "Herefordshire"
    # A datetime is taken as its London date.
    assert Policy(single_assessment=dt.datetime(2016, 9, 1, 9, 30)) == Policy(
        single_assessment=D(2016, 9, 1)
    )
    with pytest.raises(AttributeError):
        a.single_assessment = D(2020, 1, 1)  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        a.name = "Shropshire"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        a.colour = "blue"  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del a.name
    with pytest.raises(TypeError):
        a.dates["single_assessment"] = D(2020, 1, 1)  # type: ignore[index]
    with pytest.raises(AttributeError, match="no attribute 'singel_assessment'"):
        _ = a.singel_assessment
    assert set(SWITCHES) <= set(dir(a))


def test_policy_survives_pickle_and_copy() -> None:
    a = Policy(single_assessment=D(2016, 9, 1), name="Herefordshire")
    for b in (pickle.loads(pickle.dumps(a)), copy.copy(a), copy.deepcopy(a)):
        assert b == a and hash(b) == hash(a)
        assert b.single_assessment == D(2016, 9, 1)


def test_repr_round_trips() -> None:
    a = Policy(single_assessment=D(2016, 9, 1), name="Herefordshire")
    assert eval(repr(a), {"Policy": Policy, "datetime": dt}) == a


def test_unknown_switch_name() -> None:
    with pytest.raises(InvalidOptionError, match="unknown switch 'singel'; the switches are"):
        Policy().switch("singel")


def test_differences_name_what_changed() -> None:
    assert Policy().differences() == ()
    assert Policy(name="Shropshire").differences() == ()
    coventry = Policy(initial_assessment_10_day=D(2011, 1, 4))
    assert coventry.differences() == ("Initial assessment 7 -> 10 working days: 2011-01-04",)


# --- the constructor refuses ----------------------------------------------------------------


def test_unknown_keyword_lists_the_valid_settings() -> None:
    with pytest.raises(PolicyError) as info:
        Policy(singel_assessment=D(2016, 9, 1))
    message = str(info.value)
    assert "unknown policy setting 'singel_assessment'" in message
    assert message.endswith("the settings are " + ", ".join(SETTINGS))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1 Sep 2016", "single_assessment: not an ISO date (YYYY-MM-DD): '1 Sep 2016'"),
        ("20160901", "single_assessment: not an ISO date"),  # basic ISO form: refused
        ("2016-02-30", "single_assessment: not an ISO date"),
        (3, "single_assessment: expected a date (YYYY-MM-DD), got 3"),
        (None, "single_assessment: expected a date"),
    ],
)
def test_bad_dates_name_the_key(value: object, message: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)):
        Policy(single_assessment=value)


def test_dates_out_of_order() -> None:
    with pytest.raises(
        PolicyError,
        match=re.escape(
            "initial_assessment_10_day (2014-01-01) must not be after single_assessment "
            "(2013-04-15)"
        ),
    ):
        Policy(initial_assessment_10_day=D(2014, 1, 1))
    # Both moved, in order: fine.  The same day: fine.
    Policy(initial_assessment_10_day=D(2014, 1, 1), single_assessment=D(2014, 6, 1))
    Policy(initial_assessment_10_day=D(2014, 1, 1), single_assessment=D(2014, 1, 1))


def test_name_must_be_text() -> None:
    with pytest.raises(PolicyError, match="name: expected text, got 3"):
        Policy(name=3)  # type: ignore[arg-type]


# --- from_mapping -------------------------------------------------------------------------


def test_from_mapping_takes_dates_or_iso_text() -> None:
    expected = Policy(single_assessment=D(2016, 9, 1), name="Herefordshire")
    for value in (D(2016, 9, 1), "2016-09-01"):
        got = Policy.from_mapping({"single_assessment": value, "name": "Herefordshire"})
        assert got == expected
    assert Policy.from_mapping({}) == Policy()


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"singel_assessment": "2016-09-01"}, "unknown policy setting 'singel_assessment'"),
        ({"rapid_review_clock": "became_aware"}, "unknown policy setting 'rapid_review_clock'"),
        ({"single_assessment": "1 Sep 2016"}, "single_assessment: not an ISO date"),
        ({"single_assessment": 20160901}, "single_assessment: expected a date (YYYY-MM-DD)"),
        (
            {"single_assessment": dt.datetime(2016, 9, 1, 10, 0)},
            "single_assessment: expected a date (YYYY-MM-DD)",
        ),
        ({"name": 3}, "name: expected text, got 3"),
        (
            {"safeguarding_partners": "2018-06-28"},
            "safeguarding_partners: 2018-06-28 is before 2018-06-29, the earliest date",
        ),
        (
            {"initial_assessment_10_day": "2014-01-01"},
            "initial_assessment_10_day (2014-01-01) must not be after single_assessment",
        ),
    ],
)
def test_from_mapping_errors_name_the_source_and_the_key(
    mapping: dict[str, object], message: str
) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping(mapping, source="council.toml")
    assert str(info.value).startswith("council.toml: ")
    assert message in str(info.value)
    if "unknown" in message:
        assert str(info.value).endswith("the settings are " + ", ".join(SETTINGS))


def test_from_mapping_without_a_source_has_no_prefix() -> None:
    with pytest.raises(PolicyError, match=r"^unknown policy setting 'x'"):
        Policy.from_mapping({"x": 1})
    with pytest.raises(PolicyError, match="expected a table of policy settings, got list"):
        Policy.from_mapping([("name", "x")])  # type: ignore[arg-type]


# --- load -----------------------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


HEREFORDSHIRE = Policy(single_assessment=D(2016, 9, 1), name="Herefordshire")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("p.toml", 'name = "Herefordshire"\nsingle_assessment = 2016-09-01\n'),
        ("p.toml", 'name = "Herefordshire"\nsingle_assessment = "2016-09-01"\n'),
        ("p.toml", '[policy]\nname = "Herefordshire"\nsingle_assessment = 2016-09-01\n'),
        ("p.json", '{"name": "Herefordshire", "single_assessment": "2016-09-01"}'),
        ("p.JSON", '{"policy": {"name": "Herefordshire", "single_assessment": "2016-09-01"}}'),
        ("p.json", '\ufeff{"name": "Herefordshire", "single_assessment": "2016-09-01"}'),
    ],
)
def test_load_toml_and_json(tmp_path: Path, name: str, text: str) -> None:
    path = _write(tmp_path / name, text)
    assert Policy.load(path) == HEREFORDSHIRE
    assert Policy.load(str(path)) == HEREFORDSHIRE


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("p.toml", "single_assessment = [\n", "not a valid TOML policy file"),
        ("p.json", "{", "not a valid JSON policy file"),
        ("p.json", '{"single_assessment": 2016-09-01}', "not a valid JSON policy file"),
        ("p.json", "[1]", "expected a table of policy settings"),
        ("p.json", '{"policy": 3}', "put every setting in the [policy] table or none of them"),
        (
            "p.toml",
            'name = "Hfds"\n[policy]\nsingle_assessment = 2016-09-01\n',
            "put every setting in the [policy] table or none of them (outside it: name)",
        ),
        ("p.toml", "singel_assessment = 2016-09-01\n", "unknown policy setting"),
        ("p.toml", "single_assessment = 2016-09-01T09:00:00\n", "expected a date (YYYY-MM-DD)"),
        ("p.toml", "[policy]\nsingle_assessment = 1\n", "single_assessment: expected a date"),
        (
            "p.json",
            '{"safeguarding_partners": "2018-01-01"}',
            "safeguarding_partners: 2018-01-01 is before 2018-06-29, the earliest date",
        ),
        (
            "p.toml",
            "initial_assessment_10_day = 2014-01-01\n",
            "initial_assessment_10_day (2014-01-01) must not be after single_assessment",
        ),
    ],
)
def test_load_refuses_bad_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = _write(tmp_path / name, text)
    with pytest.raises(PolicyError) as info:
        Policy.load(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_load_refuses_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        Policy.load(tmp_path / "missing.toml")
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        Policy.load(tmp_path)  # a directory
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(PolicyError, match="not a valid TOML policy file"):
        Policy.load(latin)


def test_scan_load_policy_turns_policy_errors_into_scan_errors(tmp_path: Path) -> None:
    from safeguard_time.io.scan import ScanError, load_policy  # noqa: PLC0415

    good = _write(tmp_path / "p.json", json.dumps({"single_assessment": "2016-09-01"}))
    assert load_policy(str(good)) == Policy(single_assessment=D(2016, 9, 1))
    bad = _write(tmp_path / "bad.toml", "singel_assessment = 2016-09-01\n")
    with pytest.raises(PolicyError) as expected:
        Policy.load(bad)
    with pytest.raises(ScanError) as got:
        load_policy(str(bad))
    assert str(got.value) == str(expected.value)


# --- the bundled template -------------------------------------------------------------------


def test_the_template_is_every_switch_at_its_default() -> None:
    assert Policy.load(policy_template()) == Policy()
    text = policy_template().read_text("utf-8")
    for name, switch in rulebook().switches.items():
        assert f"\n{name} = {switch.default.isoformat()}\n" in text, name
    assert '\nname = "statutory defaults"\n' in text


def test_a_policy_file_changes_results(tmp_path: Path) -> None:
    herefordshire = Policy.from_mapping({"single_assessment": "2016-09-01"})
    assert rule_for("initial_assessment", D(2015, 6, 1), policy=herefordshire).amount == 10
    late = Policy.load(
        _write(tmp_path / "late.toml", "[policy]\nsafeguarding_partners = 2019-09-29\n")
    )
    assert rule_for("scr_completion", D(2019, 1, 7), policy=late).id == "scr_completion.wt2015"
    assert rule_for("cspr_publication", D(2019, 9, 29), policy=late).id == (
        "cspr_publication.wt2018"
    )


def test_bulk_follows_the_third_switch_per_row() -> None:
    import numpy as np  # noqa: PLC0415

    from safeguard_time import bulk, deadline  # noqa: PLC0415

    late = Policy(safeguarding_partners=D(2019, 9, 29))
    days = [D(2018, 6, 28), D(2018, 6, 29), D(2019, 9, 28), D(2019, 9, 29)]
    starts = np.array(days, dtype="datetime64[D]")
    for policy, scr_rules in (
        (None, ["scr_completion.wt2015", None, None, None]),
        (late, ["scr_completion.wt2015"] * 3 + [None]),
    ):
        got = bulk.deadlines("scr_completion", starts, policy=policy)
        assert got.rule_names().tolist() == scr_rules
        cspr = bulk.deadlines("cspr_publication", starts, policy=policy)
        assert cspr.rule_names().tolist() == [
            None if name else "cspr_publication.wt2018" for name in scr_rules
        ]
        for i, day in enumerate(days):
            ts = "scr_completion" if scr_rules[i] else "cspr_publication"
            row = got if scr_rules[i] else cspr
            assert row.due.astype(object)[i] == deadline(ts, day, policy=policy).due


def test_the_policy_docstring_names_every_switch() -> None:
    for name in SWITCHES:
        assert f"``{name}``" in (Policy.__doc__ or ""), name


# --- caveats: what a result rests on that is unconfirmed -------------------------------------


def test_caveats_for_a_2011_initial_assessment() -> None:
    rule = rule_for("initial_assessment", D(2011, 6, 1))
    assert rule.id == "initial_assessment.wt2010" and rule.status == "secondary"
    wt2010, switch = rule.caveats
    assert wt2010.startswith(
        "Working Together to Safeguard Children (2010) is taken to be in force from "
        "2010-03-17, which is UNCONFIRMED: 17 March 2010 is its publication date"
    )
    assert switch.startswith("the initial_assessment_10_day switch is at its default, 2010-03-17")
    assert rule.caveats_under(Policy()) == rule.caveats
    # A council with its own 10-day date no longer rests on the default; the edition's start
    # stays unconfirmed.
    coventry = Policy(initial_assessment_10_day=D(2011, 1, 4))
    assert rule.caveats_under(coventry) == (wt2010,)
    # Its date happening to be the default is the default: the caveat stays.
    same = Policy(initial_assessment_10_day=D(2010, 3, 17), name="Same")
    assert rule.caveats_under(same) == rule.caveats


def test_caveats_for_a_2004_initial_assessment() -> None:
    rule = rule_for("initial_assessment", D(2004, 6, 1))
    assert rule.id == "initial_assessment.fw2000"
    fw2000, switch = rule.caveats
    assert fw2000.startswith(
        "Framework for the Assessment of Children in Need and their Families (2000) is taken to "
        "be in force from 2000-04-01, which is UNCONFIRMED"
    )
    assert "1 April 2000 is a placeholder" in fw2000
    # The 7-day rule ends at the 10-day switch, whose default is unconfirmed.
    assert "initial_assessment_10_day" in switch


def test_caveats_for_a_2006_private_fostering_first_visit() -> None:
    rule = rule_for("private_fostering_first_visit", D(2006, 3, 1))
    assert rule.status == "confirmed"  # the rule is confirmed; its start day is not
    (pf2005,) = rule.caveats
    assert pf2005.startswith(
        "Children (Private Arrangements for Fostering) Regulations 2005 (SI 2005/1533) is taken "
        "to be in force from 2005-07-01, which is UNCONFIRMED: 1 July 2005 is the usual reading"
    )


def test_no_caveats_for_a_2024_assessment() -> None:
    rule = rule_for("assessment", D(2024, 3, 8))
    assert rule.caveats == ()
    assert rule.caveats_under(Policy(single_assessment=D(2016, 9, 1))) == ()


def test_caveats_for_an_unconfirmed_rule() -> None:
    (own,) = rule_for("transfer_in_conference", D(2024, 3, 9)).caveats
    assert own == (
        "the rule transfer_in_conference.wt2023 is UNCONFIRMED: neither the 15 working days "
        "nor the start event has been attested by a source."
    )
    first_1991 = rule_for("first_lac_review", D(2005, 6, 1))
    assert first_1991.caveats[0].startswith("the rule first_lac_review.rccr1991 is UNCONFIRMED")


def test_confirmed_and_secondary_switches_add_no_caveat() -> None:
    # single_assessment's default is confirmed, safeguarding_partners' secondary.
    assert rule_for("assessment", D(2013, 4, 15)).caveats == ()
    assert rule_for("cspr_publication", D(2018, 6, 29)).caveats == ()
    assert rule_for("scr_completion", D(2018, 6, 28)).caveats == ()
    # A 2012 serious case review rests on Working Together 2010's unconfirmed start.
    (wt2010,) = rule_for("scr_completion", D(2012, 8, 31)).caveats
    assert "2010-03-17, which is UNCONFIRMED" in wt2010


def test_every_unconfirmed_start_and_default_is_explained_in_the_data() -> None:
    book = rulebook()
    unconfirmed = {e.id for e in book.editions.values() if e.start_status == "unconfirmed"}
    assert unconfirmed == {"wt2010", "fw2000", "pfr2005"}
    for edition in book.editions.values():
        assert (edition.start_caveat is None) == (edition.start_status != "unconfirmed")
    assert {s.name for s in book.switches.values() if s.status == "unconfirmed"} == {
        "initial_assessment_10_day"
    }
    partners = book.switches["safeguarding_partners"]
    assert (partners.default, partners.earliest, partners.status) == (
        D(2018, 6, 29),
        D(2018, 6, 29),
        "secondary",
    )


def test_the_policy_page_table_matches_the_data() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "policy.md").read_text("utf-8")
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", page, re.MULTILINE)
    table = {name: default.strip() for name, default in rows}
    expected = {name: sw.default.isoformat() for name, sw in rulebook().switches.items()}
    expected["name"] = '`"statutory defaults"`'
    assert table == expected
