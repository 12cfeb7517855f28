"""Follow-up pages of coordinators: lessons with their quizzes, templates, a cohort's progress."""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.followups.delivery import send_due_nudges
from scheduler.followups.learning import Submission, record_submission
from scheduler.models import (
    Learner,
    MicroLesson,
    QuizQuestion,
    Role,
    SequenceTemplate,
    StepKind,
    StepStatus,
    TemplateStep,
)
from tests.drafts import utc
from tests.factories import create_program, create_user
from tests.followup_world import follow_up_world, make_lessons, publish_plan, steps_of
from tests.test_followups import FIRST, LAST

QUIZ = """\
What do you do first when a customer disputes a charge?
- Refund at once
+ Listen and check the receipt
= Listening first calms the situation.

Which payments can be split in one sale?
+ Gift card
+ Bank card
- Cheque
"""
LESSON = {
    "title": "Disputed charges",
    "key": "disputes-1",
    "minutes": "5",
    "body": "Stay **calm** and check the receipt.",
    "lms_url": "",
    "quiz": QUIZ,
}


def _coordinator(app, auth) -> None:
    with app.app_context():
        create_user(Role.COORDINATOR, email="cora@example.com")
        db.session.commit()
    auth.login("cora@example.com")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_lesson_is_saved_with_its_quiz(app, client, auth):
    _coordinator(app, auth)
    response = client.post("/follow-ups/lessons/new", data=LESSON)
    assert response.status_code == 302
    with app.app_context():
        lesson = db.session.scalar(select(MicroLesson))
        assert (lesson.key, lesson.title, lesson.minutes) == ("disputes-1", "Disputed charges", 5)
        first, second = lesson.questions
        assert first.choices[1] == {"text": "Listen and check the receipt", "correct": True}
        assert first.feedback == "Listening first calms the situation."
        assert not first.multiple and second.multiple
        assert response.headers["Location"] == f"/follow-ups/lessons/{lesson.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>calm</strong>" in page and "(several answers)" in page


