"""Hypothesis fuzzing of every coordinator form and every CSV import: never a 500, and nothing
saved from input that fails validation.

Forms are found, not listed: every coordinator page is rendered and each ``<form method=post>``
on it is fuzzed with its own field names (text, numbers, dates, choices from its own options or
made up). A response that re-renders the form (200) or refuses (4xx) must leave every table's
row count as it was. CSV imports are fuzzed with each format's header and arbitrary cells; an
upload only previews, so it never saves, and a confirm saves only a preview without errors.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from scheduler import create_app
from scheduler.extensions import db
from scheduler.imports.csv_formats import FORMATS
from scheduler.models import CohortBlock, PlanningPeriod, Role
from tests.conftest import _empty_all_tables, _test_config
from tests.drafts import Planned, store_draft, utc
from tests.factories import (
    PASSWORD,
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)
from tests.test_access_control import COORDINATOR, policy_of, url_for_rule

pytestmark = pytest.mark.slow  # about two minutes: 200 examples for each of ~40 forms
EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def shared(database_url, tmp_path_factory):
    """One app and one small world for every example (rebuilding them per example is too slow)."""
    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("fuzz")))
    with app.app_context():
        _empty_all_tables()
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        site = create_site()
        room = create_room(site)
        program = create_program()
        manager = create_user(Role.MANAGER, email="manager@example.com")
        learner = create_learner(site, manager=manager)
        cohort = create_cohort(program, site, learners=[learner])
        block = CohortBlock(
            cohort=cohort,
            start=datetime(2027, 1, 18, tzinfo=UTC),
            end=datetime(2027, 1, 23, tzinfo=UTC),
        )
        db.session.add(block)
        facilitator = create_facilitator(create_user(Role.FACILITATOR), site)
        period = PlanningPeriod(
            name="Spring", start=date(2027, 1, 4), end=date(2027, 2, 26), timezone="UTC"
        )
        db.session.add(period)
        db.session.flush()
        version = store_draft(
            period,
            [Planned("S1", program, [(cohort, 1)], [(utc(2027, 1, 19, 9), facilitator, room)])],
        )
        db.session.commit()
        ids = {
            "period": period.id, "site": site.id, "room": room.id, "program": program.id,
            "learner": learner.id, "cohort": cohort.id, "block": block.id,
            "facilitator": facilitator.id, "user": manager.id, "version": version.id,
            "session": version.sections[0].sessions[0].id,
        }  # fmt: skip
    client = app.test_client()
    client.post("/login", data={"email": "coordinator@example.com", "password": PASSWORD})
    yield app, client, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def row_counts(app) -> dict[str, int]:
    """Every table's row count, in one query."""
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        sql = ", ".join(f'(SELECT count(*) FROM "{name}")' for name in tables)
        values = db.session.execute(text(f"SELECT {sql}")).one()
        db.session.rollback()
    return dict(zip(tables, values, strict=True))


class FormFinder(HTMLParser):
    """The POST forms of a page: action, and each field's name, type and options."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and attrs.get("name"):
            if tag in ("input", "textarea", "select"):
                kind = attrs.get("type", tag) if tag == "input" else tag
                field = self._form["fields"].setdefault(
                    attrs["name"], {"type": kind, "options": []}
                )
                if kind in ("checkbox", "radio") and attrs.get("value"):
                    field["options"].append(attrs["value"])
                if tag == "select":
                    self._select = field
        if tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def coordinator_forms(app, client, ids) -> list[tuple[str, dict]]:
    """(action URL, fields) of every POST form on every coordinator page, without duplicates."""
    found: dict[tuple, tuple[str, dict]] = {}
    for rule in app.url_map.iter_rules():
        if policy_of(rule.endpoint) != COORDINATOR or "GET" not in rule.methods:
            continue
        try:
            page_url = url_for_rule(rule, ids)
        except ValueError:  # an id this small world has no object for
            continue
        response = client.get(page_url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        finder = FormFinder()
        finder.feed(response.get_data(as_text=True))
        for form in finder.forms:
            action = form["action"] or page_url
            if "logout" in action:
                continue
            key = (action.split("?")[0], tuple(sorted(form["fields"])))
            found.setdefault(key, (action, form["fields"]))
    return list(found.values())


TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "9" * 30, "2027-02-30", "25:61",
                     "2027-01-19T09:00", "<script>alert(1)</script>", "' OR 1=1 --", "\x00",
                     "a,b,,c", "=cmd|' /C calc'!A0", "ünïcødé 日本"]),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.dates().map(date.isoformat),
)  # fmt: skip


def field_values(fields: dict) -> st.SearchStrategy[dict]:
    """Values for the form's own fields (sometimes a field left out or an option made up)."""
    strategies = {}
    for name, field in fields.items():
        if name == "csrf_token":
            continue
        options = [o for o in field["options"] if o is not None]
        value = st.one_of(st.sampled_from(options), TEXT) if options else TEXT
        strategies[name] = st.one_of(value, st.none())
    return st.fixed_dictionaries(strategies).map(
        lambda values: {k: v for k, v in values.items() if v is not None}
    )


def test_every_coordinator_form_survives_fuzzing_and_saves_nothing_invalid(shared):
    app, client, ids = shared
    forms = coordinator_forms(app, client, ids)
    assert len(forms) >= 10, forms  # the discovery itself works
    failures = []
    for action, fields in forms:
        if "file" in {f["type"] for f in fields.values()}:
            continue  # the CSV upload forms: fuzzed with files below
        try:
            fuzz_form(app, client, action, fields)
        except AssertionError as error:
            failures.append(str(error)[:500])
    assert failures == []


def fuzz_form(app, client, action: str, fields: dict) -> None:
    """Post 200 generated submissions of one form."""

    @EXAMPLES
    @given(values=field_values(fields))
    def fuzz(values):
        before = row_counts(app)
        response = client.post(action, data=values)
        assert response.status_code < 500, (action, values)
        # Refused: a 4xx, or the form shown again with an error (a 200 without one is a
        # success page, e.g. a new feed link shown once).
        refused = 400 <= response.status_code < 500 or (
            response.status_code == 200 and 'role="alert"' in response.get_data(as_text=True)
        )
        if refused:
            assert row_counts(app) == before, (action, values, response.status_code)

    fuzz()


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


CELL = st.one_of(TEXT, st.sampled_from(["learner@example.com", "london", "L1", "yes", "no"]))


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_every_csv_import_survives_fuzzing_and_saves_nothing_invalid(shared, kind):
    app, client, _ = shared
    fmt = FORMATS[kind]

    @EXAMPLES
    @given(
        header=st.one_of(
            st.just(fmt.header),
            st.permutations(fmt.header),
            st.lists(st.sampled_from([*fmt.header, "unknown", ""]), max_size=8),
        ),
        rows=st.lists(st.lists(CELL, max_size=len(fmt.header) + 1), max_size=5),
        raw=st.one_of(st.none(), st.binary(max_size=200)),
    )
    def fuzz(header, rows, raw):
        content = raw if raw is not None else csv_text(header, rows).encode()
        before = row_counts(app)
        response = client.post(
            f"/imports/{kind}",
            data={"file": (io.BytesIO(content), "fuzz.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code < 500, (header, rows, raw)
        assert row_counts(app) == before  # an upload only previews
        page = response.get_data(as_text=True)
        if 'name="confirm-token"' in page:
            token = page.split('name="confirm-token"', 1)[1].split('value="', 1)[1].split('"')[0]
            saved = client.post("/imports/confirm", data={"confirm-token": token})
            assert saved.status_code < 500, (header, rows)

    fuzz()
