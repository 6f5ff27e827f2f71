"""The statutory timescales as data: editions, rules, citations, and a council's policy.

The rules live in TOML files inside the package (``_data/rules/``, one per edition or
statutory instrument); this module reads them once, validates them, and answers "which rule
was in force for this timescale on this date, under this council's policy?".  No timescale
number is written in code.

>>> import datetime as dt
>>> rule = rule_for("initial_assessment", dt.date(2011, 6, 1))
>>> rule.amount, rule.unit, rule.edition.title
(10, 'working_days', 'Working Together to Safeguard Children (2010)')
"""

from __future__ import annotations

import datetime as _dt
import functools
import itertools
import json
import os
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import attrs

from safeguard_time._dates import london_date
from safeguard_time._holiday_data import DATA_DIR
from safeguard_time.errors import (
    InvalidOptionError,
    NoRuleInForceError,
    PolicyError,
    RuleDataError,
    UnknownTimescaleError,
    did_you_mean,
)

__all__ = [
    "Citation",
    "Edition",
    "Extension",
    "Plan",
    "Policy",
    "ResolvedRule",
    "Rule",
    "Switch",
    "Timescale",
    "length_words",
    "resolved_rules",
    "rule_bounds",
    "rule_for",
    "rulebook",
    "timescales",
]

Unit = Literal["working_days", "calendar_days", "weeks", "months", "weeks_beginning_with"]
SourceStatus = Literal["confirmed", "secondary", "unconfirmed"]

UNITS: tuple[str, ...] = (
    "working_days",
    "calendar_days",
    "weeks",
    "months",
    "weeks_beginning_with",
)
STATUSES: tuple[str, ...] = ("confirmed", "secondary", "unconfirmed")
#: The conditions a phased rule may state (see ``when`` in docs/rules-data.md).
CONDITIONS: tuple[str, ...] = ("within_first_year", "intended_until_18")

Bound = _dt.date | str  # a date, or "switch:NAME"


@attrs.frozen
class Citation:
    """Where a rule comes from.

    Attributes:
        document: the document (``Working Together to Safeguard Children (2023)``).
        location: the place in it (``chapter 3``), with a note when the paragraph was not read.
        url: where it can be read, or ``None``.
        quote: the words of the source, where they were read.

    >>> rule_for("assessment", "2024-03-08").citation.document
    'Working Together to Safeguard Children (2023)'
    """

    document: str
    location: str
    url: str | None = None
    quote: str | None = None

    def __str__(self) -> str:
        return f"{self.document}, {self.location}"


@attrs.frozen(repr=False)
class Edition:
    """An edition of guidance or a statutory instrument.

    ``start_status`` is the source status of ``in_force_from``; ``start_note`` says what is
    unconfirmed about it (required when it is unconfirmed).

    >>> wt2013 = rulebook().editions["wt2013"]
    >>> wt2013.in_force_from, wt2013.start_status
    (datetime.date(2013, 4, 15), 'confirmed')

    Attributes:
        id: the edition's id (``wt2013``), the second part of its rules' ids.
        title: its title (``Working Together to Safeguard Children (2013)``).
        in_force_from: the day it came into force.
        start_status: the source status of that day.
        published: the day it was published, if known.
        url: where it can be read, if known.
        note: a remark of the rule data, or ``None``.
        start_note: what is unconfirmed about ``in_force_from``.
        file: the rule data file it was read from.
    """

    id: str
    title: str
    in_force_from: _dt.date
    start_status: SourceStatus
    published: _dt.date | None = None
    url: str | None = None
    note: str | None = None
    start_note: str | None = None
    file: str = ""

    @property
    def start_caveat(self) -> str | None:
        """The caveat a result resting on this edition carries, if its start is unconfirmed.

        >>> print(rulebook().editions["wt2010"].start_caveat)
        Working Together to Safeguard Children (2010) is taken to be in force from 2010-03-17, which is UNCONFIRMED: 17 March 2010 is its publication date (confirmed: ...); the day it came into force was not found, so the publication date is used
        >>> rulebook().editions["wt2023"].start_caveat is None
        True
        """
        if self.start_status != "unconfirmed":
            return None
        return (
            f"{self.title} is taken to be in force from {self.in_force_from.isoformat()}, "
            f"which is UNCONFIRMED: {self.start_note}"
        )

    def __repr__(self) -> str:
        return f"Edition({self.id}, {self.title!r}, from {self.in_force_from.isoformat()})"


@attrs.frozen
class Extension:
    """How far a timescale may be extended: ``amount`` more, at most ``max_times`` times.

    Attributes:
        amount: the length of one extension, in ``unit``.
        unit: as :attr:`Rule.unit <safeguard_time.Rule.unit>`.
        max_times: how many extensions are allowed (``None``: no limit).
    """

    amount: int
    unit: Unit
    max_times: int | None = None


