"""Dates as the text gives them: a year, a month or a day, never more precise than written."""
from __future__ import annotations

import re

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)}
MONTHS.update({name[:3]: number for name, number in list(MONTHS.items())})
MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
YEAR = r"(?P<year>(?:1[5-9]|20)\d\d)"
DATE_FORMS = [
    re.compile(r"\b(?P<y>(?:1[5-9]|20)\d\d)[-/](?P<m>[01]\d)(?:[-/](?P<d>[0-3]\d))?(?!\d)"),
    re.compile(rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+{MONTH}\s*,?\s*{YEAR}\b", re.I),
    re.compile(rf"\b{MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+{YEAR}\b", re.I),
    re.compile(rf"\b{MONTH}\s*,?\s+{YEAR}\b", re.I),
]
LONE_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")
DATE_LINE = re.compile(
    rf"^\s*(?:(?:published|posted|updated|date)\s*:?\s*)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s*)?"
    rf"(?:[0-3]?\d(?:st|nd|rd|th)?\s+)?(?:{MONTH}\s*(?:[0-3]?\d(?:st|nd|rd|th)?)?,?\s*)?"
    rf"(?:{YEAR}|(?:1[5-9]|20)\d\d-[01]\d(?:-[0-3]\d)?)\s*$",
    re.I,
)


def parse_date(text: str) -> str:
    """The first date in ``text`` at the precision written, as ISO ``YYYY[-MM[-DD]]``; '' if none.

    >>> [parse_date(t) for t in ("15 December 2016", "December 15, 2016", "in March 2015", "2017-10-05T09:00Z", "no date")]
    ['2016-12-15', '2016-12-15', '2015-03', '2017-10-05', '']
    """
    for form in DATE_FORMS:
        found = form.search(text)
        if found:
            return _iso(found.groupdict())
    return ""


def _iso(parts: dict) -> str:
    """ISO text from the named groups of a date match."""
    if parts.get("y"):
        return "-".join(p for p in (parts["y"], parts.get("m"), parts.get("d")) if p)
    date = f"{parts['year']}-{MONTHS[parts['month'].lower()]:02d}"
    return f"{date}-{int(parts['day']):02d}" if parts.get("day") else date


def is_date_line(text: str) -> bool:
    """True if the whole line is a date (a dateline, not a sentence that mentions one).

    >>> is_date_line("October 2017"), is_date_line("Published: 3 May 2016"), is_date_line("In 2016 we met.")
    (True, True, False)
    """
    return bool(DATE_LINE.match(text))


def date_or_year(text: str) -> str:
    """A full date if written, else a lone year, else ''.

    >>> date_or_year("No. 1 2014 January/March")
    '2014'
    """
    return parse_date(text) or (LONE_YEAR.search(text).group(0) if LONE_YEAR.search(text) else "")
