"""Where a section could still go, for every start at once: the greedy plan's first filter.

The greedy plan places each section at its earliest start where the learners, a room and a
facilitator are free. Testing start after start with ``Calendar.learners_fit``, ``room_fits`` and
``facilitator_fits`` was most of the first schedule's time on 1,000 cohorts and more (the plan
fills up from the earliest starts, so most tests fail). These masks (:mod:`solver.startsets`)
keep only the starts where all three may hold; the exact tests then run on those alone, in the
same order, so the plan is the one the start-by-start scan makes.

Every mask here holds at least every start the exact test accepts (it may hold more, e.g. where
bookings overlap): a filter that never drops a start the scan would have taken.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from solver.startsets import union

# From this many facilitators or rooms in a list, who of them is free is read from a tree of
# their masks (``_Team``) instead of asking each in turn.
TEAM_FROM = 16


class FreeStarts:
    """Masks of the starts where one resource of a ``bookings.Calendar`` is free, kept until that
    resource's bookings change."""

    def __init__(self, cal) -> None:
        self.cal, self.cand, self.sets = cal, cal.cand, cal.cand.sets
        self._kept: dict[tuple, tuple[int, int]] = {}
        self._clashes: dict[tuple[str, str, int], dict[int, int]] = {}
        self._local_days: dict[tuple[object, str], int] = {}
        # (("qualified" | "ranked" | "rooms", what names the list), minutes) -> its team
        self._teams: dict[tuple[tuple, int], _Team] = {}
        # ("f" | "r", facilitator or room) -> the teams it is in, told when its bookings change
        self._teams_of: dict[tuple[str, str], list[_Team]] = defaultdict(list)

    def _clashing(self, kind: str, name: str, booked, minutes: int, buffer: int = 0) -> int:
        """Starts a session of ``minutes`` may not take because of ``booked``: kept for a few
        versions of the bookings (a try books and takes back), and from a kept one by the
        bookings added since where it can (a room is booked a few hundred times)."""
        if booked.overlapped:
            return 0  # the exact test may miss a clash there: keep every start for it
        versions = self._clashes.setdefault((kind, name, minutes), {})
        mask = versions.get(booked.version)
        if mask is not None:
            return mask
        mask, version = 0, booked.version
        for before, after, s, e in reversed(booked.added):
            if after == version:
                mask |= self.sets.clashing(((s, e),), minutes, buffer)
                version = before
                if version in versions:
                    mask |= versions[version]
                    break
        else:
            mask = self.sets.clashing(zip(booked.starts, booked.ends, strict=True), minutes, buffer)
        if len(versions) >= 8:
            versions.clear()
        versions[booked.version] = mask
        return mask

    def changed(self, kind: str, name: str) -> None:
        """Facilitator (``kind`` "f") or room ("r") ``name`` was booked or unbooked
        (``Calendar.book``): its teams take its mask again when next asked. Each team used to
        read every change since it was last asked, its own members' or not: 9 million reads
        for 1.2 million changes on 10,000 cohorts."""
        for team in self._teams_of.get((kind, name), ()):
            team.changed.add(name)

    def facilitator(self, f: str, minutes: int) -> int:
        """Starts where ``f`` is bookable, clear of their sessions by the buffer, on a day with
        time left under their daily maximum (``Calendar.facilitator_fits``)."""
        booked = self.cal.facilitator[f]
        key = ("f", f, minutes)
        kept = self._kept.get(key)
        if kept is not None and kept[0] == booked.version:
            return kept[1]
        fac = self.cand.problem.facilitators[f]
        mask = self.cand.facilitator_mask(f, minutes)
        if booked.starts:
            mask &= ~self._clashing("f", f, booked, minutes, fac.buffer_minutes)
        if booked.starts and fac.max_minutes_per_day is not None:
            mask &= ~self._full_days(f, fac, booked, minutes)
        self._kept[key] = (booked.version, mask)
        return mask

    def facilitators(self, options: list[str], minutes: int) -> list[int]:
        """``facilitator`` of each of ``options`` (the greedy asks it for every qualified
        facilitator of every section: the kept masks are looked up here without a call each)."""
        kept, booked, out = self._kept, self.cal.facilitator, []
        for f in options:
            hit = kept.get(("f", f, minutes))
            out.append(
                hit[1] if hit is not None and hit[0] == booked[f].version
                else self.facilitator(f, minutes)
            )  # fmt: skip
        return out

    def qualified(self, program, minutes: int) -> int:
        """Starts where one of the program's qualified facilitators is free (``facilitator``)."""
        people = self.cand.qualified[program.id]
        return self.team(("qualified", program.id), people, minutes).tree[1]

    def team(self, key, people: list[str], minutes: int) -> _Team:
        """The masks of ``people`` (facilitators in a list kept under ``key``: a program's
        qualified ones, a group's ranking), brought up to date with the bookings."""
        return self._team(key, people, minutes, "f", self.facilitator, self.cal.facilitator)

    def room_team(self, key, rooms: list[str], minutes: int) -> _Team:
        """``team`` of rooms (``bookings.Seating``: a group's rooms for a size)."""
        return self._team(("rooms", key), rooms, minutes, "r", self.room, self.cal.room)

    def _team(self, key, people, minutes: int, kind: str, mask_of, bookings) -> _Team:
        """The team kept under ``key``, each member's mask taken again where their bookings
        (named by ``Bookings.version``) changed since: a try that books and takes back changes
        nothing, and most of the greedy plan's tries fail."""
        team = self._teams.get((key, minutes))
        if team is None:
            team = _Team(people, minutes, [mask_of(p, minutes) for p in people])
            team.versions = [bookings[p].version for p in people]
            self._teams[(key, minutes)] = team
            for p in people:
                self._teams_of[(kind, p)].append(team)
        elif team.changed:
            where, versions = team.where, team.versions
            for p in team.changed:
                i = where[p]
                if versions[i] != bookings[p].version:
                    versions[i] = bookings[p].version
                    team.put(i, mask_of(p, minutes))
            team.changed.clear()
        return team

    def _full_days(self, f: str, fac, booked, minutes: int) -> int:
        """Starts on the facilitator's local days where ``minutes`` more would pass the maximum."""
        grid, full = self.cand.grid, 0
        for day in {grid.local_date(s, fac.timezone) for s in booked.starts}:
            if self.cal.day_minutes[(f, day)] + minutes > fac.max_minutes_per_day:
                full |= self._local_day(day, fac.timezone)
        return full

    def _local_day(self, day, tz: str) -> int:
        """Grid starts whose local date in ``tz`` is ``day``."""
        key = (day, tz)
        if key not in self._local_days:
            grid = self.cand.grid
            midnight = grid.local_minute(datetime.combine(day, time()), tz)
            following = grid.local_minute(datetime.combine(day + timedelta(days=1), time()), tz)
            self._local_days[key] = self.sets.between(midnight, following)
        return self._local_days[key]

    def room(self, r: str, minutes: int) -> int:
        """Starts where room ``r`` is bookable and not taken (``Calendar.room_fits``)."""
        booked = self.cal.room[r]
        key = ("r", r, minutes)
        kept = self._kept.get(key)
        if kept is not None and kept[0] == booked.version:
            return kept[1]
        mask = self.cand.room_mask(r, minutes)
        if booked.starts:
            mask &= ~self._clashing("r", r, booked, minutes)
        self._kept[key] = (booked.version, mask)
        return mask

    def rooms(self, rooms: list[str], minutes: int) -> int:
        """Starts where one of ``rooms`` is free (``room``)."""
        key = getattr(rooms, "key", None)  # a bookings.Seating
        if key is not None and len(rooms) >= TEAM_FROM:
            return self.room_team(key, rooms, minutes).tree[1]
        kept, booked, out = self._kept, self.cal.room, 0
        for r in rooms:
            hit = kept.get(("r", r, minutes))
            out |= (
                hit[1] if hit is not None and hit[0] == booked[r].version
                else self.room(r, minutes)
            )  # fmt: skip
        return out

    def learners(self, cohorts: list[str], minutes: int) -> int:
        """Starts where no cohort sharing a learner or conflict group with ``cohorts`` is in
        session (``Calendar.learners_fit``)."""
        taken, learners = 0, self.cal.learners
        for key in {k for c in cohorts for k in self.cal.keys[c]}:
            booked = learners[key]
            if booked.starts:
                taken |= self._clashing("l", key, booked, minutes)
        return self.sets.everything & ~taken