@attrs.frozen(repr=False)
class Rule:
    """One timescale as one edition set it, with its citation and source status.

    Attributes:
        id: the rule's id, ``TIMESCALE.EDITION`` (``assessment.wt2023``).
        timescale: the id of its timescale.
        edition: the edition of guidance or regulations that set it.
        valid_from: the first day it applies: a date or ``"switch:NAME"`` (a council's
            switch date, see :class:`~safeguard_time.Policy`).
        valid_until: the day it stops applying, exclusive, in the same form; ``None``: in force.
        amount: the length, in ``unit``.
        unit: ``working_days``, ``calendar_days``, ``weeks``, ``months`` or
            ``weeks_beginning_with``.
        status: the source status of the figure: ``confirmed``, ``secondary`` or
            ``unconfirmed``.
        citation: the document and place it comes from.
        start_event: the event that is day 0.
        end_event: the event that meets it.
        phase: the phase it applies to (``first_year`` of a ``lac_visit``), or ``None``.
        when: the conditions of a phased rule, as ``(condition, value)`` pairs.
        extension: how far it may be extended, or ``None``.
        note: a remark of the rule data, or ``None``.
        file: the rule data file it was read from.
    """

    id: str
    timescale: str
    edition: Edition
    valid_from: Bound
    valid_until: Bound | None
    amount: int
    unit: Unit
    status: SourceStatus
    citation: Citation
    start_event: str
    end_event: str
    phase: str | None = None
    when: tuple[tuple[str, bool], ...] = ()
    extension: Extension | None = None
    note: str | None = None
    file: str = ""

    @property
    def is_working_days(self) -> bool:
        """Whether the rule counts working days (else calendar days, weeks or months).

        >>> rule_for("cp_review", _dt.date(2024, 1, 8)).is_working_days
        False
        """
        return self.unit == "working_days"

    def describe_length(self, extensions: int = 0) -> str:
        """The rule's length in words, e.g. ``'45 working days'``.

        >>> rule_for("care_proceedings", _dt.date(2015, 1, 5)).describe_length()
        '26 weeks beginning with the day'
        """
        return length_words(self._amount(extensions), self.unit)

    def describe_period(self, extensions: int = 0) -> str:
        """The rule's length and start event in words, counted as the source counts them.

        A ``weeks_beginning_with`` rule counts the start day itself as day 1, so its period
        begins *with* that day; every other rule counts from the day of the event as day 0,
        so its period runs *after* it.  Use this, not :meth:`describe_length` followed by
        "after the ...", to say what a due date is counted from.

        >>> import datetime as dt
        >>> rule_for("care_proceedings", dt.date(2015, 1, 5)).describe_period()
        '26 weeks beginning with the day on which the application was issued'
        >>> rule_for("care_proceedings", dt.date(2015, 1, 5)).describe_period(extensions=1)
        '34 weeks beginning with the day on which the application was issued'
        >>> rule_for("assessment", dt.date(2024, 1, 8)).describe_period()
        '45 working days after the point of referral'
        """
        amount = self._amount(extensions)
        if self.unit == "weeks_beginning_with":
            return f"{length_words(amount, 'weeks')} beginning with the {self.start_event}"
        return f"{length_words(amount, self.unit)} after the {self.start_event}"

    def _amount(self, extensions: int) -> int:
        return self.amount + (self.extension.amount * extensions if self.extension else 0)

    def in_force(self, policy: Policy | None = None) -> tuple[_dt.date, _dt.date | None] | None:
        """The half-open range the rule is in force for under ``policy`` (None if empty).

        >>> rule = rule_for("initial_assessment", _dt.date(2011, 1, 4))
        >>> rule.in_force()
        (datetime.date(2010, 3, 17), datetime.date(2013, 4, 15))
        >>> rule.in_force(Policy(single_assessment=_dt.date(2016, 9, 1)))
        (datetime.date(2010, 3, 17), datetime.date(2016, 9, 1))
        """
        for resolved in resolved_rules(self.timescale, policy):
            if resolved.rule.id == self.id:
                return resolved.start, resolved.end
        return None

    @property
    def caveats(self) -> tuple[str, ...]:
        """What is unconfirmed in a result resting on this rule, under the statutory defaults.

        The same as :meth:`caveats_under` with no policy.

        >>> rule_for("assessment", _dt.date(2024, 1, 8)).caveats
        ()
        >>> [c[:40] for c in rule_for("initial_assessment", _dt.date(2011, 6, 1)).caveats]
        ['Working Together to Safeguard Children (', 'the initial_assessment_10_day switch is ']
        """
        return self.caveats_under(None)

    def caveats_under(self, policy: Policy | None = None) -> tuple[str, ...]:
        """What is unconfirmed in a result resting on this rule under ``policy``, in words.

        In this order: the rule's own source, if it is unconfirmed (from its ``note``); its
        edition's in-force date, if that is unconfirmed (:attr:`Edition.start_caveat`); and
        each switch whose date sets the start or end of the rule's range under ``policy``,
        when the policy leaves that switch at a default that is unconfirmed (a council that
        gives its own date has replaced the default, unless its date is the same day).
        Empty when nothing is unconfirmed.

        >>> import datetime as dt
        >>> rule = rule_for("initial_assessment", dt.date(2011, 6, 1))
        >>> len(rule.caveats_under()), len(rule.caveats_under(Policy(initial_assessment_10_day=dt.date(2011, 1, 4))))
        (2, 1)
        >>> print(rule_for("transfer_in_conference", dt.date(2024, 3, 9)).caveats_under()[0])
        the rule transfer_in_conference.wt2023 is UNCONFIRMED: neither the 15 working days nor the start event has been attested by a source.
        """
        book = rulebook()
        out: list[str] = []
        if self.status == "unconfirmed":
            detail = (self.note or "").removeprefix("UNCONFIRMED: ")
            out.append(f"the rule {self.id} is UNCONFIRMED: {detail}")
        if self.edition.start_caveat is not None:
            out.append(self.edition.start_caveat)
        policy = policy or _default_policy()
        for name in self._rests_on(policy):
            switch = book.switches[name]
            if switch.default_caveat is not None and policy.switch(name) == switch.default:
                out.append(switch.default_caveat)
        return tuple(out)

    def _rests_on(self, policy: Policy) -> tuple[str, ...]:
        for resolved in resolved_rules(self.timescale, policy):
            if resolved.rule.id == self.id:
                return resolved.rests_on
        # Not in force at all under this policy: every switch its bounds could use.
        ts = rulebook().timescales[self.timescale]
        bounds = (self.valid_from, self.valid_until, ts.available_from, ts.available_until)
        return tuple(dict.fromkeys(b[len("switch:") :] for b in bounds if isinstance(b, str)))

    def __repr__(self) -> str:
        """Short: the id, the length and the source status (the edition and notes are long).

        >>> rule_for("assessment", _dt.date(2024, 1, 8))
        Rule(assessment.wt2023: 45 working days, secondary)
        """
        phase = f" [{self.phase}]" if self.phase else ""
        return f"Rule({self.id}{phase}: {self.describe_length()}, {self.status})"


@attrs.frozen
class Switch:
    """A date on which councils moved from one rule to another on their own timetable.

    Declared in ``timescales.toml`` (``[switches.NAME]``); each is a keyword of
    :class:`Policy`.  ``status`` is the source status of ``default``; ``earliest`` is the
    first date a council may give; ``not_after`` names a switch whose date this one's must not
    follow.

    >>> sw = rulebook().switches["single_assessment"]
    >>> sw.default, sw.status, sw.earliest
    (datetime.date(2013, 4, 15), 'confirmed', None)
    """

    name: str
    default: _dt.date
    title: str
    description: str
    status: SourceStatus
    status_note: str | None = None
    earliest: _dt.date | None = None
    not_after: str | None = None

    @property
    def default_caveat(self) -> str | None:
        """The caveat a result resting on this switch's default carries, if it is unconfirmed.

        >>> print(rulebook().switches["initial_assessment_10_day"].default_caveat)
        the initial_assessment_10_day switch is at its default, 2010-03-17, which is UNCONFIRMED: 17 March 2010 is ...; a council that moved on its own date sets it in its policy
        >>> rulebook().switches["single_assessment"].default_caveat is None
        True
        """
        if self.status != "unconfirmed":
            return None
        return (
            f"the {self.name} switch is at its default, {self.default.isoformat()}, which is "
            f"UNCONFIRMED: {self.status_note}; a council that moved on its own date sets it in "
            "its policy"
        )


