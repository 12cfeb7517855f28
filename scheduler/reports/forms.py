"""Forms of the reports area: a program's microlearning costs for the cost model."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField

from scheduler.forms.fields import MoneyField


class MicrolearningCostForm(FlaskForm):
    """A program's microlearning alternative; blank fields fall back to the rate card."""

    microlearning_fixed_cost = MoneyField("Microlearning fixed cost", required=False)
    microlearning_learner_cost = MoneyField("Microlearning cost per active learner", required=False)
    submit = SubmitField("Save")

    def values(self) -> dict:
        return {
            name: None if self[name].data is None else float(self[name].data)
            for name in ("microlearning_fixed_cost", "microlearning_learner_cost")
        }
