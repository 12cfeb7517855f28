"""The audit log: who changed what (old → new), and when: publishes, moves, pins, data edits,
imports, availability, late joiners and attendance."""
