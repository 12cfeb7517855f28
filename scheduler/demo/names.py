"""Name lists for the demo's invented people, one list pair per country the demo company works in.

Names are drawn from these lists with the demo's seeded random generator, so every load makes
the same people. Any resemblance to real persons is a coincidence of common names.
"""

from __future__ import annotations

import random
import re
import unicodedata

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "uk": (
        "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Noah", "Ivy",
        "Leo", "Grace", "Arthur", "Freya", "Oscar", "Lily", "Charlie", "Emily", "Alfie", "Ella",
        "Thomas", "Sophie", "James", "Chloe", "William", "Jessica", "Joshua", "Evie", "Samuel",
        "Poppy", "Ethan", "Ruby", "Mohammed", "Aisha", "Ravi", "Priya", "Kwame", "Zara", "Liam",
        "Niamh", "Callum", "Eilidh", "Rhys", "Cerys", "Daniel", "Hannah", "Ben", "Lucy",
    ),
    "fr": (
        "Gabriel", "Louise", "Raphaël", "Jade", "Léo", "Ambre", "Louis", "Alice", "Arthur",
        "Emma", "Jules", "Rose", "Adam", "Anna", "Maël", "Mila", "Lucas", "Léa", "Hugo", "Inès",
        "Nathan", "Chloé", "Théo", "Manon", "Paul", "Camille", "Mathis", "Julie", "Yanis",
        "Sarah", "Karim", "Nadia", "Antoine", "Élodie", "Sofiane", "Margaux",
    ),
    "de": (
        "Noah", "Emilia", "Matteo", "Hannah", "Elias", "Emma", "Finn", "Sophia", "Leon", "Mia",
        "Paul", "Lina", "Felix", "Marie", "Lukas", "Lea", "Jonas", "Clara", "Maximilian",
        "Johanna", "Tim", "Laura", "Jan", "Katharina", "Mehmet", "Ayşe", "Nico", "Julia",
        "Moritz", "Anna", "Tobias", "Sabine", "Stefan", "Petra", "Emir", "Greta",
    ),
    "us": (
        "Liam", "Olivia", "Noah", "Emma", "Oliver", "Charlotte", "James", "Amelia", "Elijah",
        "Sophia", "Mateo", "Mia", "Lucas", "Isabella", "Mason", "Evelyn", "Ethan", "Harper",
        "Logan", "Camila", "Jayden", "Aaliyah", "Carlos", "Maria", "DeShawn", "Keisha", "Wei",
        "Mei", "Tyler", "Madison", "Jordan", "Taylor", "Marcus", "Gabriela", "Kevin", "Ashley",
    ),
}  # fmt: skip

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "uk": (
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
        "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts",
        "Green", "Hall", "Thomas", "Clarke", "Jackson", "Wood", "Harris", "Edwards", "Turner",
        "Martin", "Cooper", "Hill", "Ward", "Hughes", "Moore", "Clark", "King", "Harrison",
        "Lewis", "Baker", "Lee", "Allen", "Morris", "Khan", "Ali", "Scott", "Watson", "Begum",
        "Okafor", "Mensah", "Murphy", "Campbell", "Kaur", "Singh",
    ),
    "fr": (
        "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
        "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand",
        "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau",
        "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin",
        "Boyer", "Garnier", "Chevalier", "Benali", "Haddad", "Nguyen", "Diallo",
    ),
    "de": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
        "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
        "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Yılmaz",
        "Kaya", "Nowak", "Kowalski", "Schmid", "Vogel", "Jung", "Hahn", "Keller", "Frank",
    ),
    "us": (
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
        "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
        "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
        "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
        "Allen", "King", "Wright", "Scott", "Nguyen", "Chen", "Kim", "Patel",
    ),
}  # fmt: skip

#: Which name lists fit the people of a site's time zone.
LOCALE_OF_TIMEZONE = {
    "Europe/London": "uk",
    "Europe/Paris": "fr",
    "Europe/Berlin": "de",
    "America/New_York": "us",
}

EMAIL_DOMAIN = "demo.example"


def ascii_slug(text: str) -> str:
    """``"Léa Müller"`` -> ``"lea-muller"``: lower-case ASCII, words joined by hyphens."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


class NameBook:
    """Makes plausible, unique names and e-mail addresses for invented people."""

    def __init__(self, rng: random.Random, taken_emails: set[str] | None = None):
        self._rng = rng
        self._taken = taken_emails if taken_emails is not None else set()

    def person(self, timezone: str) -> tuple[str, str]:
        """A (full name, unique e-mail) for someone working in ``timezone``."""
        locale = LOCALE_OF_TIMEZONE.get(timezone, "uk")
        first = self._rng.choice(FIRST_NAMES[locale])
        last = self._rng.choice(LAST_NAMES[locale])
        return f"{first} {last}", self.email_for(first, last)

    def email_for(self, first: str, last: str) -> str:
        """``first.last@demo.example``, numbered when the address is already taken."""
        stem = f"{ascii_slug(first)}.{ascii_slug(last)}".replace("-", "")
        email, number = f"{stem}@{EMAIL_DOMAIN}", 1
        while email in self._taken:
            number += 1
            email = f"{stem}{number}@{EMAIL_DOMAIN}"
        self._taken.add(email)
        return email

    def reserve(self, email: str) -> None:
        """Keep a fixed address (a demo account) from being handed out again."""
        self._taken.add(email)