@attrs.frozen(repr=False)
class Timescale:
    """A public timescale id, its events, and its rules over time.

    Attributes:
        id: the timescale's id, as the API and the command line take it (``assessment``).
        title: its name in words.
        start_event: the event that is day 0 (``referral received``).
        end_event: the event that meets it.
        rules: its rules, one per edition (and phase), in the rule data's order.
        available_from: the first day it applies: a date or ``"switch:NAME"`` (``None``:
            from its first rule).
        available_until: the day it stops applying, exclusive, in the same form (``None``:
            still in force).
        replaced_by: the timescales that took its place when it stopped.
        note: a remark of the rule data, or ``None``.
    """

    id: str
    title: str
    start_event: str
    end_event: str
    rules: tuple[Rule, ...]
    available_from: Bound | None = None
    available_until: Bound | None = None
    replaced_by: tuple[str, ...] = ()
    note: str | None = None

    @property
    def phases(self) -> tuple[str, ...]:
        """The phases of a repeating timescale whose interval depends on context.

        >>> rulebook().timescales["lac_visit"].phases
        ('first_year', 'until_18', 'other')
        """
        seen: dict[str, None] = {}
        for rule in self.rules:
            if rule.phase is not None:
                seen.setdefault(rule.phase)
        return tuple(seen)

    def __repr__(self) -> str:
        """Short: the id, the title and the rule ids.

        >>> timescales()[0]
        Timescale(referral_decision, 'Decision on a referral', rules: referral_decision.fw2000, ...)
        """
        ids = ", ".join(r.id for r in self.rules[:1])
        more = ", ..." if len(self.rules) > 1 else ""
        return f"Timescale({self.id}, {self.title!r}, rules: {ids}{more})"


@attrs.frozen
class Plan:
    """A repeating schedule: one-off steps after an anchor event, then a repeating step.

    Attributes:
        id: the plan's id, as :func:`~safeguard_time.schedule` takes it (``cp_reviews``).
        title: its name in words.
        anchor_event: the event the schedule counts from.
        steps: the timescales of the one-off steps, in order.
        repeat: the timescale that repeats after them.
    """

    id: str
    title: str
    anchor_event: str
    steps: tuple[str, ...]
    repeat: str


@attrs.frozen
class ResolvedRule:
    """A rule with its in-force range worked out for one policy (``end`` exclusive).

    ``rests_on`` names the switches whose dates set ``start`` or ``end`` under that policy.

    >>> [r.rests_on for r in resolved_rules("initial_assessment")]
    [('initial_assessment_10_day',), ('initial_assessment_10_day', 'single_assessment')]

    Attributes:
        start: the first day the rule applies under the policy.
        end: the day it stops applying, exclusive (``None``: in force).
        rule: the rule.
        rests_on: the switches whose dates set ``start`` or ``end``.
    """

    start: _dt.date
    end: _dt.date | None
    rule: Rule
    rests_on: tuple[str, ...] = ()

    @property
    def last_day(self) -> _dt.date | None:
        """The inclusive last day the rule is in force, the day before ``end`` (None if open).

        >>> fw2000, wt2010 = resolved_rules("initial_assessment")
        >>> fw2000.start, fw2000.end, fw2000.last_day
        (datetime.date(2000, 4, 1), datetime.date(2010, 3, 17), datetime.date(2010, 3, 16))
        >>> resolved_rules("assessment")[-1].last_day is None
        True
        """
        return None if self.end is None else self.end - _dt.timedelta(days=1)


@attrs.frozen
class RuleBook:
    """Everything in the rule data, validated; every mapping is read-only.

    >>> rulebook().timescales["assessment"] = None
    Traceback (most recent call last):
    ...
    TypeError: 'mappingproxy' object does not support item assignment
    """

    switches: Mapping[str, Switch]
    timescales: Mapping[str, Timescale]
    editions: Mapping[str, Edition]
    plans: Mapping[str, Plan]


# --- loading and validation ---------------------------------------------------------------

_TIMESCALE_KEYS = {
    "title", "start_event", "end_event", "available_from", "available_until",
    "replaced_by", "note",
}  # fmt: skip
_RULE_KEYS = {
    "id", "timescale", "from", "until", "amount", "unit", "status", "citation",
    "start_event", "end_event", "phase", "when", "extension", "note",
}  # fmt: skip
_EDITION_KEYS = {
    "id", "title", "published", "in_force_from", "start_status", "start_note", "url", "note",
}  # fmt: skip
_CITATION_KEYS = {"document", "location", "url", "quote"}
_SWITCH_KEYS = {
    "default", "title", "description", "status", "status_note", "earliest", "not_after",
}  # fmt: skip
_PLAN_KEYS = {"title", "anchor_event", "steps", "repeat"}


def _fail(where: str, msg: str) -> RuleDataError:
    return RuleDataError(f"{where}: {msg}")


def _check_keys(where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(unknown)}")


