"""The largest values a problem document may hold, in one place for the validator and the schema.

Each limit is far above any real plan (the web app's own forms stop lower) and low enough that
every amount in cents, and every sum the CP-SAT model forms of them, stays an exact 64-bit integer.
``tests/solver/test_schema.py`` checks that ``solver/schema/problem.v1.json`` states the same.
"""

from __future__ import annotations

# Money: any single amount (a rate, fee, seat cost, unscheduled cost, ...), in the document's
# currency, with at most two decimals (whole cents: every cost is computed in cents, see
# solver.pricing, and an amount between two cents would be rounded differently by each item).
MAX_AMOUNT = 100_000_000
CENT_DECIMALS = 2
# Learners in a cohort, seats of a section, seats of a room, learners of a fixed section part.
MAX_LEARNERS = 100_000
# Minutes: a session, a slot, a facilitator's daily maximum and buffer all fit in one day.
MAX_MINUTES = 1440
# Sessions of one program (the app allows 50).
MAX_SESSIONS = 100
# Days between two sessions (gap_days), and the longest horizon: the time grid holds every day.
MAX_DAYS = 3660
MAX_HORIZON_DAYS = 1100
# Any other count (a session index of a fixed or previous session).
MAX_COUNT = 1_000_000
# Characters of an id, name, site, skill or tag.
MAX_TEXT = 1000
# Nesting of JSON containers a document may have; problem documents need about 8.
MAX_DEPTH = 64
