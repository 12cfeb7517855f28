"""What is booked so far while a plan is built: each resource's intervals and the rules that
decide whether one more session fits (the greedy plan, packing and repair share it).

``Bookings`` keeps one resource's intervals sorted, with a version that names its content so
that what is worked out from it (``solver.free_starts``' masks) is kept exactly as long as it
holds. ``Calendar`` holds every resource's bookings and the data-only prices kept per group.
"""

from __future__ import annotations

import bisect
from collections import defaultdict, deque

from solver import free_starts
from solver.candidates import Candidates, Group
from solver.free_starts import FreeStarts
from solver.plan import PlannedSession
from solver.pricing import facilitator_cents, pay_cents, reluctance_cents, travel_cents

_HASH_BITS = (1 << 64) - 1


class Bookings:
    """Non-overlapping booked intervals of one resource, sorted for O(log n) clash tests."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        # Names what is booked (the same bookings, the same version), for what is kept about
        # them: a try that books a section and takes it back leaves the version as it was.
        self.version = self._hashes = 0
        # the latest bookings added: (version before, version after, start, end)
        self.added: deque[tuple[int, int, int, int]] = deque(maxlen=8)
        # set for good once two bookings overlap (fixed sessions are booked whatever they clash
        # with): ``clashes`` may then miss one, and a mask must not be stricter than it
        self.overlapped = False

    def clashes(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps a booking."""
        k = bisect.bisect_left(self.starts, end)
        return k > 0 and self.ends[k - 1] > start

    def add(self, start: int, end: int) -> None:
        k = bisect.bisect_left(self.starts, start)
        if (k > 0 and self.ends[k - 1] > start) or (k < len(self.starts) and self.starts[k] < end):
            self.overlapped = True
        self.starts.insert(k, start)
        self.ends.insert(k, end)
        before = self.version
        self._toggle(start, end)
        self.added.append((before, self.version, start, end))

    def remove(self, start: int, end: int) -> None:
        k = bisect.bisect_left(self.starts, start)
        while self.ends[k] != end:
            k += 1
        del self.starts[k], self.ends[k]
        self._toggle(start, end)

    def _toggle(self, start: int, end: int) -> None:
        """The version of the bookings with ``[start, end)`` added or taken away: the XOR of
        their hashes, and their number above them (the same booking twice cancels in the XOR)."""
        self._hashes ^= hash((start, end)) & _HASH_BITS
        self.version = self._hashes | len(self.starts) << 64


class Seating(list):
    """A group's rooms that seat a size, cheapest first (``Calendar.rooms_seating``), named by
    ``key`` so that the masks kept of them can be found again. The name stands for the rooms
    themselves: the same rooms in the same order, for any group and size, are one ``Seating``
    (the groups of one site share its rooms, and each team of their masks was kept up to date
    apart: 144 lists of 21 contents on 10,000 cohorts)."""

    def __init__(self, key: int, rooms: list[str]) -> None:
        super().__init__(rooms)
        self.key = key