def _need(where: str, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in table:
        raise _fail(where, f"missing {key!r}")
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise _fail(where, f"{key!r} has the wrong type ({type(value).__name__})")
    return value


def _optional(where: str, table: Mapping[str, Any], key: str, kind: type) -> Any:
    return _need(where, table, key, kind) if key in table else None


def _bound(where: str, value: Any, switches: Mapping[str, Any]) -> Bound:
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value
    if isinstance(value, str) and value.startswith("switch:"):
        if value[len("switch:") :] not in switches:
            raise _fail(where, f"unknown switch in {value!r}")
        return value
    raise _fail(where, f"{value!r} is neither a date nor 'switch:NAME'")


def _status(where: str, value: Any) -> SourceStatus:
    if value not in STATUSES:
        raise _fail(where, f"status {value!r} is not one of {', '.join(STATUSES)}")
    status: SourceStatus = value
    return status


def _unit(where: str, value: Any) -> Unit:
    if value not in UNITS:
        raise _fail(where, f"unknown unit {value!r}; units are {', '.join(UNITS)}")
    unit: Unit = value
    return unit


#: The rule data parsed ahead of time (``python -m safeguard_time.rules``), by file, with a
#: checksum of each TOML file it came from.  The TOML files stay the source: a file whose
#: checksum differs is parsed again, and a test fails until the parsed copy is remade.
PARSED_FILE = "rule_data_parsed.json"


@functools.cache
def _parsed() -> Mapping[str, tuple[int, Any]]:
    """The parsed copy of the rule data (empty when it is missing or unreadable)."""
    try:
        with open(os.path.join(DATA_DIR, PARSED_FILE), encoding="utf-8") as fh:
            stored = json.load(fh, object_hook=_thaw_date)
    except (OSError, ValueError):
        return {}
    return {name: (int(entry["crc32"]), entry["data"]) for name, entry in stored.items()}


def _thaw_date(obj: dict[str, Any]) -> Any:
    return _dt.date.fromisoformat(obj["$date"]) if len(obj) == 1 and "$date" in obj else obj


def _freeze_date(obj: object) -> object:
    if isinstance(obj, _dt.date) and not isinstance(obj, _dt.datetime):
        return {"$date": obj.isoformat()}
    raise TypeError(f"rule data holds a {type(obj).__name__}, which the parsed copy cannot keep")


def _read_toml(*parts: str) -> dict[str, Any]:
    """A rule data file, as TOML gives it: from the parsed copy when it is current.

    Parsing the TOML files takes longer than the rest of a first ``deadline()`` (tomllib is
    pure Python); their parsed copy reads in a millisecond.
    """
    import zlib  # noqa: PLC0415 - a C module, already loaded by most programs

    name = "/".join(parts)
    path = os.path.join(DATA_DIR, *parts)
    with open(path, "rb") as fh:
        raw = fh.read()
    stored = _parsed().get(name)
    if stored is not None and stored[0] == zlib.crc32(raw):
        return dict(stored[1])
    import tomllib  # noqa: PLC0415 - slow to import: only when the parsed copy is stale

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleDataError(f"{name}: not valid TOML: {exc}") from None


def _rule_data_files() -> list[str]:
    """Every TOML file of the rule data, as paths under ``_data``."""
    names = ["timescales.toml", "schedules.toml"]
    names += [f"rules/{f}" for f in sorted(os.listdir(os.path.join(DATA_DIR, "rules")))]
    return [n for n in names if n.endswith(".toml")]


def render_parsed() -> str:
    """The parsed copy of the rule data, as :data:`PARSED_FILE` holds it (JSON text).

    >>> import json
    >>> sorted(json.loads(render_parsed()))[:2]
    ['rules/care_planning_regulations_2010.toml', 'rules/children_act_1989_s32.toml']
    """
    import tomllib  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    out = {}
    for name in _rule_data_files():
        with open(os.path.join(DATA_DIR, *name.split("/")), "rb") as fh:
            raw = fh.read()
        out[name] = {"crc32": zlib.crc32(raw), "data": tomllib.loads(raw.decode("utf-8"))}
    # Not sort_keys: the order of the TOML tables is the data's order (timescales, switches).
    return json.dumps(out, default=_freeze_date, ensure_ascii=False, indent=0)


def _load_edition(fname: str, raw: Mapping[str, Any]) -> Edition:
    where = f"{fname} [edition]"
    _check_keys(where, raw, _EDITION_KEYS)
    edition = Edition(
        id=_need(where, raw, "id", str),
        title=_need(where, raw, "title", str),
        in_force_from=_need(where, raw, "in_force_from", _dt.date),
        start_status=_status(where, raw.get("start_status")),
        published=raw.get("published"),
        url=raw.get("url"),
        note=raw.get("note"),
        start_note=_optional(where, raw, "start_note", str),
        file=fname,
    )
    if edition.start_status == "unconfirmed" and not edition.start_note:
        raise _fail(
            where, "an unconfirmed in_force_from needs a start_note saying what is unconfirmed"
        )
    return edition


def _load_rule(
    fname: str,
    raw: Mapping[str, Any],
    edition: Edition,
    timescales: Mapping[str, Mapping[str, Any]],
    switches: Mapping[str, Any],
) -> Rule:
    rid = raw.get("id", "?")
    where = f"{fname}, rule {rid!r}"
    _check_keys(where, raw, _RULE_KEYS)
    _need(where, raw, "id", str)
    ts_id = _need(where, raw, "timescale", str)
    if ts_id not in timescales:
        raise _fail(where, f"timescale {ts_id!r} is not defined in timescales.toml")
    amount = _need(where, raw, "amount", int)
    if amount <= 0:
        raise _fail(where, f"amount must be a positive whole number, got {amount}")
    cit_raw = _need(where, raw, "citation", dict)
    _check_keys(where + " citation", cit_raw, _CITATION_KEYS)
    citation = Citation(
        document=_need(where + " citation", cit_raw, "document", str),
        location=_need(where + " citation", cit_raw, "location", str),
        url=cit_raw.get("url"),
        quote=cit_raw.get("quote"),
    )
    extension = None
    if "extension" in raw:
        ext = raw["extension"]
        _check_keys(where + " extension", ext, {"amount", "unit", "max_times"})
        extension = Extension(
            amount=_need(where + " extension", ext, "amount", int),
            unit=_unit(where + " extension", ext.get("unit")),
            max_times=ext.get("max_times"),
        )
        compatible = {
            raw.get("unit"),
            *(["weeks"] if raw.get("unit") == "weeks_beginning_with" else []),
        }
        if extension.unit not in compatible:
            raise _fail(where, "an extension must use the rule's own unit (or weeks)")
    when = raw.get("when", {})
    for key, value in when.items():
        if key not in CONDITIONS or not isinstance(value, bool):
            raise _fail(where, f"'when' takes {', '.join(CONDITIONS)} as true/false, got {key!r}")
    phase = raw.get("phase")
    if (phase is None) != (not when):
        raise _fail(where, "'phase' and 'when' go together")
    expected = f"{ts_id}.{edition.id}" + (f".{phase}" if phase else "")
    if rid != expected:
        raise _fail(where, f"rule id should be {expected!r} (<timescale>.<edition>[.<phase>])")
    if raw.get("status") == "unconfirmed" and not raw.get("note"):
        raise _fail(where, "an unconfirmed rule needs a note saying what is unconfirmed")
    ts = timescales[ts_id]
    start_event = raw.get("start_event", ts["start_event"])
    if raw.get("unit") == "weeks_beginning_with" and not start_event.startswith("day "):
        raise _fail(
            where,
            'a weeks_beginning_with rule\'s start_event must name the day ("day on which ..."): '
            'its period reads "N weeks beginning with the <start_event>"',
        )
    return Rule(
        id=rid,
        timescale=ts_id,
        edition=edition,
        valid_from=_bound(where, _need(where, raw, "from", (_dt.date, str)), switches),
        valid_until=(_bound(where, raw["until"], switches) if "until" in raw else None),
        amount=amount,
        unit=_unit(where, raw.get("unit")),
        status=_status(where, raw.get("status")),
        citation=citation,
        start_event=start_event,
        end_event=raw.get("end_event", ts["end_event"]),
        phase=phase,
        when=tuple(sorted(when.items())),
        extension=extension,
        note=raw.get("note"),
        file=fname,
    )


def _default_resolve(bound: Bound, switches: Mapping[str, Switch]) -> _dt.date:
    if isinstance(bound, str):
        return switches[bound[len("switch:") :]].default
    return bound


def _check_contiguous(ts: Timescale, switches: Mapping[str, Switch]) -> None:
    groups: dict[str | None, list[Rule]] = {}
    for rule in ts.rules:
        groups.setdefault(rule.phase, []).append(rule)
    if ts.phases and None in groups:
        raise _fail(groups[None][0].file, f"rule {groups[None][0].id!r} needs a phase")
    for rules in groups.values():
        rules.sort(key=lambda r: _default_resolve(r.valid_from, switches))
        for before, after in itertools.pairwise(rules):
            if before.valid_until is None:
                raise _fail(
                    before.file, f"rule {before.id!r} has no 'until' but {after.id!r} follows it"
                )
            if before.valid_until != after.valid_from:
                end = before.valid_until
                kind = (
                    "overlaps"
                    if _default_resolve(end, switches)
                    > _default_resolve(after.valid_from, switches)
                    else "leaves a gap before"
                )
                raise _fail(
                    after.file,
                    f"rule {before.id!r} (until {end}) {kind} rule {after.id!r} "
                    f"(from {after.valid_from})",
                )


def _load_switches(raw_switches: Mapping[str, Any]) -> dict[str, Switch]:
    reserved = {name for name in dir(Policy) if not name.startswith("__")}
    switches: dict[str, Switch] = {}
    for name, raw in raw_switches.items():
        where = f"timescales.toml, switch {name!r}"
        _check_keys(where, raw, _SWITCH_KEYS)
        if not name.isidentifier() or name.startswith("_") or name in reserved:
            raise _fail(
                where,
                "a switch name must be a Python identifier, not start with '_', and not be "
                f"one of Policy's own names ({', '.join(sorted(reserved))})",
            )
        status = _status(where, raw.get("status"))
        switch = Switch(
            name=name,
            default=_need(where, raw, "default", _dt.date),
            title=_need(where, raw, "title", str),
            description=_need(where, raw, "description", str),
            status=status,
            status_note=_optional(where, raw, "status_note", str),
            earliest=_optional(where, raw, "earliest", _dt.date),
            not_after=_optional(where, raw, "not_after", str),
        )
        if status == "unconfirmed" and not switch.status_note:
            raise _fail(
                where, "an unconfirmed default needs a status_note saying what is unconfirmed"
            )
        if switch.earliest is not None and switch.default < switch.earliest:
            raise _fail(where, f"default {switch.default} is before earliest {switch.earliest}")
        switches[name] = switch
    for switch in switches.values():
        if switch.not_after is None:
            continue
        where = f"timescales.toml, switch {switch.name!r}"
        other = switches.get(switch.not_after)
        if other is None or other is switch:
            raise _fail(where, f"not_after names no other switch: {switch.not_after!r}")
        if switch.default > other.default:
            raise _fail(where, f"default {switch.default} is after {other.name}'s {other.default}")
    return switches


@functools.cache
def rulebook() -> RuleBook:
    """Load and validate all rule data (once; cached).

    >>> book = rulebook()
    >>> len(book.timescales), sorted(book.plans)
    (24, ['cp_reviews', 'lac_reviews', 'lac_visits', 'private_fostering_visits'])
    """
    top = _read_toml("timescales.toml")
    _check_keys("timescales.toml", top, {"switches", "timescales"})
    switches = _load_switches(top.get("switches", {}))
    ts_raw: dict[str, dict[str, Any]] = top.get("timescales", {})
    for ts_id, raw in ts_raw.items():
        where = f"timescales.toml, timescale {ts_id!r}"
        _check_keys(where, raw, _TIMESCALE_KEYS)
        for key in ("title", "start_event", "end_event"):
            _need(where, raw, key, str)

    editions: dict[str, Edition] = {}
    rules: dict[str, list[Rule]] = {ts_id: [] for ts_id in ts_raw}
    seen_ids: dict[str, str] = {}
    rules_dir = os.path.join(DATA_DIR, "rules")
    for fname in sorted(os.listdir(rules_dir)):
        if not fname.endswith(".toml"):
            continue
        raw_file = _read_toml("rules", fname)
        _check_keys(fname, raw_file, {"edition", "rule"})
        edition = _load_edition(fname, _need(fname, raw_file, "edition", dict))
        if edition.id in editions:
            raise _fail(
                fname, f"edition id {edition.id!r} is also used in {editions[edition.id].file}"
            )
        editions[edition.id] = edition
        for raw_rule in raw_file.get("rule", []):
            rule = _load_rule(fname, raw_rule, edition, ts_raw, switches)
            if rule.id in seen_ids:
                raise _fail(fname, f"rule id {rule.id!r} is also used in {seen_ids[rule.id]}")
            seen_ids[rule.id] = fname
            rules[rule.timescale].append(rule)

    timescales: dict[str, Timescale] = {}
    for ts_id, raw in ts_raw.items():
        where = f"timescales.toml, timescale {ts_id!r}"
        if not rules[ts_id]:
            raise _fail(where, "no rule in any rules file")
        for other in raw.get("replaced_by", []):
            if other not in ts_raw:
                raise _fail(where, f"replaced_by names unknown timescale {other!r}")
        ts = Timescale(
            id=ts_id,
            title=raw["title"],
            start_event=raw["start_event"],
            end_event=raw["end_event"],
            rules=tuple(rules[ts_id]),
            available_from=(
                _bound(where, raw["available_from"], switches) if "available_from" in raw else None
            ),
            available_until=(
                _bound(where, raw["available_until"], switches)
                if "available_until" in raw
                else None
            ),
            replaced_by=tuple(raw.get("replaced_by", ())),
            note=raw.get("note"),
        )
        _check_contiguous(ts, switches)
        timescales[ts_id] = ts

    used = {
        bound[len("switch:") :]
        for ts in timescales.values()
        for bound in (
            ts.available_from,
            ts.available_until,
            *(b for rule in ts.rules for b in (rule.valid_from, rule.valid_until)),
        )
        if isinstance(bound, str)
    }
    for name in switches:
        if name not in used:
            raise _fail(
                f"timescales.toml, switch {name!r}",
                "no rule or timescale uses it: a policy setting must be able to change a result",
            )

    plans: dict[str, Plan] = {}
    plans_raw = _read_toml("schedules.toml")
    _check_keys("schedules.toml", plans_raw, {"plans"})
    for plan_id, raw in plans_raw.get("plans", {}).items():
        where = f"schedules.toml, plan {plan_id!r}"
        _check_keys(where, raw, _PLAN_KEYS)
        steps = tuple(_need(where, raw, "steps", list))
        repeat = _need(where, raw, "repeat", str)
        for ts_id in (*steps, repeat):
            if ts_id not in timescales:
                raise _fail(where, f"unknown timescale {ts_id!r}")
        plans[plan_id] = Plan(
            id=plan_id,
            title=_need(where, raw, "title", str),
            anchor_event=_need(where, raw, "anchor_event", str),
            steps=steps,
            repeat=repeat,
        )
    return RuleBook(
        switches=MappingProxyType(switches),
        timescales=MappingProxyType(timescales),
        editions=MappingProxyType(editions),
        plans=MappingProxyType(plans),
    )


# --- policy ---------------------------------------------------------------------------------

#: The name of a policy that sets no name.
DEFAULT_POLICY_NAME = "statutory defaults"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _prefix(source: str) -> str:
    return f"{source}: " if source else ""


def _settings(book: RuleBook) -> tuple[str, ...]:
    return (*book.switches, "name")


def _unknown_setting(key: object, book: RuleBook, source: str = "") -> PolicyError:
    return PolicyError(
        f"{_prefix(source)}unknown policy setting {key!r}; the settings are "
        + ", ".join(_settings(book)),
        value=key,
    )


def _iso_date(key: str, value: str, source: str = "") -> _dt.date:
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError("not in the form YYYY-MM-DD")
        return _dt.date.fromisoformat(value)
    except ValueError as exc:
        raise PolicyError(
            f"{_prefix(source)}{key}: not an ISO date (YYYY-MM-DD): {value!r} ({exc})", value=value
        ) from None


def _policy_date(key: str, value: Any) -> _dt.date:
    if isinstance(value, str):
        return _iso_date(key, value)
    try:
        return london_date(value)
    except (TypeError, ValueError):
        raise PolicyError(
            f"{key}: expected a date (YYYY-MM-DD), got {value!r}", value=value
        ) from None


def _rebuild_policy(name: str, dates: tuple[tuple[str, _dt.date], ...]) -> Policy:
    return Policy(name=name, **dict(dates))


class Policy:
    """A council's own choices where the guidance let councils differ: its switch dates.

    The switches are declared in the rule data (``[switches.NAME]`` in ``timescales.toml``),
    not here: each is a keyword argument and a read-only attribute, and one left out keeps its
    statutory default.  Dates may be ``datetime.date`` values (or datetimes, taken as London
    dates) or ISO text (``"2016-09-01"``).  A policy is a frozen, hashable value, equal to
    another with the same dates and name: build it once and pass it to
    :func:`~safeguard_time.deadline` and the bulk functions.

    Switches (see the rules reference for their defaults and sources):

    - ``initial_assessment_10_day``: the day initial assessments moved from 7 to 10 working
      days;
    - ``single_assessment``: the day initial + core assessments gave way to the single
      assessment;
    - ``safeguarding_partners``: the day the area's safeguarding partner arrangements began,
      so serious case reviews (``scr_completion``) gave way to local child safeguarding
      practice reviews (``cspr_publication``); not before 29 June 2018;
    - ``name``: a label for explanations (e.g. the council's name), not a switch.

    Raises :class:`~safeguard_time.errors.PolicyError` for an unknown setting (listing the
    valid ones), a value that is not a date, a date before a switch's earliest, or dates out
    of order.  ``Policy.from_mapping`` and ``Policy.load`` build one from a table or a file.

    >>> import datetime as dt
    >>> herefordshire = Policy(single_assessment=dt.date(2016, 9, 1), name="Herefordshire")
    >>> rule_for("initial_assessment", dt.date(2015, 6, 1), policy=herefordshire).amount
    10
    >>> Policy().single_assessment
    datetime.date(2013, 4, 15)
    >>> herefordshire == Policy(name="Herefordshire", single_assessment="2016-09-01")
    True
    """

    __slots__ = ("_dates", "_hash", "_key", "_name")
    _dates: Mapping[str, _dt.date]
    _hash: int
    _key: tuple[str, tuple[tuple[str, _dt.date], ...]]
    _name: str

    def __init__(self, *, name: str = DEFAULT_POLICY_NAME, **switches: Any) -> None:
        book = rulebook()
        if not isinstance(name, str):
            raise PolicyError(f"name: expected text, got {name!r}", value=name)
        for key in switches:
            if key not in book.switches:
                raise _unknown_setting(key, book)
        dates: dict[str, _dt.date] = {}
        for key, switch in book.switches.items():
            day = _policy_date(key, switches[key]) if key in switches else switch.default
            if switch.earliest is not None and day < switch.earliest:
                raise PolicyError(
                    f"{key}: {day.isoformat()} is before {switch.earliest.isoformat()}, the "
                    f"earliest date this switch allows ({switch.title})",
                    value=day,
                )
            dates[key] = day
        for key, switch in book.switches.items():
            later = switch.not_after
            if later is not None and dates[key] > dates[later]:
                raise PolicyError(
                    f"{key} ({dates[key].isoformat()}) must not be after {later} "
                    f"({dates[later].isoformat()})",
                    value=dates[key],
                )
        key_ = (name, tuple(dates.items()))
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_dates", MappingProxyType(dates))
        object.__setattr__(self, "_key", key_)
        object.__setattr__(self, "_hash", hash(key_))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], *, source: str = "") -> Policy:
        """A policy from a table of settings: switch names and ``name``.

        Switch dates are ``datetime.date`` values or ISO text (``YYYY-MM-DD``); ``name`` is
        text.  An unknown key, a bad date, a date before a switch's earliest, or dates out of
        order raise :class:`~safeguard_time.errors.PolicyError` naming ``source`` (a file
        name, say) and the key; an unknown key's message lists the valid ones.

        >>> hfds = Policy.from_mapping({"single_assessment": "2016-09-01", "name": "Herefordshire"})
        >>> hfds.single_assessment, hfds.name
        (datetime.date(2016, 9, 1), 'Herefordshire')
        >>> Policy.from_mapping({"singel_assessment": "2016-09-01"}, source="hfds.toml")
        Traceback (most recent call last):
        ...
        safeguard_time.errors.PolicyError: hfds.toml: unknown policy setting 'singel_assessment'; the settings are initial_assessment_10_day, single_assessment...name
        """
        book = rulebook()
        prefix = _prefix(source)
        if not isinstance(mapping, Mapping):
            raise PolicyError(
                f"{prefix}expected a table of policy settings, got {type(mapping).__name__}",
                value=mapping,
            )
        kwargs: dict[str, Any] = {}
        for key, value in mapping.items():
            if key == "name":
                if not isinstance(value, str):
                    raise PolicyError(f"{prefix}name: expected text, got {value!r}", value=value)
                kwargs[key] = value
            elif key in book.switches:
                if isinstance(value, str):
                    kwargs[key] = _iso_date(key, value, source)
                elif isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
                    kwargs[key] = value
                else:
                    raise PolicyError(
                        f"{prefix}{key}: expected a date (YYYY-MM-DD), got {value!r}", value=value
                    )
            else:
                raise _unknown_setting(key, book, source)
        try:
            return cls(**kwargs)
        except PolicyError as exc:
            if not prefix:
                raise
            raise PolicyError(prefix + str(exc), value=exc.value) from None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Policy:
        """A policy from a TOML or JSON file: JSON if the name ends ``.json``, else TOML.

        The settings are those of :meth:`from_mapping`, at the top level or all in a
        ``[policy]`` table (``{"policy": {...}}`` in JSON).  A file that cannot be read or is
        not valid TOML or JSON raises :class:`~safeguard_time.errors.PolicyError`, as do bad
        settings; every message starts with the file's name.

        >>> from safeguard_time.example import policy_template
        >>> Policy.load(policy_template()) == Policy()
        True
        """
        source = os.fspath(path)
        kind = "JSON" if source.lower().endswith(".json") else "TOML"
        try:
            with open(source, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise PolicyError(
                f"{source}: cannot read the policy file: {exc.strerror or exc}", value=source
            ) from None
        import tomllib  # noqa: PLC0415 - only for a policy file

        try:
            text = raw.decode("utf-8-sig")
            data = json.loads(text) if kind == "JSON" else tomllib.loads(text)
        except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError, TOMLDecodeError
            raise PolicyError(
                f"{source}: not a valid {kind} policy file: {exc}", value=source
            ) from None
        if isinstance(data, dict) and "policy" in data:
            outside = sorted(set(data) - {"policy"})
            if not isinstance(data["policy"], dict) or outside:
                raise PolicyError(
                    f"{source}: put every setting in the [policy] table or none of them"
                    + (f" (outside it: {', '.join(outside)})" if outside else ""),
                    value=source,
                )
            data = data["policy"]
        if not isinstance(data, dict):
            raise PolicyError(f"{source}: expected a table of policy settings", value=source)
        return cls.from_mapping(data, source=source)

    @property
    def name(self) -> str:
        """The label shown in explanations.

        >>> Policy().name
        'statutory defaults'
        """
        return self._name

    @property
    def dates(self) -> Mapping[str, _dt.date]:
        """Every switch's date under this policy, in the rule data's order (read-only).

        >>> Policy(single_assessment=_dt.date(2016, 9, 1)).dates["single_assessment"]
        datetime.date(2016, 9, 1)
        """
        return self._dates

    def switch(self, name: str) -> _dt.date:
        """The council's date for a switch named in the rule data.

        Raises :class:`~safeguard_time.errors.InvalidOptionError` for an unknown switch.

        >>> Policy().switch("initial_assessment_10_day")
        datetime.date(2010, 3, 17)
        """
        try:
            return self._dates[name]
        except KeyError:
            raise InvalidOptionError(
                "switch",
                name,
                f"unknown switch {name!r}; the switches are {', '.join(self._dates)}",
            ) from None

    def differences(self) -> tuple[str, ...]:
        """What this policy changes from the statutory defaults, in words.

        >>> Policy(single_assessment=_dt.date(2016, 9, 1)).differences()
        ('Initial + core assessment -> single assessment: 2016-09-01',)
        """
        out = []
        for name, switch in rulebook().switches.items():
            day = self._dates.get(name)
            if day is not None and day != switch.default:
                out.append(f"{switch.title}: {day.isoformat()}")
        return tuple(out)

    def __getattr__(self, name: str) -> _dt.date:
        # Only reached when normal lookup fails: the switch dates.
        if not name.startswith("_"):
            dates = self._dates
            if name in dates:
                return dates[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    if not TYPE_CHECKING:  # hidden from type checkers, so that assignments are reported

        def __setattr__(self, name, value):
            raise attrs.exceptions.FrozenInstanceError

        def __delattr__(self, name):
            raise attrs.exceptions.FrozenInstanceError

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self._dates]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        dates = "".join(f"{k}={v!r}, " for k, v in self._dates.items())
        return f"{type(self).__name__}({dates}name={self._name!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_policy, (self._name, tuple(self._dates.items())))


@functools.cache
def _default_policy() -> Policy:
    return Policy()


# --- resolution -----------------------------------------------------------------------------


def _timescale(timescale: str) -> Timescale:
    book = rulebook()
    try:
        return book.timescales[timescale]
    except (KeyError, TypeError):
        raise UnknownTimescaleError(str(timescale), book.timescales) from None


@functools.lru_cache(maxsize=512)
def resolved_rules(timescale: str, policy: Policy | None = None) -> tuple[ResolvedRule, ...]:
    """The rules of a timescale with their in-force ranges under ``policy``, by start date.

    Switch dates come from the policy; a timescale's own availability clips its rules, and a
    rule whose range becomes empty is left out.

    >>> import datetime as dt
    >>> [(r.start.isoformat(), r.rule.amount) for r in resolved_rules("initial_assessment")]
    [('2000-04-01', 7), ('2010-03-17', 10)]
    """
    ts = _timescale(timescale)
    policy = policy or _default_policy()

    def resolve(bound: Bound) -> _dt.date:
        return policy.switch(bound[len("switch:") :]) if isinstance(bound, str) else bound

    lo = resolve(ts.available_from) if ts.available_from is not None else None
    hi = resolve(ts.available_until) if ts.available_until is not None else None
    out = []
    for rule in ts.rules:
        start = resolve(rule.valid_from)
        end = resolve(rule.valid_until) if rule.valid_until is not None else None
        by: list[Bound | None] = [rule.valid_from, rule.valid_until]
        # A tie counts both bounds: moving either switch would move the range.
        if lo is not None and start <= lo:
            by.append(ts.available_from)
            if start < lo:
                start, by[0] = lo, None
        if hi is not None and (end is None or end >= hi):
            by.append(ts.available_until)
            if end is None or end > hi:
                end, by[1] = hi, None
        if end is not None and end <= start:
            continue
        rests_on = tuple(dict.fromkeys(b[len("switch:") :] for b in by if isinstance(b, str)))
        out.append(ResolvedRule(start, end, rule, rests_on))
    out.sort(key=lambda r: (r.rule.phase or "", r.start))
    return tuple(out)


@functools.lru_cache(maxsize=512)
def rule_bounds(timescale: str, policy: Policy | None = None) -> tuple[_dt.date, ...]:
    """The days on which :func:`~safeguard_time.rule_for`'s answer for ``timescale`` can change.

    Between two of them (and before the first, and from the last on) every day has the
    same rule of each phase, or none, and the same reason when none (what applied instead
    and since when the timescale's rules apply): those are made of the in-force ranges of
    the timescale's rules and of the timescales that replaced it, which start and end on
    these days (some may change nothing: a new edition of the timescale that replaced it).
    Bulk results describe a run of days with no rule in force once.

    >>> [d.isoformat() for d in rule_bounds("initial_assessment")]  # and the assessment's
    ['2000-04-01', '2010-03-17', '2013-04-15', '2015-03-26', '2018-06-29', '2023-12-15']
    """
    ts = _timescale(timescale)
    days: set[_dt.date] = set()
    for name in (timescale, *ts.replaced_by):
        for r in resolved_rules(name, policy):
            days.add(r.start)
            if r.end is not None:
                days.add(r.end)
    return tuple(sorted(days))


def rule_for(
    timescale: str,
    on: Any,
    *,
    policy: Policy | None = None,
    phase: str | None = None,
) -> Rule:
    """The rule of ``timescale`` in force on ``on`` (the start event's date).

    Raises :class:`~safeguard_time.errors.UnknownTimescaleError` for an unknown id and
    :class:`~safeguard_time.errors.NoRuleInForceError` when no rule applied that day, naming
    the timescale that did.

    Args:
        timescale: a timescale id (``assessment``).
        on: the start event's date (any date form the calendar reads).
        policy: the council's switch dates (default: the statutory ones).
        phase: the phase of a rule that has phases (``first_year`` of a ``lac_visit``).

    >>> import datetime as dt
    >>> rule_for("assessment", dt.date(2013, 4, 15)).id
    'assessment.wt2013'
    >>> rule_for("initial_assessment", dt.date(2014, 2, 3))
    Traceback (most recent call last):
    ...
    safeguard_time.errors.NoRuleInForceError: no rule for 'initial_assessment' was in force on 2014-02-03; the rule that applied then was 'assessment'
    """
    ts = _timescale(timescale)
    day = london_date(on)
    if ts.phases:
        if phase not in ts.phases:
            raise InvalidOptionError(
                "phase",
                phase,
                f"{timescale!r} needs phase= one of {', '.join(ts.phases)}, got {phase!r}"
                + did_you_mean(phase, ts.phases),
            )
    elif phase is not None:
        raise InvalidOptionError(
            "phase", phase, f"{timescale!r} has no phases, got phase={phase!r}"
        )
    for resolved in resolved_rules(timescale, policy):
        if resolved.rule.phase != phase:
            continue
        if resolved.start <= day and (resolved.end is None or day < resolved.end):
            return resolved.rule
    instead = tuple(
        other
        for other in ts.replaced_by
        if any(
            r.start <= day and (r.end is None or day < r.end) for r in resolved_rules(other, policy)
        )
    )
    first = min(r.start for r in resolved_rules(timescale, policy))
    detail = f"its rules apply from {first.isoformat()}" if day < first else ""
    raise NoRuleInForceError(timescale, day, instead, detail)


def timescales(on: Any = None, *, policy: Policy | None = None) -> tuple[Timescale, ...]:
    """The timescales and their rules: all of them, or those in force on a date.

    With ``on``, each timescale keeps only the rules in force that day under ``policy``, and
    timescales with none are left out.

    Args:
        on: a date, to keep only the rules in force that day; ``None`` for every rule.
        policy: the council's switch dates.

    >>> import datetime as dt
    >>> [t.id for t in timescales(on=dt.date(2012, 1, 9))][:4]
    ['referral_decision', 'initial_assessment', 'core_assessment', 'initial_cp_conference']
    >>> len(timescales())
    24
    """
    book = rulebook()
    if on is None:
        return tuple(book.timescales.values())
    day = london_date(on)
    out = []
    for ts in book.timescales.values():
        live = tuple(
            r.rule
            for r in resolved_rules(ts.id, policy)
            if r.start <= day and (r.end is None or day < r.end)
        )
        if live:
            out.append(attrs.evolve(ts, rules=live))
    return tuple(out)


def length_words(amount: int, unit: str) -> str:
    """A length in words, e.g. ``'45 working days'``, ``'1 month'``.

    >>> length_words(1, "working_days"), length_words(26, "weeks_beginning_with")
    ('1 working day', '26 weeks beginning with the day')
    """
    words = {
        "working_days": ("working day", "working days"),
        "calendar_days": ("day", "days"),
        "weeks": ("week", "weeks"),
        "months": ("month", "months"),
        "weeks_beginning_with": ("week", "weeks"),
    }[unit]
    text = f"{amount} {words[0] if amount == 1 else words[1]}"
    if unit == "weeks_beginning_with":
        text += " beginning with the day"
    return text


if __name__ == "__main__":  # pragma: no cover - the maintainers' command
    # python -m safeguard_time.rules: remake the parsed copy after editing the rule data.
    with open(os.path.join(DATA_DIR, PARSED_FILE), "w", encoding="utf-8", newline="\n") as _fh:
        _fh.write(render_parsed() + "\n")