class SectionStarts:
    """Starts where each session of one section could go, for the calendar as it was before any
    of the section's own sessions was booked (booking them only takes starts away): allowed for
    every cohort, the learners free, one of ``rooms`` free (in person) and one facilitator of the
    options free."""

    def __init__(self, cal, program, cohorts: list[str], rooms: list[str], allowed: list[int]):
        self.free, self.program, self.cohorts, self.rooms = cal.free, program, cohorts, rooms
        self.allowed = allowed  # mask per session
        self.qualified = cal.cand.qualified[program.id]
        self._base: dict[int, int] = {}
        self._with: dict[tuple[int, tuple[str, ...]], int] = {}

    def base(self, index: int) -> int:
        """Allowed, learners free and (in person) one of the rooms free."""
        if index not in self._base:
            minutes = self.program.sessions[index]
            mask = self.allowed[index]
            if mask:
                mask &= self.free.learners(self.cohorts, minutes)
            if mask and self.program.in_person:
                mask &= self.free.rooms(self.rooms, minutes)
            self._base[index] = mask
        return self._base[index]

    def of(self, index: int, options: list[str]) -> int:
        """``base`` where one of the facilitators in ``options`` is free too."""
        everyone = len(options) > 1 and len(options) == len(self.qualified)
        key = (index, "everyone" if everyone else tuple(options))
        if key not in self._with:
            mask, minutes = self.base(index), self.program.sessions[index]
            if mask and everyone:  # options are the qualified facilitators, in another order
                mask &= self.free.qualified(self.program, minutes)
            elif mask:
                mask &= union(self.free.facilitators(options, minutes))
            self._with[key] = mask
        return self._with[key]


