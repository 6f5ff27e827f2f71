"""The status vocabulary and the row error codes: one enum, one table of codes.

:class:`Status` is the one status enum of the library.  Its ``code`` is the compact
``int8`` used in arrays (bulk results, the scan, the spreadsheet ranges); its value is the
label written in files and shown to people.

The row error codes say why a row could not be computed, in order of precedence (the start's
problem first, then the end's, then the as-of date's).  Each maps to the stable reason code
of the error the one-case API raises for the same input (:data:`REASON`).
"""

from __future__ import annotations

import enum

__all__ = [
    "AS_OF_BEFORE_START",
    "AS_OF_NOT_DATE",
    "AS_OF_RANGE",
    "DUE_OUT_OF_RANGE",
    "END_BEFORE_START",
    "END_NOT_DATE",
    "END_RANGE",
    "ERROR",
    "MET",
    "MISSED",
    "NEEDS_AS_OF",
    "NOT_APPLICABLE",
    "NO_RULE",
    "OPEN_IN_TIME",
    "OPEN_OVERDUE",
    "REASON",
    "START_MISSING",
    "START_NOT_DATE",
    "START_RANGE",
    "STATUS_LABELS",
    "Status",
]

#: The status codes of arrays.  ``ERROR`` is -1, so ``pandas.Categorical.from_codes`` makes
#: error rows missing and ``STATUS_LABELS[code]`` gives every label.
MET, MISSED, OPEN_IN_TIME, OPEN_OVERDUE, NOT_APPLICABLE, ERROR = 0, 1, 2, 3, 4, -1

#: The status labels, indexed by status code (``STATUS_LABELS[-1]`` is ``"error"``).
STATUS_LABELS: tuple[str, ...] = (
    "met",
    "missed",
    "open_in_time",
    "open_overdue",
    "not_applicable",
    "error",
)


class Status(enum.StrEnum):
    """Timeliness of one timescale for one case: the one status vocabulary of the library.

    - ``met``: the end event is on or before the due date;
    - ``missed``: the end event is after the due date;
    - ``open_in_time``: no end event, and the as-of date is on or before the due date;
    - ``open_overdue``: no end event, and the as-of date is after the due date;
    - ``not_applicable``: no rule of the timescale was in force on the start day and there
      is no end event (a 2011 referral has no single assessment);
    - ``error``: the row could not be computed (its reason says why).

    ``code`` is the compact integer used in arrays; ``from_code`` goes back.

    >>> Status.MISSED.code, Status.from_code(3), Status.ERROR.code
    (1, <Status.OPEN_OVERDUE: 'open_overdue'>, -1)
    >>> Status.MET == "met"
    True
    """

    MET = "met"
    MISSED = "missed"
    OPEN_IN_TIME = "open_in_time"
    OPEN_OVERDUE = "open_overdue"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"

    @property
    def code(self) -> int:
        """The status's code in arrays (``int8``): met 0 ... not_applicable 4, error -1.

        >>> Status.NOT_APPLICABLE.code
        4
        """
        return _CODE[self]

    @property
    def label(self) -> str:
        """The status's label, e.g. ``"open_overdue"`` (its value).

        >>> Status.OPEN_OVERDUE.label
        'open_overdue'
        """
        return self.value

    @property
    def words(self) -> str:
        """The status in plain English, e.g. ``"open and overdue"``.

        >>> Status.OPEN_IN_TIME.words
        'open and in time'
        """
        return _WORDS[self]

    @classmethod
    def from_code(cls, code: int) -> Status:
        """The status of an array code.

        >>> Status.from_code(-1)
        <Status.ERROR: 'error'>
        """
        return _BY_CODE[int(code)]


_CODE: dict[Status, int] = {
    Status.MET: MET,
    Status.MISSED: MISSED,
    Status.OPEN_IN_TIME: OPEN_IN_TIME,
    Status.OPEN_OVERDUE: OPEN_OVERDUE,
    Status.NOT_APPLICABLE: NOT_APPLICABLE,
    Status.ERROR: ERROR,
}
_BY_CODE = {code: status for status, code in _CODE.items()}
_WORDS = {
    Status.MET: "met",
    Status.MISSED: "missed",
    Status.OPEN_IN_TIME: "open and in time",
    Status.OPEN_OVERDUE: "open and overdue",
    Status.NOT_APPLICABLE: "not applicable",
    Status.ERROR: "error",
}

# Row error codes, in order of precedence.
START_MISSING = 1
START_NOT_DATE = 2
START_RANGE = 3
NO_RULE = 4
DUE_OUT_OF_RANGE = 5
END_NOT_DATE = 6
END_RANGE = 7
END_BEFORE_START = 8
NEEDS_AS_OF = 9
AS_OF_RANGE = 10
AS_OF_NOT_DATE = 11
AS_OF_BEFORE_START = 12

#: The stable reason code (``SafeguardTimeError.code``) of each row error code, and the
#: column it is about.
REASON: dict[int, tuple[str, str]] = {
    START_MISSING: ("missing", "start"),
    START_NOT_DATE: ("not_a_date", "start"),
    START_RANGE: ("out_of_range", "start"),
    NO_RULE: ("no_rule", "start"),
    DUE_OUT_OF_RANGE: ("out_of_range", "start"),
    END_NOT_DATE: ("not_a_date", "end"),
    END_RANGE: ("out_of_range", "end"),
    END_BEFORE_START: ("end_before_start", "end"),
    NEEDS_AS_OF: ("needs_as_of", "as_of"),
    AS_OF_RANGE: ("out_of_range", "as_of"),
    AS_OF_NOT_DATE: ("not_a_date", "as_of"),
    AS_OF_BEFORE_START: ("as_of_before_start", "as_of"),
}
