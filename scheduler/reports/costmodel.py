"""The cost model of a program: fixed development cost plus a variable cost per learner, for
instructor-led delivery, microlearning and a blend of both, and where they break even.

Defaults come from a common industry rate card (``RATE_CARD``); the page labels every value
that is a default rather than the coordinator's own figure.
"""

from __future__ import annotations

from dataclasses import dataclass

#: (fixed, per learner) of each delivery format when nothing better is known.
RATE_CARD = {
    "instructor_led": (10_000.0, 45.0),  # per seat
    "microlearning": (30_000.0, 3.0),  # per active learner
}
#: The blend keeps this share of the instructor-led time per learner, plus all microlearning.
DEFAULT_CLASSROOM_SHARE = 0.5


@dataclass(frozen=True)
class Option:
    """A delivery format's cost line: ``fixed + per_learner × learners``."""

    name: str
    fixed: float
    per_learner: float
    fixed_is_default: bool = False
    per_learner_is_default: bool = False

    def cost(self, learners: float) -> float:
        return self.fixed + self.per_learner * learners


def blended(instructor_led: Option, microlearning: Option, classroom_share: float) -> Option:
    """A blend: both development costs, ``classroom_share`` of the instructor-led cost per
    learner and the whole microlearning cost per learner."""
    return Option(
        name="Blended",
        fixed=instructor_led.fixed + microlearning.fixed,
        per_learner=classroom_share * instructor_led.per_learner + microlearning.per_learner,
        fixed_is_default=instructor_led.fixed_is_default or microlearning.fixed_is_default,
        per_learner_is_default=(
            instructor_led.per_learner_is_default or microlearning.per_learner_is_default
        ),
    )


def break_even(a: Option, b: Option) -> float | None:
    """The number of learners at which ``a`` and ``b`` cost the same, or None when their lines
    never cross at a positive number (one is cheaper, or as cheap, for any number of learners)."""
    if a.per_learner == b.per_learner:
        return None
    learners = (b.fixed - a.fixed) / (a.per_learner - b.per_learner)
    return learners if learners > 0 else None


def cheapest(options: list[Option], learners: float) -> Option:
    """The option costing least for ``learners`` (the first one listed on a tie)."""
    return min(options, key=lambda option: option.cost(learners))


@dataclass(frozen=True)
class ProgramModel:
    """One program's three options, their break-even points and its learners so far."""

    program_id: int
    program: str
    learners: int  # trained in the published schedules
    options: tuple[Option, Option, Option]  # instructor-led, microlearning, blended

    @property
    def break_evens(self) -> list[tuple[str, str, float | None]]:
        il, ml, bl = self.options
        return [
            (il.name, ml.name, break_even(il, ml)),
            (il.name, bl.name, break_even(il, bl)),
            (ml.name, bl.name, break_even(ml, bl)),
        ]

    @property
    def cheapest_now(self) -> Option:
        return cheapest(list(self.options), self.learners)

    def chart_data(self) -> dict:
        """Cost lines from 0 learners to past the last break-even (and the learners so far),
        with the break-even points: what the page's chart draws."""
        points = [n for _, _, n in self.break_evens if n is not None]
        reach = max([self.learners, 100.0, *points]) * 1.5
        upto = float(round(reach))
        return {
            "program": self.program,
            "lines": [
                {
                    "label": option.name,
                    "points": [
                        {"x": 0, "y": round(option.cost(0), 2)},
                        {"x": upto, "y": round(option.cost(upto), 2)},
                    ],
                }
                for option in self.options
            ],
            "break_evens": [
                {"label": f"{a} = {b}", "x": round(n, 1), "y": round(self.options_by(a).cost(n), 2)}
                for a, b, n in self.break_evens
                if n is not None
            ],
        }

    def options_by(self, name: str) -> Option:
        return next(option for option in self.options if option.name == name)
