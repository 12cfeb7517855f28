"""Manual adjustments of a schedule: move, pin and lock sessions; seat learners who join late."""