def test_a_bad_lesson_is_shown_again_with_its_errors_and_nothing_is_saved(app, client, auth):
    _coordinator(app, auth)
    bad = LESSON | {
        "minutes": "9",
        "lms_url": "ftp://lms.example.com/x",
        "quiz": "Which one?\n- This\n- That\n",
    }
    response = client.post("/follow-ups/lessons/new", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Minutes must be at most 7 minutes." in page
    assert "LMS link must start with https:// or http://." in page
    assert "Question 1 has no right answer" in page
    assert 'value="Disputed charges"' in page and "Which one?" in page  # kept for correcting
    too_many = LESSON | {"quiz": "\n\n".join(["Q?\n+ a\n- b"] * 6)}
    page = client.post("/follow-ups/lessons/new", data=too_many).get_data(as_text=True)
    assert "A lesson needs 1 to 5 quiz questions, not 6." in page
    no_body = LESSON | {"body": ""}
    page = client.post("/follow-ups/lessons/new", data=no_body).get_data(as_text=True)
    assert "Write the lesson or give a link to it in your LMS." in page
    with app.app_context():
        assert _count(MicroLesson) == 0 and _count(QuizQuestion) == 0


def test_editing_a_lesson_shows_its_quiz_as_text_and_keeps_it_when_the_edit_is_bad(
    app, client, auth
):
    _coordinator(app, auth)
    client.post("/follow-ups/lessons/new", data=LESSON)
    with app.app_context():
        lesson_id = db.session.scalar(select(MicroLesson.id))
        first_question = db.session.scalar(
            select(QuizQuestion.id).where(QuizQuestion.position == 0)
        )
    url = f"/follow-ups/lessons/{lesson_id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert "+ Listen and check the receipt" in form and "= Listening first" in form
    page = client.post(url, data=LESSON | {"quiz": "No choices here"}).get_data(as_text=True)
    assert "Question 1 needs 2 to 6 choices" in page
    with app.app_context():
        assert _count(QuizQuestion) == 2
    one_question = "Is it calm?\n+ Yes\n- No\n= Calm first."
    edited = LESSON | {"title": "Disputes", "minutes": "3", "quiz": one_question}
    assert client.post(url, data=edited).status_code == 302
    with app.app_context():
        lesson = db.session.get(MicroLesson, lesson_id)
        assert (lesson.title, lesson.minutes) == ("Disputes", 3)
        # The first question keeps its row (and learners' review items); the second goes.
        assert [(q.id, q.prompt) for q in lesson.questions] == [(first_question, "Is it calm?")]


def test_a_lesson_id_used_by_another_lesson_is_refused(app, client, auth):
    _coordinator(app, auth)
    client.post("/follow-ups/lessons/new", data=LESSON)
    page = client.post("/follow-ups/lessons/new", data=LESSON | {"title": "Copy"}).get_data(
        as_text=True
    )
    assert "Lesson id disputes-1 is already used by another lesson." in page
    with app.app_context():
        assert _count(MicroLesson) == 1


def _template_world(app) -> int:
    with app.app_context():
        make_lessons(2)
        program = create_program(name="Till basics")
        db.session.commit()
        return program.id


def test_a_template_is_saved_with_its_steps_in_day_order(app, client, auth):
    program_id = _template_world(app)
    _coordinator(app, auth)
    lines = "30 check-in\n1 lesson lesson-1\n3 quiz lesson-2\n45 review\n"
    data = {"name": "Till", "program_id": str(program_id), "audience": "staff"}
    response = client.post("/follow-ups/templates/new", data=data | {"step_lines": lines})
    assert response.status_code == 302
    with app.app_context():
        template = db.session.scalar(select(SequenceTemplate))
        assert template.program_id == program_id and template.audience == "staff"
        assert [(s.day_offset, s.kind, s.position) for s in template.steps] == [
            (1, StepKind.LESSON, 0),
            (3, StepKind.QUIZ, 1),
            (30, StepKind.CHECK_IN, 2),
            (45, StepKind.REVIEW, 3),
        ]
        template_id = template.id
    form = client.get(f"/follow-ups/templates/{template_id}/edit").get_data(as_text=True)
    assert "1 lesson lesson-1\n3 quiz lesson-2\n30 check-in\n45 review" in form
    index = client.get("/follow-ups").get_data(as_text=True)
    assert "Till basics" in index and "1: Lesson and quiz; 3: Quiz; 30: Check-in" in index


def test_a_bad_template_line_is_reported_by_number_and_nothing_is_saved(app, client, auth):
    program_id = _template_world(app)
    _coordinator(app, auth)
    data = {"name": "Till", "program_id": str(program_id), "audience": "everyone"}
    cases = {
        "1 lesson lesson-1\n3 lecture lesson-2\n": "Line 2: the step must be lesson, quiz,",
        "1 lesson lesson-1\n\nday5 review\n": "Line 2: start with the day after the last",
        "1 lesson lesson-1\n7 lesson nope\n": "Line 2: name the lesson by its id",
        "400 review\n": "Line 1: start with the day after the last session (0-365).",
        "\u00b2 review\n": "Line 1: start with the day after the last session (0-365).",
        "30 check-in lesson-1\n": "Line 1: a check-in step takes no lesson.",
        "45 review\n45 review\n": "The same step is listed twice.",
    }
    for lines, error in cases.items():
        response = client.post("/follow-ups/templates/new", data=data | {"step_lines": lines})
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and error in page, lines
        assert lines.split("\n")[0] in page  # the text is shown again for correcting
    with app.app_context():
        assert _count(SequenceTemplate) == 0 and _count(TemplateStep) == 0


def test_a_bad_edit_of_a_template_leaves_its_steps_as_they_were(app, client, auth):
    program_id = _template_world(app)
    _coordinator(app, auth)
    data = {"name": "Till", "program_id": str(program_id), "audience": "everyone"}
    client.post("/follow-ups/templates/new", data=data | {"step_lines": "1 lesson lesson-1"})
    with app.app_context():
        template_id = db.session.scalar(select(SequenceTemplate.id))
    url = f"/follow-ups/templates/{template_id}/edit"
    bad = data | {"name": "Renamed", "step_lines": "1 lesson lesson-1\n2 nap"}
    assert "Line 2:" in client.post(url, data=bad).get_data(as_text=True)
    with app.app_context():
        template = db.session.get(SequenceTemplate, template_id)
        assert template.name == "Till"
        assert [(s.day_offset, s.kind) for s in template.steps] == [(1, StepKind.LESSON)]


def test_the_cohort_progress_page_shows_each_learners_steps_and_results(app, client, auth):
    with app.app_context():
        w = follow_up_world()
        publish_plan(w, FIRST, LAST)
        send_due_nudges(now=utc(2027, 3, 11, 16))
        step = steps_of(w["london"])[0]
        question = step.lesson.questions[0]
        submission = Submission(chosen={question.id: {0}}, seconds=150)
        record_submission(step, submission, utc(2027, 3, 11, 17))
        new_york_step = steps_of(w["new_york"])[0]
        new_york_step.status = StepStatus.WITHDRAWN
        new_york_step.withdrawn_reason = "left the cohort"
        db.session.commit()
        cohort_id, learners = w["cohort"].id, _count(Learner)
    auth.login("coord@example.com")
    page = client.get(f"/follow-ups/cohorts/{cohort_id}").get_data(as_text=True)
    rows = page.split("<tr>")[2:]
    assert len(rows) == learners * 9  # the default template's nine steps each
    lea = [row for row in rows if "Lea London" in row]
    assert "done" in lea[0] and "100 %" in lea[0] and "2.5 min" in lea[0]
    assert "Lesson and quiz: Lesson 1" in lea[0]
    assert "Thu 11 Mar 2027 10:00 GMT" in lea[0]  # in the learner's zone
    assert sum("pending" in row for row in lea) == 8
    nia = [row for row in rows if "Nia NewYork" in row]
    assert "withdrawn (left the cohort)" in nia[0]
    assert "Thu 11 Mar 2027 10:00 EST" in nia[0]
    index = client.get("/follow-ups").get_data(as_text=True)
    counts = index.split(">c1</a>")[1].split("</tr>")[0]
    # pending, sent, done, skipped, withdrawn
    assert [cell.split("<")[0] for cell in counts.split("<td>")[1:]] == ["16", "0", "1", "0", "1"]
