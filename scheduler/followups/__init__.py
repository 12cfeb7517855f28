"""Follow-up microlearning: lessons and templates (coordinators), dated steps attached on publish,
nudges sent by a periodic job, the learner's token page, and attendance (facilitators)."""