class _Team:
    """The OR of the free-start masks of a fixed list of facilitators, kept as a tree of ORs:
    a booking changes one leaf, and the union costs a few ORs to bring up to date instead of one
    per facilitator (a program has a hundred and more on 2,000 cohorts)."""

    def __init__(self, people: list[str], minutes: int, masks: list[int]) -> None:
        self.people, self.minutes = people, minutes
        self.versions: list[int] = []  # each member's bookings version at their mask (FreeStarts)
        self.changed: set[str] = set()  # members booked or unbooked since (FreeStarts.changed)
        self.where = {f: i for i, f in enumerate(people)}
        self.size = 1 << max(len(people) - 1, 0).bit_length()
        tree = self.tree = [0] * (2 * self.size)
        tree[self.size : self.size + len(masks)] = masks
        for i in range(self.size - 1, 0, -1):
            tree[i] = tree[2 * i] | tree[2 * i + 1]

    def put(self, i: int, mask: int) -> None:
        """Member ``i``'s mask is now ``mask``: the ORs above it again."""
        tree, i = self.tree, i + self.size
        if tree[i] == mask:
            return
        tree[i] = mask
        i //= 2
        while i:
            union = tree[2 * i] | tree[2 * i + 1]
            if tree[i] == union:  # nor will any OR above it change
                return
            tree[i] = union
            i //= 2

    def free_at(self, k: int):
        """The people whose mask holds start ``k``, in their order: down the tree only where
        the OR holds it (late in a plan most of a program's hundreds of facilitators are booked
        at any one start, and asking each in turn was a fifth of the greedy plan's time)."""
        tree, size, bit = self.tree, self.size, 1 << k
        stack = [1] if tree[1] & bit else []
        while stack:
            i = stack.pop()
            if i >= size:
                yield self.people[i - size]
                continue
            if tree[2 * i + 1] & bit:
                stack.append(2 * i + 1)
            if tree[2 * i] & bit:
                stack.append(2 * i)
