"""A manual move as documents, checked by the solver's own checker (``solver.moves``), with the
refusal in the coordinator's words (``solver.refusals``).

The move form, the move assistant and the review calendar's drag-and-drop all go through
``check_move``: one code path decides what a move breaks and how the refusal reads.
"""

from __future__ import annotations

from solver.moves import Move, move_violations, moved_documents
from solver.refusals import problem_refusals, refusals

__all__ = ["Move", "check_move", "moved_documents"]


def check_move(problem: dict, schedule: dict, move: Move) -> list[str]:
    """What the moved documents break, in the coordinator's words; empty when the move is valid.

    The schedule's cost is recomputed in place first: a move changes fees, rooms and changes."""
    errors, violations = move_violations(problem, schedule)
    if errors:
        return problem_refusals(errors)
    return refusals(problem, schedule, violations, (move.section, move.index))
