"""The greedy plan's placement loop in C (``solver/_greedy.c``), where it gives the same plan.

The greedy plan placed a section in about 0.3 ms of Python on 10,000 cohorts: 3.5-5 s for the
first schedule of a global company's period, against the 1 s asked of it (issue 18,
bench/results/log.md). Its rules are few and its state is small (who is booked when), so the
placement of the sections, once they are formed and sorted, is done by a C extension when it was
built (``pyproject.toml``; it is optional, and without it the Python loop runs).

A ``Placement`` is the C side's calendar, made from the calendar it is given: empty, or holding
the fixed sessions (booked in Python first). It first keeps what still fits of the plan a
re-plan starts from (``keep``: exactly what ``greedy._previous_sections`` keeps, section after
section), then places the sections formed of the learners left (``place``: exactly what
``greedy.place_section`` places). A calendar where two bookings of one person, room or learner
overlap (fixed sessions that clash) stays with the Python loop.
``tests/solver/test_compiled_greedy.py`` compares the two loops' plans on generated problems,
with and without fixed sessions, and on re-plans.

The C side gets arrays of integers and of bit sets (``_Input``) and returns, per section, its
sessions' positions, facilitators and rooms. The install builds it in place (next to the C
file); after changing the C file, install again (``scripts/test`` does) to rebuild it.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from itertools import chain

from solver.bookings import Calendar
from solver.candidates import Candidates, Group
from solver.plan import PlannedSession
from solver.pricing import reluctance_cents

try:
    from solver import _greedy
except ImportError:  # not built (no C compiler where it was installed): the Python loop runs
    _greedy = None


def available() -> bool:
    """Whether the C placement was built."""
    return _greedy is not None


def applies(cal: Calendar) -> bool:
    """Whether the C placement can go on from ``cal``: built, and no two of its bookings of one
    person, room or learner overlap (fixed sessions are booked whatever they clash with; the
    Python loop's masks allow for that, the C side's free sets do not)."""
    booked = (cal.facilitator, cal.room, cal.learners)
    return available() and not any(b.overlapped for kind in booked for b in kind.values())


def place_all(
    cand: Candidates, cal: Calendar, pending: list[tuple[Group, dict[str, int]]]
) -> list[list[PlannedSession] | None]:
    """Each of ``pending`` (group, cohorts and learners) placed in turn, as
    ``greedy.place_section(cand, cal, group, parts, book=True)`` would from ``cal`` (its
    sessions, or None); ``cal`` itself is left as it was."""
    return Placement(cand, cal).place(pending)


# Sections placed in this many batches (``Placement.place``), when each has at least
# ``MIN_BATCH``. On the staffed demo x 167 (20,014 sections) the C side's 0.13-0.18 s then runs
# beside the 0.08-0.09 s of writing its input and 0.02-0.04 s of reading its answer: placing
# took 0.234 s against 0.300 s in one batch (medians of 6, alternated); on the demo x 167 (1,860
# sections) 0.138 s against 0.151 s (bench/results/log.md, 8 Dec).
PLACE_BATCHES = 6
MIN_BATCH = 250

# A section of the plan a re-plan starts from, for ``Placement.keep``: its group, cohorts and
# learners, and the sessions that may still fit where they were, in the plan's order: index,
# start (its place in ``cand.sets.starts``), facilitator, room (None: not in person).
Kept = tuple[Group, dict[str, int], list[tuple[int, int, str, str | None]]]


class Placement:
    """The C side's calendar, made from ``cal`` (``cal`` itself is left as it was): what
    ``keep`` and ``place`` place stays booked in it for the calls after."""

    def __init__(self, cand: Candidates, cal: Calendar) -> None:
        self.data = _Input(cand, cal)
        self.calendar = _greedy.calendar(self.data.calendar_ints())

    def keep(self, kept: list[Kept]) -> list[list[PlannedSession] | None]:
        """Each section of ``kept`` in turn, as ``greedy._previous_sections`` places it: the
        sessions that still fit kept where they are, the others placed again around them, else
        the whole section placed afresh (its sessions, or None)."""
        data = self.data
        for group, parts, sessions in kept:
            data.section(group, parts, sessions)
        placed = _greedy.keep(self.calendar, data.batch_ints(), data.batch_words())
        return self._read(placed, [(group, parts) for group, parts, _ in kept])

    def place(
        self, pending: list[tuple[Group, dict[str, int]]]
    ) -> list[list[PlannedSession] | None]:
        """Each of ``pending`` placed in turn, as ``greedy.place_section`` places it.

        Many sections go in batches, placed one after the other in a thread of their own: the
        C side runs without Python's lock, so meanwhile this thread writes the next batch and
        reads the one before (``PLACE_BATCHES``)."""
        if len(pending) < PLACE_BATCHES * MIN_BATCH:
            return self._read(self._placed(self._batch(pending)), pending)
        size = -(-len(pending) // PLACE_BATCHES)
        batches = [pending[k : k + size] for k in range(0, len(pending), size)]
        out: list[list[PlannedSession] | None] = []
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="greedy-place") as placing:
            running = placing.submit(self._placed, self._batch(batches[0]))
            for before, batch in zip(batches[:-1], batches[1:], strict=True):
                written = self._batch(batch)
                placed = running.result()
                running = placing.submit(self._placed, written)
                out += self._read(placed, before)
            out += self._read(running.result(), batches[-1])
        return out

    def _batch(self, sections: list[tuple[Group, dict[str, int]]]) -> tuple[array, bytes]:
        """The C side's input for ``sections`` (the batch is then over)."""
        data = self.data
        for group, parts in sections:
            data.section(group, parts)
        return data.batch_ints(), data.batch_words()

    def _placed(self, written: tuple[array, bytes]) -> bytes:
        """A batch placed by the C side (in the calendar, for the calls after)."""
        return _greedy.place(self.calendar, *written)

    def _read(self, placed: bytes, sections) -> list[list[PlannedSession] | None]:
        """The C side's answer for ``sections`` as their sessions (or None)."""
        answer = array("q")
        answer.frombytes(placed)
        return self.data.read(answer, sections)


