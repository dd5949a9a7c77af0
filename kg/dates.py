"""Dates at the precision the data gives them: xsd:date, xsd:gYearMonth or xsd:gYear."""

from __future__ import annotations

import datetime as dt
import re

# strict: Python's date parser also takes 20220916 and 2022-W37-5, other scripts' digits too
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str) -> dt.date | None:
    """A day written YYYY-MM-DD, or None for anything else.

    >>> parse_day("2022-09-16"), parse_day("20220916"), parse_day("2022-02-30")
    (datetime.date(2022, 9, 16), None, None)
    """
    if not _DAY.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def day_of(text: str | None, *, last: bool = False) -> dt.date | None:
    """The first (or last) day of an xsd:date, gYearMonth or gYear.

    >>> day_of("2022-09"), day_of("2022-09", last=True), day_of("1992", last=True)
    (datetime.date(2022, 9, 1), datetime.date(2022, 9, 30), datetime.date(1992, 12, 31))
    """
    if not text:
        return None
    parts = text.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return dt.date(year, 12, 31) if last else dt.date(year, 1, 1)
        month = int(parts[1])
        if len(parts) == 2:
            if not last:
                return dt.date(year, month, 1)
            following = dt.date(year + (month == 12), month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(year, month, int(parts[2][:2]))
    except ValueError:
        return None


def within(day: str, start: str, end: str | None) -> bool:
    """Whether an ISO day (or month, or year) falls in a term whose dates may be known only to
    the month or year: "2012" as an end takes in every day of 2012.

    >>> within("2012-12-31", "2008-05-07", "2012"), within("2013-01-01", "2008-05-07", "2012")
    (True, False)
    >>> within("2008", "2008-05-07", None), within("2008-05-06", "2008-05-07", None)
    (True, False)
    """
    # ISO dates compare as text; "~" sorts after every digit and "-", so "2012~" > "2012-12-31"
    return start[:len(day)] <= day and (end is None or day <= end + "~")
