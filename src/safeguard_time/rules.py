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
import os
import tomllib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

import attrs

from safeguard_time._dates import london_date
from safeguard_time._holiday_data import DATA_DIR
from safeguard_time.errors import (
    InvalidOptionError,
    NoRuleInForceError,
    PolicyError,
    RuleDataError,
    UnknownTimescaleError,
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
    "resolved_rules",
    "rule_for",
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
    """Where a rule comes from."""

    document: str
    location: str
    url: str | None = None
    quote: str | None = None

    def __str__(self) -> str:
        return f"{self.document}, {self.location}"


@attrs.frozen
class Edition:
    """An edition of guidance or a statutory instrument."""

    id: str
    title: str
    in_force_from: _dt.date
    status: SourceStatus
    published: _dt.date | None = None
    url: str | None = None
    note: str | None = None
    file: str = ""


@attrs.frozen
class Extension:
    """How far a timescale may be extended: ``amount`` more, at most ``max_times`` times."""

    amount: int
    unit: Unit
    max_times: int | None = None


@attrs.frozen
class Rule:
    """One timescale as one edition set it, with its citation and source status."""

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
        amount = self.amount + (self.extension.amount * extensions if self.extension else 0)
        return _length_words(amount, self.unit)

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


@attrs.frozen
class Switch:
    """A date on which councils moved from one rule to another on their own timetable."""

    name: str
    default: _dt.date
    title: str
    description: str
    status: SourceStatus


@attrs.frozen
class Timescale:
    """A public timescale id, its events, and its rules over time."""

    id: str
    title: str
    start_event: str
    end_event: str
    rules: tuple[Rule, ...]
    available_from: Bound | None = None
    available_until: Bound | None = None
    replaced_by: tuple[str, ...] = ()
    start_options: tuple[tuple[str, str], ...] = ()
    default_start: str | None = None
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


@attrs.frozen
class Plan:
    """A repeating schedule: one-off steps after an anchor event, then a repeating step."""

    id: str
    title: str
    anchor_event: str
    steps: tuple[str, ...]
    repeat: str


@attrs.frozen
class ResolvedRule:
    """A rule with its in-force range worked out for one policy (``end`` exclusive)."""

    start: _dt.date
    end: _dt.date | None
    rule: Rule

    @property
    def last_day(self) -> _dt.date | None:
        """The last day the rule is in force (inclusive): the day before ``end``; None if open.

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
    "replaced_by", "start_options", "default_start", "note",
}  # fmt: skip
_RULE_KEYS = {
    "id", "timescale", "from", "until", "amount", "unit", "status", "citation",
    "start_event", "end_event", "phase", "when", "extension", "note",
}  # fmt: skip
_EDITION_KEYS = {"id", "title", "published", "in_force_from", "status", "url", "note"}
_CITATION_KEYS = {"document", "location", "url", "quote"}
_SWITCH_KEYS = {"default", "title", "description", "status"}
_PLAN_KEYS = {"title", "anchor_event", "steps", "repeat"}

#: Policy fields that choose a timescale's clock start (timescale id -> Policy attribute).
_CLOCK_FIELDS = {"rapid_review": "rapid_review_clock"}


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


def _read_toml(*parts: str) -> dict[str, Any]:
    path = os.path.join(DATA_DIR, *parts)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RuleDataError(f"{'/'.join(parts)}: not valid TOML: {exc}") from None


def _load_edition(fname: str, raw: Mapping[str, Any]) -> Edition:
    where = f"{fname} [edition]"
    _check_keys(where, raw, _EDITION_KEYS)
    return Edition(
        id=_need(where, raw, "id", str),
        title=_need(where, raw, "title", str),
        in_force_from=_need(where, raw, "in_force_from", _dt.date),
        status=_status(where, raw.get("status")),
        published=raw.get("published"),
        url=raw.get("url"),
        note=raw.get("note"),
        file=fname,
    )


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
    ts = timescales[ts_id]
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
        start_event=raw.get("start_event", ts["start_event"]),
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


@functools.cache
def rulebook() -> RuleBook:
    """Load and validate all rule data (once; cached).

    >>> book = rulebook()
    >>> len(book.timescales), sorted(book.plans)
    (24, ['cp_reviews', 'lac_reviews', 'lac_visits', 'private_fostering_visits'])
    """
    top = _read_toml("timescales.toml")
    _check_keys("timescales.toml", top, {"switches", "timescales"})
    switches: dict[str, Switch] = {}
    for name, raw in top.get("switches", {}).items():
        where = f"timescales.toml, switch {name!r}"
        _check_keys(where, raw, _SWITCH_KEYS)
        if name not in attrs.fields_dict(Policy):
            raise _fail(where, "no Policy field of that name lets a council override it")
        switches[name] = Switch(
            name=name,
            default=_need(where, raw, "default", _dt.date),
            title=_need(where, raw, "title", str),
            description=_need(where, raw, "description", str),
            status=_status(where, raw.get("status")),
        )
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
        options = raw.get("start_options", {})
        if bool(options) != ("default_start" in raw) or (
            options and raw["default_start"] not in options
        ):
            raise _fail(where, "start_options and a default_start among them go together")
        if options and ts_id not in _CLOCK_FIELDS:
            raise _fail(where, "start_options need a Policy field to choose between them")
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
            start_options=tuple(options.items()),
            default_start=raw.get("default_start"),
            note=raw.get("note"),
        )
        _check_contiguous(ts, switches)
        timescales[ts_id] = ts

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


def _switch_default(name: str) -> _dt.date:
    return rulebook().switches[name].default


def _clock_default(timescale: str) -> str:
    start = rulebook().timescales[timescale].default_start
    if start is None:  # pragma: no cover - guarded by the loader
        raise RuleDataError(f"timescale {timescale!r} has no default_start")
    return start


def _date_field(value: Any) -> _dt.date:
    return london_date(value)


@attrs.frozen
class Policy:
    """A council's own choices where the guidance let councils differ.

    Build it once and pass it to :func:`~safeguard_time.deadline` and the bulk functions.
    Defaults are the statutory dates from the rule data.

    Attributes:
        initial_assessment_10_day: the day initial assessments moved from 7 to 10 working days.
        single_assessment: the day initial + core assessments gave way to the single assessment.
        rapid_review_clock: when the rapid-review clock starts: ``"notification"`` (the
            serious incident notification was sent; the default) or ``"became_aware"``.
        name: a label for explanations (e.g. the council's name).

    >>> import datetime as dt
    >>> herefordshire = Policy(single_assessment=dt.date(2016, 9, 1), name="Herefordshire")
    >>> rule_for("initial_assessment", dt.date(2015, 6, 1), policy=herefordshire).amount
    10
    >>> Policy().single_assessment
    datetime.date(2013, 4, 15)
    """

    initial_assessment_10_day: _dt.date = attrs.field(
        factory=lambda: _switch_default("initial_assessment_10_day"), converter=_date_field
    )
    single_assessment: _dt.date = attrs.field(
        factory=lambda: _switch_default("single_assessment"), converter=_date_field
    )
    rapid_review_clock: str = attrs.field(factory=lambda: _clock_default("rapid_review"))
    name: str = "statutory defaults"

    def __attrs_post_init__(self) -> None:
        if self.initial_assessment_10_day > self.single_assessment:
            raise PolicyError(
                f"initial_assessment_10_day ({self.initial_assessment_10_day}) must not be after "
                f"single_assessment ({self.single_assessment})"
            )
        book = rulebook()
        for ts_id, field in _CLOCK_FIELDS.items():
            options = dict(book.timescales[ts_id].start_options)
            value = getattr(self, field)
            if value not in options:
                raise PolicyError(f"{field} must be one of {', '.join(options)}, got {value!r}")

    def switch(self, name: str) -> _dt.date:
        """The council's date for a switch named in the rule data.

        >>> Policy().switch("initial_assessment_10_day")
        datetime.date(2010, 3, 17)
        """
        value: _dt.date = getattr(self, name)
        return value

    def clock_start(self, timescale: str) -> str | None:
        """The chosen clock-start option of ``timescale`` (None if it has no options).

        >>> Policy().clock_start("rapid_review"), Policy().clock_start("assessment")
        ('notification', None)
        """
        field = _CLOCK_FIELDS.get(timescale)
        return None if field is None else str(getattr(self, field))

    def differences(self) -> tuple[str, ...]:
        """What this policy changes from the statutory defaults, in words.

        >>> Policy(single_assessment=_dt.date(2016, 9, 1)).differences()
        ('Initial + core assessment -> single assessment: 2016-09-01',)
        """
        default = _default_policy()
        out = []
        for name, switch in rulebook().switches.items():
            if self.switch(name) != default.switch(name):
                out.append(f"{switch.title}: {self.switch(name).isoformat()}")
        for ts_id, field in _CLOCK_FIELDS.items():
            if getattr(self, field) != getattr(default, field):
                label = dict(rulebook().timescales[ts_id].start_options)[getattr(self, field)]
                out.append(f"{ts_id} clock starts at: {label}")
        return tuple(out)


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
        if lo is not None and start < lo:
            start = lo
        if hi is not None and (end is None or end > hi):
            end = hi
        if end is not None and end <= start:
            continue
        out.append(ResolvedRule(start, end, rule))
    out.sort(key=lambda r: (r.rule.phase or "", r.start))
    return tuple(out)


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
                f"{timescale!r} needs phase= one of {', '.join(ts.phases)}, got {phase!r}",
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


def _length_words(amount: int, unit: str) -> str:
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