class Calendar:
    """Bookings made so far, to test whether one more session fits every rule."""

    def __init__(self, cand: Candidates) -> None:
        self.cand = cand
        self.facilitator: dict[str, Bookings] = defaultdict(Bookings)
        self.day_minutes: dict[tuple[str, object], int] = defaultdict(int)
        self.room: dict[str, Bookings] = defaultdict(Bookings)
        self.learners: dict[str, Bookings] = defaultdict(Bookings)
        self.keys: dict[str, list[str]] = defaultdict(list)
        self.prices: dict[tuple[str, str], int] = {}
        self.session_prices: dict[tuple[str, str, int], int] = {}
        self.pays: dict[tuple[str, int], int] = {}  # (facilitator, minutes) -> pay_cents
        # (facilitator, site) -> travel_cents to an in-person session there
        self.travels: dict[tuple[str, str | None], int] = {}
        self.ranking: dict[str, list[str]] = {}
        self.room_order: dict[str, list[tuple[str, int]]] = {}  # group key -> (room, seats)
        self.seating: dict[tuple[str, ...], Seating] = {}  # rooms, in order -> their Seating
        self.seating_of: dict[tuple[str, int], Seating] = {}  # (group key, size) -> its seating
        # (group key, minutes) -> the group's ranking by one session's price (cheapest_free)
        self.by_session_price: dict[tuple[str, int], list[tuple[int, int, str]]] = {}
        for key, cohorts in cand.conflicts.items():
            for c in cohorts:
                self.keys[c].append(key)
        self.free = FreeStarts(self)

    def facilitator_fits(self, f: str, start: int, minutes: int) -> bool:
        """Bookable, clear of the facilitator's other sessions by the buffer, and under the daily
        maximum."""
        fac = self.cand.problem.facilitators[f]
        if not self.cand.facilitator_free(f, start, minutes):
            return False
        buffer = fac.buffer_minutes
        if self.facilitator[f].clashes(start - buffer, start + minutes + buffer):
            return False
        if fac.max_minutes_per_day is not None:
            day = self.cand.grid.local_date(start, fac.timezone)
            return self.day_minutes[(f, day)] + minutes <= fac.max_minutes_per_day
        return True

    def free_facilitators(self, options: list[str], start: int, minutes: int) -> list[str]:
        """Those of ``options`` who fit at ``start`` (``facilitator_fits``), the masks of
        :class:`~solver.free_starts.FreeStarts` asked first where there are many."""
        k = self.cand.sets.position.get(start)
        if len(options) < 4 or k is None:
            return [f for f in options if self.facilitator_fits(f, start, minutes)]
        masks = self.free.facilitators(options, minutes)
        return [
            f
            for f, mask in zip(options, masks, strict=True)
            if mask >> k & 1 and self.facilitator_fits(f, start, minutes)
        ]

    def cheapest_free(self, group: Group, options: list[str], start: int, minutes: int):
        """The facilitator of ``options`` who fits at ``start`` (``facilitator_fits``) and costs
        least there (``session_price``; on a tie the first in ``options``), or None.

        What ``min(free_facilitators(...), key=session_price)`` gives, without testing those who
        cannot be cheapest: ``options`` are tried by their price before if_need_be (which only
        adds), and the tries stop at the first one dearer than the best found. On 10,000 cohorts
        a program has hundreds of qualified facilitators and testing them all was a third of
        the greedy plan's time."""
        k = self.cand.sets.position.get(start)
        if len(options) < 4 or k is None or options is not self.ranking.get(group.key):
            free = self.free_facilitators(options, start, minutes)
            return min(
                free, key=lambda f: self.session_price(group, f, start, minutes), default=None
            )
        best: tuple[int, int, str] | None = None  # (price at start, place in options, who)
        for base, i, f in self._by_session_price(group, options, minutes):
            if best is not None and base > best[0]:
                break
            free = self.free.facilitator(f, minutes) >> k & 1  # the mask first: one look-up
            if not free or not self.facilitator_fits(f, start, minutes):
                continue
            cost = self.session_price(group, f, start, minutes)
            if best is None or (cost, i) < best[:2]:
                best = (cost, i, f)
        return None if best is None else best[2]

    def _by_session_price(self, group: Group, options: list[str], minutes: int):
        """``options`` (the group's ranking, kept for this calendar's life) as (session price
        before if_need_be, place in options, facilitator), cheapest first."""
        key = (group.key, minutes)
        order = self.by_session_price.get(key)
        if order is None:
            order = self.by_session_price[key] = sorted(
                (self.session_price_base(group, f, minutes), i, f) for i, f in enumerate(options)
            )
        return order

    def free_room(self, rooms: list[str], start: int, minutes: int) -> str | None:
        """The first of ``rooms`` that fits at ``start`` (``room_fits``), their masks asked
        first (from a tree of them for a long ``Seating``: a site of 10,000 cohorts has a
        hundred rooms, most of them taken at any one start)."""
        k = self.cand.sets.position.get(start)
        key = getattr(rooms, "key", None)
        if key is not None and k is not None and len(rooms) >= free_starts.TEAM_FROM:
            team = self.free.room_team(key, rooms, minutes)
            return next((r for r in team.free_at(k) if self.room_fits(r, start, minutes)), None)
        for r in rooms:
            if (k is None or self.free.room(r, minutes) >> k & 1) and self.room_fits(
                r, start, minutes
            ):
                return r
        return None

    def rooms_seating(self, group: Group, size: int) -> Seating:
        """The group's rooms that seat ``size``, cheapest first (by hourly cost, then the
        fewest seats). Data only, so kept: per group and size, and one list (with the masks
        kept of it) for every group and size that the same rooms seat (``Seating``). Sorting a
        site's hundred rooms for every section was a tenth of the greedy plan's time on 10,000
        cohorts."""
        order = self.room_order.get(group.key)
        if order is None:
            rooms = self.cand.problem.rooms
            order = self.room_order[group.key] = [
                (r, rooms[r].capacity)
                for r in sorted(
                    self.cand.rooms_for(group),
                    key=lambda r: (rooms[r].hourly_cost, rooms[r].capacity),
                )
            ]
        seating = self.seating_of.get((group.key, size))
        if seating is None:  # sizes repeat: a site's hundred rooms were read for every section
            rooms = tuple(r for r, seats in order if seats >= size)
            seating = self.seating.get(rooms)
            if seating is None:
                seating = self.seating[rooms] = Seating(len(self.seating), list(rooms))
            self.seating_of[(group.key, size)] = seating
        return seating

    def room_fits(self, r: str, start: int, minutes: int) -> bool:
        """Bookable and not already taken."""
        return self.cand.room_free(r, start, minutes) and not self.room[r].clashes(
            start, start + minutes
        )

    def section_price(self, group: Group, f: str) -> int:
        """``facilitator_price`` of every session of a section of ``group`` with ``f`` (data
        only, so kept: every section of the group ranks its facilitators by it)."""
        return self._section_prices(group, [f])[f]

    def ranked(self, group: Group, facilitators: list[str]) -> list[str]:
        """``facilitators`` cheapest first by ``section_price`` (kept for the group's qualified
        ones: every section of the group ranks them alike)."""
        if facilitators is not self.cand.qualified[group.program.id]:
            return sorted(facilitators, key=lambda f: self.section_price(group, f))
        if group.key not in self.ranking:
            prices = self._section_prices(group, facilitators)
            self.ranking[group.key] = sorted(facilitators, key=prices.__getitem__)
        return self.ranking[group.key]

    def _section_prices(self, group: Group, facilitators: list[str]) -> dict[str, int]:
        """``section_price`` of each of ``facilitators``, in one pass (a group of 10,000
        cohorts ranks 570 of them: the calls were most of the time to rank them)."""
        kept, key = self.prices, group.key
        missing = [f for f in facilitators if (key, f) not in kept]
        if missing:  # the sum of its sessions' prices, each kept for cheapest_free
            lengths = group.program.sessions
            totals = [0] * len(missing)
            for m in set(lengths):
                n = lengths.count(m)
                for j, price in enumerate(self.session_prices_of(group, missing, m)):
                    totals[j] += price * n
            kept.update(zip([(key, f) for f in missing], totals, strict=True))
        return {f: kept[(key, f)] for f in facilitators}

    def session_prices_of(self, group: Group, facilitators: list[str], minutes: int) -> list[int]:
        """``session_price_base`` of each of ``facilitators``, in one pass: 26 groups of
        10,000 cohorts price 15,000 facilitators, and one call each was a tenth of the time
        to the first schedule."""
        key, kept = group.key, self.session_prices
        out = [kept.get((key, f, minutes)) for f in facilitators]
        if None not in out:
            return out
        facs, pays, travels = self.cand.problem.facilitators, self.pays, self.travels
        program, site = group.program, group.site
        in_person = program.in_person  # no travel to a virtual session
        for j, f in enumerate(facilitators):
            if out[j] is not None:
                continue
            pay = pays.get((f, minutes))
            if pay is None:
                pay = pays[(f, minutes)] = pay_cents(facs[f], minutes)
            travel = travels.get((f, site)) if in_person else 0
            if travel is None:
                travel = travels[(f, site)] = travel_cents(facs[f], program, site)
            out[j] = kept[(key, f, minutes)] = pay + travel
        return out

    def session_price_base(self, group: Group, f: str, minutes: int) -> int:
        """``facilitator_price`` of one session before if_need_be (data only, so kept)."""
        price = self.session_prices.get((group.key, f, minutes))
        if price is None:  # facilitator_price, its two parts kept apart: groups share them
            price = self.session_prices_of(group, [f], minutes)[0]
        return price

    def session_price(self, group: Group, f: str, start: int, minutes: int) -> int:
        """``facilitator_price`` of one session at ``start``, its data-only part kept."""
        cost = self.session_price_base(group, f, minutes)
        if self.cand.reluctantly(f, start, minutes):
            cost += reluctance_cents(self.cand.problem.facilitators[f])
        return cost

    def learners_fit(self, cohorts: list[str], start: int, minutes: int) -> bool:
        """No cohort sharing a learner or conflict group with these is in session then."""
        end = start + minutes
        return not any(self.learners[k].clashes(start, end) for c in cohorts for k in self.keys[c])

    def book(self, parts: dict[str, int], session: PlannedSession) -> None:
        """Record a session."""
        fac = self.cand.problem.facilitators[session.facilitator]
        self.facilitator[fac.id].add(session.start, session.end)
        self.free.changed("f", fac.id)
        day = self.cand.grid.local_date(session.start, fac.timezone)
        self.day_minutes[(fac.id, day)] += session.minutes
        if session.room:
            self.room[session.room].add(session.start, session.end)
            self.free.changed("r", session.room)
        for key in {k for c in parts for k in self.keys[c]}:
            self.learners[key].add(session.start, session.end)

    def unbook(self, parts: dict[str, int], session: PlannedSession) -> None:
        """Undo :meth:`book` of the same session."""
        fac = self.cand.problem.facilitators[session.facilitator]
        self.facilitator[fac.id].remove(session.start, session.end)
        self.free.changed("f", fac.id)
        day = self.cand.grid.local_date(session.start, fac.timezone)
        self.day_minutes[(fac.id, day)] -= session.minutes
        if session.room:
            self.room[session.room].remove(session.start, session.end)
            self.free.changed("r", session.room)
        for key in {k for c in parts for k in self.keys[c]}:
            self.learners[key].remove(session.start, session.end)


def facilitator_price(
    cand: Candidates, group: Group, f: str, start: int | None, minutes: int
) -> int:
    """What one session costs with facilitator ``f``, in cents (``solver.pricing``: fee, rate and
    travel), plus if_need_be when ``start`` is given; ``minutes`` 0 prices every session of the
    program."""
    fac, program = cand.problem.facilitators[f], group.program
    if not minutes:
        return sum(facilitator_cents(fac, program, group.site, m) for m in program.sessions)
    cost = facilitator_cents(fac, program, group.site, minutes)
    if start is not None and cand.reluctantly(f, start, minutes):
        cost += reluctance_cents(fac)
    return cost