def _rooms_cheapest_first(cand: Candidates) -> list[str]:
    """Every room, each site's in the order ``Calendar.rooms_seating`` lists them (by hourly
    cost, then seats): the C side takes the lowest numbered free room of a list as its first."""
    rooms = cand.problem.rooms
    order = [
        r
        for listed in cand.rooms_at.values()
        for r in sorted(listed, key=lambda r: (rooms[r].hourly_cost, rooms[r].capacity))
    ]
    seen = set(order)
    return order + [r for r in rooms if r not in seen]


class _Input:
    """What ``_greedy`` reads, in its order (see the C file): for the calendar, the grid, the
    facilitators' and rooms' rules and free starts per session length, the bookings and the
    groups; for each call after, the room lists and cohorts it brings and its sections,
    referred to by number (numbers go on from call to call)."""

    def __init__(self, cand: Candidates, cal: Calendar) -> None:
        self.cand, self.cal = cand, cal
        problem, grid, sets = cand.problem, cand.grid, cand.sets
        self.starts = sets.starts
        self.n, self.width = len(self.starts), (len(self.starts) + 63) // 64
        self.facilitators = list(problem.facilitators)
        self.f_index = {f: i for i, f in enumerate(self.facilitators)}
        self.rooms = _rooms_cheapest_first(cand)
        self.r_index = {r: i for i, r in enumerate(self.rooms)}
        # the keys (learners, conflict groups) of each cohort as numbers, in increasing order
        self.keys_of: dict[str, list[int]] = {}
        for i, cohorts in enumerate(cand.conflicts.values()):
            for c in cohorts:
                self.keys_of.setdefault(c, []).append(i)
        self.minutes = sorted({m for g in cand.groups.values() for m in g.program.sessions})
        self.m_index = {m: i for i, m in enumerate(self.minutes)}
        zones = sorted({problem.facilitators[f].timezone for f in self.facilitators})
        self.z_index = {z: i for i, z in enumerate(zones)}
        self.local_days = [self._local_days(z) for z in zones]
        self.day_count = max((max(days, default=-1) + 1 for days in self.local_days), default=0)
        self.head = [self.n, self.width, len(sets.day_masks), len(self.facilitators),
                     len(self.rooms), len(cand.conflicts), len(self.minutes), len(zones),
                     len(cand.groups), self.day_count]  # fmt: skip
        self.grid_ints = [*self.starts, *(grid.day_index(t) for t in self.starts), *self.minutes]
        self.groups: dict[str, int] = {}
        self.group_ints: list[int] = []
        for group in cand.groups.values():
            self._group(group)
        self.seatings: dict[int, int] = {}
        self.cohorts: dict[str, int] = {}
        self.as_bytes: dict[int, bytes] = {}
        self._new_batch()
        self._resources()
        self.booking_ints = self._bookings(zones)

    def _new_batch(self) -> None:
        """What the next call brings: room lists, cohorts (their masks) and sections."""
        self.seating_ints: list[int] = []
        self.new_seatings = 0
        self.cohort_ints: list[int] = []
        self.new_cohorts = 0
        self.section_ints: list[int] = []
        self.sections = 0
        self.masks = bytearray()

    def _local_days(self, zone: str) -> list[int]:
        """Each start's local day in ``zone``, counted from the first start's (starts are in
        order, so days are too): found from each local midnight, and checked at both ends of
        each day with ``TimeGrid.local_date`` (asked of every start, it was most of this
        input's time on the demo)."""
        grid, starts, out = self.cand.grid, self.starts, []
        if not starts:
            return out
        first = day = grid.local_date(starts[0], zone)
        last = grid.local_date(starts[-1], zone)
        while day <= last:
            after = day + timedelta(days=1)
            end = bisect_left(starts, grid.local_minute(datetime.combine(after, time()), zone))
            if end > len(out):
                at_ends = {
                    grid.local_date(starts[len(out)], zone),
                    grid.local_date(starts[end - 1], zone),
                }
                if at_ends != {day}:  # not where midnight says: each start asked instead
                    return [(grid.local_date(t, zone) - first).days for t in starts]
                out += [(day - first).days] * (end - len(out))
            day = after
        return out

    def _bookings(self, zones: list[str]) -> list[int]:
        """What ``cal`` holds already: each facilitator's bookings and the minutes they teach on
        each local day (numbered as ``_local_days`` numbers them; a day with no start cannot
        matter), each room's bookings, each learner or conflict group's (``cand.conflicts``
        order)."""
        cal, grid, out = self.cal, self.cand.grid, []
        firsts = {z: grid.local_date(self.starts[0], z) for z in zones} if self.starts else {}
        counts = {
            z: max(local, default=-1) + 1 for z, local in zip(zones, self.local_days, strict=True)
        }
        days: dict[str, list[int]] = {}  # facilitator -> day, minutes, day, minutes, ...
        for (f, day), minutes in cal.day_minutes.items():
            zone = self.cand.problem.facilitators[f].timezone
            d = (day - firsts[zone]).days if zone in firsts else -1
            if minutes and 0 <= d < counts.get(zone, 0):
                days.setdefault(f, []).extend((d, minutes))
        for name in self.facilitators:
            self._booked(out, cal.facilitator.get(name))
            listed = days.get(name, [])
            out.append(len(listed) // 2)
            out += listed
        for name in self.rooms:
            self._booked(out, cal.room.get(name))
        for key in self.cand.conflicts:
            self._booked(out, cal.learners.get(key))
        return out

    @staticmethod
    def _booked(out: list[int], bookings) -> None:
        """One resource's bookings: their count, then the start and end of each."""
        if bookings is None:
            out.append(0)
            return
        out.append(len(bookings.starts))
        out += chain.from_iterable(zip(bookings.starts, bookings.ends, strict=True))

    def _resources(self) -> None:
        """Rules of each facilitator, then their bookable and if-need-be intervals, then each
        room's bookable intervals (the C side makes the starts of each from them)."""
        cand, problem = self.cand, self.cand.problem
        rules, intervals = [], []
        for name in self.facilitators:
            fac = problem.facilitators[name]
            rules.append((fac.buffer_minutes,
                          -1 if fac.max_minutes_per_day is None else fac.max_minutes_per_day,
                          reluctance_cents(fac), self.z_index[fac.timezone]))  # fmt: skip
            for listed in (cand.bookable[name], cand.reluctant.get(name, ())):
                intervals.append(len(listed))
                intervals += chain.from_iterable(listed)
        for name in self.rooms:
            listed = cand.room_bookable[name]
            intervals.append(len(listed))
            intervals += chain.from_iterable(listed)
        self.f_ints = [x for i in range(4) for x in (r[i] for r in rules)]
        self.resource_ints = intervals

    def _bytes(self, mask: int) -> bytes:
        """A mask as the C side's words (kept: many people, rooms and sections share one)."""
        found = self.as_bytes.get(mask)
        if found is None:
            found = self.as_bytes[mask] = mask.to_bytes(self.width * 8, "little")
        return found

    def _group(self, group: Group) -> int:
        """The group's number: its sessions, spacing, mode and ranked facilitators with the
        price of one session of each length (``Calendar.session_price_base``)."""
        number = self.groups.get(group.key)
        if number is None:
            cal, program = self.cal, group.program
            ranked = cal.ranked(group, self.cand.qualified[program.id])
            lengths = set(program.sessions)
            by_length = [
                cal.session_prices_of(group, ranked, m) if m in lengths else [0] * len(ranked)
                for m in self.minutes
            ]
            prices = [p for place in zip(*by_length, strict=True) for p in place] if ranked else []
            # per length, the places in the ranking by that price, ties in ranking order (a
            # stable sort): Calendar._by_session_price
            order = [
                j for row in by_length for j in sorted(range(len(ranked)), key=row.__getitem__)
            ]
            lo, hi = program.gap_days
            self.group_ints += [len(program.sessions), lo, hi, int(program.in_person),
                                int(program.same_facilitator),
                                *(self.m_index[m] for m in program.sessions),
                                len(ranked), *(self.f_index[f] for f in ranked),
                                *prices, *order]  # fmt: skip
            number = self.groups[group.key] = len(self.groups)
        return number

    def _seating(self, group: Group, size: int) -> int:
        """The number of the list of rooms that seat ``size`` for the group, cheapest first."""
        seating = self.cal.rooms_seating(group, size) if group.program.in_person else []
        key = getattr(seating, "key", -1)
        number = self.seatings.get(key)
        if number is None:
            self.seating_ints += [len(seating), *(self.r_index[r] for r in seating)]
            self.new_seatings += 1
            number = self.seatings[key] = len(self.seatings)
        return number

    def section(self, group: Group, parts: dict[str, int], kept: list | None = None) -> None:
        """One section to place: its group, its rooms and its cohorts; with ``kept`` (a
        section of the plan kept: ``Kept``'s sessions), those sessions."""
        sessions, known = len(group.program.sessions), self.cohorts
        cohorts = [known[c] if c in known else self._cohort(c, sessions) for c in parts]
        self.section_ints += [self.groups[group.key], self._seating(group, sum(parts.values())),
                              len(cohorts), *cohorts]  # fmt: skip
        if kept is not None:
            f_index, r_index = self.f_index, self.r_index
            self.section_ints.append(len(kept))
            for i, k, f, r in kept:
                self.section_ints += (i, k, f_index[f], -1 if r is None else r_index[r])
        self.sections += 1

    def _cohort(self, cohort: str, sessions: int) -> int:
        """The cohort's number: its sessions' allowed starts
        (``Candidates.start_mask``) and its learners' and conflict groups' keys."""
        at = len(self.masks) // 8
        for i in range(sessions):
            self.masks += self._bytes(self.cand.start_mask(cohort, i))
        keys = self.keys_of.get(cohort, ())
        self.cohort_ints += [sessions, at, len(keys), *keys]
        self.new_cohorts += 1
        number = self.cohorts[cohort] = len(self.cohorts)
        return number

    def calendar_ints(self) -> array:
        """The calendar's integers, in the order the C side reads them."""
        first_of_day = []
        for days in self.local_days:
            firsts = [self.n] * (self.day_count + 1)
            for k in range(len(days) - 1, -1, -1):
                firsts[days[k]] = k
            first_of_day += firsts
        counts = [max(days, default=-1) + 1 for days in self.local_days]
        out = array("q", self.head)
        out += array("q", self.grid_ints)
        out += array("q", self.f_ints)
        for days in self.local_days:
            out += array("q", days)
        out += array("q", counts)
        out += array("q", first_of_day)
        out += array("q", self.resource_ints)
        out += array("q", self.booking_ints)
        out += array("q", self.group_ints)
        return out

    def batch_ints(self) -> array:
        """The next call's integers (room lists, cohorts, sections), in the C side's order."""
        out = array("q", [self.new_seatings, self.new_cohorts, self.sections])
        out += array("q", self.seating_ints)
        out += array("q", self.cohort_ints)
        out += array("q", self.section_ints)
        return out

    def batch_words(self) -> bytes:
        """The next call's cohorts' masks; the batch is then over."""
        words = bytes(self.masks)
        self._new_batch()
        return words

    def read(self, placed: array, pending) -> list[list[PlannedSession] | None]:
        """The C side's answer as sessions, one entry per section of ``pending``."""
        out: list[list[PlannedSession] | None] = []
        k = 0
        for group, _parts in pending:
            count = placed[k]
            k += 1
            if not count:
                out.append(None)
                continue
            sessions = []
            for i, minutes in enumerate(group.program.sessions):
                position, f, r = placed[k : k + 3]
                k += 3
                sessions.append(PlannedSession(i, self.starts[position], minutes,
                                               self.facilitators[f],
                                               self.rooms[r] if r >= 0 else None))  # fmt: skip
            out.append(sessions)
        return out
