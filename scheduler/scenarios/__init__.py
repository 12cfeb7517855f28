"""What-if scenarios of a planning period: copy, change, solve, compare, promote (issue 19)."""
