"""The demo's cohorts: who must take which program, where, when they can attend, and by when.

Per unit of ``scale`` there are 60 cohorts:

- 24 store cohorts for the till basics (each store's whole staff), before opening or in quiet
  mid-week hours, due before their region's go-live, blocked during its peak-trading week;
- 4 regional shift-lead cohorts for the shift-lead till module;
- 6 security-champions cohorts (three champions nominated per office or engineering team);
- 14 virtual phishing-defence waves of office staff;
- 8 secure-coding cohorts, one per engineering team, kept together (not splittable);
- 4 virtual manager-coaching cohorts of team leads, kept private (not mergeable).

Every learner is in one or two cohorts. Deadlines fall 8-12 weeks after the planning start.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta

from scheduler.demo.organisation import REGIONS, SHIFT_LEADS_PER_STORE, STORES_PER_REGION, Team
from scheduler.demo.timeutil import local_instant, local_week
from scheduler.models import Cohort, CohortBlock, CohortMember, Learner, Program, Site

WEEKDAYS = "mon,tue,wed,thu,fri"
MON_TO_THU = "mon,tue,wed,thu"


@dataclass(frozen=True)
class Rollout:
    """A retail region's till rollout: training window and the week it must avoid."""

    earliest_week: int
    go_live_week: int
    peak_week: int
    peak_reason: str


ROLLOUTS = {
    "london": Rollout(0, 9, 4, "Sale week: all hands on the shop floor"),
    "north": Rollout(1, 10, 5, "Stocktake week"),
    "france": Rollout(2, 11, 6, "Opération commerciale: peak trading week"),
    "germany": Rollout(3, 12, 7, "Inventurwoche: stocktake week"),
}
CHAMPION_COHORTS = {"london": 2, "manchester": 1, "paris": 1, "berlin": 1, "new-york": 1}
CHAMPIONS_PER_TEAM = 3
PHISHING_WAVES = {"london": 6, "manchester": 2, "paris": 2, "berlin": 2, "new-york": 2}
#: Team leads meet peers in their own zone: (group key, time zone, sites, cohorts per scale).
COACHING_GROUPS = (
    ("uk", "Europe/London", ("london", "manchester"), 2),
    ("europe", "Europe/Paris", ("paris", "berlin"), 1),
    ("americas", "America/New_York", ("new-york",), 1),
)
RELEASE_FREEZE_TEAMS = ("Payments", "Checkout")


