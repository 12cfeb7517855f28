"""The demo's people: managers (some reporting to senior managers), teams and their learners.

Stores are teams of shift leads and sales assistants run by a store manager who reports to a
regional manager; office and engineering teams report to a site director or the head of
engineering. Team sizes vary but their totals are fixed, so every load has exactly 1,500
learners per unit of ``scale`` and the cohorts built from them stay within 3-40 learners.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from scheduler.demo.catalogue import SITES
from scheduler.demo.names import NameBook, ascii_slug
from scheduler.models import Learner, Role, Site, User

SITE_TIMEZONES = {spec.key: spec.timezone for spec in SITES}

#: Retail regions: (key, name, training site, store locations). Six stores each per scale unit.
REGIONS = (
    ("london", "London and South", "london", (
        "Oxford Street", "Canary Wharf", "Croydon", "Kingston", "Stratford", "Brighton",
        "Guildford", "Reading", "Richmond", "Wimbledon", "Bromley", "Watford")),
    ("north", "North", "manchester", (
        "Manchester Arndale", "Trafford Centre", "Leeds Briggate", "Liverpool One",
        "Sheffield Meadowhall", "Stockport", "Bolton", "Preston", "York", "Chester",
        "Bradford", "Warrington")),
    ("france", "Île-de-France", "paris", (
        "Rivoli", "Saint-Lazare", "Montparnasse", "Bercy", "Les Halles", "Opéra",
        "La Défense", "Boulogne", "Créteil", "Vélizy", "Rosny", "Versailles")),
    ("germany", "Berlin-Brandenburg", "berlin", (
        "Alexanderplatz", "Kurfürstendamm", "Friedrichstraße", "Potsdamer Platz", "Spandau",
        "Steglitz", "Schönhauser Allee", "Köpenick", "Potsdam", "Tegel", "Neukölln",
        "Wedding")),
)  # fmt: skip
STORES_PER_REGION = 6
STORE_STAFF = 36  # average; each store's POS cohort holds all its staff, so at most 40
SHIFT_LEADS_PER_STORE = 3

#: Office teams per site and their total headcount (a multiple of the phishing waves' size).
OFFICE_TEAMS = {
    "london": (("Finance", "People", "Legal and compliance", "Marketing", "Merchandising",
                "Buying", "Customer service", "Supply chain"), 240),
    "manchester": (("Customer contact centre", "Supply chain North", "IT service desk"), 76),
    "paris": (("Finance France", "Marketing France", "Merchandising France"), 76),
    "berlin": (("Finance Germany", "Customer service Germany", "Logistics Germany"), 76),
    "new-york": (("Sourcing", "Finance Americas", "Marketing Americas"), 72),
}  # fmt: skip
ENGINEERING_TEAMS = (
    ("london", "Platform engineering"),
    ("london", "Payments"),
    ("london", "Store systems"),
    ("london", "Data"),
    ("manchester", "E-commerce"),
    ("berlin", "Mobile apps"),
    ("berlin", "Checkout"),
    ("new-york", "Integrations"),
)
ENGINEERING_STAFF = 12  # average; a secure-coding cohort is one whole team, at most 16

#: Senior managers: (key, name, site, reports to).
SENIOR_MANAGERS = (
    ("retail-director", "Helen Marsh", "london", None),
    ("region-london", "Ian Fletcher", "london", "retail-director"),
    ("region-north", "Joanne Platt", "manchester", "retail-director"),
    ("region-france", "Claire Fontaine", "paris", "retail-director"),
    ("region-germany", "Andreas Keller", "berlin", "retail-director"),
    ("head-engineering", "Nikhil Rao", "london", None),
    ("site-london", "Rebecca Hart", "london", None),
    ("site-manchester", "Paul Dawson", "manchester", "site-london"),
    ("site-paris", "Isabelle Roy", "paris", "site-london"),
    ("site-berlin", "Katja Lorenz", "berlin", "site-london"),
    ("site-new-york", "Michael Brennan", "new-york", "site-london"),
)

#: The demo managers: the manager of the first North store and of Platform engineering.
DEMO_MANAGERS = {
    "store-north-1": ("manager@demo.example", "Grace Okafor"),
    "engineering-platform-engineering": ("manager2@demo.example", "Marta Silva"),
}


@dataclass
class Team:
    """A team of learners with one manager; ``kind`` is "store", "office" or "engineering"."""

    key: str
    name: str
    kind: str
    site: str
    manager: User
    region: str | None = None
    learners: list[Learner] = field(default_factory=list)

    @property
    def timezone(self) -> str:
        return SITE_TIMEZONES[self.site]


class OrganisationBuilder:
    """Builds managers, teams and learners, deterministically from the seeded ``rng``."""

    def __init__(
        self, rng: random.Random, names: NameBook, sites: dict[str, Site], password_hash: str
    ):
        self.rng = rng
        self.names = names
        self.sites = sites
        self.password_hash = password_hash
        self.managers: list[User] = []
        self.teams: list[Team] = []
        self._next_employee = 100001

    def build(self, scale: int) -> list[Team]:
        """Every team with its manager and learners; managers are collected in ``managers``."""
        seniors = self._senior_managers()
        for copy in range(scale):
            self._stores(copy, seniors)
            self._office_teams(copy, seniors)
            self._engineering_teams(copy, seniors)
        return self.teams

    def _senior_managers(self) -> dict[str, User]:
        seniors: dict[str, User] = {}
        for key, name, site, reports_to in SENIOR_MANAGERS:
            first, last = name.split(" ", 1)
            user = self._manager(name, self.names.email_for(first, last), site)
            user.manager = seniors.get(reports_to)
            seniors[key] = user
        return seniors

    def _manager(self, name: str, email: str, site: str) -> User:
        user = User(
            email=email,
            name=name,
            role=Role.MANAGER,
            timezone=SITE_TIMEZONES[site],
            password_hash=self.password_hash,
        )
        self.managers.append(user)
        return user

    def _team(self, key: str, name: str, kind: str, site: str, boss: User, size: int, region=None):
        if key in DEMO_MANAGERS:
            email, manager_name = DEMO_MANAGERS[key]
            manager = self._manager(manager_name, email, site)
        else:
            manager = self._manager(*self.names.person(SITE_TIMEZONES[site]), site)
        manager.manager = boss
        team = Team(key, name, kind, site, manager, region)
        team.learners = [self._learner(team) for _ in range(size)]
        self.teams.append(team)
        return team

    def _learner(self, team: Team) -> Learner:
        name, email = self.names.person(team.timezone)
        learner = Learner(
            key=f"E{self._next_employee}",
            name=name,
            email=email,
            team=team.name,
            manager=team.manager,
            timezone=team.timezone,
            site=self.sites[team.site],
        )
        self._next_employee += 1
        return learner

    def _stores(self, copy: int, seniors: dict[str, User]) -> None:
        for region_number, (region, _name, site, locations) in enumerate(REGIONS):
            sizes = spread_sizes(self.rng, STORES_PER_REGION, STORE_STAFF * STORES_PER_REGION, 4)
            for index, size in enumerate(sizes):
                number = copy * STORES_PER_REGION + index
                store_number = 1000 * (region_number + 1) + number + 1
                location = locations[number % len(locations)]
                self._team(
                    f"store-{region}-{number + 1}",
                    f"Store {store_number:04d} {location}",
                    "store",
                    site,
                    seniors[f"region-{region}"],
                    size,
                    region=region,
                )

    def _office_teams(self, copy: int, seniors: dict[str, User]) -> None:
        for site, (names, headcount) in OFFICE_TEAMS.items():
            sizes = spread_sizes(self.rng, len(names), headcount, 6)
            for name, size in zip(names, sizes, strict=True):
                label = name if copy == 0 else f"{name} {copy + 1}"
                self._team(f"office-{ascii_slug(label)}", label, "office", site,
                           seniors[f"site-{site}"], size)  # fmt: skip

    def _engineering_teams(self, copy: int, seniors: dict[str, User]) -> None:
        total = ENGINEERING_STAFF * len(ENGINEERING_TEAMS)
        sizes = spread_sizes(self.rng, len(ENGINEERING_TEAMS), total, 4)
        for (site, name), size in zip(ENGINEERING_TEAMS, sizes, strict=True):
            label = name if copy == 0 else f"{name} {copy + 1}"
            self._team(f"engineering-{ascii_slug(label)}", label, "engineering", site,
                       seniors["head-engineering"], size)  # fmt: skip


def spread_sizes(rng: random.Random, count: int, total: int, spread: int) -> list[int]:
    """``count`` sizes that add up to ``total``, each within ``spread`` (+1) of the average.

    Sizes are varied in pairs (one grows as the other shrinks) so the total never moves.
    """
    base, extra = divmod(total, count)
    sizes = [base + (1 if i < extra else 0) for i in range(count)]
    order = list(range(count))
    rng.shuffle(order)
    for first, second in zip(order[::2], order[1::2], strict=False):
        change = rng.randint(0, spread)
        sizes[first] += change
        sizes[second] -= change
    return sizes
