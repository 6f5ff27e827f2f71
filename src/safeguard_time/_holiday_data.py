"""The England & Wales bank-holiday table: the shipped, verified file and its generator.

The package ships ``_data/bank_holidays_england_and_wales.csv``: the weekdays that were (or
are projected to be) taken off as bank holidays in England and Wales, one per line, with a
header of ``# key: value`` lines that record the supported range, the verified horizon and
how the file was made.  Reading it costs a millisecond; building the same list from the
``holidays`` package costs about a tenth of a second, which is why the table is generated
ahead of time (``python -m safeguard_time._holiday_data``) rather than at import.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import sys

import attrs

__all__ = ["HolidayTable", "from_holidays_package", "load_shipped", "projected_days", "render_csv"]

SHIPPED_FILE = "bank_holidays_england_and_wales.csv"


@attrs.frozen
class HolidayTable:
    """Non-working weekdays over a supported range, with the horizon they were verified to."""

    first: _dt.date
    last: _dt.date
    verified_through: int
    days: tuple[tuple[_dt.date, str], ...]
    meta: tuple[tuple[str, str], ...] = ()


DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_data")


def read_data_file(*parts: str) -> str:
    """Read a text file from the package's ``_data`` folder.

    A plain file read: ``importlib.resources`` would add a tenth of the cold start.
    """
    with open(os.path.join(DATA_DIR, *parts), encoding="utf-8") as fh:
        return fh.read()


def _parse(text: str, origin: str) -> HolidayTable:
    meta: dict[str, str] = {}
    days: list[tuple[_dt.date, str]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep:
                meta[key.strip()] = value.strip()
            continue
        if line == "date,name":
            continue
        iso, sep, name = line.partition(",")
        try:
            day = _dt.date.fromisoformat(iso)
        except ValueError as exc:
            raise ValueError(f"{origin}, line {lineno}: bad date {iso!r}") from exc
        if not sep or not name:
            raise ValueError(f"{origin}, line {lineno}: a holiday needs a name")
        days.append((day, name))
    try:
        first_s, _, last_s = meta["supported"].partition("..")
        table = HolidayTable(
            first=_dt.date.fromisoformat(first_s),
            last=_dt.date.fromisoformat(last_s),
            verified_through=int(meta["verified_through"]),
            days=tuple(days),
            meta=tuple(meta.items()),
        )
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{origin}: header needs 'supported' and 'verified_through'") from exc
    return table


def load_shipped() -> HolidayTable:
    """Read the table shipped inside the package.

    >>> table = load_shipped()
    >>> table.first, table.last
    (datetime.date(1990, 1, 1), datetime.date(2099, 12, 31))
    >>> (table.verified_through, dict(table.days)[_dt.date(2022, 9, 19)])
    (2028, 'State Funeral of Queen Elizabeth II')
    """
    return _parse(read_data_file(SHIPPED_FILE), SHIPPED_FILE)


def from_holidays_package(first_year: int, last_year: int) -> list[tuple[_dt.date, str]]:
    """England & Wales non-working weekdays from the ``holidays`` package.

    Uses ``subdiv="ENG"`` (without it Easter Monday and the August holiday are missing), keeps
    weekdays only (a holiday's nominal date on a weekend is not a day taken off), and names
    substitute days as GOV.UK does.

    >>> days = dict(from_holidays_package(2022, 2022))
    >>> days[_dt.date(2022, 12, 27)]
    'Christmas Day (substitute day)'
    >>> _dt.date(2022, 12, 25) in days
    False
    """
    import holidays  # noqa: PLC0415 - slow to import; only needed to regenerate the table

    source = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    out: list[tuple[_dt.date, str]] = []
    for day in sorted(source):
        if day.weekday() >= 5:
            continue
        names = [n.replace("(observed)", "(substitute day)") for n in source.get_list(day)]
        out.append((day, "; ".join(names)))
    return out


@functools.cache
def projected_days(first_year: int, last_year: int) -> tuple[dict[_dt.date, str], str]:
    """Projected bank holidays from the installed ``holidays`` package, and its name.

    The days after the verified horizon: read at run time (not shipped), so that a newer
    ``holidays`` improves the projection without a new release of this package.  Kept for
    the process: the package takes a few tenths of a second to import and to project.

    >>> days, source = projected_days(2030, 2030)
    >>> days[_dt.date(2030, 4, 22)], source.startswith("holidays ")
    ('Easter Monday', True)
    """
    import holidays  # noqa: PLC0415 - slow to import: only once a projected year is needed

    version = getattr(holidays, "__version__", "(version unknown)")
    days = dict(from_holidays_package(first_year, last_year))
    return days, f"holidays {version}, country GB, subdivision ENG"


def render_csv(first: _dt.date, last: _dt.date, verified_through: int, note: str) -> str:
    """Render the shipped file from the ``holidays`` package (see the module docs)."""
    from importlib.metadata import version  # noqa: PLC0415

    lines = [
        "# England & Wales bank holidays actually taken off (weekdays only).",
        f"# supported: {first.isoformat()}..{last.isoformat()}",
        f"# verified_through: {verified_through}",
        f"# generated_with: holidays {version('holidays')} (country GB, subdiv ENG)",
        f"# note: {note}",
        "date,name",
    ]
    # Verified years only: later years are read from the installed holidays package at run
    # time (projected_days), so that they improve when it does.
    for day, name in from_holidays_package(first.year, verified_through):
        if first <= day <= last:
            lines.append(f"{day.isoformat()},{name}")
    return "\n".join(lines) + "\n"


def _main(argv: list[str]) -> int:
    """Regenerate the shipped table: ``python -m safeguard_time._holiday_data OUT``."""
    if len(argv) != 1:
        print("usage: python -m safeguard_time._holiday_data OUTPUT.csv", file=sys.stderr)
        return 2
    current = load_shipped()
    note = dict(current.meta).get("note", "")
    text = render_csv(current.first, current.last, current.verified_through, note)
    with open(argv[0], "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