class CohortBuilder:
    """Builds the demo's cohorts from its teams, deterministically from the seeded ``rng``."""

    def __init__(self, rng: random.Random, plan_start: date, programs: dict[str, Program],
                 sites: dict[str, Site], teams: list[Team]):  # fmt: skip
        self.rng = rng
        self.plan_start = plan_start
        self.programs = programs
        self.sites = sites
        self.teams = teams
        self.cohorts: list[Cohort] = []

    def build(self, scale: int) -> list[Cohort]:
        """All cohorts with their members and blocked periods."""
        self._till_cohorts()
        self._champion_cohorts(scale)
        self._phishing_waves(scale)
        self._secure_coding_cohorts()
        self._coaching_cohorts(scale)
        return self.cohorts

    def _week(self, number: int) -> date:
        return self.plan_start + timedelta(weeks=number)

    def _deadline(self, week: int) -> date:
        """The Friday before week ``week`` starts: the business deadline for that week's go-live."""
        return self._week(week) - timedelta(days=3)

    def _add(
        self, key: str, program: str, learners: list[Learner], timezone: str, **fields
    ) -> Cohort:
        cohort = Cohort(
            key=key,
            program=self.programs[program],
            timezone=timezone,
            earliest=fields.pop("earliest", self.plan_start),
            **fields,
        )
        cohort.members = [CohortMember(learner=learner) for learner in learners]
        self.cohorts.append(cohort)
        return cohort

    def _teams(self, kind: str, site: str | None = None) -> list[Team]:
        return [t for t in self.teams if t.kind == kind and site in (None, t.site)]

    def _till_cohorts(self) -> None:
        for region, _name, site, _locations in REGIONS:
            rollout = ROLLOUTS[region]
            stores = [t for t in self._teams("store") if t.region == region]
            peak = local_week(self._week(rollout.peak_week), self.sites[site].timezone)
            for index, store in enumerate(stores):
                self._store_cohort(store, index, rollout, peak)
            for number, start in enumerate(range(0, len(stores), STORES_PER_REGION)):
                leads = [
                    learner
                    for store in stores[start : start + STORES_PER_REGION]
                    for learner in store.learners[:SHIFT_LEADS_PER_STORE]
                ]
                cohort = self._add(
                    f"pos-shift-leads-{region}-{number + 1}", "pos-shift-leads", leads,
                    self.sites[site].timezone, site=self.sites[site],
                    hours_days="tue,wed,thu", hours_from=time(13, 30), hours_to=time(17, 0),
                    earliest=self._week(rollout.earliest_week),
                    deadline=self._deadline(rollout.go_live_week), unscheduled_cost=1200,
                )  # fmt: skip
                cohort.blocks = [
                    CohortBlock(start=peak[0], end=peak[1], reason=rollout.peak_reason)
                ]

    def _store_cohort(self, store: Team, index: int, rollout: Rollout, peak) -> None:
        """Even-numbered stores train before opening, odd ones in the quiet mid-week hours.

        The first store of each six is a flagship that trains on its own (not mergeable), and
        neighbouring stores share cover staff, so their sessions must not overlap.
        """
        early = index % 2 == 0
        cohort = self._add(
            f"pos-basics-{store.key.removeprefix('store-')}", "pos-basics", store.learners,
            store.timezone, site=self.sites[store.site],
            hours_days=WEEKDAYS if early else "tue,wed,thu",
            hours_from=time(7, 0) if early else time(10, 30),
            hours_to=time(9, 30) if early else time(16, 30),
            earliest=self._week(rollout.earliest_week),
            deadline=self._deadline(rollout.go_live_week),
            mergeable=index % STORES_PER_REGION != 0, unscheduled_cost=800,
            conflict_groups=f"cover-{store.region}-{index // 2 + 1}",
        )  # fmt: skip
        cohort.blocks = [CohortBlock(start=peak[0], end=peak[1], reason=rollout.peak_reason)]

    def _champion_cohorts(self, scale: int) -> None:
        for site, per_scale in CHAMPION_COHORTS.items():
            champions = [
                learner
                for team in self._teams("office", site) + self._teams("engineering", site)
                for learner in self.rng.sample(team.learners[1:], CHAMPIONS_PER_TEAM)
            ]
            for number, group in enumerate(split_evenly(champions, per_scale * scale)):
                self._add(
                    f"security-champions-{site}-{number + 1}", "security-champions", group,
                    self.sites[site].timezone, site=self.sites[site],
                    deadline=self._deadline(10), unscheduled_cost=1500,
                )  # fmt: skip

    def _phishing_waves(self, scale: int) -> None:
        """Waves of about 40, due one after another; a team split over two waves keeps some
        people at their desks, so those waves share the team's conflict group."""
        for site, per_scale in PHISHING_WAVES.items():
            staff = [(t.key, lr) for t in self._teams("office", site) for lr in t.learners]
            waves = split_evenly(staff, per_scale * scale)
            waves_of_team = defaultdict(set)
            for number, wave in enumerate(waves):
                for team_key, _learner in wave:
                    waves_of_team[team_key].add(number)
            timezone = self.sites[site].timezone
            for number, wave in enumerate(waves):
                shared = sorted({k for k, _ in wave if len(waves_of_team[k]) > 1})
                cohort = self._add(
                    f"phishing-defence-{site}-{number + 1}", "phishing-defence",
                    [learner for _, learner in wave], timezone,
                    hours_days=MON_TO_THU, hours_from=time(9, 30), hours_to=time(16, 30),
                    deadline=self._deadline(9 + number * 4 // len(waves)),
                    unscheduled_cost=500, conflict_groups=",".join(shared),
                )  # fmt: skip
                if number == 0:
                    close = self._week(6) + timedelta(days=2)
                    cohort.blocks = [CohortBlock(
                        start=local_instant(close, time(0, 0), timezone),
                        end=local_instant(close + timedelta(days=3), time(0, 0), timezone),
                        reason="Quarter-end close",
                    )]  # fmt: skip

    def _secure_coding_cohorts(self) -> None:
        for team in self._teams("engineering"):
            cohort = self._add(
                f"secure-coding-{team.key.removeprefix('engineering-')}", "secure-coding",
                team.learners, team.timezone, site=self.sites[team.site],
                hours_days=MON_TO_THU, hours_from=time(9, 30), hours_to=time(17, 30),
                earliest=self._week(1), deadline=self._deadline(12),
                splittable=False, unscheduled_cost=3000,
            )  # fmt: skip
            if team.name.startswith(RELEASE_FREEZE_TEAMS):
                start, end = local_week(self._week(6), team.timezone)
                cohort.blocks = [CohortBlock(start=start, end=end, reason="Release freeze")]

    def _coaching_cohorts(self, scale: int) -> None:
        for group, timezone, sites, per_scale in COACHING_GROUPS:
            leads = [
                team.learners[0]
                for kind in ("office", "engineering")
                for team in self._teams(kind)
                if team.site in sites
            ]
            for number, circle in enumerate(split_evenly(leads, per_scale * scale)):
                self._add(
                    f"manager-coaching-{group}-{number + 1}", "manager-coaching", circle,
                    timezone, hours_days=MON_TO_THU, hours_from=time(10, 0),
                    hours_to=time(16, 0), earliest=self._week(2), deadline=self._deadline(11),
                    mergeable=False, splittable=False, unscheduled_cost=2000,
                )  # fmt: skip


def split_evenly(items: list, parts: int) -> list[list]:
    """``items`` in order, cut into ``parts`` runs whose lengths differ by at most one."""
    size, extra = divmod(len(items), parts)
    runs, start = [], 0
    for number in range(parts):
        end = start + size + (1 if number < extra else 0)
        runs.append(items[start:end])
        start = end
    return runs
