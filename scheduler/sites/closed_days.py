"""Days a site is closed: its country's public holidays and the organisation's closures.

Public holidays come from the ``holidays`` package, for the site's country and optional
subdivision. A new site's country defaults to the one its time zone belongs to, read from
the tz database's own ``zone.tab`` (shipped in the ``tzdata`` package): Europe/Paris is FR.
The subdivision is not guessed: Europe/Berlin is the zone of all of Germany, not only of the
Land Berlin, and America/New_York that of most of the East Coast, so guessing from the
zone's city would give a Munich office Berlin's holidays.

Every date here is a local calendar date at the site (its ``timezone``); turning dates into
instants or into another zone's wall-clock time is the caller's business.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources

import holidays
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import Closure, Site

#: The language of holiday names when the country's data has it ("Christmas Day").
LANGUAGE = "en_US"

#: Closed days by date, each with what closes it ("Christmas Day", "Office refit").
ClosedDays = dict[date, str]


# --- countries and subdivisions -------------------------------------------------------------


def _tz_table(name: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def zone_countries() -> dict[str, str]:
    """The country code of each time zone the tz database places in one country."""
    return {row[2]: row[0] for row in _tz_table("zone.tab")}


@cache
def country_names() -> dict[str, str]:
    """Countries with public holidays in the ``holidays`` package, by code, with their names
    from the tz database's ``iso3166.tab`` ("FR": "France"), sorted by name."""
    names = {row[0]: row[1] for row in _tz_table("iso3166.tab")}
    supported = holidays.list_supported_countries()
    known = {code: names[code] for code in supported if code in names}
    return dict(sorted(known.items(), key=lambda item: _sort_key(item[1])))


def _sort_key(name: str) -> str:
    """Names sorted as readers expect: "Åland Islands" among the A's."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def default_country(timezone: str) -> str:
    """The country whose holidays a site in ``timezone`` keeps by default ("" if none:
    UTC, or a zone the tz database places in no single country)."""
    code = zone_countries().get(timezone, "")
    return code if code in country_names() else ""


@cache
def _calendar(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country)


def subdivisions(country: str) -> dict[str, str]:
    """The subdivision codes of ``country`` with their names where the package has them
    ({"BY": "Bayern", ...}; a code without a name is its own name)."""
    if country not in country_names():
        return {}
    calendar = _calendar(country)
    names = {code: name for name, code in calendar.subdivisions_aliases.items()}
    return {code: names.get(code, code) for code in calendar.subdivisions}


def holidays_label(site: Site) -> str:
    """Whose public holidays a site keeps, as the pages show it: "Germany, Bayern (DE-BY)"."""
    if not site.country:
        return "None"
    name = country_names().get(site.country, site.country)
    if not site.subdivision:
        return f"{name} ({site.country})"
    part = subdivisions(site.country).get(site.subdivision, site.subdivision)
    return f"{name}, {part} ({site.country}-{site.subdivision})"


def subdivision_code(country: str, text: str) -> str | None:
    """The code of the subdivision of ``country`` written as ``text`` (its code or name, in
    any case: "by", "Bayern"), or None if the country has none such."""
    wanted = text.strip().casefold()
    for code, name in subdivisions(country).items():
        if wanted in (code.casefold(), name.casefold()):
            return code
    return None


def public_holidays(country: str, subdivision: str, first: date, last: date) -> ClosedDays:
    """The public holidays of ``country`` (and ``subdivision``) from ``first`` to ``last``."""
    if not country:
        return {}
    calendar = _calendar(country)
    language = LANGUAGE if LANGUAGE in calendar.supported_languages else None
    days = holidays.country_holidays(
        country,
        subdiv=subdivision or None,
        years=range(first.year, last.year + 1),
        language=language,
    )
    return {day: name for day, name in sorted(days.items()) if first <= day <= last}


# --- closures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedDaysBySite:
    """Every closed day from ``first`` to ``last``, for each site and for all of them."""

    holidays: dict[int, ClosedDays]  # site id: its public holidays
    site_closures: dict[int, ClosedDays]  # site id: closures of that site alone
    everywhere: ClosedDays  # closures of the whole organisation
    # What a reader worked out from these days, by everything else it depends on: the mapping
    # keeps the closed windows of cohorts, facilitators and rooms per site and zone
    # (planning.mapping_closed._once).
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def of_site(self, site_id: int | None, with_site_closures: bool = True) -> ClosedDays:
        """A site's closed days: its holidays, the organisation's closures and, unless told
        otherwise, its own closures (a refit stops in-person sessions, not virtual ones).
        No site: only the organisation's closures."""
        days = dict(self.everywhere)
        if site_id is not None:
            if with_site_closures:
                days.update(self.site_closures.get(site_id, {}))
            days.update(self.holidays.get(site_id, {}))  # a holiday's name wins
        return dict(sorted(days.items()))


def closed_days(sites: Iterable[Site], first: date, last: date) -> ClosedDaysBySite:
    """The closed days of ``sites`` (and the organisation's) from ``first`` to ``last``, with
    one query for the closures."""
    by_site: dict[int, ClosedDays] = defaultdict(dict)
    everywhere: ClosedDays = {}
    for closure in closures_between(first, last):
        target = everywhere if closure.site_id is None else by_site[closure.site_id]
        for day in _days(max(closure.start, first), min(closure.end, last)):
            target.setdefault(day, closure.name)
    return ClosedDaysBySite(
        holidays={s.id: public_holidays(s.country, s.subdivision, first, last) for s in sites},
        site_closures=dict(by_site),
        everywhere=everywhere,
    )


def closures_between(first: date, last: date) -> list[Closure]:
    """Closures touching ``first``–``last``, by start date."""
    query = (
        select(Closure)
        .where(Closure.start <= last, Closure.end >= first)
        .order_by(Closure.start, Closure.id)
    )
    return list(db.session.scalars(query))


def all_closures() -> list[Closure]:
    """Every closure with its site, the latest first (what the closures page lists)."""
    query = (
        select(Closure)
        .options(selectinload(Closure.site))
        .order_by(Closure.start.desc(), Closure.id.desc())
    )
    return list(db.session.scalars(query))


def sites_by_name() -> list[Site]:
    """Every site by name (the closure form's choices)."""
    return list(db.session.scalars(select(Site).order_by(Site.name, Site.id)))


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive dates as inclusive ranges: 24, 25, 26, 31 give (24, 26), (31, 31)."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(days):
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges
